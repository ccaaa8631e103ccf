/**
 * DHCPv4 options (RFC 2132 §2 format; §3.3, §3.5, §3.8, §3.14, §9.1–§9.14 for the typed ones).
 *
 * After the magic cookie the 'options' field holds code/length/data triples, plus two
 * one-byte options that have no length:
 *
 *     Code   Len   Data (Len bytes)          Pad      End
 *   +-----+-----+-----+-----+---           +-----+  +-----+
 *   |  c  |  n  |  d1 |  d2 | ...          |  0  |  | 255 |
 *   +-----+-----+-----+-----+---           +-----+  +-----+
 *
 * Typed here (what the client needs), with RFC 2132 lengths: 1 subnet mask (4), 3 routers
 * (4n, n >= 1), 6 domain name servers (4n, n >= 1), 12 host name (>= 1), 50 requested IP
 * address (4), 51 IP address lease time (4), 53 DHCP message type (1), 54 server identifier
 * (4), 55 parameter request list (>= 1), 58 renewal (T1) time (4), 59 rebinding (T2) time (4),
 * 61 client identifier (>= 2: type byte + identifier). A typed option of another length is a
 * `bad-length` error at its length byte. Every other code is `{ type: 'unknown', code, data }`,
 * kept in wire order and re-encoded byte for byte.
 *
 * Deliberate limits:
 * - RFC 3396 long options (one option split over several instances that the receiver joins)
 *   are not joined: each instance is its own list entry, so no option carries more than 255
 *   data bytes (encoders throw). Getters return the first instance.
 * - Option Overload (52) is an unknown option: options carried in 'sname'/'file' are not
 *   parsed (RFC 2131 §4.1); those fields stay opaque bytes.
 * - Pad (0) before End is skipped and not kept, so a sender that pads between options
 *   re-encodes without those bytes. What follows End is handled in dhcpv4.ts.
 * - Host name bytes map 1:1 to characters U+0000..U+00FF (latin1), so any bytes round-trip.
 * - Lease/T1/T2 times are unsigned 32-bit seconds; 0xffffffff means infinity (RFC 2131 §3.3).
 */
import { formatIpv4, parseIpv4 } from './addr.js';
import { copyBytes, readU32, writeU32 } from './bytes.js';
import { checkUint, EncodeError, fail, needBytes, ok, type WireResult } from './result.js';

export const DHCP_OPTION_PAD = 0;
export const DHCP_OPTION_END = 255;
/** RFC 2132 §9.3: Option Overload. Decoded as an unknown option. */
export const DHCP_OPTION_OVERLOAD = 52;
/** RFC 2132 §9.9: Message. Decoded as an unknown option (its text is the data). */
export const DHCP_OPTION_MESSAGE = 56;
/** One option's data is at most 255 bytes (one length byte). */
export const DHCP_OPTION_DATA_MAX = 255;

/** RFC 2132 §9.6 DHCP message types; other values stay numbers. */
export const DHCP_MESSAGE_TYPES = {
  discover: 1, offer: 2, request: 3, decline: 4, ack: 5, nak: 6, release: 7, inform: 8,
} as const;
export type DhcpMessageTypeName = keyof typeof DHCP_MESSAGE_TYPES;
export type DhcpMessageType = DhcpMessageTypeName | number;

export type DhcpOption =
  | { readonly type: 'subnet-mask'; readonly address: string }
  | { readonly type: 'routers'; readonly addresses: readonly string[] }
  | { readonly type: 'dns-servers'; readonly addresses: readonly string[] }
  | { readonly type: 'host-name'; readonly hostName: string }
  | { readonly type: 'requested-ip-address'; readonly address: string }
  | { readonly type: 'lease-time'; readonly leaseTimeSeconds: number }
  | { readonly type: 'message-type'; readonly messageType: DhcpMessageType }
  | { readonly type: 'server-identifier'; readonly address: string }
  | { readonly type: 'parameter-request-list'; readonly codes: readonly number[] }
  | { readonly type: 'renewal-time'; readonly renewalTimeSeconds: number }
  | { readonly type: 'rebinding-time'; readonly rebindingTimeSeconds: number }
  | {
    readonly type: 'client-identifier';
    readonly identifierType: number;
    readonly identifier: Uint8Array;
  }
  | { readonly type: 'unknown'; readonly code: number; readonly data: Uint8Array };

export type DhcpOptionType = DhcpOption['type'];
export type DhcpTypedOptionType = Exclude<DhcpOptionType, 'unknown'>;

interface LengthRule { readonly code: number; readonly min: number; readonly max: number;
  readonly multiple: number }
const rule = (code: number, min: number, max = min, multiple = 1): LengthRule =>
  ({ code, min, max, multiple });

