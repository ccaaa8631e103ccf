/**
 * Network-namespace helpers for root-only integration tests: unique names per process, every
 * namespace removed in `finally` (and by `cleanupNamespaces` at the end), commands echoed on
 * failure. Tests call `needRoot(t)` first: without root they skip with the reason.
 */
import { execFileSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export const NS_PREFIX = `dst-${process.pid}-`;

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Skips the test (visibly) unless running as root with `ip` available. */
export function needRoot(t: TestContext, also: readonly string[] = []): boolean {
  if (!isRoot()) { t.skip('needs root for network namespaces'); return false; }
  for (const tool of ['ip', ...also]) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      t.skip(`needs ${tool}`);
      return false;
    }
  }
  return true;
}

export function sh(cmd: string, input?: string): string {
  try {
    return execFileSync('sh', ['-c', cmd], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new Error(`command failed: ${cmd}\n${err.stderr ?? ''}${err.stdout ?? ''}`);
  }
}

export function nsExec(ns: string, cmd: string, input?: string): string {
  return sh(`ip netns exec ${ns} ${cmd}`, input);
}

/** Creates namespaces `${NS_PREFIX}${name}` and runs `body`; always deletes them. */
export async function withNamespaces<T>(names: readonly string[], body: (ns: Record<string, string>) => Promise<T> | T): Promise<T> {
  const ns: Record<string, string> = {};
  try {
    for (const n of names) {
      ns[n] = `${NS_PREFIX}${n}`;
      sh(`ip netns add ${ns[n]}`);
      nsExec(ns[n], 'ip link set lo up');
    }
    return await body(ns);
  } finally {
    for (const n of Object.values(ns)) {
      try { sh(`ip netns del ${n}`); } catch { /* already gone */ }
    }
  }
}

/** A veth pair between two namespaces with addresses; returns the interface names. */
export function veth(a: string, b: string, aName: string, bName: string, aAddrs: string[], bAddrs: string[]): void {
  sh(`ip link add ${aName} netns ${a} type veth peer name ${bName} netns ${b}`);
  for (const [ns, ifn, addrs] of [[a, aName, aAddrs], [b, bName, bAddrs]] as const) {
    for (const addr of addrs) nsExec(ns, `ip addr add ${addr} dev ${ifn}${addr.includes(':') ? ' nodad' : ''}`);
    nsExec(ns, `ip link set ${ifn} up`);
  }
}
