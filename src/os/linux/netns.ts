/**
 * Network namespaces for the testbed and root-only tests: create and delete named namespaces
 * with `ip netns`, run `ip` inside one, and enter one with setns() to open TUNs and sockets
 * there from this very process (platform.md §5.5).
 *
 * setns() moves only the calling thread — the main JS thread. Sockets and TUN devices opened
 * while inside stay in that namespace after the thread moves back, so one process can hold
 * sockets in several namespaces. The callback passed to `inNetns` must be synchronous: libuv's
 * thread pool (async fs, dns.lookup, crypto) stays in the original namespace, and an await
 * would let unrelated code run while the thread is elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { native, nativeAvailable, sys } from './native.js';

/** Runs `ip args...` and returns its stdout; throws with ip's stderr on failure. */
export function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `ip -n ns args...`. */
export function ipIn(ns: string, args: readonly string[]): string {
  return ip(['-n', ns, ...args]);
}

/** Creates namespace `name` with its loopback up. */
export function createNetns(name: string): void {
  ip(['netns', 'add', name]);
  ipIn(name, ['link', 'set', 'lo', 'up']);
}

/** Deletes namespace `name` if it exists (never throws: for finally blocks). */
export function deleteNetns(name: string): void {
  try {
    ip(['netns', 'del', name]);
  } catch { /* already gone */ }
}

/** Runs `fn` with the main thread inside namespace `name`, and always moves back. */
export function inNetns<T>(name: string, fn: () => T): T {
  const n = native();
  const type = n.constants.CLONE_NEWNET;
  const home = openSync('/proc/thread-self/ns/net', 'r');
  let target = -1;
  try {
    target = openSync(`/var/run/netns/${name}`, 'r');
    sys(() => n.setns(target, type));
    try {
      const result = fn();
      if (result instanceof Promise) throw new TypeError('inNetns: the callback must be synchronous');
      return result;
    } finally {
      sys(() => n.setns(home, type));
    }
  } finally {
    if (target >= 0) closeSync(target);
    closeSync(home);
  }
}

/** True when running as root (root-only tests skip otherwise). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** A namespace name unique to this process: dst-<pid>-<tag>. */
export function netnsName(tag: string): string {
  return `dst-${process.pid}-${tag}`;
}

/** Joins namespaces `a` and `b` with a veth pair (`ifA` in a, `ifB` in b), both up. */
export function connectNetns(a: string, ifA: string, b: string, ifB: string): void {
  ipIn(a, ['link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', b]);
  ipIn(a, ['link', 'set', ifA, 'up']);
  ipIn(b, ['link', 'set', ifB, 'up']);
}

/** Why root-only Linux port tests cannot run here, or undefined when they can. */
export function linuxTestBlocker(): string | undefined {
  if (!isRoot()) return 'needs root: creates network namespaces, TUN devices and raw sockets';
  if (!nativeAvailable()) return 'needs the native addon (build/Release/dsmip6.node): run npm install';
  if (!existsSync('/dev/net/tun')) return 'needs /dev/net/tun';
  try {
    ip(['-V']);
  } catch {
    return 'needs iproute2 (ip)';
  }
  return undefined;
}