/** Code and allowed data length (RFC 2132) of every typed option. */
export const DHCP_TYPED_OPTIONS: Readonly<Record<DhcpTypedOptionType, LengthRule>> = {
  'subnet-mask': rule(1, 4),
  'routers': rule(3, 4, 252, 4),
  'dns-servers': rule(6, 4, 252, 4),
  'host-name': rule(12, 1, 255),
  'requested-ip-address': rule(50, 4),
  'lease-time': rule(51, 4),
  'message-type': rule(53, 1),
  'server-identifier': rule(54, 4),
  'parameter-request-list': rule(55, 1, 255),
  'renewal-time': rule(58, 4),
  'rebinding-time': rule(59, 4),
  'client-identifier': rule(61, 2, 255),
};

const TYPE_BY_CODE: ReadonlyMap<number, DhcpTypedOptionType> = new Map(
  (Object.keys(DHCP_TYPED_OPTIONS) as DhcpTypedOptionType[])
    .map((t) => [DHCP_TYPED_OPTIONS[t].code, t] as const),
);
const NAME_BY_TYPE_NUMBER: ReadonlyMap<number, DhcpMessageTypeName> = new Map(
  (Object.keys(DHCP_MESSAGE_TYPES) as DhcpMessageTypeName[])
    .map((n) => [DHCP_MESSAGE_TYPES[n], n] as const),
);

/** True when `code` decodes to a typed option (so an 'unknown' option must not use it). */
export function isTypedDhcpOptionCode(code: number): boolean {
  return TYPE_BY_CODE.has(code);
}

export function dhcpOptionCode(o: DhcpOption): number {
  return o.type === 'unknown' ? o.code : DHCP_TYPED_OPTIONS[o.type].code;
}

function lengthOk(r: LengthRule, n: number): boolean {
  return n >= r.min && n <= r.max && n % r.multiple === 0;
}

function ipv4List(b: Uint8Array, start: number, length: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < length; i += 4) out.push(formatIpv4(b, start + i));
  return out;
}

function latin1(b: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(b[start + i]);
  return s;
}

/**
 * Decodes the data of one option whose code is b[start - 2] and length b[start - 1]; the
 * caller has checked that b[start, start + length) is inside the message.
 */
export function decodeDhcpOptionData(
  b: Uint8Array, code: number, start: number, length: number,
): WireResult<DhcpOption> {
  const type = TYPE_BY_CODE.get(code);
  if (type === undefined) {
    return ok({ type: 'unknown', code, data: copyBytes(b, start, start + length) }, length);
  }
  const r = DHCP_TYPED_OPTIONS[type];
  if (!lengthOk(r, length)) {
    const want = r.min === r.max ? `${r.min}` : `${r.min}..${r.max}`
      + (r.multiple > 1 ? ` in steps of ${r.multiple}` : '');
    return fail('bad-length', start - 1, `DHCP ${type} option (${code}) length ${length}, `
      + `RFC 2132 requires ${want}`);
  }
  switch (type) {
    case 'subnet-mask': case 'requested-ip-address': case 'server-identifier':
      return ok({ type, address: formatIpv4(b, start) }, length);
    case 'routers': case 'dns-servers':
      return ok({ type, addresses: ipv4List(b, start, length) }, length);
    case 'host-name':
      return ok({ type, hostName: latin1(b, start, length) }, length);
    case 'lease-time':
      return ok({ type, leaseTimeSeconds: readU32(b, start) }, length);
    case 'renewal-time':
      return ok({ type, renewalTimeSeconds: readU32(b, start) }, length);
    case 'rebinding-time':
      return ok({ type, rebindingTimeSeconds: readU32(b, start) }, length);
    case 'message-type':
      return ok({ type, messageType: NAME_BY_TYPE_NUMBER.get(b[start]) ?? b[start] }, length);
    case 'parameter-request-list':
      return ok({ type, codes: Array.from(b.subarray(start, start + length)) }, length);
    case 'client-identifier':
      return ok({ type, identifierType: b[start],
        identifier: copyBytes(b, start + 1, start + length) }, length);
  }
}

export interface DhcpOptionsArea { readonly options: DhcpOption[]; readonly afterEnd: number }

/**
 * Decodes options from b[start] up to and including End; `afterEnd` is the offset after End.
 * Pad bytes are skipped; a missing End is a `truncated` error at `end`.
 */
export function decodeDhcpOptionsArea(
  b: Uint8Array, start: number, end: number,
): WireResult<DhcpOptionsArea> {
  const options: DhcpOption[] = [];
  let p = start;
  while (p < end) {
    const code = b[p];
    if (code === DHCP_OPTION_END) return ok({ options, afterEnd: p + 1 }, p + 1 - start);
    if (code === DHCP_OPTION_PAD) { p++; continue; }
    const noLength = needBytes(end, p + 1, 1, `DHCP option ${code} length`);
    if (noLength) return noLength;
    const length = b[p + 1];
    const noData = needBytes(end, p + 2, length, `DHCP option ${code} data`);
    if (noData) return noData;
    const r = decodeDhcpOptionData(b, code, p + 2, length);
    if (!r.ok) return r;
    options.push(r.value);
    p += 2 + length;
  }
  return fail('truncated', end, 'DHCP options: End option (255) missing');
}

