/**
 * Neighbor Discovery options (RFC 4861 §4.6) with the Mobile IPv6 additions (RFC 6275 §7.2–7.4)
 * and the NEMO R bit of the Home Agent Information option (RFC 3963 §7.3); and ndMessageBody,
 * the shape shared by ND-style ICMPv6 messages (a fixed part, then options to the end).
 *
 *  | Type (8) | Length (8, in 8-octet units incl. Type and Length; 0 is malformed) | ... |
 *  1/2 Source/Target Link-Layer Address: | 1/2 | len | Link-Layer Address (len*8-2, padded) |
 *  3 Prefix Information (len 4):  | 3 | 4 | Prefix Length | L|A|R|Reserved1 (5) |
 *      | Valid Lifetime (32, s) | Preferred Lifetime (32, s) | Reserved2 (32) | Prefix (128) |
 *      L 0x80 on-link, A 0x40 autonomous (RFC 4861 §4.6.2), R 0x20 router address (6275 §7.2).
 *  5 MTU (len 1):                 | 5 | 1 | Reserved (16) | MTU (32) |
 *  7 Advertisement Interval (1):  | 7 | 1 | Reserved (16) | Advertisement Interval (32, ms) |
 *  8 Home Agent Information (1):  | 8 | 1 | R|Reserved (16) | Preference (s16) | Lifetime (16, s) |
 *      R 0x8000: the home agent supports mobile routers (RFC 3963 §7.3).
 *
 * Bits that share a field with flags are kept (`reserved`) so they survive decode/encode; wholly
 * reserved fields are ignored on receipt and sent as zero (RFC 4861). A known option with the
 * wrong length is an error; unknown options are kept byte for byte. Link-Layer Address bytes are
 * the whole option data, padding included (6 bytes for Ethernet, length 1).
 */
import { formatIpv6, isIpv6Text, writeIpv6 } from './addr.js';
import { copyBytes, readU16, readU32, writeU16, writeU32 } from './bytes.js';
import type { Icmpv6BodyCodec } from './icmpv6.js';
import {
  checkRoom, checkUint, encodeCheck, fail, needBytes, ok, type WireResult,
} from './result.js';

export const ND_OPTION_TYPE = {
  sourceLinkLayerAddress: 1, targetLinkLayerAddress: 2, prefixInformation: 3, mtu: 5,
  advertisementInterval: 7, homeAgentInformation: 8,
} as const;

/** Option length unit (RFC 4861 §4.6): the Length field counts 8-octet units. */
export const ND_OPTION_UNIT = 8;
/** Largest option: Length 255. */
export const ND_OPTION_MAX_BYTES = 255 * ND_OPTION_UNIT;

/** Offsets from the option start (smoltcp's `mod field`), and flag masks. */
const HDR = 2; // Type, Length
const PI = { units: 4, prefixLength: 2, flags: 3, valid: 4, preferred: 8, prefix: 16 } as const;
const PI_FLAG = { l: 0x80, a: 0x40, r: 0x20, reservedMask: 0x1f } as const;
const U32_VALUE = 4; // MTU and Advertisement Interval: the value after Reserved (16)
const HAI = { flags: 2, preference: 4, lifetime: 6, r: 0x8000, reservedMask: 0x7fff } as const;

export interface LinkLayerAddressOption {
  readonly type: 'source-link-layer-address' | 'target-link-layer-address';
  readonly linkLayerAddress: Uint8Array;
}

export interface PrefixInformationOption {
  readonly type: 'prefix-information';
  readonly prefixLength: number;
  readonly onLink: boolean; // L 0x80
  readonly autonomous: boolean; // A 0x40
  /** R 0x20: the Prefix field holds the router's whole address (RFC 6275 §7.2). */
  readonly routerAddress: boolean;
  readonly reserved: number; // the other 5 bits of the flags byte (Reserved1), 0..0x1f
  readonly validLifetimeSeconds: number;
  readonly preferredLifetimeSeconds: number;
  /** All 128 bits as sent (bits past prefixLength are not masked: see routerAddress). */
  readonly prefix: string;
}

