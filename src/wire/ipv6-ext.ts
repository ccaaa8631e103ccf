/**
 * IPv6 extension headers (RFC 8200 §4) with the two Mobile IPv6 additions (RFC 6275 §6.3–6.4):
 *
 * Destination Options header carrying the Home Address option (type 201, alignment 8n+6):
 *  | Next Header | Hdr Ext Len | Options ... (TLV: Option Type, Opt Data Len, data)      |
 *  | ... PadN(01 02 00 00) | 0xC9 | 0x10 | Home Address (16 octets)                      |
 *
 * Type 2 Routing Header (Hdr Ext Len 2, Segments Left 1):
 *  | Next Header | Hdr Ext Len=2 | Routing Type=2 | Segments Left=1 |
 *  | Reserved (4 octets)                                            |
 *  | Home Address (16 octets)                                       |
 *
 * The chain decoder walks Hop-by-Hop, Routing, Fragment, Destination Options, AH and the other
 * headers that use the generic format (HIP 139, Shim6 140, experiments 253/254) to reach the
 * upper layer. It stops at ESP (50: nothing after it is readable), at a non-first fragment, and at
 * any other protocol, which it reports as the upper layer (135 Mobility Header included: the MH is
 * an upper layer for this purpose, RFC 6275 §6.1).
 */
