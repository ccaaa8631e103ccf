/**
 * What the tunnel entry point does with a packet larger than its tunnel's MTU (RFC 2473 §7):
 * - IPv6: an ICMPv6 Packet Too Big (RFC 4443 §3.2) back to the source, carrying as much of the
 *   packet as fits in 1280 octets;
 * - IPv4 with DF: an ICMPv4 Destination Unreachable, code 4 "fragmentation needed and DF set",
 *   with the Next-Hop MTU (RFC 1191 §4), carrying as much as fits in 576 octets (RFC 1812
 *   §4.3.2.3);
 * - IPv4 without DF: the inner packet is fragmented before encapsulation (RFC 4459 §3.2, "inner
 *   fragmentation"), so the tunnel never carries outer fragments and the far end's kernel
 *   reassembles what the source would have had reassembled anyway.
 * No error is sent about ICMP errors, non-first fragments or packets whose source does not name
 * one node (RFC 4443 §2.4 (e), RFC 1122 §3.2.2). The errors allocate (they are rate-limited and
 * rare); fragments are written straight into the caller's send buffer.
 */
import { formatIpv4, formatIpv6 } from '../wire/addr.js';
import { internetChecksum } from '../wire/checksum.js';
import { ICMPV4_CODE_FRAGMENTATION_NEEDED, encodeIcmpv4 } from '../wire/icmpv4.js';
import { encodeIcmpv6 } from '../wire/icmpv6.js';
import { encodeIpv4Packet } from '../wire/ipv4.js';
import { encodeIpv6Header } from '../wire/ipv6.js';
import { IpProto } from '../wire/ip-protocols.js';

/** RFC 4443 §3.2: the whole error fits in the IPv6 minimum MTU. */
const ICMPV6_ERROR_MAX = 1280;
/** RFC 1812 §4.3.2.3: the whole error fits in 576 octets. */
const ICMPV4_ERROR_MAX = 576;
/** Hop limit / TTL of the errors (the kernel's default). */
const HOP_LIMIT = 64;
const IPV4_DF = 0x4000;
const IPV4_MF = 0x2000;
const EMPTY = new Uint8Array(0);

/** Where the tunnel's remote end lies in what `tunnelPacketTooBig` reads. */
export const PTB_REMOTE_OFFSET = 8 + 24;

/**
 * The MTU of an ICMPv6 Packet Too Big (as a raw ICMPv6 socket delivers it: from the ICMPv6
 * header) about one of our IP-in-IPv6 tunnel packets (next header 41 or 4), else 0. The remote
 * end it was sent to is at b[off + PTB_REMOTE_OFFSET].
 */
export function tunnelPacketTooBig(b: Uint8Array, off: number, len: number): number {
  if (len < 48 || b[off] !== 2 || b[off + 1] !== 0 || b[off + 8] >> 4 !== 6) return 0;
  const next = b[off + 8 + 6];
  if (next !== IpProto.IPV6 && next !== IpProto.IPV4) return 0;
  return ((b[off + 4] << 24) >>> 0) + ((b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]);
}

/** True when the IPv4 packet at p[off] has Don't Fragment set. */
export function ipv4DontFragment(p: Uint8Array, off: number): boolean {
  return (p[off + 6] & 0x40) !== 0;
}

/** RFC 4443 §2.4 (e): no error about an ICMPv6 error, nor to an unspecified or multicast source. */
export function icmpv6ErrorAllowed(p: Uint8Array, off: number, len: number): boolean {
  if (len < 40 || p[off + 8] === 0xff) return false;
  let zero = true;
  for (let i = 8; i < 24 && zero; i++) zero = p[off + i] === 0;
  if (zero) return false;
  let next = p[off + 6];
  let at = off + 40;
  const end = off + len;
  for (let hops = 0; hops < 8 && at < end; hops++) {
    if (next === IpProto.ICMPV6) return p[at] >= 128; // types below 128 are errors
    if (next === IpProto.FRAGMENT) {
      if (at + 8 > end || (((p[at + 2] << 8) | p[at + 3]) & 0xfff8) !== 0) return true;
      next = p[at];
      at += 8;
    } else if (next === IpProto.HOP_BY_HOP || next === IpProto.ROUTING
      || next === IpProto.DESTINATION_OPTIONS || next === IpProto.AH) {
      if (at + 2 > end) return true;
      const size = next === IpProto.AH ? (p[at + 1] + 2) * 4 : (p[at + 1] + 1) * 8;
      next = p[at];
      at += size;
    } else {
      return true;
    }
  }
  return true;
}

/**
 * RFC 1122 §3.2.2, RFC 1812 §4.3.2.7: no error about a non-first fragment, an ICMP error, a
 * packet to a multicast or broadcast address, or from 0/8, 127/8, multicast or class E.
 */
export function icmpv4ErrorAllowed(p: Uint8Array, off: number, len: number): boolean {
  if (len < 20) return false;
  const ihl = (p[off] & 0x0f) * 4;
  if ((((p[off + 6] << 8) | p[off + 7]) & 0x1fff) !== 0) return false;
  const s = p[off + 12];
  if (s === 0 || s === 127 || s >= 224 || p[off + 16] >= 224) return false;
  if (p[off + 9] === IpProto.ICMPV4 && ihl < len) {
    const t = p[off + ihl];
    if (t === 3 || t === 4 || t === 5 || t === 11 || t === 12) return false;
  }
  return true;
}

