/**
 * ICMP for IPv4 (RFC 792) with the Next-Hop MTU of Path MTU Discovery (RFC 1191 §4). DSMIPv6
 * needs it on the IPv4 side: echo through the IPv4 tunnel, and the errors (notably "fragmentation
 * needed") that come back for tunnelled packets. The checksum is the Internet checksum of the
 * ICMP message alone (RFC 792: no pseudo-header).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |     Code      |          Checksum             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  0/8 Echo Reply/Request:   | Identifier (16) | Sequence Number (16) | Data ... |
 *  3 Destination Unreachable: | Unused (16) | Next-Hop MTU (16) | invoking packet ... |
 *      (Next-Hop MTU only for code 4, fragmentation needed and DF set; otherwise all 32 bits
 *      are unused. An old router sends 0 there even for code 4, RFC 1191 §4.)
 *  11 Time Exceeded:          | Unused (32) | invoking packet ... |
 *
 * The invoking bytes are the original IPv4 header plus at least 64 bits of its data (RFC 792).
 * Unused fields are ignored on receipt and sent as zero; the Code is kept on every message.
 * Unknown types are kept as { type: 'unknown', icmpType, code, body } (bytes after Checksum).
 */
import { copyBytes, readU16, writeU16 } from './bytes.js';
import { finishChecksum, sumWords } from './checksum.js';
import { checkRoom, checkUint, encodeCheck, needBytes, ok, type WireResult } from './result.js';

/** IPv4 Protocol number of ICMP. */
export const ICMPV4_PROTOCOL = 1;

export const ICMPV4_TYPE = {
  echoReply: 0, destinationUnreachable: 3, echoRequest: 8, timeExceeded: 11,
} as const;

/** Destination Unreachable code "fragmentation needed and DF set" (RFC 792, RFC 1191). */
export const ICMPV4_CODE_FRAGMENTATION_NEEDED = 4;

/** Offsets from the start of the message. */
const HEADER = { type: 0, code: 1, checksum: 2, length: 4 } as const;
const ECHO = { identifier: 4, sequence: 6, data: 8 } as const;
const UNREACHABLE = { nextHopMtu: 6, invoking: 8 } as const;
const TIME_EXCEEDED = { invoking: 8 } as const;

interface EchoFields {
  readonly code: number;
  readonly identifier: number;
  readonly sequence: number;
  readonly data: Uint8Array;
}
export interface Icmpv4EchoRequest extends EchoFields { readonly type: 'echo-request' }
export interface Icmpv4EchoReply extends EchoFields { readonly type: 'echo-reply' }

export interface Icmpv4DestinationUnreachable {
  readonly type: 'destination-unreachable';
  readonly code: number;
  /** Next-Hop MTU for code 4 (0 when the router did not say); must be 0 for other codes. */
  readonly nextHopMtu: number;
  readonly invoking: Uint8Array;
}

export interface Icmpv4TimeExceeded {
  readonly type: 'time-exceeded';
  readonly code: number; // 0 TTL exceeded in transit, 1 fragment reassembly time exceeded
  readonly invoking: Uint8Array;
}

export interface Icmpv4Unknown {
  readonly type: 'unknown';
  readonly icmpType: number;
  readonly code: number;
  readonly body: Uint8Array; // everything after the Checksum
}

export type Icmpv4Message =
  | Icmpv4EchoRequest | Icmpv4EchoReply | Icmpv4DestinationUnreachable | Icmpv4TimeExceeded
  | Icmpv4Unknown;

/** What decodeIcmpv4 returns: the message, the Checksum field, and whether it is correct. */
export interface Icmpv4Decoded {
  readonly message: Icmpv4Message;
  readonly checksum: number;
  readonly checksumValid: boolean;
}

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(ICMPV4_TYPE));

/** Validates `msg` and returns its encoded length (header included). */
export function encodedLengthIcmpv4(msg: Icmpv4Message): number {
  checkUint(msg.code, 0xff, `ICMPv4 ${msg.type} code`);
  switch (msg.type) {
    case 'echo-request':
    case 'echo-reply':
      checkUint(msg.identifier, 0xffff, 'ICMPv4 echo identifier');
      checkUint(msg.sequence, 0xffff, 'ICMPv4 echo sequence');
      return ECHO.data + msg.data.length;
    case 'destination-unreachable':
      checkUint(msg.nextHopMtu, 0xffff, 'ICMPv4 nextHopMtu');
      encodeCheck(msg.code === ICMPV4_CODE_FRAGMENTATION_NEEDED || msg.nextHopMtu === 0,
        `ICMPv4 nextHopMtu ${msg.nextHopMtu} needs code 4, not ${msg.code}`);
      return UNREACHABLE.invoking + msg.invoking.length;
    case 'time-exceeded':
      return TIME_EXCEEDED.invoking + msg.invoking.length;
    case 'unknown':
      checkUint(msg.icmpType, 0xff, 'ICMPv4 unknown icmpType');
      encodeCheck(!KNOWN_TYPES.has(msg.icmpType),
        `unknown ICMPv4 message with known type ${msg.icmpType}`);
      return HEADER.length + msg.body.length;
  }
}

