/**
 * Running tshark as an oracle and turning its output into comparable field lists (test-only).
 *
 * Output format, and why:
 * - `-T json` alone is unusable: a tree node with several children of the same name (two
 *   `mip6.mobility_opt.len` in one option list, `udp.port` twice) is written as repeated JSON
 *   keys, and JSON.parse keeps only the last one.
 * - `-T json --no-duplicate-keys` (present in tshark 4.0) merges repeated keys of one object
 *   into an array, so nothing is lost; but the merge groups values by name, so the wire order
 *   between e.g. a PadN and the option after it is lost within one object.
 * - `-x` adds, next to every field `f`, an `f_raw` entry `[hex, offset, length, bitmask, type]`
 *   (an array of those when merged). The offset gives back the wire order: each field's
 *   occurrences are sorted by frame offset (stable, so equal offsets keep tree order). The hex
 *   also lets us compare raw bytes where the display text is lossy (MESG-ID timestamps).
 * - `-T ek` flattens names (`mip6_mip6_bu_seqnr`) and `-T fields` needs the field list up front,
 *   which would hide fields we did not think of; the JSON tree shows everything tshark decoded.
 * Settings: `-d udp.port==4191,ip` (Wireshark has no DSMIPv6 port: protocol.md §6) and
 * `-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE` so tshark also verifies our IPv4 header
 * and UDP checksums (ip/udp.checksum.status 1 = good, 3 = UDP checksum not present).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from './pcap.js';

export const TSHARK_ARGS: readonly string[] = [
  '-d', 'udp.port==4191,ip',
  '-o', 'ip.check_checksum:TRUE',
  '-o', 'udp.check_checksum:TRUE',
  '-T', 'json', '--no-duplicate-keys', '-x',
];

export function tsharkPath(): string {
  return process.env.TSHARK ?? 'tshark';
}

/** tshark's version line, or why it cannot be used (for `t.skip`). */
export function probeTshark(): { readonly version: string } | { readonly missing: string } {
  try {
    const out = execFileSync(tsharkPath(), ['--version'], {
      stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8',
    });
    return { version: out.split('\n')[0].replace(/\.$/, '') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { missing: code === 'ENOENT' ? 'tshark not installed' : `tshark fails: ${String(e)}` };
  }
}

/** One occurrence of a field: display value, raw hex and frame offset when tshark gave them. */
export interface TsharkField {
  readonly value: string;
  readonly raw?: string;
  readonly offset: number;
}

/** Field name -> occurrences in wire order. */
export type PacketFields = ReadonlyMap<string, readonly TsharkField[]>;

/** Runs tshark once over the whole file; returns one field map per frame, in frame order. */
export function decodePcap(path: string): PacketFields[] {
  const out = execFileSync(tsharkPath(), ['-r', path, ...TSHARK_ARGS], {
    stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024, encoding: 'utf8',
  });
  const frames = JSON.parse(out) as { _source: { layers: unknown } }[];
  return frames.map((f) => flattenLayers(f._source.layers));
}

type RawEntry = [string, number, number, number, number];

function isRawEntry(x: unknown): x is RawEntry {
  return Array.isArray(x) && typeof x[0] === 'string' && typeof x[1] === 'number';
}

/** The i-th raw entry of an `f_raw` value (single entry or array of entries). */
function rawAt(raw: unknown, i: number): RawEntry | undefined {
  if (isRawEntry(raw)) return i === 0 ? raw : undefined;
  if (Array.isArray(raw) && isRawEntry(raw[i])) return raw[i] as RawEntry;
  return undefined;
}

/**
 * Flattens a frame's `layers` tree into field -> occurrences. Objects (protocol and text
 * subtrees, `f_tree` children) are walked; string values are occurrences; arrays are the
 * merged duplicates. An occurrence without a raw entry (experts, zero-length fields such as an
 * empty `mip6.auth.auth_data`) takes the offset of the field before it in tree order.
 */
export function flattenLayers(layers: unknown): PacketFields {
  const acc = new Map<string, { f: TsharkField; seq: number }[]>();
  let seq = 0;
  let lastOffset = 0;
  const add = (name: string, value: string, raw: RawEntry | undefined): void => {
    if (raw) lastOffset = raw[1];
    const f: TsharkField = raw
      ? { value, raw: raw[0], offset: raw[1] } : { value, offset: lastOffset };
    const list = acc.get(name) ?? [];
    list.push({ f, seq: seq++ });
    acc.set(name, list);
  };
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    const obj = node as Record<string, unknown>;
    for (const [key, v] of Object.entries(obj)) {
      if (key.endsWith('_raw')) continue;
      const name = key.endsWith('_tree') ? undefined : key;
      const items = Array.isArray(v) ? v : [v];
      items.forEach((item, i) => {
        if (typeof item !== 'string') walk(item);
        else if (name !== undefined) add(name, item, rawAt(obj[`${key}_raw`], i));
      });
    }
  };
  walk(layers);
  const result = new Map<string, TsharkField[]>();
  for (const [name, list] of acc) {
    list.sort((a, b) => a.f.offset - b.f.offset || a.seq - b.seq);
    result.set(name, list.map((x) => x.f));
  }
  return result;
}

