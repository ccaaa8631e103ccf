/**
 * ICMPv6 (RFC 4443): the common header, dispatch on Type, the checksum over the IPv6
 * pseudo-header with Next Header 58 (RFC 4443 §2.3, RFC 8200 §8.1), the error and echo messages,
 * and Neighbor Solicitation/Advertisement (RFC 4861 §4.3–4.4). Router Solicitation/Advertisement
 * (RFC 6275 §7.1 adds the H flag) and the Mobile IPv6 messages are in icmpv6-mobile.ts.
 *
 *  | Type (8) | Code (8) | Checksum (16) | then by Type:
 *  1 Destination Unreachable, 3 Time Exceeded:  | Unused (32) | invoking packet ... |
 *  2 Packet Too Big:                             | MTU (32)    | invoking packet ... |
 *  4 Parameter Problem:                          | Pointer (32)| invoking packet ... |
 *  128/129 Echo Request/Reply:  | Identifier (16) | Sequence Number (16) | Data ... |
 *  135 Neighbor Solicitation:   | Reserved (32) | Target Address (128) | options ... |
 *  136 Neighbor Advertisement:  | R|S|O|Reserved (29) | Target Address (128) | options ... |
 *
 * NA flags R 0x80, S 0x40, O 0x20 of byte 4; the other 29 bits are kept as `reserved`. Wholly
 * reserved or unused fields are ignored on receipt and sent as zero. The Code is kept on every
 * message (checking it is the caller's job, e.g. RFC 4861 §6.1). Unknown types are kept as
 * { type: 'unknown', icmpType, code, body } with the bytes after the Checksum.
 */
