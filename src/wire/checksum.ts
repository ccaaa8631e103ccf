/**
 * The Internet checksum (RFC 1071) and the IPv4 / IPv6 pseudo-headers used by UDP, ICMPv6 and
 * the Mobility Header (RFC 8200 §8.1; RFC 6275 §6.1.1: for the MH the pseudo-header source is the
 * Home Address when a Home Address option is present, and the destination is the final
 * destination, i.e. the address in a Type 2 Routing Header).
 */
import { ipv4WordSum, ipv6WordSum } from './addr.js';

/** Adds the 16-bit big-endian words of b[start, end) to `sum` (not folded). */
export function sumWords(b: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  return sum;
}

/** Folds a 32-bit accumulated sum into 16 bits and complements it. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

export function internetChecksum(b: Uint8Array, start = 0, end = b.length): number {
  return finishChecksum(sumWords(b, start, end));
}

/** Sum of the IPv6 pseudo-header (RFC 8200 §8.1), addresses as 16-byte arrays. */
export function pseudoSum6(src: Uint8Array, dst: Uint8Array, length: number, nextHeader: number): number {
  let sum = sumWords(src, 0, 16) + sumWords(dst, 0, 16);
  sum += Math.floor(length / 0x10000) + (length & 0xffff);
  return sum + nextHeader;
}

/**
 * Sum of the IPv6 pseudo-header with addresses given as text, read without allocating; -1 when
 * either is not IPv6.
 */
export function pseudoSum6Text(
  source: string, destination: string, length: number, nextHeader: number,
): number {
  const s = ipv6WordSum(source);
  const d = ipv6WordSum(destination);
  if (s < 0 || d < 0) return -1;
  return s + d + Math.floor(length / 0x10000) + (length & 0xffff) + nextHeader;
}

/** Sum of the IPv4 pseudo-header (RFC 768), addresses as 4-byte arrays. */
export function pseudoSum4(src: Uint8Array, dst: Uint8Array, length: number, protocol: number): number {
  return sumWords(src, 0, 4) + sumWords(dst, 0, 4) + protocol + length;
}

/** Checksum of an upper-layer payload over IPv6 with addresses given as text. */
export function upperChecksum6(
  source: string, destination: string, nextHeader: number, b: Uint8Array, start: number, end: number,
): number {
  const sum = pseudoSum6Text(source, destination, end - start, nextHeader);
  if (sum < 0) throw new Error(`bad IPv6 address in pseudo-header: ${source} ${destination}`);
  return finishChecksum(sumWords(b, start, end, sum));
}

/** Checksum of an upper-layer payload over IPv4 with addresses given as text. */
export function upperChecksum4(
  source: string, destination: string, protocol: number, b: Uint8Array, start: number, end: number,
): number {
  const s = ipv4WordSum(source);
  const d = ipv4WordSum(destination);
  if (s < 0 || d < 0) throw new Error(`bad IPv4 address in pseudo-header: ${source} ${destination}`);
  return finishChecksum(sumWords(b, start, end, s + d + protocol + (end - start)));
}
