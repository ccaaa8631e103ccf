/** Engine instants as the views show them: whole seconds and UTC timestamps. */
import type { Instant } from '../proto/time.js';
import type { Clock } from './snapshots.js';

/** Whole seconds from `from` to `to` (rounded down, never negative). */
export function secondsBetween(from: Instant, to: Instant): number {
  return Math.max(0, Math.floor((to - from) / 1000));
}

/** UTC ISO 8601 to the second of the engine instant `at`. */
export function wallTime(clock: Clock, at: Instant): string {
  const ms = clock.wallMs - (clock.now - at);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