/** How an expected value is compared with tshark's. */
export type CompareMode = 'text' | 'ipv6' | 'raw';

/** One (tshark field, expected string) pair. */
export interface Expectation {
  readonly field: string;
  readonly value: string;
  readonly mode?: CompareMode;
}

export interface Mismatch {
  readonly field: string;
  readonly expected: readonly string[];
  readonly actual: readonly string[];
}

/** RFC 5952-style text through the WHATWG URL parser, independent of src/wire/addr.ts. */
export function canonicalIpv6Text(text: string): string {
  try {
    return new URL(`http://[${text}]/`).hostname;
  } catch {
    return `invalid(${text})`;
  }
}

function shown(f: TsharkField, mode: CompareMode): string {
  if (mode === 'raw') return f.raw ?? '<no raw>';
  return mode === 'ipv6' ? canonicalIpv6Text(f.value) : f.value;
}

/**
 * Compares expectations with what tshark shows. Per field, the list of expected values must
 * equal the list of occurrences (same count, same order). Any field whose name starts with one
 * of `watched` and that no expectation names must be absent, unless `ignored` matches it.
 */
export function compareFields(
  expected: readonly Expectation[], actual: PacketFields,
  watched: readonly string[], ignored: (field: string) => boolean,
): Mismatch[] {
  const byField = new Map<string, { mode: CompareMode; values: string[] }>();
  for (const e of expected) {
    const mode = e.mode ?? 'text';
    const entry = byField.get(e.field) ?? { mode, values: [] };
    entry.values.push(mode === 'ipv6' ? canonicalIpv6Text(e.value) : e.value);
    byField.set(e.field, entry);
  }
  const mismatches: Mismatch[] = [];
  for (const [field, { mode, values }] of byField) {
    const got = (actual.get(field) ?? []).map((f) => shown(f, mode));
    const same = got.length === values.length && got.every((g, i) => g === values[i]);
    if (!same) mismatches.push({ field, expected: values, actual: got });
  }
  for (const [field, occ] of actual) {
    if (byField.has(field) || ignored(field)) continue;
    if (!watched.some((p) => field.startsWith(p))) continue;
    mismatches.push({ field, expected: [], actual: occ.map((f) => f.value) });
  }
  return mismatches;
}

/**
 * Writes `packets` to a pcap in a fresh temporary directory, decodes it with tshark, removes the
 * directory, and checks that tshark returned one record per packet.
 */
export function decodePackets(label: string, packets: readonly Uint8Array[]): PacketFields[] {
  const dir = mkdtempSync(join(tmpdir(), `dsmip6-${label}-oracle-`));
  try {
    const file = join(dir, `${label}.pcap`);
    writePcap(file, [...packets]);
    const decoded = decodePcap(file);
    if (decoded.length !== packets.length) {
      throw new Error(`tshark returned ${decoded.length} records for ${packets.length} packets`);
    }
    return decoded;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
