/**
 * Table-driven codec for the rtnetlink message bodies: a fixed C struct (ifinfomsg, ifaddrmsg,
 * rtmsg, fib_rule_hdr, ndmsg) followed by rtattrs. Each body file declares a `BodySpec`: the
 * struct's fields (offset and size, little-endian) and the attributes it interprets (type, value
 * kind, property name). Decoding fills a plain object: struct fields, one property per
 * interpreted attribute that is present, and `unknown` for every other attribute, kept byte for
 * byte in arrival order. The first occurrence of an interpreted attribute sets its property; a
 * repeat stays in `unknown`. Reserved struct bytes are ignored on decode and zeroed on encode.
 *
 * Decoders never throw on bytes (C5); encoders throw EncodeError on invalid values.
 */
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../../wire/addr.js';
import { EncodeError, checkRoom, checkUint, fail, ok, type WireResult } from '../../wire/result.js';
import {
  RTA_HDRLEN, attrsLength, decodeAttrs, encodeAttrs, type DecodedAttr, type RtAttr,
} from './attr.js';
import { getU16, getU32, setU16, setU32, viewOf } from './endian.js';

/** How an interpreted attribute's data is read and written. */
export type AttrKind = 'u8' | 'u32' | 'string' | 'address' | 'lladdr' | 'cacheinfo';

export interface AttrSpec {
  readonly type: number;
  readonly key: string;
  readonly kind: AttrKind;
  /** For 'string': the most bytes the encoder accepts (the NUL not counted). */
  readonly bytesMax?: number;
}

export interface FieldSpec {
  readonly key: string;
  readonly offset: number;
  readonly size: 1 | 2 | 4;
}

export interface BodySpec {
  readonly name: string;
  /** sizeof the C struct (already a multiple of 4). */
  readonly structLength: number;
  readonly fields: readonly FieldSpec[];
  readonly attrs: readonly AttrSpec[];
}

/** struct ifa_cacheinfo: lifetimes in seconds, stamps in hundredths of a second since boot. */
export interface CacheInfo {
  readonly preferred: number;
  readonly valid: number;
  readonly created: number;
  readonly updated: number;
}

type Bag = Record<string, unknown>;
const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** Decodes b[off, end) as the body described by `spec`. Never throws. */
export function decodeBody<T>(spec: BodySpec, b: Uint8Array, off: number, end: number): WireResult<T> {
  if (off + spec.structLength > end) {
    return fail('truncated', off, `${spec.name}: need ${spec.structLength} bytes, have ${end - off}`);
  }
  const v = viewOf(b);
  const bag: Bag = {};
  for (const f of spec.fields) {
    const at = off + f.offset;
    bag[f.key] = f.size === 1 ? b[at] : f.size === 2 ? getU16(v, at) : getU32(v, at);
  }
  const attrs = decodeAttrs(b, off + spec.structLength, end);
  if (!attrs.ok) return attrs;
  const unknown: RtAttr[] = [];
  for (const a of attrs.value) {
    const as = spec.attrs.find((s) => s.type === a.type);
    if (!as || as.key in bag) {
      unknown.push({ type: a.type, data: a.data });
      continue;
    }
    const value = decodeAttrValue(spec.name, as, a, v);
    if (!value.ok) return value;
    bag[as.key] = value.value;
  }
  bag.unknown = unknown;
  return ok(bag as T, end - off);
}

/** Reads an attribute's value; `v` views the buffer the attribute was decoded from. */
function decodeAttrValue(name: string, as: AttrSpec, a: DecodedAttr, v: DataView): WireResult<unknown> {
  const d = a.data;
  const at = a.offset + RTA_HDRLEN;
  const wrong = (want: string): WireResult<unknown> =>
    fail('bad-length', a.offset, `${name} ${as.key} (type ${as.type}): ${want}, got ${d.length}`);
  switch (as.kind) {
    case 'u8':
      return d.length === 1 ? ok(d[0], 1) : wrong('need 1 byte');
    case 'u32':
      return d.length === 4 ? ok(getU32(v, at), 4) : wrong('need 4 bytes');
    case 'string': {
      const nul = d.indexOf(0);
      return ok(utf8Decoder.decode(d.subarray(0, nul < 0 ? d.length : nul)), d.length);
    }
    case 'address':
      if (d.length === 4) return ok(formatIpv4(d), 4);
      return d.length === 16 ? ok(formatIpv6(d), 16) : wrong('need 4 or 16 bytes');
    case 'lladdr':
      return ok(formatLladdr(d), d.length);
    case 'cacheinfo': {
      if (d.length !== 16) return wrong('need 16 bytes');
      const c: CacheInfo = {
        preferred: getU32(v, at), valid: getU32(v, at + 4), created: getU32(v, at + 8),
        updated: getU32(v, at + 12),
      };
      return ok(c, 16);
    }
  }
}

