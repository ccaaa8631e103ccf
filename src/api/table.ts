/** Text layout for the human views: aligned columns and aligned key/value blocks. */

const GAP = '  ';

/**
 * Rows (the first one a header, if the caller wants one) as lines with every column padded to
 * its widest cell; the last column is not padded, so no line ends in spaces.
 */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
    .join(GAP).trimEnd());
}

/** `key  value` lines with the values aligned. */
export function keyValues(pairs: readonly (readonly [string, string])[]): string[] {
  return columns(pairs.map(([k, v]) => [k, v]));
}

/** `-` for a missing value. */
export function orDash(v: string | number | null | undefined): string {
  return v === null || v === undefined || v === '' ? '-' : String(v);
}

/** 93784 → `1d 02:03:04`; 3723 → `01:02:03`. */
export function duration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86400);
  const hms = [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60]
    .map((n) => String(n).padStart(2, '0')).join(':');
  return days > 0 ? `${days}d ${hms}` : hms;
}
