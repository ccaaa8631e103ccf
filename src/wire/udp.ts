/**
 * UDP (RFC 768) over IPv4 and IPv6 (RFC 8200 §8.1).
 *
 * | Source Port (16) | Destination Port (16) | Length (16) | Checksum (16) | data ... |
 *
 * The checksum covers the IP pseudo-header. Over IPv4 a zero checksum means "none" and is
 * accepted; over IPv6 a zero checksum is invalid (RFC 8200 §8.1) and is an error. The encoder
 * always computes the checksum unless told `zeroChecksum` (IPv4 only).
 */
import { copyBytes, readU16, writeU16 } from './bytes.js';
import { upperChecksum4, upperChecksum6 } from './checksum.js';
import { IpProto } from './ip-protocols.js';
import {
  checkRoom, checkUint, encodeCheck, fail, needBytes, ok, type WireResult,
} from './result.js';

export const UDP_HEADER_LENGTH = 8;

export interface UdpDatagram {
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly payload: Uint8Array;
}

/** The IP addresses around a datagram, for its checksum. */
export interface PseudoHeader {
  readonly family: 4 | 6;
  readonly source: string;
  readonly destination: string;
}

function checksumOf(ph: PseudoHeader, b: Uint8Array, start: number, end: number): number {
  return ph.family === 4
    ? upperChecksum4(ph.source, ph.destination, IpProto.UDP, b, start, end)
    : upperChecksum6(ph.source, ph.destination, IpProto.UDP, b, start, end);
}

/**
 * Decodes a datagram occupying b[offset, end) (the IP payload). With `pseudo`, the checksum is
 * verified; without it, it is not.
 */
export function decodeUdp(
  b: Uint8Array, offset = 0, end = b.length, pseudo?: PseudoHeader,
): WireResult<UdpDatagram> {
  const short = needBytes(end, offset, UDP_HEADER_LENGTH, 'UDP header');
  if (short) return short;
  const length = readU16(b, offset + 4);
  if (length < UDP_HEADER_LENGTH) return fail('bad-length', offset + 4, `UDP length ${length}`);
  if (offset + length > end) {
    return fail('truncated', offset + 4, `UDP length ${length} exceeds the ${end - offset} bytes present`);
  }
  const checksum = readU16(b, offset + 6);
  if (pseudo) {
    if (checksum === 0 && pseudo.family === 6) {
      return fail('bad-checksum', offset + 6, 'UDP checksum zero over IPv6');
    }
    if (checksum !== 0 && checksumOf(pseudo, b, offset, offset + length) !== 0) {
      return fail('bad-checksum', offset + 6, 'UDP checksum');
    }
  }
  return ok({
    sourcePort: readU16(b, offset),
    destinationPort: readU16(b, offset + 2),
    payload: copyBytes(b, offset + UDP_HEADER_LENGTH, offset + length),
  }, length);
}

export function encodedLengthUdp(d: UdpDatagram): number {
  return UDP_HEADER_LENGTH + d.payload.length;
}

/** Writes the datagram and its checksum over `pseudo` (zero over IPv4 when `zeroChecksum`). */
export function encodeUdp(
  d: UdpDatagram, out: Uint8Array, offset: number, pseudo: PseudoHeader, zeroChecksum = false,
): number {
  const length = encodedLengthUdp(d);
  checkRoom(out, offset, length, 'UDP datagram');
  checkUint(d.sourcePort, 0xffff, 'UDP source port');
  checkUint(d.destinationPort, 0xffff, 'UDP destination port');
  encodeCheck(length <= 0xffff, `UDP datagram of ${length} octets is too long`);
  encodeCheck(!zeroChecksum || pseudo.family === 4, 'a zero UDP checksum is only allowed over IPv4');
  writeU16(out, offset, d.sourcePort);
  writeU16(out, offset + 2, d.destinationPort);
  writeU16(out, offset + 4, length);
  writeU16(out, offset + 6, 0);
  out.set(d.payload, offset + UDP_HEADER_LENGTH);
  if (!zeroChecksum) {
    const c = checksumOf(pseudo, out, offset, offset + length);
    writeU16(out, offset + 6, c === 0 ? 0xffff : c);
  }
  return length;
}
