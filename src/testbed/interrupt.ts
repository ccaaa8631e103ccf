/**
 * SIGINT (Ctrl-C), SIGTERM or SIGHUP while `dsmip6 testbed run` or `dsmip6 demo` works: the
 * first signal runs the command's clean-up (tear down the testbed it brought up, or put one it
 * found back as it was), then kills what is left of this process's children (probe senders,
 * captures, echo servers) and exits with 130. Later signals are ignored while that happens.
 */
import { childPids } from './sh.js';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface Interrupt {
  /** A signal came: what the run still reports is moot (its scenario fails as things vanish). */
  readonly fired: boolean;
  /** Removes the handlers. */
  remove(): void;
}

/** Installs the handlers. */
export function onInterrupt(cleanup: () => Promise<void>, info: (line: string) => void): Interrupt {
  let fired = false;
  const handler = (sig: NodeJS.Signals): void => {
    if (fired) return;
    fired = true;
    info(`${sig}: stopping and cleaning up`);
    void cleanup()
      .catch((e: unknown) => info(`clean-up failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        for (const pid of childPids()) {
          try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        }
        process.exit(130);
      });
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    get fired() { return fired; },
    remove: () => { for (const s of SIGNALS) process.off(s, handler); },
  };
}
