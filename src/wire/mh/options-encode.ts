/**
 * Emitting mobility options: each option is placed at its alignment "xn+y" (offsets counted from
 * the start of the Mobility Header, RFC 6275 §6.2) with Pad1/PadN inserted and zeroed, then the
 * message is padded to a multiple of 8 octets (RFC 6275 §6.1.1). Padding lives here and nowhere
 * else (conventions C4).
 */
import { writeIpv4, writeIpv6 } from '../addr.js';
import { writeU16, writeU32 } from '../bytes.js';
import { EncodeError, checkUint, encodeCheck } from '../result.js';
import { LIFETIME_SECONDS_MAX, LIFETIME_UNIT_SECONDS, MobilityOptionType as T } from './constants.js';
import { OPTION_TYPE, type MobilityOption } from './options.js';

/** Alignment requirement xn+y of each option (x = 1: none). */
export function optionAlignment(o: MobilityOption): { readonly x: number; readonly y: number } {
  const a = alignmentOf(optionLayout(o));
  return { x: a >> 4, y: a & 0xf };
}

/** Octets of option data (after type and length). */
export function optionDataLength(o: MobilityOption): number {
  return dataLengthOf(optionLayout(o));
}

const LEN = 0x10000;
const ALIGN = 0x100;

/**
 * What the encoder needs of an option, from one look at its kind: data length * 2^16 +
 * alignment (x * 16 + y) * 2^8 + Option Type (0 for `unknown`, which carries its own).
 */
function optionLayout(o: MobilityOption): number {
  switch (o.type) {
    case 'binding-refresh-advice': return 2 * LEN + 0x20 * ALIGN + T.BINDING_REFRESH_ADVICE;
    case 'alternate-care-of-address': return 16 * LEN + 0x86 * ALIGN + T.ALTERNATE_CARE_OF_ADDRESS;
    case 'nonce-indices': return 4 * LEN + 0x20 * ALIGN + T.NONCE_INDICES;
    case 'binding-authorization-data': return 12 * LEN + 0x82 * ALIGN + T.BINDING_AUTHORIZATION_DATA;
    case 'mobile-network-prefix': return 18 * LEN + 0x84 * ALIGN + T.MOBILE_NETWORK_PREFIX;
    case 'mobile-node-identifier':
      return (1 + o.identifier.length) * LEN + 0x10 * ALIGN + T.MOBILE_NODE_IDENTIFIER;
    case 'authentication': return (5 + o.authenticationData.length) * LEN + 0x41 * ALIGN + T.AUTHENTICATION;
    case 'replay-protection': return 8 * LEN + 0x82 * ALIGN + T.REPLAY_PROTECTION;
    case 'ipv4-home-address': return 6 * LEN + 0x40 * ALIGN + T.IPV4_HOME_ADDRESS;
    case 'ipv4-address-acknowledgement': return 6 * LEN + 0x40 * ALIGN + T.IPV4_ADDRESS_ACKNOWLEDGEMENT;
    case 'nat-detection': return 6 * LEN + 0x40 * ALIGN + T.NAT_DETECTION;
    case 'ipv4-care-of-address': return 6 * LEN + 0x40 * ALIGN + T.IPV4_CARE_OF_ADDRESS;
    case 'unknown': return o.data.length * LEN + 0x10 * ALIGN;
  }
}

const dataLengthOf = (layout: number): number => Math.floor(layout / LEN);
const alignmentOf = (layout: number): number => (layout % LEN) >> 8;

function padLength(pos: number, x: number, y: number): number {
  return (((y - pos) % x) + x) % x;
}

/** Padding before an option of packed alignment `a` at MH offset `pos`. */
function padBefore(pos: number, a: number): number {
  return padLength(pos, a >> 4, a & 0xf);
}

/** Octets the options take when they start at MH offset `start`, padding to 8n included. */
export function encodedLengthOptions(options: readonly MobilityOption[], start: number): number {
  let pos = start;
  for (let i = 0; i < options.length; i++) {
    const layout = optionLayout(options[i]);
    pos += padBefore(pos, alignmentOf(layout)) + 2 + dataLengthOf(layout);
  }
  return pos + padLength(pos, 8, 0) - start;
}

function writePadding(out: Uint8Array, at: number, n: number): void {
  if (n === 0) return;
  out.fill(0, at, at + n);
  if (n >= 2) { out[at] = 1; out[at + 1] = n - 2; }
}

/** Writes IPv6 text at out[at, at+16) (no array in between); throws EncodeError naming `field`. */
function ipv6(out: Uint8Array, at: number, text: string, field: string): void {
  if (!writeIpv6(out, at, text)) throw new EncodeError(`${field} is not an IPv6 address: ${text}`);
}

/** Writes IPv4 text at out[at, at+4); throws EncodeError naming `field`. */
function ipv4(out: Uint8Array, at: number, text: string, field: string): void {
  if (!writeIpv4(out, at, text)) throw new EncodeError(`${field} is not an IPv4 address: ${text}`);
}

function checkFixedBytes(b: Uint8Array, n: number, field: string): void {
  encodeCheck(b.length === n, `${field} must be ${n} octets, got ${b.length}`);
}