function ipv4Bytes(text: string, field: string): Uint8Array {
  const a = parseIpv4(text);
  if (!a) throw new EncodeError(`${field}: not an IPv4 address: ${JSON.stringify(text)}`);
  return a;
}

function messageTypeNumber(t: DhcpMessageType): number {
  if (typeof t === 'string') {
    const n = (DHCP_MESSAGE_TYPES as Record<string, number | undefined>)[t];
    if (n === undefined) throw new EncodeError(`unknown DHCP message type name ${t}`);
    return n;
  }
  checkUint(t, 255, 'DHCP message type');
  const name = NAME_BY_TYPE_NUMBER.get(t);
  if (name) throw new EncodeError(`DHCP message type ${t} must be given as '${name}'`);
  return t;
}

/** The option's data bytes; throws EncodeError when the value cannot be encoded exactly. */
function optionData(o: DhcpOption): Uint8Array {
  switch (o.type) {
    case 'subnet-mask': case 'requested-ip-address': case 'server-identifier':
      return ipv4Bytes(o.address, o.type);
    case 'routers': case 'dns-servers': {
      const out = new Uint8Array(o.addresses.length * 4);
      o.addresses.forEach((a, i) => out.set(ipv4Bytes(a, o.type), 4 * i));
      return out;
    }
    case 'host-name': return latin1Bytes(o.hostName, o.type);
    case 'lease-time': return u32Data(o.leaseTimeSeconds, o.type);
    case 'renewal-time': return u32Data(o.renewalTimeSeconds, o.type);
    case 'rebinding-time': return u32Data(o.rebindingTimeSeconds, o.type);
    case 'message-type': return Uint8Array.of(messageTypeNumber(o.messageType));
    case 'parameter-request-list':
      o.codes.forEach((c) => checkUint(c, 255, 'parameter-request-list code'));
      return Uint8Array.from(o.codes);
    case 'client-identifier': {
      checkUint(o.identifierType, 255, 'client-identifier type');
      const out = new Uint8Array(1 + o.identifier.length);
      out[0] = o.identifierType;
      out.set(o.identifier, 1);
      return out;
    }
    case 'unknown':
      checkUint(o.code, 254, 'unknown DHCP option code');
      if (o.code === DHCP_OPTION_PAD || isTypedDhcpOptionCode(o.code)) {
        throw new EncodeError(`unknown DHCP option must not use code ${o.code}`);
      }
      return o.data;
  }
}

/** Bytes of text whose characters are all U+0000..U+00FF; throws EncodeError otherwise. */
export function latin1Bytes(text: string, field: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const v = text.charCodeAt(i);
    if (v > 0xff) throw new EncodeError(`${field}: character U+${v.toString(16)} is not latin1`);
    out[i] = v;
  }
  return out;
}

function u32Data(v: number, field: string): Uint8Array {
  checkUint(v, 0xffffffff, field);
  const out = new Uint8Array(4);
  writeU32(out, 0, v);
  return out;
}

/** Data bytes of a valid option; throws EncodeError (naming the option) otherwise. */
function checkedOptionData(o: DhcpOption): Uint8Array {
  const data = optionData(o);
  const valid = o.type === 'unknown'
    ? data.length <= DHCP_OPTION_DATA_MAX
    : lengthOk(DHCP_TYPED_OPTIONS[o.type], data.length);
  if (!valid) {
    throw new EncodeError(`DHCP ${o.type} option: ${data.length} data bytes not allowed `
      + '(RFC 2132 lengths; RFC 3396 long options are not supported)');
  }
  return data;
}

export function encodedLengthDhcpOption(o: DhcpOption): number {
  return 2 + checkedOptionData(o).length;
}

/** Writes code, length and data; the caller has checked room. Returns bytes written. */
export function encodeDhcpOption(o: DhcpOption, out: Uint8Array, offset: number): number {
  const data = checkedOptionData(o);
  out[offset] = dhcpOptionCode(o);
  out[offset + 1] = data.length;
  out.set(data, offset + 2);
  return 2 + data.length;
}

/** Anything with an options list in wire order (a DhcpMessage). */
export interface HasDhcpOptions { readonly options: readonly DhcpOption[] }

/** The first option of `type`, or undefined. */
export function dhcpOption<K extends DhcpOptionType>(
  msg: HasDhcpOptions, type: K,
): Extract<DhcpOption, { type: K }> | undefined {
  return msg.options.find((o): o is Extract<DhcpOption, { type: K }> => o.type === type);
}

/** The DHCP message type (option 53), or undefined for a plain BOOTP message. */
export function dhcpMessageType(msg: HasDhcpOptions): DhcpMessageType | undefined {
  return dhcpOption(msg, 'message-type')?.messageType;
}

/** Data of the first unknown option with `code` (e.g. 15 domain name), or undefined. */
export function dhcpUnknownOption(msg: HasDhcpOptions, code: number): Uint8Array | undefined {
  for (const o of msg.options) if (o.type === 'unknown' && o.code === code) return o.data;
  return undefined;
}
