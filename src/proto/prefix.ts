/**
 * IPv4 and IPv6 prefixes as values: parsing `addr/len` text, containment, canonical form.
 * Used for home prefixes, mobile network prefixes (RFC 3963) and IPv4 pools (RFC 5555).
 */
import {
  Ipv6TextMemo, formatIpv4, formatIpv6, maskBytes, parseIpv4, parseIpv6, writeIpv4,
} from '../wire/addr.js';

export interface Prefix {
  readonly family: 4 | 6;
  /** Network address bytes, host bits zero. */
  readonly bytes: Uint8Array;
  readonly length: number;
}

/** Parses `addr/len`; undefined when malformed or host bits are set and `strict`. */
export function parsePrefix(text: string, strict = false): Prefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const length = Number(lenText);
  const v4 = parseIpv4(addr);
  const bytes = v4 ?? parseIpv6(addr);
  if (!bytes) return undefined;
  const family = v4 ? 4 : 6;
  if (length > bytes.length * 8) return undefined;
  const masked = maskBytes(bytes, length);
  if (strict && !masked.every((b, i) => b === bytes[i])) return undefined;
  return { family, bytes: masked, length };
}

const compiled = new Map<string, Prefix | undefined>();
const COMPILED_MAX = 4096;

/**
 * `parsePrefix` memoised, for configured prefixes that are compared on every Binding Update.
 * Bounded: the memo is emptied when it reaches COMPILED_MAX entries.
 */
export function configuredPrefix(text: string): Prefix | undefined {
  const known = compiled.get(text);
  if (known !== undefined || compiled.has(text)) return known;
  if (compiled.size >= COMPILED_MAX) compiled.clear();
  const p = parsePrefix(text);
  compiled.set(text, p);
  return p;
}

export function formatPrefix(p: Prefix): string {
  return `${p.family === 4 ? formatIpv4(p.bytes) : formatIpv6(p.bytes)}/${p.length}`;
}

/** Canonical text of a prefix text, host bits cleared; undefined when malformed. */
export function canonicalPrefix(text: string): string | undefined {
  const p = parsePrefix(text);
  return p ? formatPrefix(p) : undefined;
}

/** True when the address bytes (same family) fall inside the prefix. */
export function prefixContainsBytes(p: Prefix, addr: Uint8Array): boolean {
  if (addr.length !== p.bytes.length) return false;
  // maskBytes octet by octet, without the masked copy.
  for (let i = 0; i < addr.length; i++) {
    const keep = Math.max(0, Math.min(8, p.length - 8 * i));
    if ((addr[i] & (keep === 8 ? 0xff : (0xff << (8 - keep)) & 0xff)) !== p.bytes[i]) return false;
  }
  return true;
}

/**
 * Address octets read from text by the checks below (called per Binding Update, several times
 * for the same home address: the memo parses it once).
 */
const SCRATCH6 = new Uint8Array(16);
const text6 = new Ipv6TextMemo();
const SCRATCH4 = new Uint8Array(4);

/** True when `address` (IPv4 or IPv6 text) falls inside `p`. */
export function prefixContains(p: Prefix, address: string): boolean {
  const b = p.family === 4 ? SCRATCH4 : SCRATCH6;
  const read = p.family === 4 ? writeIpv4(b, 0, address) : text6.write(b, 0, address);
  return read && prefixContainsBytes(p, b);
}

/** True when `inner` lies entirely inside `outer`. */
export function prefixCovers(outer: Prefix, inner: Prefix): boolean {
  return outer.family === inner.family && inner.length >= outer.length
    && prefixContainsBytes(outer, inner.bytes);
}

/** The interface identifier of `address` on a /64 prefix made link-local (RFC 6275 §10.4.1). */
export function linkLocalFor(address: string): string | undefined {
  const ll = SCRATCH6;
  if (!text6.write(ll, 0, address)) return undefined;
  ll.fill(0, 0, 8);
  ll[0] = 0xfe; ll[1] = 0x80;
  return formatIpv6(ll);
}

/** A routable unicast IPv6 address usable as a home address (not ::, ::1, multicast, fe80::/10). */
export function isRoutableUnicast6(address: string): boolean {
  const b = SCRATCH6;
  if (!text6.write(b, 0, address)) return false;
  if (b[0] === 0xff) return false;
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return false;
  let zeros = 0; // leading zero octets
  while (zeros < 16 && b[zeros] === 0) zeros++;
  if (zeros >= 15 && b[15] <= 1) return false; // :: and ::1
  return !(zeros >= 10 && b[10] === 0xff && b[11] === 0xff); // IPv4-mapped
}

/** A unicast IPv4 address usable as a home or care-of address. */
export function isUnicast4(address: string): boolean {
  const b = SCRATCH4;
  if (!writeIpv4(b, 0, address)) return false;
  if (b[0] === 0 || b[0] === 127 || b[0] >= 224) return false;
  return !(b[0] === 169 && b[1] === 254);
}

/** The host prefix of an address: `a/128` for IPv6, `a/32` for IPv4. */
export function hostPrefix(address: string): string {
  return `${address}/${writeIpv4(SCRATCH4, 0, address) ? 32 : 128}`;
}
