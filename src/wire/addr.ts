/**
 * IPv4 and IPv6 addresses as text (the form values carry) and as bytes (the form the wire
 * carries). Formatting follows RFC 5952: lower case, longest run of two or more zero groups
 * compressed (the first when tied), and IPv4-mapped addresses shown as `::ffff:a.b.c.d`
 * (RFC 5952 §5), which is how DSMIPv6 writes an IPv4 care-of address inside IPv6
 * (RFC 5555 §4.1). Decoders always produce the canonical text, so values round-trip exactly.
 */

export function formatIpv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
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

export function formatIpv6(b: Uint8Array, off = 0): string {
  if (isIpv4Mapped(b, off)) return `::ffff:${formatIpv4(b, off + 12)}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (g: number): string => g.toString(16);
  if (bestLen < 2) return groups.map(hex).join(':');
  const head = groups.slice(0, bestStart).map(hex).join(':');
  const tail = groups.slice(bestStart + bestLen).map(hex).join(':');
  return `${head}::${tail}`;
}

/** parseIpv6's groups as it reads them (at most 8: a ninth is refused before it is stored). */
const GROUPS = new Uint16Array(8);

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parses IPv6 text (with `::` and an optional trailing dotted quad); undefined when malformed.
 * A single pass over the characters (no regular expressions): it runs for every address the
 * engines compare, so it is on the signalling hot path.
 */
export function parseIpv6(text: string): Uint8Array | undefined {
  const n = text.length;
  if (n < 2 || n > 45) return undefined;
  const groups = GROUPS;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let v = 0;
    let digits = 0;
    const start = i;
    for (; i < n && digits <= 4; i++) {
      const h = hexValue(text.charCodeAt(i));
      if (h < 0) break;
      v = v * 16 + h;
      digits++;
    }
    if (i < n && text.charCodeAt(i) === 46) {
      const v4 = ipv4Value(text, start);
      if (v4 < 0 || count > 6) return undefined;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    if (digits === 0 || digits > 4 || count === 8) return undefined;
    groups[count++] = v;
    if (i === n) break;
    if (text.charCodeAt(i) !== 58) return undefined;
    i++;
    if (i < n && text.charCodeAt(i) === 58) {
      if (gap >= 0) return undefined;
      gap = count;
      i++;
    } else if (i === n) {
      return undefined;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return undefined;
  const out = new Uint8Array(16);
  const tail = count - (gap < 0 ? count : gap);
  for (let g = 0; g < count; g++) {
    const slot = gap >= 0 && g >= gap ? 8 - tail + (g - gap) : g;
    out[2 * slot] = groups[g] >> 8;
    out[2 * slot + 1] = groups[g] & 0xff;
  }
  return out;
}

/** Canonical (RFC 5952) text of an IPv6 address given as any valid text; undefined if invalid. */
export function canonicalIpv6(text: string): string | undefined {
  const b = parseIpv6(text);
  return b ? formatIpv6(b) : undefined;
}

/** `::ffff:a.b.c.d`, the IPv4-mapped IPv6 form of an IPv4 address. */
export function ipv4MappedIpv6(ipv4: string): string {
  return `::ffff:${ipv4}`;
}

export const IPV6_UNSPECIFIED = '::';
export const IPV4_ANY = '0.0.0.0';

/** Copies the bytes of `text` (IPv6) into out[off..off+16); false when `text` is not IPv6. */
export function writeIpv6(out: Uint8Array, off: number, text: string): boolean {
  const b = parseIpv6(text);
  if (!b) return false;
  out.set(b, off);
  return true;
}

/** Copies the bytes of `text` (IPv4) into out[off..off+4); false when `text` is not IPv4. */
export function writeIpv4(out: Uint8Array, off: number, text: string): boolean {
  const b = parseIpv4(text);
  if (!b) return false;
  out.set(b, off);
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