export interface MtuOption { readonly type: 'mtu'; readonly mtu: number }

export interface AdvertisementIntervalOption {
  readonly type: 'advertisement-interval';
  readonly intervalMs: number;
}

export interface HomeAgentInformationOption {
  readonly type: 'home-agent-information';
  readonly mobileRouterSupport: boolean; // R 0x8000 of the Reserved field (RFC 3963 §7.3)
  readonly reserved: number; // the other 15 bits, 0..0x7fff
  /** Signed, -32768..32767; higher is preferred (RFC 6275 §7.4). */
  readonly preference: number;
  readonly lifetimeSeconds: number;
}

export interface UnknownNdOption {
  readonly type: 'unknown';
  readonly optionType: number;
  readonly data: Uint8Array; // everything after Type and Length
}

export type NdOption =
  | LinkLayerAddressOption | PrefixInformationOption | MtuOption
  | AdvertisementIntervalOption | HomeAgentInformationOption | UnknownNdOption;

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(ND_OPTION_TYPE));

/** Decodes one option of `units` 8-octet units at [off, off + units * 8), already in range. */
function decodeBody(b: Uint8Array, off: number, units: number): WireResult<NdOption> {
  const t = b[off];
  const len = units * ND_OPTION_UNIT;
  const fixed = (want: number, what: string): WireResult<NdOption> | undefined =>
    units === want ? undefined
      : fail('bad-length', off + 1, `${what} option length ${units}, expected ${want}`);
  switch (t) {
    case ND_OPTION_TYPE.sourceLinkLayerAddress:
    case ND_OPTION_TYPE.targetLinkLayerAddress:
      return ok({
        type: t === ND_OPTION_TYPE.sourceLinkLayerAddress
          ? 'source-link-layer-address' : 'target-link-layer-address',
        linkLayerAddress: copyBytes(b, off + HDR, off + len),
      }, len);
    case ND_OPTION_TYPE.prefixInformation: {
      const e = fixed(PI.units, 'Prefix Information');
      if (e) return e;
      const prefixLength = b[off + PI.prefixLength];
      if (prefixLength > 128) {
        return fail('bad-value', off + PI.prefixLength, `Prefix Length ${prefixLength} > 128`);
      }
      const flags = b[off + PI.flags];
      return ok({
        type: 'prefix-information',
        prefixLength,
        onLink: (flags & PI_FLAG.l) !== 0,
        autonomous: (flags & PI_FLAG.a) !== 0,
        routerAddress: (flags & PI_FLAG.r) !== 0,
        reserved: flags & PI_FLAG.reservedMask,
        validLifetimeSeconds: readU32(b, off + PI.valid),
        preferredLifetimeSeconds: readU32(b, off + PI.preferred),
        prefix: formatIpv6(b, off + PI.prefix),
      }, len);
    }
    case ND_OPTION_TYPE.mtu:
      return fixed(1, 'MTU') ?? ok({ type: 'mtu', mtu: readU32(b, off + U32_VALUE) }, len);
    case ND_OPTION_TYPE.advertisementInterval:
      return fixed(1, 'Advertisement Interval') ?? ok({
        type: 'advertisement-interval', intervalMs: readU32(b, off + U32_VALUE),
      }, len);
    case ND_OPTION_TYPE.homeAgentInformation: {
      const e = fixed(1, 'Home Agent Information');
      if (e) return e;
      const flags = readU16(b, off + HAI.flags);
      return ok({
        type: 'home-agent-information',
        mobileRouterSupport: (flags & HAI.r) !== 0,
        reserved: flags & HAI.reservedMask,
        preference: (readU16(b, off + HAI.preference) << 16) >> 16,
        lifetimeSeconds: readU16(b, off + HAI.lifetime),
      }, len);
    }
    default:
      return ok({ type: 'unknown', optionType: t, data: copyBytes(b, off + HDR, off + len) }, len);
  }
}

