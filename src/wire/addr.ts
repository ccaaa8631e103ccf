/**
 * IPv4 and IPv6 addresses as text (the form values carry) and as bytes (the form the wire
 * carries). Formatting follows RFC 5952: lower case, longest run of two or more zero groups
 * compressed (the first when tied), and IPv4-mapped addresses shown as `::ffff:a.b.c.d`
 * (RFC 5952 §5), which is how DSMIPv6 writes an IPv4 care-of address inside IPv6
 * (RFC 5555 §4.1). Decoders always produce the canonical text, so values round-trip exactly.
 */

/** Decimal text of 0..255 (formatting an address concatenates table entries, no number-to-text). */
const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
/** Hex text of 0..255 without and with a leading zero: a group is `HEX[hi] + HEX2[lo]`. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16));
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** `i.` for 0..255: an address is four table entries joined, three concatenations. */
const DOTTED: readonly string[] = DECIMAL.map((d) => `${d}.`);

export function formatIpv4(b: Uint8Array, off = 0): string {
  const a = b[off];
  const z = b[off + 3];
  if ((a | b[off + 1] | b[off + 2] | z) === 0) return IPV4_ANY;
  return DOTTED[a] + DOTTED[b[off + 1]] + DOTTED[b[off + 2]] + DECIMAL[z];
}

/** Dotted-quad text of the unsigned 32-bit value `v`, without bytes in between. */
export function formatIpv4Value(v: number): string {
  if (v === 0) return IPV4_ANY;
  return DOTTED[v >>> 24] + DOTTED[(v >>> 16) & 0xff] + DOTTED[(v >>> 8) & 0xff] + DECIMAL[v & 0xff];
}

/**
 * Parses dotted-quad IPv4 text; undefined when malformed. Decimal octets 0..255 without leading
 * zeros (`01` is refused: some parsers read it as octal). One pass, no regular expressions: it
 * runs for every IPv4 address a Binding Update carries.
 */
export function parseIpv4(text: string): Uint8Array | undefined {
  const v = ipv4Value(text, 0);
  if (v < 0) return undefined;
  const out = new Uint8Array(4);
  out[0] = v >>> 24; out[1] = (v >>> 16) & 0xff; out[2] = (v >>> 8) & 0xff; out[3] = v & 0xff;
  return out;
}

/** The dotted quad `text[start..]` as an unsigned 32-bit value; -1 when malformed. */
function ipv4Value(text: string, start: number): number {
  const n = text.length;
  if (n - start < 7 || n - start > 15) return -1;
  let result = 0;
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || part > 3) return -1;
      result = result * 256 + value;
      part++;
      value = 0;
      digits = 0;
      continue;
    }
    if (c < 48 || c > 57 || (digits === 1 && value === 0)) return -1;
    value = value * 10 + (c - 48);
    if (++digits > 3 || value > 255) return -1;
  }
  return part === 4 ? result : -1;
}

export function isIpv4Mapped(b: Uint8Array, off = 0): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
  return b[off + 10] === 0xff && b[off + 11] === 0xff;
}

/** Hex text of the group at b[at, at+2), without leading zeros. */
function groupText(b: Uint8Array, at: number): string {
  const g = (b[at] << 8) | b[at + 1];
  return g < 0x100 ? HEX[g] : HEX[g >> 8] + HEX2[g & 0xff];
}

/** Groups [from, to) of the address at `off` joined by `:` ('' when empty). */
function groupsText(b: Uint8Array, off: number, from: number, to: number): string {
  if (from >= to) return '';
  let s = groupText(b, off + 2 * from);
  for (let g = from + 1; g < to; g++) s += ':' + groupText(b, off + 2 * g);
  return s;
}

/**
 * The texts of recently formatted addresses, by a hash of their octets (a slot keeps the last
 * one, its octets as four words): the home agent's own address is the destination of every
 * Binding Update, a refreshing node's addresses recur, and they all get one string.
 */
const TEXT_SLOTS = 256;
const textKeys = new Int32Array(TEXT_SLOTS * 4);
const texts: string[] = new Array<string>(TEXT_SLOTS).fill('');

