/**
 * Processes and namespaces of the benchmark suite: commands inside namespaces, dsmip6d and
 * other daemons started as children (their pid is the daemon's: `ip netns exec` execs), and
 * the control-socket queries the scale part makes.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendRequest } from '../api/client.js';
import { BC_LIMIT_MAX } from '../api/protocol.js';
import type { BcResult, HomeLinkStatus, StatusResult } from '../api/views.js';

/** dist/src/cli/dsmip6d.js, next to this file's directory. */
export const DAEMON = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'dsmip6d.js');
/** The repository root (dist/src/bench -> ../../..). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Runs `cmd args` in namespace `ns` (or here when ns is undefined); returns stdout, throws on failure. */
export function sh(ns: string | undefined, cmd: string, args: readonly string[], input?: string): string {
  const full = ns === undefined ? [cmd, ...args] : ['ip', 'netns', 'exec', ns, cmd, ...args];
  return execFileSync(full[0], full.slice(1), {
    encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000,
  });
}

/** `ip -n ns ...` for several argument lists, stopping at the first failure. */
export function ipAll(ns: string, lines: readonly string[]): void {
  for (const l of lines) sh(undefined, 'ip', ['-n', ns, ...l.split(' ')]);
}

/** A child process with its output in `logFile`, and an exit promise. */
export class Child {
  readonly exited: Promise<number | null>;

  constructor(readonly proc: ChildProcess) {
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  static start(ns: string, cmd: string, args: readonly string[], logFile: string): Child {
    const fd = openSync(logFile, 'a');
    try {
      return new Child(spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', fd, fd] }));
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  async stop(graceMs = 30_000): Promise<number | null> {
    if (!this.running) return this.proc.exitCode;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }
}

/**
 * Starts dsmip6d in `ns`. With DSMIP6_BENCH_PROFILE=DIR in the environment, each daemon writes a
 * V8 CPU profile there when it stops (node --cpu-prof), for finding the hot path.
 */
export function startDaemon(ns: string, config: string, logFile: string): Child {
  const prof = process.env.DSMIP6_BENCH_PROFILE;
  const node = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [];
  return Child.start(ns, process.execPath, [...node, DAEMON, '-c', config], logFile);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `probe` returns true (polling every 100 ms); false on timeout. */
export async function until(probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await Promise.resolve(probe()).catch(() => false)) return true;
    await sleep(100);
  }
  return false;
}

/** The control socket answers `status`. */
export async function controlAnswers(socket: string): Promise<boolean> {
  const r = await sendRequest(socket, { id: 1, command: 'status' }, { timeoutMs: 2000 });
  return r.ok && r.response.ok;
}

/** The home agent's home-link counters (DAD, announcements) from `ctl status`; null if absent. */
export async function homeLinkCounters(socket: string): Promise<HomeLinkStatus | null> {
  const r = await sendRequest(socket, { id: 1, command: 'status' }, { timeoutMs: 10_000 });
  if (!r.ok) throw new Error(r.message);
  if (!r.response.ok) throw new Error(r.response.error.message);
  return (r.response.result as StatusResult).homeAgent?.homeLink ?? null;
}

/** Counts the distinct home addresses the `bc` view lists, page by page (as `dsmip6 ctl bc --json`). */
export async function countBindings(socket: string): Promise<number> {
  const seen = new Set<string>();
  for (let offset = 0; ; offset += BC_LIMIT_MAX) {
    const r = await sendRequest(socket, { id: 1, command: 'bc', offset, limit: BC_LIMIT_MAX },
      { timeoutMs: 60_000 });
    if (!r.ok) throw new Error(r.message);
    if (!r.response.ok) throw new Error(r.response.error.message);
    const page = r.response.result as BcResult;
    for (const b of page.bindings) seen.add(b.homeAddress);
    if (page.bindings.length === 0 || offset + page.bindings.length >= page.total) return seen.size;
  }
}