import { formatIpv6, isIpv6Text, writeIpv6 } from './addr.js';
import { copyBytes, readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { finishChecksum, pseudoSum6Text, sumWords } from './checksum.js';
import {
  MOBILE_ICMPV6_TYPE, haadReplyBody, haadRequestBody, mobilePrefixAdvertisementBody,
  mobilePrefixSolicitationBody, routerAdvertisementBody, routerSolicitationBody,
  type Icmpv6MobileMessage,
} from './icmpv6-mobile.js';
import { ndMessageBody, type NdOption } from './nd-options.js';
import { checkRoom, checkUint, encodeCheck, needBytes, ok, type WireResult } from './result.js';

export type {
  Icmpv6RouterAdvertisement, Icmpv6RouterSolicitation,
} from './icmpv6-mobile.js';

export const ICMPV6_NEXT_HEADER = 58;

export const ICMPV6_TYPE = {
  destinationUnreachable: 1, packetTooBig: 2, timeExceeded: 3, parameterProblem: 4,
  echoRequest: 128, echoReply: 129, neighborSolicitation: 135, neighborAdvertisement: 136,
  ...MOBILE_ICMPV6_TYPE,
} as const;

/** Offsets from the start of the message (smoltcp's `mod field`). */
const HEADER = { type: 0, code: 1, checksum: 2, length: 4 } as const;
/** Errors and echo: a 32-bit word (Unused / MTU / Pointer / Identifier+Sequence), then data. */
const WORD_BODY = { word: 4, data: 8 } as const;
const NS_NA = { flags: 4, target: 8, options: 24 } as const;
const NA_FLAG = { r: 0x80000000, s: 0x40000000, o: 0x20000000, reservedMask: 0x1fffffff } as const;
const U32 = 0xffffffff;

interface EchoFields {
  readonly code: number;
  readonly identifier: number;
  readonly sequence: number;
  readonly data: Uint8Array;
}
export interface Icmpv6EchoRequest extends EchoFields { readonly type: 'echo-request' }
export interface Icmpv6EchoReply extends EchoFields { readonly type: 'echo-reply' }

interface ErrorFields {
  readonly code: number;
  /** As much of the invoking packet as the sender included. */
  readonly invoking: Uint8Array;
}
export interface Icmpv6DestinationUnreachable extends ErrorFields {
  readonly type: 'destination-unreachable'; // the 32-bit Unused field is not kept
}
export interface Icmpv6PacketTooBig extends ErrorFields {
  readonly type: 'packet-too-big';
  readonly mtu: number;
}
export interface Icmpv6TimeExceeded extends ErrorFields { readonly type: 'time-exceeded' }
export interface Icmpv6ParameterProblem extends ErrorFields {
  readonly type: 'parameter-problem';
  readonly pointer: number; // offset of the error in the invoking packet
}

export interface Icmpv6NeighborSolicitation {
  readonly type: 'neighbor-solicitation';
  readonly code: number;
  readonly target: string;
  readonly options: readonly NdOption[];
}

export interface Icmpv6NeighborAdvertisement {
  readonly type: 'neighbor-advertisement';
  readonly code: number;
  readonly router: boolean; // R 0x80
  readonly solicited: boolean; // S 0x40
  readonly override: boolean; // O 0x20
  readonly reserved: number; // the other 29 bits, 0..0x1fffffff
  readonly target: string;
  readonly options: readonly NdOption[];
}

export interface Icmpv6Unknown {
  readonly type: 'unknown';
  readonly icmpType: number;
  readonly code: number;
  readonly body: Uint8Array; // everything after the Checksum
}

export type Icmpv6Message =
  | Icmpv6EchoRequest | Icmpv6EchoReply
  | Icmpv6DestinationUnreachable | Icmpv6PacketTooBig | Icmpv6TimeExceeded
  | Icmpv6ParameterProblem
  | Icmpv6NeighborSolicitation | Icmpv6NeighborAdvertisement
  | Icmpv6MobileMessage
  | Icmpv6Unknown;

/** What decodeIcmpv6 returns: the message and the Checksum field as received. */
export interface Icmpv6Decoded {
  readonly message: Icmpv6Message;
  readonly checksum: number;
}

/** How one ICMPv6 type is read and written after the 4-byte Type/Code/Checksum header. */
export interface Icmpv6BodyCodec<M> {
  readonly icmpType: number;
  /** Validates `m` (except its code) and returns the message length, header included. */
  length(m: M): number;
  /** Writes everything after the header; `start` is the message start, room is checked. */
  write(m: M, out: Uint8Array, start: number): void;
  /** Decodes the message at [start, end); the 4-byte header is known to be present. */
  read(b: Uint8Array, start: number, end: number, code: number): WireResult<M>;
}

/** An error or echo message: header, a 32-bit word, then bytes to the end of the message. */
function wordBody<M extends { readonly type: string }>(
  icmpType: number, word: (m: M) => number, data: (m: M) => Uint8Array,
  make: (code: number, word: number, data: Uint8Array) => M,
): Icmpv6BodyCodec<M> {
  return {
    icmpType,
    length(m) {
      checkUint(word(m), U32, `ICMPv6 ${m.type} 32-bit field`);
      return WORD_BODY.data + data(m).length;
    },
    write(m, out, start) {
      writeU32(out, start + WORD_BODY.word, word(m));
      out.set(data(m), start + WORD_BODY.data);
    },
    read(b, start, end, code) {
      const short = needBytes(end, start, WORD_BODY.data, `ICMPv6 type ${icmpType}`);
      if (short) return short;
      const w = readU32(b, start + WORD_BODY.word);
      return ok(make(code, w, copyBytes(b, start + WORD_BODY.data, end)), end - start);
    },
  };
}

function echoWord(m: EchoFields): number {
  checkUint(m.identifier, 0xffff, 'Echo identifier');
  checkUint(m.sequence, 0xffff, 'Echo sequence');
  return m.identifier * 0x10000 + m.sequence;
}

function echoBody<T extends 'echo-request' | 'echo-reply'>(
  type: T, icmpType: number,
): Icmpv6BodyCodec<EchoFields & { readonly type: T }> {
  return wordBody<EchoFields & { readonly type: T }>(icmpType, echoWord, (m) => m.data,
    (code, w, data) => ({ type, code, identifier: w >>> 16, sequence: w & 0xffff, data }));
}

const invoking = (m: ErrorFields): Uint8Array => m.invoking;

function checkTarget(m: { readonly target: string }): void {
  encodeCheck(isIpv6Text(m.target), `bad ND target address text: ${m.target}`);
}

function writeTarget(m: { readonly target: string }, out: Uint8Array, start: number): void {
  encodeCheck(writeIpv6(out, start + NS_NA.target, m.target), `bad ND target address text: ${m.target}`);
}

const naBody = ndMessageBody<Icmpv6NeighborAdvertisement>(
  ICMPV6_TYPE.neighborAdvertisement, NS_NA.options, 'Neighbor Advertisement',
  (m) => { checkUint(m.reserved, NA_FLAG.reservedMask, 'NA reserved'); checkTarget(m); },
  (m, out, s) => {
    const flags = (m.router ? NA_FLAG.r : 0) + (m.solicited ? NA_FLAG.s : 0) +
      (m.override ? NA_FLAG.o : 0) + m.reserved;
    writeU32(out, s + NS_NA.flags, flags);
    writeTarget(m, out, s);
  },
  (b, s, code, options) => {
    const flags = readU32(b, s + NS_NA.flags);
    return {
      type: 'neighbor-advertisement', code,
      router: (flags & NA_FLAG.r) !== 0,
      solicited: (flags & NA_FLAG.s) !== 0,
      override: (flags & NA_FLAG.o) !== 0,
      reserved: flags & NA_FLAG.reservedMask,
      target: formatIpv6(b, s + NS_NA.target),
      options,
    };
  },
);

type Bodies = { [K in Exclude<Icmpv6Message['type'], 'unknown'>]:
  Icmpv6BodyCodec<Extract<Icmpv6Message, { type: K }>> };

const BODIES: Bodies = {
  'echo-request': echoBody('echo-request', ICMPV6_TYPE.echoRequest),
  'echo-reply': echoBody('echo-reply', ICMPV6_TYPE.echoReply),
  'destination-unreachable': wordBody<Icmpv6DestinationUnreachable>(
    ICMPV6_TYPE.destinationUnreachable, () => 0, invoking,
    (code, _unused, data) => ({ type: 'destination-unreachable', code, invoking: data })),
  'packet-too-big': wordBody<Icmpv6PacketTooBig>(ICMPV6_TYPE.packetTooBig, (m) => m.mtu, invoking,
    (code, mtu, data) => ({ type: 'packet-too-big', code, mtu, invoking: data })),
  'time-exceeded': wordBody<Icmpv6TimeExceeded>(ICMPV6_TYPE.timeExceeded, () => 0, invoking,
    (code, _unused, data) => ({ type: 'time-exceeded', code, invoking: data })),
  'parameter-problem': wordBody<Icmpv6ParameterProblem>(
    ICMPV6_TYPE.parameterProblem, (m) => m.pointer, invoking,
    (code, pointer, data) => ({ type: 'parameter-problem', code, pointer, invoking: data })),
  'router-solicitation': routerSolicitationBody,
  'router-advertisement': routerAdvertisementBody,
  'neighbor-solicitation': ndMessageBody<Icmpv6NeighborSolicitation>(
    ICMPV6_TYPE.neighborSolicitation, NS_NA.options, 'Neighbor Solicitation', checkTarget,
    writeTarget, (b, s, code, options) => ({
      type: 'neighbor-solicitation', code, target: formatIpv6(b, s + NS_NA.target), options,
    })),
  'neighbor-advertisement': naBody,
  'haad-request': haadRequestBody,
  'haad-reply': haadReplyBody,
  'mobile-prefix-solicitation': mobilePrefixSolicitationBody,
  'mobile-prefix-advertisement': mobilePrefixAdvertisementBody,
};

type AnyBody = Icmpv6BodyCodec<Icmpv6Message>;
const BY_TYPE: ReadonlyMap<number, AnyBody> = new Map(
  Object.values(BODIES).map((c) => [c.icmpType, c as unknown as AnyBody]));

/** Validates `msg` and returns its encoded length (header included). */
export function encodedLengthIcmpv6(msg: Icmpv6Message): number {
  checkUint(msg.code, 0xff, `ICMPv6 ${msg.type} code`);
  if (msg.type !== 'unknown') return (BODIES[msg.type] as unknown as AnyBody).length(msg);
  checkUint(msg.icmpType, 0xff, 'ICMPv6 unknown icmpType');
  encodeCheck(!BY_TYPE.has(msg.icmpType), `unknown ICMPv6 message with known type ${msg.icmpType}`);
  return HEADER.length + msg.body.length;
}

/**
 * Writes `msg` at `offset` with its checksum over the IPv6 pseudo-header of `source` and
 * `destination` (the addresses of the packet that will carry it); returns the bytes written.
 */
export function encodeIcmpv6(
  msg: Icmpv6Message, out: Uint8Array, offset: number, source: string, destination: string,
): number {
  const len = encodedLengthIcmpv6(msg);
  const pseudo = pseudoSum6Text(source, destination, len, ICMPV6_NEXT_HEADER);
  encodeCheck(pseudo >= 0, `bad IPv6 pseudo-header address text: ${source} ${destination}`);
  checkRoom(out, offset, len, `ICMPv6 ${msg.type}`);
  if (msg.type === 'unknown') {
    out[offset + HEADER.type] = msg.icmpType;
    out.set(msg.body, offset + HEADER.length);
  } else {
    const body = BODIES[msg.type] as unknown as AnyBody;
    out[offset + HEADER.type] = body.icmpType;
    body.write(msg, out, offset);
  }
  out[offset + HEADER.code] = msg.code;
  writeU16(out, offset + HEADER.checksum, 0);
  const sum = sumWords(out, offset, offset + len, pseudo);
  writeU16(out, offset + HEADER.checksum, finishChecksum(sum));
  return len;
}

/**
 * Decodes the ICMPv6 message filling [offset, end) (the rest of the IPv6 payload). Does not
 * check the checksum: call verifyIcmpv6Checksum with the packet's addresses for that.
 */
export function decodeIcmpv6(
  b: Uint8Array, offset = 0, end = b.length,
): WireResult<Icmpv6Decoded> {
  const short = needBytes(end, offset, HEADER.length, 'ICMPv6 header');
  if (short) return short;
  const icmpType = b[offset + HEADER.type];
  const code = b[offset + HEADER.code];
  const checksum = readU16(b, offset + HEADER.checksum);
  const body = BY_TYPE.get(icmpType);
  const r: WireResult<Icmpv6Message> = body
    ? body.read(b, offset, end, code)
    : ok({ type: 'unknown', icmpType, code, body: copyBytes(b, offset + HEADER.length, end) },
      end - offset);
  if (!r.ok) return r;
  return ok({ message: r.value, checksum }, end - offset);
}

/**
 * True when the ICMPv6 message at [offset, end) has a correct checksum for the pseudo-header of
 * `source` and `destination`; false when not, or when the range holds no 4-byte header. Throws
 * on address text that is not IPv6 (a local error).
 */
export function verifyIcmpv6Checksum(
  b: Uint8Array, offset: number, end: number, source: string, destination: string,
): boolean {
  const pseudo = pseudoSum6Text(source, destination, end - offset, ICMPV6_NEXT_HEADER);
  if (pseudo < 0) throw new Error(`bad IPv6 pseudo-header address: ${source} ${destination}`);
  if (offset < 0 || end > b.length || end - offset < HEADER.length) return false;
  const sum = sumWords(b, offset, end, pseudo);
  return finishChecksum(sum) === 0;
}
