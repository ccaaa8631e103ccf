/**
 * Shared by the root-only Linux socket and TUN tests: polling for what arrives, and two
 * namespaces joined by one veth pair.
 */
import { connectNetns, createNetns, ipIn } from '../../src/os/linux/netns.js';

/** Resolves once `cond()` holds; rejects after `ms` (generous: the machine may be busy). */
export async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Creates namespaces `a` and `b` joined by veth v0 (in a) and v1 (in b); with `v4` = '10.77.0'
 * they get 10.77.0.1/24 and 10.77.0.2/24, with `v6` = 'fd77::' fd77::1/64 and fd77::2/64 (nodad).
 */
export function linkedPair(a: string, b: string, v4?: string, v6?: string): void {
  createNetns(a);
  createNetns(b);
  connectNetns(a, 'v0', b, 'v1');
  if (v4 !== undefined) {
    ipIn(a, ['addr', 'add', `${v4}.1/24`, 'dev', 'v0']);
    ipIn(b, ['addr', 'add', `${v4}.2/24`, 'dev', 'v1']);
  }
  if (v6 !== undefined) {
    ipIn(a, ['addr', 'add', `${v6}1/64`, 'dev', 'v0', 'nodad']);
    ipIn(b, ['addr', 'add', `${v6}2/64`, 'dev', 'v1', 'nodad']);
  }
}
