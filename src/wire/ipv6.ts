/**
 * IPv6 header (RFC 8200 §3) and whole IPv6 packets with their extension-header chain.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Source Address (16)                       |
 * |                   Destination Address (16)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * A packet value holds the header fields, the extension headers in order and the upper-layer
 * payload; Payload Length and the Next Header chain are derived when encoding.
 */
import { Ipv6TextMemo, formatIpv6, writeIpv6 } from './addr.js';
import { copyBytes, readU16, readU32, writeU16 } from './bytes.js';
import {
  decodeExtensionChain, encodedLengthExtensionChain, writeExtensionChain,
  type Ipv6ExtensionHeader,
} from './ipv6-ext.js';
import {
  EncodeError, checkRoom, checkUint, fail, needBytes, ok, type WireResult,
} from './result.js';

export const IPV6_HEADER_LENGTH = 40;
const OFF_PAYLOAD_LENGTH = 4;
const OFF_NEXT_HEADER = 6;
const OFF_HOP_LIMIT = 7;
const OFF_SOURCE = 8;
const OFF_DESTINATION = 24;

export interface Ipv6Header {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly source: string;
  readonly destination: string;
}

/** Decodes the fixed 40-byte header; does not check Payload Length against the buffer. */
export function decodeIpv6Header(b: Uint8Array, offset = 0, end = b.length): WireResult<Ipv6Header> {
  const short = needBytes(end, offset, IPV6_HEADER_LENGTH, 'IPv6 header');
  if (short) return short;
  const word0 = readU32(b, offset);
  if (word0 >>> 28 !== 6) return fail('bad-version', offset, `IPv6 version ${word0 >>> 28}`);
  return ok({
    trafficClass: (word0 >>> 20) & 0xff,
    flowLabel: word0 & 0xfffff,
    payloadLength: readU16(b, offset + OFF_PAYLOAD_LENGTH),
    nextHeader: b[offset + OFF_NEXT_HEADER],
    hopLimit: b[offset + OFF_HOP_LIMIT],
    source: formatIpv6(b, offset + OFF_SOURCE),
    destination: formatIpv6(b, offset + OFF_DESTINATION),
  }, IPV6_HEADER_LENGTH);
}

/** Writes a 40-byte IPv6 header; `payloadLength` and `nextHeader` are taken as given. */
export function encodeIpv6Header(h: Ipv6Header, out: Uint8Array, offset: number): number {
  checkRoom(out, offset, IPV6_HEADER_LENGTH, 'IPv6 header');
  writeIpv6Header(out, offset, h.trafficClass, h.flowLabel, h.payloadLength, h.nextHeader, h.hopLimit,
    h.source, h.destination);
  return IPV6_HEADER_LENGTH;
}

/** The last source address written (a node sends most of its packets from one address). */
const sources = new Ipv6TextMemo();

/** The header fields checked and written at `offset` (room checked by the caller). */
export function writeIpv6Header(
  out: Uint8Array, offset: number, trafficClass: number, flowLabel: number, payloadLength: number,
  nextHeader: number, hopLimit: number, source: string, destination: string,
): void {
  checkUint(trafficClass, 0xff, 'IPv6 traffic class');
  checkUint(flowLabel, 0xfffff, 'IPv6 flow label');
  checkUint(payloadLength, 0xffff, 'IPv6 payload length');
  checkUint(nextHeader, 0xff, 'IPv6 next header');
  checkUint(hopLimit, 0xff, 'IPv6 hop limit');
  // The addresses go straight into `out` (no array per address); a bad one throws as before.
  if (!sources.write(out, offset + OFF_SOURCE, source)) {
    throw new EncodeError(`IPv6 source is not an IPv6 address: ${source}`);
  }
  if (!writeIpv6(out, offset + OFF_DESTINATION, destination)) {
    throw new EncodeError(`IPv6 destination is not an IPv6 address: ${destination}`);
  }
  const word0 = ((6 << 28) | (trafficClass << 20) | flowLabel) >>> 0;
  out[offset] = word0 >>> 24;
  out[offset + 1] = (word0 >>> 16) & 0xff;
  out[offset + 2] = (word0 >>> 8) & 0xff;
  out[offset + 3] = word0 & 0xff;
  writeU16(out, offset + OFF_PAYLOAD_LENGTH, payloadLength);
  out[offset + OFF_NEXT_HEADER] = nextHeader;
  out[offset + OFF_HOP_LIMIT] = hopLimit;
}