/** Decodes one ND option at `offset`; never reads at or past `end`. */
export function decodeNdOption(
  b: Uint8Array, offset = 0, end = b.length,
): WireResult<NdOption> {
  const short = needBytes(end, offset, HDR, 'ND option header');
  if (short) return short;
  const units = b[offset + 1];
  if (units === 0) return fail('bad-length', offset + 1, 'ND option length (zero)');
  const body = needBytes(end, offset, units * ND_OPTION_UNIT, `ND option type ${b[offset]}`);
  return body ?? decodeBody(b, offset, units);
}

/** Decodes the options filling [offset, end) (the rest of an ND message). */
export function decodeNdOptions(
  b: Uint8Array, offset = 0, end = b.length,
): WireResult<NdOption[]> {
  const options: NdOption[] = [];
  let off = offset;
  while (off < end) {
    const r = decodeNdOption(b, off, end);
    if (!r.ok) return r;
    options.push(r.value);
    off += r.consumed;
  }
  return ok(options, off - offset);
}

/** Checks a variable-length option's data and returns the option's length in bytes. */
function variableLength(data: Uint8Array, what: string): number {
  const total = HDR + data.length;
  encodeCheck(total % ND_OPTION_UNIT === 0 && total <= ND_OPTION_MAX_BYTES,
    `${what}: ${data.length} data bytes; need 8n-2 (6, 14, ...) up to 2038`);
  return total;
}

/** Validates `opt` and returns its encoded length in bytes. */
export function encodedLengthNdOption(opt: NdOption): number {
  switch (opt.type) {
    case 'source-link-layer-address':
    case 'target-link-layer-address':
      return variableLength(opt.linkLayerAddress, `${opt.type} option`);
    case 'prefix-information':
      checkUint(opt.prefixLength, 128, 'Prefix Information prefixLength');
      checkUint(opt.reserved, PI_FLAG.reservedMask, 'Prefix Information reserved');
      checkUint(opt.validLifetimeSeconds, 0xffffffff, 'validLifetimeSeconds');
      checkUint(opt.preferredLifetimeSeconds, 0xffffffff, 'preferredLifetimeSeconds');
      encodeCheck(isIpv6Text(opt.prefix), `bad IPv6 prefix text: ${opt.prefix}`);
      return PI.units * ND_OPTION_UNIT;
    case 'mtu':
      checkUint(opt.mtu, 0xffffffff, 'MTU option mtu');
      return ND_OPTION_UNIT;
    case 'advertisement-interval':
      checkUint(opt.intervalMs, 0xffffffff, 'Advertisement Interval intervalMs');
      return ND_OPTION_UNIT;
    case 'home-agent-information':
      checkUint(opt.reserved, HAI.reservedMask, 'Home Agent Information reserved');
      encodeCheck(Number.isInteger(opt.preference) && opt.preference >= -0x8000 &&
        opt.preference <= 0x7fff, `Home Agent preference must be in -32768..32767`);
      checkUint(opt.lifetimeSeconds, 0xffff, 'Home Agent lifetimeSeconds');
      return ND_OPTION_UNIT;
    case 'unknown':
      checkUint(opt.optionType, 0xff, 'ND optionType');
      encodeCheck(!KNOWN_TYPES.has(opt.optionType),
        `unknown ND option uses the known type ${opt.optionType}`);
      return variableLength(opt.data, `ND option type ${opt.optionType}`);
  }
}