const wordAt = (b: Uint8Array, at: number): number =>
  (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];

/**
 * RFC 5952 text of the address at b[off, off+16). Concatenates table entries (no arrays, no
 * number-to-text), or returns the text of the same octets formatted lately: decoders call it
 * for every address a packet carries.
 */
export function formatIpv6(b: Uint8Array, off = 0): string {
  const w0 = wordAt(b, off);
  const w1 = wordAt(b, off + 4);
  const w2 = wordAt(b, off + 8);
  const w3 = wordAt(b, off + 12);
  const h = Math.imul(w0 ^ Math.imul(w1, 0x3b9) ^ Math.imul(w2, 0x1f3d5b79) ^ w3, 0x9e3779b1) >>> 24;
  const k = h << 2;
  const cached = texts[h];
  if (cached !== '' && textKeys[k] === w0 && textKeys[k + 1] === w1 && textKeys[k + 2] === w2
    && textKeys[k + 3] === w3) return cached;
  const text = formatText(b, off);
  textKeys[k] = w0; textKeys[k + 1] = w1; textKeys[k + 2] = w2; textKeys[k + 3] = w3;
  texts[h] = text;
  return text;
}

function formatText(b: Uint8Array, off: number): string {
  if (isIpv4Mapped(b, off)) return '::ffff:' + formatIpv4(b, off + 12);
  let bestStart = 8;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (((b[off + 2 * i] << 8) | b[off + 2 * i + 1]) !== 0) { i++; continue; }
    let j = i + 1;
    while (j < 8 && ((b[off + 2 * j] << 8) | b[off + 2 * j + 1]) === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) return groupsText(b, off, 0, 8);
  return groupsText(b, off, 0, bestStart) + '::' + groupsText(b, off, bestStart + bestLen, 8);
}

/** The groups of the last IPv6 text read (at most 8: a ninth is refused before it is stored). */
const GROUPS = new Uint16Array(8);

/** Value of each hex digit by character code (0..255), -1 for anything else. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) { HEX_VALUE[97 + c] = 10 + c; HEX_VALUE[65 + c] = 10 + c; }

/**
 * Reads IPv6 text (with `::` and an optional trailing dotted quad) into GROUPS: returns
 * `count | (gap + 1) << 4` (gap: the group index where `::` stands, -1 when none), or -1 when the
 * text is malformed. A single pass over the characters, no regular expressions, no allocation:
 * it runs for every address the engines compare and the encoders write.
 */
