/**
 * Running the tools the testbed is made of (`ip`, `sysctl`, `nft`, `dnsmasq`, `radvd`) and
 * handling the processes it starts: failures carry the command and its standard error.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export class CommandError extends Error {}

export interface RunResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

/** Runs `cmd args...` (with `input` on standard input) and returns what it printed. */
export function tryRun(cmd: string, args: readonly string[], input?: string): RunResult {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  if (r.error) return { ok: false, stdout: '', stderr: `${cmd}: ${r.error.message}`, status: -1 };
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

/** As tryRun, but throws a CommandError naming the command when it fails. */
export function run(cmd: string, args: readonly string[], input?: string): string {
  const r = tryRun(cmd, args, input);
  if (!r.ok) {
    const what = [cmd, ...args].join(' ');
    const shown = input ? `${what} <<\n${input}` : what;
    throw new CommandError(`${shown}\n-> exit ${r.status}: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** `ip [-n ns] -batch -` with one command per line. */
export function ipBatch(ns: string | undefined, lines: readonly string[]): void {
  if (lines.length === 0) return;
  run('ip', [...(ns === undefined ? [] : ['-n', ns]), '-batch', '-'], `${lines.join('\n')}\n`);
}

/** `ip -n ns -j ARGS` parsed. */
export function ipJson<T>(ns: string, args: readonly string[]): T {
  const out = run('ip', ['-n', ns, '-j', ...args]).trim();
  return (out === '' ? [] : JSON.parse(out)) as T;
}

export function nsExec(ns: string, args: readonly string[], input?: string): string {
  return run('ip', ['netns', 'exec', ns, ...args], input);
}

/** Sets sysctls (dotted names) inside a namespace, in one process. */
export function sysctl(ns: string, settings: readonly (readonly [string, string | number])[]): void {
  if (settings.length === 0) return;
  nsExec(ns, ['sysctl', '-qw', ...settings.map(([k, v]) => `${k}=${v}`)]);
}

/** Names of the existing network namespaces. */
export function listNetns(): string[] {
  const r = tryRun('ip', ['-j', 'netns', 'list']);
  if (!r.ok || r.stdout.trim() === '') return [];
  return (JSON.parse(r.stdout) as { name: string }[]).map((n) => n.name);
}

/** Processes whose network namespace is `ns`. */
export function netnsPids(ns: string): number[] {
  const r = tryRun('ip', ['netns', 'pids', ns]);
  return r.ok ? r.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0) : [];
}

/** Is the process running? A zombie (exited, not yet reaped by its parent) is not. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The command line of a process, or undefined when it is gone. */
export function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL what is still there after `graceMs`; resolves when all are gone. */
export async function terminate(pids: readonly number[], graceMs: number): Promise<{ killed: number[] }> {
  const signal = (p: number, s: NodeJS.Signals): void => {
    try { process.kill(p, s); } catch { /* already gone */ }
  };
  for (const p of pids) signal(p, 'SIGTERM');
  const end = Date.now() + graceMs;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < end) {
    await sleep(20);
    left = left.filter(alive);
  }
  for (const p of left) signal(p, 'SIGKILL');
  const hard = Date.now() + 2000;
  while (left.some(alive) && Date.now() < hard) await sleep(10);
  return { killed: left };
}

/** Polls `probe` every `intervalMs` until it returns a value; throws after `timeoutMs`. */
export async function waitUntil<T>(
  what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, intervalMs = 20,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await Promise.resolve().then(probe).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new CommandError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Is `tool` on the PATH? */
export function haveTool(tool: string): boolean {
  return tryRun('sh', ['-c', `command -v ${tool}`]).ok;
}

/**
 * This process's children (probe senders and reflectors, captures, echo servers, daemons) by
 * /proc: an interrupted run may have started one after the clean-up looked for them.
 */
export function childPids(): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) out.push(Number(p));
    } catch { /* exited */ }
  }
  return out;
}