/** An IPv6 packet: header fields, extension headers in wire order, upper layer and its bytes. */
export interface Ipv6Packet {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly hopLimit: number;
  readonly source: string;
  readonly destination: string;
  readonly extensions: readonly Ipv6ExtensionHeader[];
  /** Protocol of `payload` (e.g. 135 Mobility Header, 58 ICMPv6, 17 UDP, 59 none). */
  readonly upperProtocol: number;
  readonly payload: Uint8Array;
}

/**
 * Decodes a whole packet: header, extension chain (RFC 8200 §4) and payload. Bytes after
 * 40 + Payload Length (link padding) are not consumed. A packet shorter than its Payload Length
 * is an error.
 */
export function decodeIpv6Packet(b: Uint8Array, offset = 0, end = b.length): WireResult<Ipv6Packet> {
  const short = needBytes(end, offset, IPV6_HEADER_LENGTH, 'IPv6 header');
  if (short) return short;
  const word0 = readU32(b, offset);
  if (word0 >>> 28 !== 6) return fail('bad-version', offset, `IPv6 version ${word0 >>> 28}`);
  const payloadLength = readU16(b, offset + OFF_PAYLOAD_LENGTH);
  const start = offset + IPV6_HEADER_LENGTH;
  if (start + payloadLength > end) {
    return fail('truncated', offset + OFF_PAYLOAD_LENGTH,
      `IPv6 payload length ${payloadLength} exceeds the ${end - start} bytes present`);
  }
  const stop = start + payloadLength;
  const chain = decodeExtensionChain(b, start, stop, b[offset + OFF_NEXT_HEADER]);
  if (!chain.ok) return chain;
  const upperStart = start + chain.consumed;
  return ok({
    trafficClass: (word0 >>> 20) & 0xff,
    flowLabel: word0 & 0xfffff,
    hopLimit: b[offset + OFF_HOP_LIMIT],
    source: formatIpv6(b, offset + OFF_SOURCE),
    destination: formatIpv6(b, offset + OFF_DESTINATION),
    extensions: chain.value.extensions,
    upperProtocol: chain.value.upperProtocol,
    payload: copyBytes(b, upperStart, stop),
  }, IPV6_HEADER_LENGTH + payloadLength);
}

export function encodedLengthIpv6Packet(p: Ipv6Packet): number {
  return IPV6_HEADER_LENGTH + encodedLengthExtensionChain(p.extensions) + p.payload.length;
}

export function encodeIpv6Packet(p: Ipv6Packet, out: Uint8Array, offset: number): number {
  const chainLength = encodedLengthExtensionChain(p.extensions);
  const total = IPV6_HEADER_LENGTH + chainLength + p.payload.length;
  checkRoom(out, offset, total, 'IPv6 packet');
  checkUint(p.upperProtocol, 0xff, 'IPv6 upper-layer protocol');
  const payloadLength = total - IPV6_HEADER_LENGTH;
  if (payloadLength > 0xffff) {
    throw new EncodeError(`IPv6 payload of ${payloadLength} bytes needs a jumbogram`);
  }
  const nextHeader = writeExtensionChain(p.extensions, p.upperProtocol, out, offset + IPV6_HEADER_LENGTH);
  writeIpv6Header(out, offset, p.trafficClass, p.flowLabel, payloadLength, nextHeader, p.hopLimit,
    p.source, p.destination);
  out.set(p.payload, offset + total - p.payload.length);
  return total;
}

export const ipv6PacketCodec = {
  name: 'ipv6-packet',
  encodedLength: encodedLengthIpv6Packet,
  encode: encodeIpv6Packet,
  decode: decodeIpv6Packet,
};
