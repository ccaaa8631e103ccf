/**
 * The eight Mobility Header messages of RFC 6275 §6.1.2–6.1.9: the fixed part after the common
 * six octets (offsets from the start of the MH).
 *
 *  type  message  fixed part (from offset 6)                                  options at
 *   0    BRR      Reserved (16)                                                8
 *   1    HoTI     Reserved (16), Home Init Cookie (64)                         16
 *   2    CoTI     Reserved (16), Care-of Init Cookie (64)                      16
 *   3    HoT      Home Nonce Index (16), Home Init Cookie (64), Keygen (64)    24
 *   4    CoT      Care-of Nonce Index (16), Care-of Init Cookie, Keygen        24
 *   5    BU       Sequence # (16), Flags (16), Lifetime (16, 4-s units)        12
 *   6    BA       Status (8), Flags (8), Sequence # (16), Lifetime (16)        12
 *   7    BE       Status (8), Reserved (8), Home Address (128)                 24
 *
 * Unknown MH types keep everything after offset 6 as opaque `data` (RFC 6275 §9.2: the receiver
 * answers them with a Binding Error, status 2; that policy lives in the engine).
 */
import { formatIpv6, writeIpv6 } from '../addr.js';
import { copyBytes, readU16, writeU16 } from '../bytes.js';
import { EncodeError, checkUint, encodeCheck } from '../result.js';
import { LIFETIME_SECONDS_MAX, LIFETIME_UNIT_SECONDS, MhType } from './constants.js';

export type MobilityMessage =
  | { readonly type: 'binding-refresh-request' }
  | { readonly type: 'home-test-init'; readonly homeInitCookie: Uint8Array }
  | { readonly type: 'care-of-test-init'; readonly careOfInitCookie: Uint8Array }
  | {
    readonly type: 'home-test'; readonly homeNonceIndex: number;
    readonly homeInitCookie: Uint8Array; readonly homeKeygenToken: Uint8Array;
  }
  | {
    readonly type: 'care-of-test'; readonly careOfNonceIndex: number;
    readonly careOfInitCookie: Uint8Array; readonly careOfKeygenToken: Uint8Array;
  }
  | {
    readonly type: 'binding-update'; readonly sequence: number;
    /** BuFlag bits; reserved bits are kept. */
    readonly flags: number; readonly lifetimeSeconds: number;
  }
  | {
    readonly type: 'binding-ack'; readonly status: number;
    /** BaFlag bits; reserved bits are kept. */
    readonly flags: number; readonly sequence: number; readonly lifetimeSeconds: number;
  }
  | { readonly type: 'binding-error'; readonly status: number; readonly homeAddress: string }
  /** Any other MH type: `data` is the message after offset 6, options and padding included. */
  | { readonly type: 'unknown'; readonly mhType: number; readonly data: Uint8Array };

export type MobilityMessageKind = MobilityMessage['type'];

export const MH_TYPE_OF: Readonly<Record<Exclude<MobilityMessageKind, 'unknown'>, number>> = {
  'binding-refresh-request': MhType.BINDING_REFRESH_REQUEST,
  'home-test-init': MhType.HOME_TEST_INIT,
  'care-of-test-init': MhType.CARE_OF_TEST_INIT,
  'home-test': MhType.HOME_TEST,
  'care-of-test': MhType.CARE_OF_TEST,
  'binding-update': MhType.BINDING_UPDATE,
  'binding-ack': MhType.BINDING_ACK,
  'binding-error': MhType.BINDING_ERROR,
};

/** MH offset where the options of each known type start. */
export const OPTIONS_OFFSET: Readonly<Record<number, number>> = {
  0: 8, 1: 16, 2: 16, 3: 24, 4: 24, 5: 12, 6: 12, 7: 24,
};

export function mhTypeOf(m: MobilityMessage): number {
  return m.type === 'unknown' ? m.mhType : MH_TYPE_OF[m.type];
}

/** Offset where options start, or the end of `data` for unknown types. */
export function fixedPartEnd(m: MobilityMessage): number {
  switch (m.type) { // OPTIONS_OFFSET[MH_TYPE_OF[m.type]], without two keyed look-ups per call
    case 'binding-update': case 'binding-ack': return 12;
    case 'binding-refresh-request': return 8;
    case 'home-test-init': case 'care-of-test-init': return 16;
    case 'home-test': case 'care-of-test': case 'binding-error': return 24;
    case 'unknown': return 6 + m.data.length;
  }
}

/**
 * Decodes the fixed part of a known type from the MH starting at `mh` (the caller has checked
 * that the message is long enough for it). Unknown types are handled by the caller.
 */
