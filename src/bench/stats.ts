/** Small statistics for the benchmark suite: medians, nearest-rank percentiles, ratios. */
import type { Summary } from './types.js';

/** The median of `xs` (mean of the two middle values for an even count); null when empty. */
export function median(xs: readonly number[]): number | null {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Nearest-rank percentile `p` (0..100) of `xs`; null when empty. */
export function percentile(xs: readonly number[], p: number): number | null {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * v.length));
  return v[Math.min(v.length, rank) - 1];
}

/** p50/p95/max and the count of `xs`. */
export function summarize(xs: readonly number[]): Summary {
  const v = xs.filter(Number.isFinite);
  return {
    n: v.length, p50: percentile(v, 50), p95: percentile(v, 95),
    max: v.length > 0 ? Math.max(...v) : null,
  };
}

/** a / b, or null when either is unknown or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}

/** A number for a table: fixed `digits`, or an en dash for "not measured". */
export function fmt(x: number | null | undefined, digits = 0): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}