import { formatIpv6, writeIpv6 } from './addr.js';
import { copyBytes, readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { IpProto } from './ip-protocols.js';
import {
  EncodeError, checkRoom, checkUint, encodeCheck, fail, needBytes, ok, type WireResult,
} from './result.js';

/** IPv6 option type of the Home Address option (RFC 6275 §6.3). */
export const HOME_ADDRESS_OPTION_TYPE = 201;
/** Routing type of the Type 2 Routing Header (RFC 6275 §6.4). */
export const TYPE2_ROUTING = 2;

export type Ipv6Option =
  | { readonly type: 'pad1' }
  /** `length` is the Opt Data Len (PadN of n+2 octets has length n). */
  | { readonly type: 'padn'; readonly length: number }
  | { readonly type: 'home-address'; readonly homeAddress: string }
  | { readonly type: 'unknown'; readonly optionType: number; readonly data: Uint8Array };

export type Ipv6ExtensionHeader =
  | { readonly type: 'hop-by-hop'; readonly options: readonly Ipv6Option[] }
  | { readonly type: 'destination-options'; readonly options: readonly Ipv6Option[] }
  | { readonly type: 'type2-routing'; readonly segmentsLeft: number; readonly homeAddress: string }
  /** Other routing types; `data` is everything after Segments Left. */
  | {
    readonly type: 'routing'; readonly routingType: number; readonly segmentsLeft: number;
    readonly data: Uint8Array;
  }
  | {
    readonly type: 'fragment'; readonly fragmentOffset: number; readonly moreFragments: boolean;
    readonly identification: number;
  }
  /** AH (51; length in 4-octet units) and generic-format headers; `data` follows Hdr Ext Len. */
  | { readonly type: 'other'; readonly protocol: number; readonly data: Uint8Array };

export interface ExtensionChain {
  readonly extensions: readonly Ipv6ExtensionHeader[];
  readonly upperProtocol: number;
}

/** The Destination Options header Linux builds for a Home Address option (24 octets). */
export function homeAddressDestinationOptions(homeAddress: string): Ipv6ExtensionHeader {
  return {
    type: 'destination-options',
    options: [{ type: 'padn', length: 2 }, { type: 'home-address', homeAddress }],
  };
}

/** The Home Address carried in a Home Address option, if any. */
export function findHomeAddressOption(exts: readonly Ipv6ExtensionHeader[]): string | undefined {
  for (const e of exts) {
    if (e.type !== 'destination-options') continue;
    for (const o of e.options) if (o.type === 'home-address') return o.homeAddress;
  }
  return undefined;
}

/** The Home Address carried in a Type 2 Routing Header, if any. */
export function findType2RoutingAddress(exts: readonly Ipv6ExtensionHeader[]): string | undefined {
  for (const e of exts) if (e.type === 'type2-routing') return e.homeAddress;
  return undefined;
}

function isGenericExtension(proto: number): boolean {
  return proto === IpProto.HIP || proto === IpProto.SHIM6
    || proto === IpProto.EXPERIMENT_253 || proto === IpProto.EXPERIMENT_254;
}

function decodeOptions(b: Uint8Array, start: number, end: number): WireResult<Ipv6Option[]> {
  const options: Ipv6Option[] = [];
  let i = start;
  while (i < end) {
    const t = b[i];
    if (t === 0) { options.push({ type: 'pad1' }); i += 1; continue; }
    const short = needBytes(end, i, 2, 'IPv6 option header');
    if (short) return short;
    const len = b[i + 1];
    if (i + 2 + len > end) return fail('truncated', i + 1, `IPv6 option ${t} length ${len}`);
    if (t === 1) {
      options.push({ type: 'padn', length: len });
    } else if (t === HOME_ADDRESS_OPTION_TYPE) {
      if (len !== 16) return fail('bad-length', i + 1, `Home Address option length ${len} (want 16)`);
      options.push({ type: 'home-address', homeAddress: formatIpv6(b, i + 2) });
    } else {
      options.push({ type: 'unknown', optionType: t, data: copyBytes(b, i + 2, i + 2 + len) });
    }
    i += 2 + len;
  }
  return ok(options, end - start);
}

function decodeOne(
  b: Uint8Array, off: number, end: number, proto: number,
): WireResult<Ipv6ExtensionHeader> {
  if (proto === IpProto.FRAGMENT) {
    const short = needBytes(end, off, 8, 'Fragment header');
    if (short) return short;
    const w = readU16(b, off + 2);
    return ok({
      type: 'fragment', fragmentOffset: w >>> 3, moreFragments: (w & 1) === 1,
      identification: readU32(b, off + 4),
    }, 8);
  }
  const short = needBytes(end, off, 2, 'extension header');
  if (short) return short;
  const len = proto === IpProto.AH ? (b[off + 1] + 2) * 4 : (b[off + 1] + 1) * 8;
  if (off + len > end) return fail('truncated', off + 1, `extension header ${proto} length ${len}`);
  if (proto === IpProto.HOP_BY_HOP || proto === IpProto.DESTINATION_OPTIONS) {
    const opts = decodeOptions(b, off + 2, off + len);
    if (!opts.ok) return opts;
    const type = proto === IpProto.HOP_BY_HOP ? 'hop-by-hop' : 'destination-options';
    return ok({ type, options: opts.value }, len);
  }
  if (proto === IpProto.ROUTING) {
    const short4 = needBytes(off + len, off, 4, 'Routing header');
    if (short4) return short4;
    const routingType = b[off + 2];
    const segmentsLeft = b[off + 3];
    if (routingType !== TYPE2_ROUTING) {
      return ok({ type: 'routing', routingType, segmentsLeft, data: copyBytes(b, off + 4, off + len) }, len);
    }
    if (b[off + 1] !== 2) {
      return fail('bad-length', off + 1, `Type 2 Routing Header length ${b[off + 1]} (want 2)`);
    }
    return ok({ type: 'type2-routing', segmentsLeft, homeAddress: formatIpv6(b, off + 8) }, len);
  }
  return ok({ type: 'other', protocol: proto, data: copyBytes(b, off + 2, off + len) }, len);
}

/** Walks the extension headers starting at `offset` with first Next Header `nextHeader`. */
export function decodeExtensionChain(
  b: Uint8Array, offset: number, end: number, nextHeader: number,
): WireResult<ExtensionChain> {
  const extensions: Ipv6ExtensionHeader[] = [];
  let off = offset;
  let proto = nextHeader;
  for (;;) {
    const known = proto === IpProto.HOP_BY_HOP || proto === IpProto.ROUTING
      || proto === IpProto.FRAGMENT || proto === IpProto.DESTINATION_OPTIONS
      || proto === IpProto.AH || isGenericExtension(proto);
    if (!known) break;
    if (proto === IpProto.HOP_BY_HOP && extensions.length > 0) {
      return fail('bad-value', off, 'Hop-by-Hop Options header not first (RFC 8200 §4.1)');
    }
    const r = decodeOne(b, off, end, proto);
    if (!r.ok) return r;
    extensions.push(r.value);
    const next = b[off];
    off += r.consumed;
    proto = next;
    if (r.value.type === 'fragment' && r.value.fragmentOffset !== 0) break;
  }
  return ok({ extensions, upperProtocol: proto }, off - offset);
}

function optionLength(o: Ipv6Option): number {
  switch (o.type) {
    case 'pad1': return 1;
    case 'padn': return 2 + o.length;
    case 'home-address': return 18;
    case 'unknown': return 2 + o.data.length;
  }
}

function protocolOf(e: Ipv6ExtensionHeader): number {
  switch (e.type) {
    case 'hop-by-hop': return IpProto.HOP_BY_HOP;
    case 'destination-options': return IpProto.DESTINATION_OPTIONS;
    case 'type2-routing': case 'routing': return IpProto.ROUTING;
    case 'fragment': return IpProto.FRAGMENT;
    case 'other': return e.protocol;
  }
}

export function encodedLengthExtension(e: Ipv6ExtensionHeader): number {
  switch (e.type) {
    case 'hop-by-hop': case 'destination-options': {
      let n = 2;
      for (let i = 0; i < e.options.length; i++) n += optionLength(e.options[i]);
      return n;
    }
    case 'type2-routing': return 24;
    case 'routing': return 4 + e.data.length;
    case 'fragment': return 8;
    case 'other': return 2 + e.data.length;
  }
}

export function encodedLengthExtensionChain(exts: readonly Ipv6ExtensionHeader[]): number {
  let n = 0;
  for (let i = 0; i < exts.length; i++) n += encodedLengthExtension(exts[i]);
  return n;
}

function encodeOptions(opts: readonly Ipv6Option[], out: Uint8Array, off: number): void {
  for (const o of opts) {
    if (o.type === 'pad1') { out[off++] = 0; continue; }
    if (o.type === 'padn') {
      checkUint(o.length, 0xff, 'PadN length');
      out[off] = 1; out[off + 1] = o.length; out.fill(0, off + 2, off + 2 + o.length);
    } else if (o.type === 'home-address') {
      out[off] = HOME_ADDRESS_OPTION_TYPE; out[off + 1] = 16;
      if (!writeIpv6(out, off + 2, o.homeAddress)) throw new EncodeError(`bad Home Address ${o.homeAddress}`);
    } else {
      checkUint(o.optionType, 0xff, 'IPv6 option type');
      encodeCheck(o.optionType > 1 && o.optionType !== HOME_ADDRESS_OPTION_TYPE,
        `option type ${o.optionType} must use its own variant`);
      checkUint(o.data.length, 0xff, 'IPv6 option data length');
      out[off] = o.optionType; out[off + 1] = o.data.length; out.set(o.data, off + 2);
    }
    off += optionLength(o);
  }
}

function encodeOne(e: Ipv6ExtensionHeader, next: number, out: Uint8Array, off: number): number {
  const len = encodedLengthExtension(e);
  out[off] = next;
  if (e.type === 'fragment') {
    checkUint(e.fragmentOffset, 0x1fff, 'fragment offset');
    checkUint(e.identification, 0xffffffff, 'fragment identification');
    out[off + 1] = 0;
    writeU16(out, off + 2, (e.fragmentOffset << 3) | (e.moreFragments ? 1 : 0));
    writeU32(out, off + 4, e.identification);
    return len;
  }
  // Hdr Ext Len: 8-octet units not counting the first 8; AH counts 4-octet units minus 2.
  const isAh = e.type === 'other' && e.protocol === IpProto.AH;
  const field = isAh ? len / 4 - 2 : len / 8 - 1;
  encodeCheck(len >= 8 && Number.isInteger(field) && field <= 0xff,
    `extension header ${e.type} of ${len} octets is not a valid length`);
  out[off + 1] = field;
  if (e.type === 'hop-by-hop' || e.type === 'destination-options') {
    encodeOptions(e.options, out, off + 2);
  } else if (e.type === 'type2-routing') {
    checkUint(e.segmentsLeft, 0xff, 'segments left');
    out[off + 2] = TYPE2_ROUTING; out[off + 3] = e.segmentsLeft; out.fill(0, off + 4, off + 8);
    if (!writeIpv6(out, off + 8, e.homeAddress)) {
      throw new EncodeError(`bad Type 2 Routing Header address ${e.homeAddress}`);
    }
  } else if (e.type === 'routing') {
    checkUint(e.routingType, 0xff, 'routing type');
    encodeCheck(e.routingType !== TYPE2_ROUTING, 'routing type 2 must use the type2-routing variant');
    checkUint(e.segmentsLeft, 0xff, 'segments left');
    out[off + 2] = e.routingType; out[off + 3] = e.segmentsLeft; out.set(e.data, off + 4);
  } else {
    encodeCheck(e.protocol === IpProto.AH || isGenericExtension(e.protocol),
      `protocol ${e.protocol} is not an extension header`);
    out.set(e.data, off + 2);
  }
  return len;
}

/** Writes the chain; returns the Next Header value for the header before it. */
export function encodeExtensionChain(
  exts: readonly Ipv6ExtensionHeader[], upperProtocol: number, out: Uint8Array, offset: number,
): number {
  checkRoom(out, offset, encodedLengthExtensionChain(exts), 'IPv6 extension headers');
  return writeExtensionChain(exts, upperProtocol, out, offset);
}

/** encodeExtensionChain once the caller has checked the room (encodeIpv6Packet has). */
export function writeExtensionChain(
  exts: readonly Ipv6ExtensionHeader[], upperProtocol: number, out: Uint8Array, offset: number,
): number {
  let off = offset;
  for (let i = 0; i < exts.length; i++) {
    const next = i + 1 < exts.length ? protocolOf(exts[i + 1]) : upperProtocol;
    off += encodeOne(exts[i], next, out, off);
  }
  return exts.length > 0 ? protocolOf(exts[0]) : upperProtocol;
}
