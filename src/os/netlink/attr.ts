/**
 * rtattr TLVs (linux/rtnetlink.h `struct rtattr`, the same layout as `struct nlattr`):
 *
 *    0               2               4
 *   +---------------+---------------+------------------------+---------+
 *   | rta_len (LE)  | rta_type (LE) | data (rta_len - 4)     | pad 0-3 |
 *   +---------------+---------------+------------------------+---------+
 *
 * rta_len counts the 4-byte header and the data but not the padding; each attribute starts on a
 * 4-byte boundary (RTA_ALIGN). The emitter writes zero padding after every attribute, including
 * the last, as the kernel does. The decoder tolerates a missing pad after the last attribute.
 *
 * Attribute types are kept whole (the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits included), so an
 * attribute this codec does not interpret is re-emitted byte for byte.
 */
import { copyBytes } from '../../wire/bytes.js';
import { checkRoom, checkUint, fail, ok, type WireResult } from '../../wire/result.js';
import { align4, getU16, setU16, viewOf } from './endian.js';

export const RTA_HDRLEN = 4;
/** rta_len is 16 bits, so an attribute carries at most this many data bytes. */
export const RTA_DATA_MAX = 0xffff - RTA_HDRLEN;

/** One attribute as a value: its full 16-bit type and its data (without padding). */
export interface RtAttr {
  readonly type: number;
  readonly data: Uint8Array;
}

/** An attribute as decoded, with the absolute offset of its header (for error reports). */
export interface DecodedAttr extends RtAttr {
  readonly offset: number;
}

/**
 * Decodes the attributes in b[off, end). Never throws. Data are copies, so a receive buffer that
 * is reused later cannot change them.
 */
export function decodeAttrs(b: Uint8Array, off: number, end: number): WireResult<DecodedAttr[]> {
  const v = viewOf(b);
  const out: DecodedAttr[] = [];
  let p = off;
  while (p < end) {
    if (p + RTA_HDRLEN > end) {
      return fail('truncated', p, `rtattr header: need 4 bytes, have ${end - p}`);
    }
    const len = getU16(v, p);
    if (len < RTA_HDRLEN) return fail('bad-length', p, `rtattr rta_len ${len} is below 4`);
    if (p + len > end) {
      return fail('truncated', p, `rtattr type ${getU16(v, p + 2)}: rta_len ${len}, have ${end - p}`);
    }
    out.push({ type: getU16(v, p + 2), data: copyBytes(b, p + RTA_HDRLEN, p + len), offset: p });
    p = Math.min(end, p + align4(len));
  }
  return ok(out, end - off);
}

/** Bytes the attributes take when emitted, padding included. */
export function attrsLength(attrs: readonly RtAttr[]): number {
  let n = 0;
  for (const a of attrs) n += align4(RTA_HDRLEN + a.data.length);
  return n;
}

/** Emits the attributes at out[off..]; returns the bytes written (padding zeroed). */
export function encodeAttrs(attrs: readonly RtAttr[], out: Uint8Array, off: number): number {
  checkRoom(out, off, attrsLength(attrs), 'rtattr list');
  const v = viewOf(out);
  let p = off;
  for (const a of attrs) {
    checkUint(a.type, 0xffff, 'rtattr type');
    checkUint(a.data.length, RTA_DATA_MAX, 'rtattr data length');
    const len = RTA_HDRLEN + a.data.length;
    setU16(v, p, len);
    setU16(v, p + 2, a.type);
    out.set(a.data, p + RTA_HDRLEN);
    out.fill(0, p + len, p + align4(len));
    p += align4(len);
  }
  return p - off;
}

/** The first attribute of `type`, if any. */
export function findAttr<T extends RtAttr>(attrs: readonly T[], type: number): T | undefined {
  for (const a of attrs) if (a.type === type) return a;
  return undefined;
}
