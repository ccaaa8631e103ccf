/**
 * Allocation-free reads of the few IP header fields the data plane needs (conventions C2: views
 * for the hot path). Callers pass (buffer, offset, length) of one packet; every function checks
 * the length it reads.
 */
import { IpProto } from '../wire/ip-protocols.js';
import { u32At } from './addr-table.js';

export const IPV6_SOURCE = 8;
export const IPV6_DESTINATION = 24;
export const IPV4_SOURCE = 12;
export const IPV4_DESTINATION = 16;

/** 4 or 6 for a plausible IP header of `len` octets, else 0. */
export function ipVersion(b: Uint8Array, off: number, len: number): 0 | 4 | 6 {
  if (len < 20) return 0;
  const v = b[off] >> 4;
  if (v === 4) return (b[off] & 0x0f) >= 5 ? 4 : 0;
  if (v === 6) return len >= 40 ? 6 : 0;
  return 0;
}

export function ipv4Source(b: Uint8Array, off: number): number {
  return u32At(b, off + IPV4_SOURCE);
}

export function ipv4Destination(b: Uint8Array, off: number): number {
  return u32At(b, off + IPV4_DESTINATION);
}

/**
 * The upper-layer protocol of an IPv6 packet after Hop-by-Hop, Destination Options and Routing
 * headers (the ones a Mobility Header packet may carry), or -1 when the chain is malformed or
 * leaves the packet. Used to hand Mobility Header packets that arrive over UDP 4191 to the engine.
 */
export function ipv6UpperProtocol(b: Uint8Array, off: number, len: number): number {
  let next = b[off + 6];
  let at = off + 40;
  const end = off + len;
  for (let hops = 0; hops < 8; hops++) {
    if (next !== IpProto.HOP_BY_HOP && next !== IpProto.DESTINATION_OPTIONS && next !== IpProto.ROUTING) {
      return next;
    }
    if (at + 2 > end) return -1;
    const extLen = (b[at + 1] + 1) * 8;
    if (at + extLen > end) return -1;
    next = b[at];
    at += extLen;
  }
  return -1;
}

/** Total length from the IP header, or 0 when it disagrees with `len` (truncated/padded). */
export function ipTotalLength(b: Uint8Array, off: number, len: number, version: 4 | 6): number {
  const total = version === 4 ? (b[off + 2] << 8) | b[off + 3] : 40 + ((b[off + 4] << 8) | b[off + 5]);
  return total <= len ? total : 0;
}