/**
 * An IPv6 packet from `source` (16 octets) to the source of the IPv6 packet p[off, off+len):
 * ICMPv6 Packet Too Big with `mtu` and as much of the packet as fits in 1280 octets.
 */
export function packetTooBig(
  p: Uint8Array, off: number, len: number, mtu: number, source: Uint8Array,
): Uint8Array {
  const n = Math.min(len, ICMPV6_ERROR_MAX - 48);
  const out = new Uint8Array(48 + n);
  const src = formatIpv6(source, 0);
  const dst = formatIpv6(p, off + 8);
  encodeIpv6Header({
    trafficClass: 0, flowLabel: 0, payloadLength: 8 + n, nextHeader: IpProto.ICMPV6,
    hopLimit: HOP_LIMIT, source: src, destination: dst,
  }, out, 0);
  const invoking = p.subarray(off, off + n);
  encodeIcmpv6({ type: 'packet-too-big', code: 0, mtu, invoking }, out, 40, src, dst);
  return out;
}

/**
 * An IPv4 packet from `source` (4 octets) to the source of the IPv4 packet p[off, off+len):
 * Destination Unreachable, Fragmentation Needed, Next-Hop MTU `mtu`, and as much of the packet
 * as fits in 576 octets.
 */
export function fragmentationNeeded(
  p: Uint8Array, off: number, len: number, mtu: number, source: Uint8Array,
): Uint8Array {
  const n = Math.min(len, ICMPV4_ERROR_MAX - 28);
  const icmp = new Uint8Array(8 + n);
  encodeIcmpv4({
    type: 'destination-unreachable', code: ICMPV4_CODE_FRAGMENTATION_NEEDED,
    nextHopMtu: Math.min(mtu, 0xffff), invoking: p.subarray(off, off + n),
  }, icmp, 0);
  const out = new Uint8Array(20 + icmp.length);
  encodeIpv4Packet({
    typeOfService: 0, identification: 0, dontFragment: false, moreFragments: false,
    fragmentOffset: 0, ttl: HOP_LIMIT, protocol: IpProto.ICMPV4, source: formatIpv4(source, 0),
    destination: formatIpv4(p, off + 12), options: EMPTY, payload: icmp,
  }, out, 0);
  return out;
}

/**
 * The options a non-first fragment carries (RFC 791: those with the copied flag), padded to a
 * multiple of 4; undefined when the options are malformed. Allocates only for packets with
 * options.
 */
export function copiedOptions(p: Uint8Array, off: number): Uint8Array | undefined {
  const ihl = (p[off] & 0x0f) * 4;
  if (ihl <= 20) return EMPTY;
  const kept: number[] = [];
  let at = off + 20;
  const end = off + ihl;
  while (at < end) {
    const type = p[at];
    if (type === 0) break; // End of Option List
    if (type === 1) { at++; continue; } // No Operation: not copied
    if (at + 2 > end || p[at + 1] < 2 || at + p[at + 1] > end) return undefined;
    if ((type & 0x80) !== 0) for (let i = 0; i < p[at + 1]; i++) kept.push(p[at + i]);
    at += p[at + 1];
  }
  while (kept.length % 4 !== 0) kept.push(0);
  return Uint8Array.from(kept);
}

/** Data octets a fragment with a `headerLength`-octet header carries under `mtu` (8k). */
export function fragmentDataSize(mtu: number, headerLength: number): number {
  return (mtu - headerLength) & ~7;
}

/**
 * Writes at out[at] the fragment of the IPv4 packet p[off...] (header length from IHL) that
 * holds data octets [from, from + size): the original header for the first, a 20-octet header
 * plus `later` options for the others; offset and MF from the packet's own (it may be a
 * fragment already); header checksum. Returns the fragment's length.
 */
export function writeIpv4Fragment(
  p: Uint8Array, off: number, from: number, size: number, last: boolean, later: Uint8Array,
  out: Uint8Array, at: number,
): number {
  const ihl = (p[off] & 0x0f) * 4;
  const h = from === 0 ? ihl : 20 + later.length;
  out.set(p.subarray(off, off + 20), at);
  if (from === 0) out.set(p.subarray(off + 20, off + ihl), at + 20);
  else out.set(later, at + 20);
  out[at] = 0x40 | (h >> 2);
  const total = h + size;
  out[at + 2] = total >> 8;
  out[at + 3] = total & 0xff;
  const ff = (p[off + 6] << 8) | p[off + 7];
  const more = !last || (ff & IPV4_MF) !== 0;
  const offset = (ff & 0x1fff) + (from >> 3);
  const flags = (ff & ~(IPV4_MF | 0x1fff)) | (more ? IPV4_MF : 0) | offset;
  out[at + 6] = (flags & ~IPV4_DF) >> 8;
  out[at + 7] = flags & 0xff;
  out[at + 10] = 0;
  out[at + 11] = 0;
  const sum = internetChecksum(out, at, at + h);
  out[at + 10] = sum >> 8;
  out[at + 11] = sum & 0xff;
  out.set(p.subarray(off + ihl + from, off + ihl + from + size), at + h);
  return total;
}
