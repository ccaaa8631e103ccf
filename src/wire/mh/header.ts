/**
 * The Mobility Header (RFC 6275 §6.1.1), IPv6 Next Header 135.
 *
 *  0                   1                   2                   3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Payload Proto |  Header Len   |   MH Type     |   Reserved    |
 * |           Checksum            |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  Message Data, then options   |
 *
 * Header Len counts 8-octet units after the first 8. The checksum covers the IPv6 pseudo-header
 * (next header 135) and the whole MH; its source is the Home Address when the packet carries a
 * Home Address option and its destination is the final destination (the Home Address of a Type 2
 * Routing Header): see `mobilityChecksumAddresses`.
 */
import { finishChecksum, pseudoSum6Text, sumWords } from '../checksum.js';
import { copyBytes, readU16, writeU16 } from '../bytes.js';
import { IpProto } from '../ip-protocols.js';
import {
  EncodeError, checkRoom, checkUint, encodeCheck, fail, needBytes, ok, type WireResult,
} from '../result.js';
import { MH_HEADER_LEN_MIN } from './constants.js';
import {
  decodeFixedPart, encodeFixedPart, fixedPartEnd, mhTypeOf, type MobilityMessage,
} from './messages.js';
import { decodeMobilityOptions, type MobilityOption } from './options.js';
import { encodeMobilityOptions, encodedLengthOptions } from './options-encode.js';

/** MH Payload Proto value: IPPROTO_NONE (RFC 6275 §6.1.1). */
export const MH_PAYLOAD_PROTO_NONE = 59;
const OFF_HEADER_LEN = 1;
const OFF_CHECKSUM = 4;

export interface MobilityHeader {
  /** Always 59 when sent; kept as received (the engine discards others). */
  readonly payloadProto: number;
  readonly message: MobilityMessage;
  /** Mobility options in order, Pad1/PadN removed (the encoder re-inserts padding). */
  readonly options: readonly MobilityOption[];
}

/** The addresses over which an MH checksum is computed. */
export interface MhChecksumAddresses {
  readonly source: string;
  readonly destination: string;
}

/** Decodes an MH occupying b[offset, ...); consumes exactly (Header Len + 1) * 8 octets. */
export function decodeMobilityHeader(
  b: Uint8Array, offset = 0, end = b.length,
): WireResult<MobilityHeader> {
  const short = needBytes(end, offset, 8, 'Mobility Header');
  if (short) return short;
  const total = (b[offset + OFF_HEADER_LEN] + 1) * 8;
  if (offset + total > end) {
    return fail('truncated', offset + OFF_HEADER_LEN,
      `MH Header Len says ${total} octets, ${end - offset} present`);
  }
  const mhType = b[offset + 2];
  const min = MH_HEADER_LEN_MIN[mhType];
  if (min === undefined) {
    return ok({
      payloadProto: b[offset],
      message: { type: 'unknown', mhType, data: copyBytes(b, offset + 6, offset + total) },
      options: [],
    }, total);
  }
  if (b[offset + OFF_HEADER_LEN] < min) {
    return fail('bad-length', offset + OFF_HEADER_LEN,
      `MH type ${mhType} Header Len ${b[offset + OFF_HEADER_LEN]} below ${min}`);
  }
  const message = decodeFixedPart(b, offset, mhType);
  const opts = decodeMobilityOptions(b, offset + fixedPartEnd(message), offset + total);
  if (!opts.ok) return opts;
  return ok({ payloadProto: b[offset], message, options: opts.value }, total);
}

export function encodedLengthMobilityHeader(mh: MobilityHeader): number {
  const start = fixedPartEnd(mh.message);
  if (mh.message.type === 'unknown') return start + ((8 - (start % 8)) % 8);
  return start + encodedLengthOptions(mh.options, start);
}

/**
 * Writes the MH at `offset` and fills Header Len and, given `addresses`, the checksum (without
 * them the checksum is left 0 for the caller to fill, e.g. after adding an authenticator).
 */