/**
 * The attributes `value` emits: interpreted ones in spec order, then `unknown` as given.
 * Throws EncodeError on invalid values.
 */
export function bodyAttrs(spec: BodySpec, value: object): RtAttr[] {
  const bag = value as Bag;
  const out: RtAttr[] = [];
  for (const as of spec.attrs) {
    const x = bag[as.key];
    if (x !== undefined) out.push({ type: as.type, data: encodeAttrValue(spec.name, as, x) });
  }
  const unknown = bag.unknown;
  if (!Array.isArray(unknown)) throw new EncodeError(`${spec.name}: unknown must be an array`);
  return out.concat(unknown as RtAttr[]);
}

function encodeAttrValue(name: string, as: AttrSpec, x: unknown): Uint8Array {
  const what = `${name} ${as.key}`;
  switch (as.kind) {
    case 'u8':
      checkUint(x as number, 0xff, what);
      return Uint8Array.of(x as number);
    case 'u32':
      return u32Bytes(x as number, what);
    case 'string':
      return stringBytes(x, as.bytesMax ?? 0xffff - 5, what);
    case 'address': {
      const b = typeof x === 'string' ? parseAddress(x) : undefined;
      if (!b) throw new EncodeError(`${what}: not an IPv4 or IPv6 address: ${String(x)}`);
      return b;
    }
    case 'lladdr': {
      const b = typeof x === 'string' ? parseLladdr(x) : undefined;
      if (!b) throw new EncodeError(`${what}: not a link-layer address (aa:bb:..): ${String(x)}`);
      return b;
    }
    case 'cacheinfo': {
      const c = x as CacheInfo;
      const out = new Uint8Array(16);
      [c.preferred, c.valid, c.created, c.updated].forEach((n, i) => out.set(u32Bytes(n, what), 4 * i));
      return out;
    }
  }
}

const scratch = new Uint8Array(4);
const scratchView = new DataView(scratch.buffer);

function u32Bytes(n: number, what: string): Uint8Array {
  checkUint(n, 0xffffffff, what);
  setU32(scratchView, 0, n);
  return scratch.slice();
}

/** IPv4 or IPv6 text to bytes (IPv6 when it has a colon); undefined when malformed. */
export function parseAddress(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function stringBytes(x: unknown, bytesMax: number, what: string): Uint8Array {
  if (typeof x !== 'string' || x.includes('\0')) throw new EncodeError(`${what}: needs a string without NUL`);
  const text = utf8Encoder.encode(x);
  if (text.length > bytesMax) throw new EncodeError(`${what}: ${text.length} bytes, at most ${bytesMax}`);
  const out = new Uint8Array(text.length + 1);
  out.set(text);
  return out;
}

/** Link-layer address bytes as lower-case colon-separated hex ('' when empty). */
export function formatLladdr(d: Uint8Array): string {
  return Array.from(d, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Parses colon-separated hex pairs ('' is zero bytes); undefined when malformed. */
export function parseLladdr(text: string): Uint8Array | undefined {
  if (text === '') return new Uint8Array(0);
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2})*$/.test(text)) return undefined;
  return Uint8Array.from(text.split(':'), (h) => parseInt(h, 16));
}

/** Bytes the body takes when emitted. Throws EncodeError on invalid values. */
export function bodyLength(spec: BodySpec, value: object, attrs = bodyAttrs(spec, value)): number {
  return spec.structLength + attrsLength(attrs);
}

/**
 * Emits the body at out[off..]; returns the bytes written. Throws EncodeError on invalid values.
 * `attrs` may be passed when the caller already has `bodyAttrs(spec, value)`.
 */
export function encodeBody(
  spec: BodySpec, value: object, out: Uint8Array, off: number, attrs = bodyAttrs(spec, value),
): number {
  checkRoom(out, off, spec.structLength + attrsLength(attrs), spec.name);
  const bag = value as Bag;
  const v = viewOf(out);
  out.fill(0, off, off + spec.structLength);
  for (const f of spec.fields) {
    const x = bag[f.key] as number;
    checkUint(x, f.size === 4 ? 0xffffffff : f.size === 2 ? 0xffff : 0xff, `${spec.name} ${f.key}`);
    if (f.size === 1) out[off + f.offset] = x;
    else if (f.size === 2) setU16(v, off + f.offset, x);
    else setU32(v, off + f.offset, x);
  }
  return spec.structLength + encodeAttrs(attrs, out, off + spec.structLength);
}