function readGroups(text: string): number {
  const n = text.length;
  if (n < 2 || n > 45) return -1;
  const groups = GROUPS;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return -1;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let v = 0;
    let c = 0;
    const start = i;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      const h = c > 0xff ? -1 : HEX_VALUE[c];
      if (h < 0) break;
      v = (v << 4) | h; // garbage past 4 digits, which are refused below
    }
    if (i < n && c === 46) {
      // A dotted quad (its octets have at most 3 digits: a longer run fails here as well).
      const v4 = ipv4Value(text, start);
      if (v4 < 0 || count > 6) return -1;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    if (i === start || i - start > 4 || count === 8) return -1;
    groups[count++] = v;
    if (i === n) break;
    if (c !== 58) return -1;
    i++;
    if (i < n && text.charCodeAt(i) === 58) {
      if (gap >= 0) return -1;
      gap = count;
      i++;
    } else if (i === n) {
      return -1;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return -1;
  return count | ((gap + 1) << 4);
}

/** True when `text` is IPv6 text parseIpv6 accepts (checked without allocating). */
export function isIpv6Text(text: string): boolean {
  return readGroups(text) >= 0;
}

/** Parses IPv6 text into a fresh 16-byte array; undefined when malformed. */
export function parseIpv6(text: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  return writeIpv6(out, 0, text) ? out : undefined;
}

/**
 * Writes the bytes of IPv6 text `text` into out[off, off+16) without allocating; false (and
 * `out` untouched) when `text` is not IPv6. Throws RangeError when the 16 bytes do not fit.
 */
export function writeIpv6(out: Uint8Array, off: number, text: string): boolean {
  const r = readGroups(text);
  if (r < 0) return false;
  if (off < 0 || off + 16 > out.length) throw new RangeError(`IPv6 address at ${off} of ${out.length}`);
  const count = r & 0xf;
  const head = (r >> 4) === 0 ? count : (r >> 4) - 1;
  const groups = GROUPS;
  let at = off;
  for (let g = 0; g < head; g++) { out[at++] = groups[g] >> 8; out[at++] = groups[g] & 0xff; }
  for (let z = count; z < 8; z++) { out[at++] = 0; out[at++] = 0; }
  for (let g = head; g < count; g++) { out[at++] = groups[g] >> 8; out[at++] = groups[g] & 0xff; }
  return true;
}

/**
 * writeIpv6 remembering the last text it read, for a call site that writes the same address
 * again and again (a node's own address as the source of everything it sends): a repeat costs a
 * string comparison (none for the same string) and a 16-octet copy instead of parsing.
 */
export class Ipv6TextMemo {
  private text = '::';
  private readonly bytes = new Uint8Array(16);

  write(out: Uint8Array, off: number, text: string): boolean {
    if (text !== this.text) {
      if (!writeIpv6(this.bytes, 0, text)) return false;
      this.text = text;
    }
    if (off < 0 || off + 16 > out.length) throw new RangeError(`IPv6 address at ${off} of ${out.length}`);
    const b = this.bytes;
    for (let i = 0; i < 16; i++) out[off + i] = b[i];
    return true;
  }
}

/**
 * Sum of the eight 16-bit words of IPv6 text (what an address adds to an Internet checksum,
 * RFC 1071), or -1 when `text` is not IPv6. No bytes are written.
 */
export function ipv6WordSum(text: string): number {
  const r = readGroups(text);
  if (r < 0) return -1;
  let sum = 0;
  for (let g = 0; g < (r & 0xf); g++) sum += GROUPS[g];
  return sum;
}

/** Canonical (RFC 5952) text of an IPv6 address given as any valid text; undefined if invalid. */
export function canonicalIpv6(text: string): string | undefined {
  return writeIpv6(CANONICAL, 0, text) ? formatIpv6(CANONICAL) : undefined;
}

/** canonicalIpv6's bytes between writing and formatting. */
const CANONICAL = new Uint8Array(16);

/** `::ffff:a.b.c.d`, the IPv4-mapped IPv6 form of an IPv4 address. */
export function ipv4MappedIpv6(ipv4: string): string {
  return `::ffff:${ipv4}`;
}

export const IPV6_UNSPECIFIED = '::';
export const IPV4_ANY = '0.0.0.0';

/** Sum of the two 16-bit words of IPv4 text (for a checksum), or -1 when it is not IPv4. */
export function ipv4WordSum(text: string): number {
  const v = ipv4Value(text, 0);
  return v < 0 ? -1 : (v >>> 16) + (v & 0xffff);
}

/**
 * Writes the bytes of IPv4 text `text` into out[off, off+4) without allocating; false (and `out`
 * untouched) when `text` is not IPv4. Throws RangeError when the 4 bytes do not fit.
 */
export function writeIpv4(out: Uint8Array, off: number, text: string): boolean {
  const v = ipv4Value(text, 0);
  if (v < 0) return false;
  if (off < 0 || off + 4 > out.length) throw new RangeError(`IPv4 address at ${off} of ${out.length}`);
  out[off] = v >>> 24; out[off + 1] = (v >>> 16) & 0xff;
  out[off + 2] = (v >>> 8) & 0xff; out[off + 3] = v & 0xff;
  return true;
}

/** Keeps the first `prefixLength` bits of an address (4 or 16 bytes) and zeroes the rest. */
export function maskBytes(addr: Uint8Array, prefixLength: number): Uint8Array {
  const out = addr.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, prefixLength - 8 * i));
    out[i] &= keep === 8 ? 0xff : (0xff << (8 - keep)) & 0xff;
  }
  return out;
}