/** Writes one option at `offset`; returns the bytes written. */
export function encodeNdOption(opt: NdOption, out: Uint8Array, offset: number): number {
  const len = encodedLengthNdOption(opt);
  checkRoom(out, offset, len, `ND option ${opt.type}`);
  out.fill(0, offset, offset + len);
  out[offset + 1] = len / ND_OPTION_UNIT;
  switch (opt.type) {
    case 'source-link-layer-address':
    case 'target-link-layer-address':
      out[offset] = opt.type === 'source-link-layer-address'
        ? ND_OPTION_TYPE.sourceLinkLayerAddress : ND_OPTION_TYPE.targetLinkLayerAddress;
      out.set(opt.linkLayerAddress, offset + HDR);
      break;
    case 'prefix-information':
      out[offset] = ND_OPTION_TYPE.prefixInformation;
      out[offset + PI.prefixLength] = opt.prefixLength;
      out[offset + PI.flags] = (opt.onLink ? PI_FLAG.l : 0) | (opt.autonomous ? PI_FLAG.a : 0) |
        (opt.routerAddress ? PI_FLAG.r : 0) | opt.reserved;
      writeU32(out, offset + PI.valid, opt.validLifetimeSeconds);
      writeU32(out, offset + PI.preferred, opt.preferredLifetimeSeconds);
      encodeCheck(writeIpv6(out, offset + PI.prefix, opt.prefix), `bad IPv6 prefix text: ${opt.prefix}`);
      break;
    case 'mtu':
      out[offset] = ND_OPTION_TYPE.mtu;
      writeU32(out, offset + U32_VALUE, opt.mtu);
      break;
    case 'advertisement-interval':
      out[offset] = ND_OPTION_TYPE.advertisementInterval;
      writeU32(out, offset + U32_VALUE, opt.intervalMs);
      break;
    case 'home-agent-information':
      out[offset] = ND_OPTION_TYPE.homeAgentInformation;
      writeU16(out, offset + HAI.flags, (opt.mobileRouterSupport ? HAI.r : 0) | opt.reserved);
      writeU16(out, offset + HAI.preference, opt.preference & 0xffff);
      writeU16(out, offset + HAI.lifetime, opt.lifetimeSeconds);
      break;
    case 'unknown':
      out[offset] = opt.optionType;
      out.set(opt.data, offset + HDR);
      break;
  }
  return len;
}

export function encodedLengthNdOptions(options: readonly NdOption[]): number {
  return options.reduce((n, o) => n + encodedLengthNdOption(o), 0);
}

/** Writes the options back to back at `offset`; returns the bytes written. */
export function encodeNdOptions(
  options: readonly NdOption[], out: Uint8Array, offset: number,
): number {
  checkRoom(out, offset, encodedLengthNdOptions(options), 'ND options');
  let off = offset;
  for (const o of options) off += encodeNdOption(o, out, off);
  return off - offset;
}

const ICMPV6_HEADER_LENGTH = 4;

/**
 * The body codec of an ND-style ICMPv6 message: `fixed` bytes (header included; reserved bytes
 * written as zero), then options to the end of the message (RFC 4861 §4.6).
 */
export function ndMessageBody<M extends { readonly options: readonly NdOption[] }>(
  icmpType: number, fixed: number, what: string,
  check: (m: M) => void, writeFixed: (m: M, out: Uint8Array, start: number) => void,
  readFixed: (b: Uint8Array, start: number, code: number, options: NdOption[]) => M,
): Icmpv6BodyCodec<M> {
  return {
    icmpType,
    length(m) { check(m); return fixed + encodedLengthNdOptions(m.options); },
    write(m, out, start) {
      out.fill(0, start + ICMPV6_HEADER_LENGTH, start + fixed);
      writeFixed(m, out, start);
      encodeNdOptions(m.options, out, start + fixed);
    },
    read(b, start, end, code) {
      const short = needBytes(end, start, fixed, what);
      if (short) return short;
      const options = decodeNdOptions(b, start + fixed, end);
      if (!options.ok) return options;
      return ok(readFixed(b, start, code, options.value), end - start);
    },
  };
}

/** A list of ND options as the whole of a buffer range (for tests and the fuzzer). */
export const ndOptionsCodec = {
  name: 'nd-options',
  encodedLength: encodedLengthNdOptions,
  encode: encodeNdOptions,
  decode: decodeNdOptions,
} as const;
