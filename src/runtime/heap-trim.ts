/**
 * Memory back after a burst. A burst of registrations leaves the V8 old generation grown by
 * objects that outlived a young-generation collection (registrations waiting out DAD, rounds of
 * announcements) and then died; V8 keeps those pages until its next major collection, which an
 * idle home agent may not run for hours. At 100k bindings that is tens of megabytes resident.
 *
 * HeapTrim counts binding changes per period of `idleMs`. Periods with at least `quietChanges`
 * are busy; once busy periods in a row have added up to `minChanges` and a quiet period follows,
 * it runs one full (compacting) collection, so the resident size settles near what the bindings
 * need. A steady trickle (100k nodes refreshing hourly: 28 a second) is never busy, so it neither
 * holds a trim back nor adds up to periodic ones. The collection blocks the event loop (about
 * 50 ms per 100 MB of heap), once per burst. The collector is V8's `gc` extension
 * enabled at run time (`--expose-gc` through v8.setFlagsFromString, read from a new context,
 * then the flag turned off again); where that fails, trimming is off and the daemon says so once.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './logger.js';

export interface HeapTrimOptions {
  /** Binding changes (registrations, refreshes, moves, removals) that make a burst worth trimming after. */
  readonly minChanges: number;
  /** The period the changes are counted over, ms. */
  readonly idleMs: number;
  /**
   * A period with fewer changes than this is quiet: it ends a burst (a trickle of refreshes, a
   * few a second, neither keeps a burst going nor adds up to one).
   */
  readonly quietChanges: number;
  readonly log: Logger;
  /** The full collection (default: V8's `gc` extension); tests count calls instead. */
  readonly collect?: () => void;
  readonly now?: () => number;
}

/** Defaults for the home agent: a burst of thousands of changes, then a quiet second. */
export const HEAP_TRIM_MIN_CHANGES = 4096;
export const HEAP_TRIM_IDLE_MS = 1000;
export const HEAP_TRIM_QUIET_CHANGES = 256;

export class HeapTrim {
  readonly stats = { trims: 0, lastMs: 0 };
  /** Changes in the current period, and in the busy periods of the burst before it. */
  private changes = 0;
  private burst = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly collect: (() => void) | undefined;
  private closed = false;

  constructor(private readonly o: HeapTrimOptions) {
    this.collect = o.collect ?? v8Collector(o.log);
  }

  /** A binding was created, refreshed, changed or removed. */
  changed(): void {
    this.changes++;
    if (this.timer === undefined && !this.closed && this.collect !== undefined) this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Counts the changes of one period of `idleMs` (armed by the first change after a quiet one). */
  private arm(): void {
    this.timer = setTimeout(() => this.check(), this.o.idleMs);
    this.timer.unref?.();
  }

  private check(): void {
    this.timer = undefined;
    if (this.closed) return;
    const recent = this.changes;
    this.changes = 0;
    if (recent >= this.o.quietChanges) {
      this.burst += recent;
      return this.arm();
    }
    const burst = this.burst;
    this.burst = 0;
    if (burst < this.o.minChanges || this.collect === undefined) return;
    const now = this.o.now ?? (() => performance.now());
    const t0 = now();
    try {
      this.collect();
    } catch (e) {
      this.o.log.warn('heap trim failed', { error: String(e) });
      return;
    }
    this.stats.trims++;
    this.stats.lastMs = Math.round(now() - t0);
    const ms = this.stats.lastMs;
    this.o.log.info('heap trimmed after a burst of binding changes', { changes: burst, ms });
  }
}

/** V8's full collection, or undefined (logged) when the extension cannot be enabled. */
function v8Collector(log: Logger): (() => void) | undefined {
  const own: unknown = (globalThis as { gc?: unknown }).gc;
  // Under node --expose-gc the global one serves, and the flags are left as given.
  if (typeof own === 'function') return () => { (own as () => void)(); };
  try {
    setFlagsFromString('--expose-gc');
    let gc: unknown;
    try {
      gc = runInNewContext('gc');
    } finally {
      // Only this one context gets `gc`: contexts made later (vm users) do not see it.
      setFlagsFromString('--no-expose-gc');
    }
    if (typeof gc === 'function') return () => { (gc as () => void)(); };
    log.warn('heap trim off: no gc extension');
  } catch (e) {
    log.warn('heap trim off: cannot enable the gc extension', { error: String(e) });
  }
  return undefined;
}