export function encodeMobilityHeader(
  mh: MobilityHeader, out: Uint8Array, offset: number, addresses?: MhChecksumAddresses,
): number {
  return writeMobilityHeader(mh, out, offset, encodedLengthMobilityHeader(mh), addresses);
}

/** encodeMobilityHeader given `total`, what encodedLengthMobilityHeader(mh) returned. */
export function writeMobilityHeader(
  mh: MobilityHeader, out: Uint8Array, offset: number, total: number, addresses?: MhChecksumAddresses,
): number {
  checkRoom(out, offset, total, 'Mobility Header');
  checkUint(mh.payloadProto, 0xff, 'MH payload proto');
  if (total > 256 * 8) throw new EncodeError(`Mobility Header of ${total} octets exceeds Header Len`);
  const m = mh.message;
  encodeCheck(m.type !== 'unknown' || mh.options.length === 0,
    'options of an unknown MH type go in its data');
  encodeCheck(m.type !== 'unknown' || (6 + m.data.length) % 8 === 0,
    'an unknown MH type must be a multiple of 8 octets');
  out[offset] = mh.payloadProto;
  out[offset + OFF_HEADER_LEN] = total / 8 - 1;
  out[offset + 2] = mhTypeOf(m);
  out[offset + 3] = 0;
  writeU16(out, offset + OFF_CHECKSUM, 0);
  encodeFixedPart(m, out, offset);
  const start = fixedPartEnd(m);
  if (m.type !== 'unknown') encodeMobilityOptions(mh.options, out, offset + start, start);
  if (addresses) fillMobilityChecksum(out, offset, offset + total, addresses);
  return total;
}

function mhChecksum(b: Uint8Array, start: number, end: number, a: MhChecksumAddresses): number {
  const pseudo = pseudoSum6Text(a.source, a.destination, end - start, IpProto.MOBILITY);
  if (pseudo < 0) throw new EncodeError(`bad MH checksum address ${a.source} / ${a.destination}`);
  return finishChecksum(sumWords(b, start, end, pseudo));
}

/**
 * Writes the checksum of the MH in b[start, end) given the sum of the 16-bit words of the two
 * pseudo-header addresses (`addressWords`), e.g. summed where the packet already holds them.
 */
export function fillMobilityChecksumWords(
  b: Uint8Array, start: number, end: number, addressWords: number,
): void {
  writeU16(b, start + OFF_CHECKSUM, 0);
  const sum = sumWords(b, start, end, mhPseudo(addressWords, end - start));
  writeU16(b, start + OFF_CHECKSUM, finishChecksum(sum));
}

/** verifyMobilityChecksum with the addresses given as the sum of their 16-bit words. */
export function mobilityChecksumWordsOk(
  b: Uint8Array, start: number, end: number, addressWords: number,
): boolean {
  if (end - start < 6) return false;
  return finishChecksum(sumWords(b, start, end, mhPseudo(addressWords, end - start))) === 0;
}

function mhPseudo(addressWords: number, length: number): number {
  return addressWords + Math.floor(length / 0x10000) + (length & 0xffff) + IpProto.MOBILITY;
}

/** Computes and writes the checksum of the MH in b[start, end). */
export function fillMobilityChecksum(
  b: Uint8Array, start: number, end: number, a: MhChecksumAddresses,
): void {
  writeU16(b, start + OFF_CHECKSUM, 0);
  writeU16(b, start + OFF_CHECKSUM, mhChecksum(b, start, end, a));
}

/** True when the MH in b[start, end) carries a correct checksum for these addresses. */
export function verifyMobilityChecksum(
  b: Uint8Array, start: number, end: number, a: MhChecksumAddresses,
): boolean {
  return end - start >= 6 && mhChecksum(b, start, end, a) === 0;
}

export function readMobilityChecksum(b: Uint8Array, start: number): number {
  return readU16(b, start + OFF_CHECKSUM);
}

export const mobilityHeaderCodec = {
  name: 'mobility-header',
  encodedLength: encodedLengthMobilityHeader,
  encode: (mh: MobilityHeader, out: Uint8Array, offset: number): number =>
    encodeMobilityHeader(mh, out, offset),
  decode: decodeMobilityHeader,
};
