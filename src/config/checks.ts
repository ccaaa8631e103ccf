/** Semantic checks on addresses and prefixes, each failing at the offending statement. */
import { isRoutableUnicast6, isUnicast4, parsePrefix, formatPrefix } from '../proto/prefix.js';
import { stop, type Warn } from './diagnostics.js';
import type { Entry, PrefixVal } from './model.js';

export function prefixString(p: PrefixVal): string {
  return `${p.address}/${p.length}`;
}

/**
 * The canonical prefix text (host bits cleared) of a prefix in `e`. A prefix shorter than
 * `minLength` stops the parse; host bits that are set give a warning.
 */
export function canonicalPrefixOf(e: Entry, p: PrefixVal, warn: Warn, minLength = 1): string {
  const max = p.family === 6 ? 128 : 32;
  if (p.length < minLength) {
    stop(e.pos, `expected a prefix length in ${minLength}..${max} in ${e.keyword}, found ${prefixString(p)}`);
  }
  const parsed = parsePrefix(prefixString(p));
  if (!parsed) return stop(e.pos, `expected a prefix in ${e.keyword}, found ${prefixString(p)}`);
  const text = formatPrefix(parsed);
  if (text !== prefixString(p)) {
    warn(e.pos, `${e.keyword}: ${prefixString(p)} has host bits set; ${text} is used`);
  }
  return text;
}

/** A unicast, routable IPv6 address (not ::, loopback, multicast, link-local or v4-mapped). */
export function unicast6(e: Entry, address: string, what: string): string {
  if (!isRoutableUnicast6(address)) {
    stop(e.pos, `expected ${what} (a routable unicast IPv6 address), found ${address}`);
  }
  return address;
}

/** A unicast IPv4 address (not 0.0.0.0/8, loopback, link-local, multicast or reserved). */
export function unicast4(e: Entry, address: string, what: string): string {
  if (!isUnicast4(address)) stop(e.pos, `expected ${what} (a unicast IPv4 address), found ${address}`);
  return address;
}

/** An absolute path that fits in a Unix socket address when `socket` is set (107 bytes). */
export function absolutePath(e: Entry, path: string, socket = false): string {
  if (!path.startsWith('/')) stop(e.pos, `expected an absolute path for ${e.keyword}, found "${path}"`);
  if (socket && new TextEncoder().encode(path).length > 107) {
    stop(e.pos, `expected a socket path of at most 107 bytes for ${e.keyword}, found "${path}"`);
  }
  return path;
}
