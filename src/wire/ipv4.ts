/**
 * IPv4 header (RFC 791 §3.1) and whole IPv4 packets.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options (0..40 octets)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IHL, Total Length and the header checksum are derived when encoding; a received header with a
 * wrong checksum is an error (`bad-checksum`), as the kernel would drop it.
 */
import { formatIpv4, writeIpv4 } from './addr.js';
import { copyBytes, readU16, writeU16 } from './bytes.js';
import { internetChecksum } from './checksum.js';
import {
  EncodeError, checkRoom, checkUint, encodeCheck, fail, needBytes, ok, type WireResult,
} from './result.js';

export const IPV4_HEADER_LENGTH_MIN = 20;
const OFF_TOTAL_LENGTH = 2;
const OFF_IDENTIFICATION = 4;
const OFF_FLAGS_FRAGMENT = 6;
const OFF_TTL = 8;
const OFF_PROTOCOL = 9;
const OFF_CHECKSUM = 10;
const OFF_SOURCE = 12;
const OFF_DESTINATION = 16;
const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;

export interface Ipv4Packet {
  /** The whole second octet: DSCP (6 bits) and ECN (2 bits). */
  readonly typeOfService: number;
  readonly identification: number;
  readonly dontFragment: boolean;
  readonly moreFragments: boolean;
  /** In 8-octet units. */
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly source: string;
  readonly destination: string;
  /** Raw options, a multiple of 4 octets, at most 40. */
  readonly options: Uint8Array;
  readonly payload: Uint8Array;
}

/** Decodes a whole packet; bytes after Total Length (link padding) are not consumed. */
export function decodeIpv4Packet(b: Uint8Array, offset = 0, end = b.length): WireResult<Ipv4Packet> {
  const short = needBytes(end, offset, IPV4_HEADER_LENGTH_MIN, 'IPv4 header');
  if (short) return short;
  const version = b[offset] >> 4;
  if (version !== 4) return fail('bad-version', offset, `IPv4 version ${version}`);
  const ihl = (b[offset] & 0x0f) * 4;
  if (ihl < IPV4_HEADER_LENGTH_MIN) return fail('bad-length', offset, `IPv4 IHL ${ihl / 4}`);
  const total = readU16(b, offset + OFF_TOTAL_LENGTH);
  if (total < ihl) {
    return fail('bad-length', offset + OFF_TOTAL_LENGTH, `IPv4 total length ${total} < header ${ihl}`);
  }
  if (offset + total > end) {
    return fail('truncated', offset + OFF_TOTAL_LENGTH,
      `IPv4 total length ${total} exceeds the ${end - offset} bytes present`);
  }
  if (internetChecksum(b, offset, offset + ihl) !== 0) {
    return fail('bad-checksum', offset + OFF_CHECKSUM, 'IPv4 header checksum');
  }
  const ff = readU16(b, offset + OFF_FLAGS_FRAGMENT);
  return ok({
    typeOfService: b[offset + 1],
    identification: readU16(b, offset + OFF_IDENTIFICATION),
    dontFragment: (ff & FLAG_DF) !== 0,
    moreFragments: (ff & FLAG_MF) !== 0,
    fragmentOffset: ff & 0x1fff,
    ttl: b[offset + OFF_TTL],
    protocol: b[offset + OFF_PROTOCOL],
    source: formatIpv4(b, offset + OFF_SOURCE),
    destination: formatIpv4(b, offset + OFF_DESTINATION),
    options: copyBytes(b, offset + IPV4_HEADER_LENGTH_MIN, offset + ihl),
    payload: copyBytes(b, offset + ihl, offset + total),
  }, total);
}

export function encodedLengthIpv4Packet(p: Ipv4Packet): number {
  return IPV4_HEADER_LENGTH_MIN + p.options.length + p.payload.length;
}

export function encodeIpv4Packet(p: Ipv4Packet, out: Uint8Array, offset: number): number {
  const total = encodedLengthIpv4Packet(p);
  checkRoom(out, offset, total, 'IPv4 packet');
  encodeCheck(p.options.length % 4 === 0 && p.options.length <= 40,
    `IPv4 options must be a multiple of 4 octets up to 40, got ${p.options.length}`);
  encodeCheck(total <= 0xffff, `IPv4 packet of ${total} octets is too long`);
  checkUint(p.typeOfService, 0xff, 'IPv4 type of service');
  checkUint(p.identification, 0xffff, 'IPv4 identification');
  checkUint(p.fragmentOffset, 0x1fff, 'IPv4 fragment offset');
  checkUint(p.ttl, 0xff, 'IPv4 TTL');
  checkUint(p.protocol, 0xff, 'IPv4 protocol');
  // Straight into `out` (no array per address); a bad one throws as before.
  if (!writeIpv4(out, offset + OFF_SOURCE, p.source)) {
    throw new EncodeError(`IPv4 source is not an IPv4 address: ${p.source}`);
  }
  if (!writeIpv4(out, offset + OFF_DESTINATION, p.destination)) {
    throw new EncodeError(`IPv4 destination is not an IPv4 address: ${p.destination}`);
  }
  const ihl = IPV4_HEADER_LENGTH_MIN + p.options.length;
  out[offset] = 0x40 | (ihl / 4);
  out[offset + 1] = p.typeOfService;
  writeU16(out, offset + OFF_TOTAL_LENGTH, total);
  writeU16(out, offset + OFF_IDENTIFICATION, p.identification);
  writeU16(out, offset + OFF_FLAGS_FRAGMENT,
    (p.dontFragment ? FLAG_DF : 0) | (p.moreFragments ? FLAG_MF : 0) | p.fragmentOffset);
  out[offset + OFF_TTL] = p.ttl;
  out[offset + OFF_PROTOCOL] = p.protocol;
  writeU16(out, offset + OFF_CHECKSUM, 0);
  out.set(p.options, offset + IPV4_HEADER_LENGTH_MIN);
  writeU16(out, offset + OFF_CHECKSUM, internetChecksum(out, offset, offset + ihl));
  out.set(p.payload, offset + ihl);
  return total;
}

export const ipv4PacketCodec = {
  name: 'ipv4-packet',
  encodedLength: encodedLengthIpv4Packet,
  encode: encodeIpv4Packet,
  decode: decodeIpv4Packet,
};