/** Writes option data at `d` (type and length already written). */
function writeOptionData(o: MobilityOption, out: Uint8Array, d: number): void {
  switch (o.type) {
    case 'binding-refresh-advice':
      checkUint(o.refreshIntervalSeconds, LIFETIME_SECONDS_MAX, 'refresh interval');
      encodeCheck(o.refreshIntervalSeconds % LIFETIME_UNIT_SECONDS === 0,
        `refresh interval ${o.refreshIntervalSeconds} s is not a multiple of 4 s`);
      return writeU16(out, d, o.refreshIntervalSeconds / LIFETIME_UNIT_SECONDS);
    case 'alternate-care-of-address': return ipv6(out, d, o.careOfAddress, 'alternate CoA');
    case 'nonce-indices':
      checkUint(o.homeNonceIndex, 0xffff, 'home nonce index');
      checkUint(o.careOfNonceIndex, 0xffff, 'care-of nonce index');
      writeU16(out, d, o.homeNonceIndex);
      return writeU16(out, d + 2, o.careOfNonceIndex);
    case 'binding-authorization-data':
      checkFixedBytes(o.authenticator, 12, 'binding authorization data');
      out.set(o.authenticator, d); return;
    case 'mobile-network-prefix':
      checkUint(o.prefixLength, 128, 'mobile network prefix length');
      out[d] = 0; out[d + 1] = o.prefixLength;
      return ipv6(out, d + 2, o.prefix, 'mobile network prefix');
    case 'mobile-node-identifier':
      checkUint(o.subtype, 0xff, 'MN-ID subtype');
      encodeCheck(o.identifier.length >= 1, 'MN-ID identifier must not be empty');
      out[d] = o.subtype; out.set(o.identifier, d + 1); return;
    case 'authentication':
      checkUint(o.subtype, 0xff, 'authentication subtype');
      checkUint(o.spi, 0xffffffff, 'mobility SPI');
      // RFC 4285 §5: the authenticator is never empty (Wireshark flags an empty one malformed).
      encodeCheck(o.authenticationData.length >= 1, 'authentication data must not be empty');
      out[d] = o.subtype; writeU32(out, d + 1, o.spi);
      out.set(o.authenticationData, d + 5); return;
    case 'replay-protection':
      encodeCheck(o.timestamp >= 0n && o.timestamp < 1n << 64n, 'replay timestamp must fit 64 bits');
      writeU32(out, d, Number(o.timestamp >> 32n));
      return writeU32(out, d + 4, Number(o.timestamp & 0xffffffffn));
    default:
      return writeDsmipOptionData(o, out, d);
  }
}

function writeDsmipOptionData(o: MobilityOption, out: Uint8Array, d: number): void {
  switch (o.type) {
    case 'ipv4-home-address':
      checkUint(o.prefixLength, 32, 'IPv4 home address prefix length');
      out[d] = (o.prefixLength << 2) | (o.requestPrefix ? 0x02 : 0); out[d + 1] = 0;
      return ipv4(out, d + 2, o.address, 'IPv4 home address');
    case 'ipv4-address-acknowledgement':
      checkUint(o.status, 0xff, 'IPv4 address acknowledgement status');
      checkUint(o.prefixLength, 32, 'IPv4 address acknowledgement prefix length');
      out[d] = o.status; out[d + 1] = o.prefixLength << 2;
      return ipv4(out, d + 2, o.address, 'acknowledged IPv4 address');
    case 'nat-detection':
      checkUint(o.refreshTimeSeconds, 0xffffffff, 'NAT refresh time');
      writeU16(out, d, o.forceUdp ? 0x8000 : 0);
      return writeU32(out, d + 2, o.refreshTimeSeconds);
    case 'ipv4-care-of-address':
      writeU16(out, d, 0);
      return ipv4(out, d + 2, o.address, 'IPv4 care-of address');
    case 'unknown':
      checkUint(o.optionType, 0xff, 'mobility option type');
      encodeCheck(o.optionType > 1 && !Object.values(OPTION_TYPE).includes(o.optionType),
        `option type ${o.optionType} must use its own variant`);
      out.set(o.data, d); return;
    default:
      throw new EncodeError(`unhandled mobility option ${o.type}`);
  }
}

/**
 * Writes the options at out[offset...], where `offset` is MH offset `start`; pads to 8n.
 * Returns the octets written. The caller has checked the room (encodedLengthOptions).
 */
export function encodeMobilityOptions(
  options: readonly MobilityOption[], out: Uint8Array, offset: number, start: number,
): number {
  let pos = start;
  for (let i = 0; i < options.length; i++) {
    const o = options[i];
    const layout = optionLayout(o);
    const pad = padBefore(pos, alignmentOf(layout));
    writePadding(out, offset + pos - start, pad);
    pos += pad;
    const len = dataLengthOf(layout);
    if (len > 0xff) checkUint(len, 0xff, `${o.type} option length`); // message built only to throw
    const at = offset + pos - start;
    const code = layout & 0xff;
    out[at] = code !== 0 ? code : (o as Extract<MobilityOption, { type: 'unknown' }>).optionType;
    out[at + 1] = len;
    writeOptionData(o, out, at + 2);
    pos += 2 + len;
  }
  const tail = padLength(pos, 8, 0);
  writePadding(out, offset + pos - start, tail);
  return pos + tail - start;
}
