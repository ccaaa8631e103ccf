/**
 * Time in the sans-IO layers: an `Instant` is a monotonic timestamp in milliseconds that the
 * caller passes in (conventions C7). Nothing below `src/runtime` reads a clock; the simulator
 * passes virtual time, the runtime passes `performance.now()`.
 */
export type Instant = number;

export const MS_PER_SECOND = 1000;

export function seconds(s: number): number {
  return s * MS_PER_SECOND;
}

/** The earliest of the given deadlines, ignoring undefined ones. */
export function earliest(...deadlines: readonly (Instant | undefined)[]): Instant | undefined {
  let best: Instant | undefined;
  for (const d of deadlines) if (d !== undefined && (best === undefined || d < best)) best = d;
  return best;
}
