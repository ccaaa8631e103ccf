/**
 * `dsmip6 decode [HEX|-] [--json]`: reads a packet as hex (arguments joined, or standard input
 * when the argument is `-` or absent; whitespace, colons and a 0x prefix are ignored), detects
 * IPv4 / IPv6 (with UDP 4191 encapsulation) or a bare Mobility Header, and prints a tree or one
 * JSON object. Malformed input prints what decoded, then `error: <what> at offset <n>`; exit 2.
 */
import { readFileSync } from 'node:fs';
import { fromHex } from '../wire/bytes.js';
import { dissect, type Dissection, type Layer } from '../wire/dissect.js';

export const DECODE_USAGE = 'usage: dsmip6 decode [HEX|-] [--json]';

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return `{ ${entries.map(([k, x]) => `${k}: ${formatValue(x)}`).join(', ')} }`;
  }
  return String(v);
}

const EXTENSION_LAYERS = new Set([
  'hop-by-hop', 'destination-options', 'type2-routing', 'routing', 'fragment', 'other',
]);

function formatField(k: string, v: unknown): string {
  if (k === 'checksum' && typeof v === 'number') return `0x${v.toString(16).padStart(4, '0')}`;
  return formatValue(v);
}

function formatLayer(l: Layer, depth: number): string[] {
  const pad = '  '.repeat(depth);
  const lines = [`${pad}${l.layer} (offset ${l.offset}, ${l.length} octets)`];
  for (const [k, v] of Object.entries(l.fields)) {
    if (v === undefined || v === '' || (k === 'type' && v === l.layer)) continue;
    if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object') {
      lines.push(`${pad}  ${k}:`);
      for (const item of v) lines.push(`${pad}    - ${formatValue(item)}`);
    } else {
      lines.push(`${pad}  ${k}: ${formatField(k, v)}`);
    }
  }
  return lines;
}

/** Each protocol layer nests under the previous one; extension headers sit under their IPv6. */
export function formatDissection(d: Dissection): string {
  const lines: string[] = [];
  let depth = -1;
  for (const l of d.layers) {
    if (EXTENSION_LAYERS.has(l.layer)) {
      lines.push(...formatLayer(l, depth + 1));
    } else {
      depth++;
      lines.push(...formatLayer(l, depth));
    }
  }
  if (d.error) lines.push(`error: ${d.error.kind}: ${d.error.what} at offset ${d.error.offset}`);
  return lines.join('\n');
}

export function runDecode(args: string[], write: (s: string) => void): number {
  const json = args.includes('--json');
  const rest = args.filter((a) => a !== '--json');
  if (rest.some((a) => a.startsWith('--'))) {
    write(DECODE_USAGE);
    return 2;
  }
  const text = rest.length === 0 || (rest.length === 1 && rest[0] === '-')
    ? readFileSync(0, 'utf8') : rest.join('');
  const bytes = fromHex(text);
  if (!bytes) {
    write('error: input is not an even number of hex digits');
    return 2;
  }
  const d = dissect(bytes);
  if (json) {
    write(JSON.stringify({
      length: bytes.length, layers: d.layers,
      ...(d.error ? { error: d.error } : {}),
    }));
  } else {
    write(formatDissection(d));
  }
  return d.error ? 2 : 0;
}