/** Writes `msg` at `offset` with its checksum filled in; returns the bytes written. */
export function encodeIcmpv4(msg: Icmpv4Message, out: Uint8Array, offset: number): number {
  const len = encodedLengthIcmpv4(msg);
  checkRoom(out, offset, len, `ICMPv4 ${msg.type}`);
  out.fill(0, offset, offset + Math.min(len, UNREACHABLE.invoking));
  out[offset + HEADER.code] = msg.code;
  switch (msg.type) {
    case 'echo-request':
    case 'echo-reply':
      out[offset + HEADER.type] = msg.type === 'echo-request'
        ? ICMPV4_TYPE.echoRequest : ICMPV4_TYPE.echoReply;
      writeU16(out, offset + ECHO.identifier, msg.identifier);
      writeU16(out, offset + ECHO.sequence, msg.sequence);
      out.set(msg.data, offset + ECHO.data);
      break;
    case 'destination-unreachable':
      out[offset + HEADER.type] = ICMPV4_TYPE.destinationUnreachable;
      writeU16(out, offset + UNREACHABLE.nextHopMtu, msg.nextHopMtu);
      out.set(msg.invoking, offset + UNREACHABLE.invoking);
      break;
    case 'time-exceeded':
      out[offset + HEADER.type] = ICMPV4_TYPE.timeExceeded;
      out.set(msg.invoking, offset + TIME_EXCEEDED.invoking);
      break;
    case 'unknown':
      out[offset + HEADER.type] = msg.icmpType;
      out.set(msg.body, offset + HEADER.length);
      break;
  }
  writeU16(out, offset + HEADER.checksum, finishChecksum(sumWords(out, offset, offset + len)));
  return len;
}

function decodeBody(
  b: Uint8Array, start: number, end: number, icmpType: number, code: number,
): WireResult<Icmpv4Message> {
  const fixed = (n: number, what: string): WireResult<never> | undefined =>
    needBytes(end, start, n, `ICMPv4 ${what}`);
  switch (icmpType) {
    case ICMPV4_TYPE.echoRequest:
    case ICMPV4_TYPE.echoReply:
      return fixed(ECHO.data, 'Echo') ?? ok({
        type: icmpType === ICMPV4_TYPE.echoRequest ? 'echo-request' : 'echo-reply',
        code,
        identifier: readU16(b, start + ECHO.identifier),
        sequence: readU16(b, start + ECHO.sequence),
        data: copyBytes(b, start + ECHO.data, end),
      }, end - start);
    case ICMPV4_TYPE.destinationUnreachable:
      return fixed(UNREACHABLE.invoking, 'Destination Unreachable') ?? ok({
        type: 'destination-unreachable',
        code,
        nextHopMtu: code === ICMPV4_CODE_FRAGMENTATION_NEEDED
          ? readU16(b, start + UNREACHABLE.nextHopMtu) : 0,
        invoking: copyBytes(b, start + UNREACHABLE.invoking, end),
      }, end - start);
    case ICMPV4_TYPE.timeExceeded:
      return fixed(TIME_EXCEEDED.invoking, 'Time Exceeded') ?? ok({
        type: 'time-exceeded', code, invoking: copyBytes(b, start + TIME_EXCEEDED.invoking, end),
      }, end - start);
    default:
      return ok({
        type: 'unknown', icmpType, code, body: copyBytes(b, start + HEADER.length, end),
      }, end - start);
  }
}

/**
 * Decodes the ICMP message filling [offset, end) (the rest of the IPv4 payload) and checks its
 * checksum; a wrong checksum is reported in `checksumValid`, not as an error, so the caller
 * chooses to drop and count it.
 */
export function decodeIcmpv4(
  b: Uint8Array, offset = 0, end = b.length,
): WireResult<Icmpv4Decoded> {
  const short = needBytes(end, offset, HEADER.length, 'ICMPv4 header');
  if (short) return short;
  const r = decodeBody(b, offset, end, b[offset + HEADER.type], b[offset + HEADER.code]);
  if (!r.ok) return r;
  const checksum = readU16(b, offset + HEADER.checksum);
  const checksumValid = finishChecksum(sumWords(b, offset, end)) === 0;
  return ok({ message: r.value, checksum, checksumValid }, end - offset);
}

/** Codec<Icmpv4Message> (test/harness.ts): decodeIcmpv4 without the checksum report. */
export const icmpv4Codec = {
  name: 'icmpv4',
  encodedLength: encodedLengthIcmpv4,
  encode: encodeIcmpv4,
  decode(b: Uint8Array, offset: number, end: number): WireResult<Icmpv4Message> {
    const r = decodeIcmpv4(b, offset, end);
    return r.ok ? ok(r.value.message, r.consumed) : r;
  },
};
