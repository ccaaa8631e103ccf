/**
 * The address codec as it was before the allocation-free rewrite (src/wire/addr.ts at 8ef8b50,
 * verbatim but for names): the reference wire-equivalence.test.ts compares today's codec with.
 */
export function refFormatIpv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/**
 * Parses dotted-quad IPv4 text; undefined when malformed. Decimal octets 0..255 without leading
 * zeros (`01` is refused: some parsers read it as octal). One pass, no regular expressions: it
 * runs for every IPv4 address a Binding Update carries.
 */
export function refParseIpv4(text: string): Uint8Array | undefined {
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

export function refIsIpv4Mapped(b: Uint8Array, off = 0): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
  return b[off + 10] === 0xff && b[off + 11] === 0xff;
}

export function refFormatIpv6(b: Uint8Array, off = 0): string {
  if (refIsIpv4Mapped(b, off)) return `::ffff:${refFormatIpv4(b, off + 12)}`;
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
export function refParseIpv6(text: string): Uint8Array | undefined {
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
