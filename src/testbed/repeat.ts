/**
 * Handover measurements over repeated runs (`testbed run --repeat N`): the handovers of every run
 * grouped by pair (`from->to`), each quantity summarised as p50/p95/max over the handovers that
 * reached it. Pure: no clock, no I/O, so it is tested without root.
 *
 * Percentiles are nearest-rank: p-th = the ceil(p/100 * n)-th smallest of n values (p95 of 3
 * values is the largest, p50 of 4 is the 2nd). A quantity that was not reached (null) is not a
 * sample: it counts in `failures` instead.
 */
import type { Summary } from '../bench/types.js';
import type { Handover } from './run.js';

/** The nearest-rank `p`-th percentile of `sorted` (ascending, not empty). */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** n, p50, p95 and max of the non-null values (all null when there is none). */
export function summarize(values: readonly (number | null | undefined)[]): Summary {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x))
    .sort((a, b) => a - b);
  if (v.length === 0) return { n: 0, p50: null, p95: null, max: null };
  return { n: v.length, p50: percentile(v, 50), p95: percentile(v, 95), max: v[v.length - 1] };
}

export interface PairStats {
  /** `from->to` (`mn2 from->to` for a node but mr); `(none)` when it was not registered before. */
  readonly pair: string;
  /** Handovers of this pair. */
  readonly n: number;
  /** Handovers that did not reach the registration (no BA) in time. */
  readonly failures: number;
  readonly coaMs: Summary;
  readonly baMs: Summary;
  readonly firstDataMs: Summary;
  /** Link change -> the new care-of address present in the kernel. */
  readonly addressMs: Summary;
  readonly lost: Summary;
}

export const pairOf = (h: Handover): string =>
  `${h.node !== 'mr' ? `${h.node} ` : ''}${h.from ?? '(none)'}->${h.to}`;

/** Groups `handovers` by pair, in the order each pair first occurs, and summarises each. */
export function aggregateHandovers(handovers: readonly Handover[]): PairStats[] {
  const groups = new Map<string, Handover[]>();
  for (const h of handovers) {
    const k = pairOf(h);
    const g = groups.get(k);
    if (g) g.push(h);
    else groups.set(k, [h]);
  }
  return [...groups].map(([pair, hs]) => ({
    pair, n: hs.length, failures: hs.filter((h) => h.baMs === null).length,
    coaMs: summarize(hs.map((h) => h.coaMs)),
    baMs: summarize(hs.map((h) => h.baMs)),
    firstDataMs: summarize(hs.map((h) => h.firstDataMs)),
    addressMs: summarize(hs.map((h) => h.addressMs)),
    lost: summarize(hs.map((h) => h.lost)),
  }));
}

const cell = (s: Summary): string => (s.n === 0 ? '-' : `${s.p50}/${s.p95}/${s.max}`);

/** The pairs as a table: one row per pair, each quantity as p50/p95/max in ms. */
export function formatPairs(pairs: readonly PairStats[], header: string): string {
  const withAddress = pairs.some((p) => p.addressMs.n > 0);
  const head = ['handover', 'n', 'fail', ...(withAddress ? ['address ms'] : []), 'coa ms', 'BA ms',
    'data ms', 'lost'];
  const rows = pairs.map((p) => [p.pair, String(p.n), String(p.failures),
    ...(withAddress ? [cell(p.addressMs)] : []), cell(p.coaMs), cell(p.baMs), cell(p.firstDataMs),
    cell(p.lost)]);
  const widths = head.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [header, line(head), ...rows.map(line),
    '(p50/p95/max; ms from the link change; lost: probes of the 100 pps stream from cn and back)']
    .join('\n');
}
