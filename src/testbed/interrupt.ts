/**
 * SIGINT (Ctrl-C), SIGTERM or SIGHUP while `dsmip6 testbed run` or `dsmip6 demo` works. The
 * first signal marks the run interrupted (`interrupted()`): the scenario runner stops before
 * its next step and scenario, and the command unwinds through its one clean-up (tear down the
 * testbed it brought up, or put one it found back as it was) and exits with 130. The signal
 * also kills this process's helpers (probe senders, captures, echo servers; never a dsmip6d,
 * which the clean-up stops only when it should), so that a step waiting on them ends now.
 * Should the run not unwind within `graceMs`, the fallback clean-up runs here and the process
 * exits. Later signals are ignored.
 */
import { childPids, cmdline } from './sh.js';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** How long the run gets to unwind by itself. */
export const UNWIND_GRACE_MS = 30_000;

let fired = false;

/** True once a signal came while a handler was installed. */
export function interrupted(): boolean {
  return fired;
}

export interface Interrupt {
  readonly fired: boolean;
  /**
   * The run is over: before a signal, the handlers go; after one, the fallback is cancelled,
   * the helpers left are killed, and later signals stay ignored until the process exits.
   */
  remove(): void;
}

/** Kills this process's children but the daemons (dsmip6d). */
function killHelpers(): void {
  for (const pid of childPids()) {
    if (cmdline(pid)?.includes('dsmip6d') === true) continue;
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

export function onInterrupt(
  fallback: () => Promise<void>, info: (line: string) => void, graceMs = UNWIND_GRACE_MS,
): Interrupt {
  let timer: NodeJS.Timeout | undefined;
  const handler = (sig: NodeJS.Signals): void => {
    if (fired) return;
    fired = true;
    info(`${sig}: stopping and cleaning up`);
    killHelpers();
    timer = setTimeout(() => {
      info(`the run did not stop within ${graceMs / 1000} s: cleaning up now`);
      void fallback()
        .catch((e: unknown) => info(`clean-up failed: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => { killHelpers(); process.exit(130); });
    }, graceMs);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    get fired() { return fired; },
    remove: () => {
      if (!fired) {
        for (const s of SIGNALS) process.off(s, handler);
        return;
      }
      clearTimeout(timer);
      killHelpers();
    },
  };
}