export function decodeFixedPart(b: Uint8Array, mh: number, mhType: number): MobilityMessage {
  switch (mhType) {
    case MhType.BINDING_REFRESH_REQUEST: return { type: 'binding-refresh-request' };
    case MhType.HOME_TEST_INIT:
      return { type: 'home-test-init', homeInitCookie: copyBytes(b, mh + 8, mh + 16) };
    case MhType.CARE_OF_TEST_INIT:
      return { type: 'care-of-test-init', careOfInitCookie: copyBytes(b, mh + 8, mh + 16) };
    case MhType.HOME_TEST:
      return {
        type: 'home-test', homeNonceIndex: readU16(b, mh + 6),
        homeInitCookie: copyBytes(b, mh + 8, mh + 16), homeKeygenToken: copyBytes(b, mh + 16, mh + 24),
      };
    case MhType.CARE_OF_TEST:
      return {
        type: 'care-of-test', careOfNonceIndex: readU16(b, mh + 6),
        careOfInitCookie: copyBytes(b, mh + 8, mh + 16), careOfKeygenToken: copyBytes(b, mh + 16, mh + 24),
      };
    case MhType.BINDING_UPDATE:
      return {
        type: 'binding-update', sequence: readU16(b, mh + 6), flags: readU16(b, mh + 8),
        lifetimeSeconds: readU16(b, mh + 10) * LIFETIME_UNIT_SECONDS,
      };
    case MhType.BINDING_ACK:
      return {
        type: 'binding-ack', status: b[mh + 6], flags: b[mh + 7], sequence: readU16(b, mh + 8),
        lifetimeSeconds: readU16(b, mh + 10) * LIFETIME_UNIT_SECONDS,
      };
    default:
      return { type: 'binding-error', status: b[mh + 6], homeAddress: formatIpv6(b, mh + 8) };
  }
}

function bytes8(v: Uint8Array, field: string): Uint8Array {
  encodeCheck(v.length === 8, `${field} must be 8 octets, got ${v.length}`);
  return v;
}

function writeLifetime(out: Uint8Array, at: number, seconds: number): void {
  checkUint(seconds, LIFETIME_SECONDS_MAX, 'lifetime (seconds)');
  if (seconds % LIFETIME_UNIT_SECONDS !== 0) {
    throw new EncodeError(`lifetime ${seconds} s is not a multiple of 4 s`);
  }
  writeU16(out, at, seconds / LIFETIME_UNIT_SECONDS);
}

/** Writes bytes [6, fixedPartEnd) of the message into the MH starting at `mh`. */
export function encodeFixedPart(m: MobilityMessage, out: Uint8Array, mh: number): void {
  out.fill(0, mh + 6, mh + fixedPartEnd(m));
  switch (m.type) {
    case 'binding-refresh-request': return;
    case 'home-test-init': out.set(bytes8(m.homeInitCookie, 'home init cookie'), mh + 8); return;
    case 'care-of-test-init': out.set(bytes8(m.careOfInitCookie, 'care-of init cookie'), mh + 8); return;
    case 'home-test':
      checkUint(m.homeNonceIndex, 0xffff, 'home nonce index');
      writeU16(out, mh + 6, m.homeNonceIndex);
      out.set(bytes8(m.homeInitCookie, 'home init cookie'), mh + 8);
      out.set(bytes8(m.homeKeygenToken, 'home keygen token'), mh + 16); return;
    case 'care-of-test':
      checkUint(m.careOfNonceIndex, 0xffff, 'care-of nonce index');
      writeU16(out, mh + 6, m.careOfNonceIndex);
      out.set(bytes8(m.careOfInitCookie, 'care-of init cookie'), mh + 8);
      out.set(bytes8(m.careOfKeygenToken, 'care-of keygen token'), mh + 16); return;
    case 'binding-update':
      checkUint(m.sequence, 0xffff, 'BU sequence number');
      checkUint(m.flags, 0xffff, 'BU flags');
      writeU16(out, mh + 6, m.sequence); writeU16(out, mh + 8, m.flags);
      return writeLifetime(out, mh + 10, m.lifetimeSeconds);
    case 'binding-ack':
      checkUint(m.status, 0xff, 'BA status'); checkUint(m.flags, 0xff, 'BA flags');
      checkUint(m.sequence, 0xffff, 'BA sequence number');
      out[mh + 6] = m.status; out[mh + 7] = m.flags; writeU16(out, mh + 8, m.sequence);
      return writeLifetime(out, mh + 10, m.lifetimeSeconds);
    case 'binding-error': {
      checkUint(m.status, 0xff, 'BE status');
      if (!writeIpv6(out, mh + 8, m.homeAddress)) {
        throw new EncodeError(`BE home address is not IPv6: ${m.homeAddress}`);
      }
      out[mh + 6] = m.status; return;
    }
    case 'unknown':
      checkUint(m.mhType, 0xff, 'MH type');
      encodeCheck(!(m.mhType in OPTIONS_OFFSET), `MH type ${m.mhType} must use its own variant`);
      out.set(m.data, mh + 6);
  }
}
