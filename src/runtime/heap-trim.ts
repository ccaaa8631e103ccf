/**
 * Memory back after a burst. A burst of registrations leaves the V8 old generation grown by
 * objects that outlived a young-generation collection (registrations waiting out DAD, rounds of
 * announcements) and then died; V8 keeps those pages until its next major collection, which an
 * idle home agent may not run for hours. At 100k bindings that is tens of megabytes resident.
 *
 * HeapTrim counts binding changes; once at least `minChanges` have happened and then none for
 * `idleMs`, it runs one full (compacting) collection, so the resident size settles near what the
 * bindings need. The collection blocks the event loop (about 50 ms per 100 MB of heap), and it
 * runs only when the daemon has been quiet for `idleMs`. The collector is V8's `gc` extension
 * enabled at run time (`--expose-gc` through v8.setFlagsFromString, read from a new context,
 * then the flag turned off again); where that fails, trimming is off and the daemon says so once.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './logger.js';

export interface HeapTrimOptions {
  /** Binding changes (registrations, moves, removals) that make a burst worth trimming after. */
  readonly minChanges: number;
  /** Quiet time after the last change before the collection, ms. */
  readonly idleMs: number;
  readonly log: Logger;
  /** The full collection (default: V8's `gc` extension); tests count calls instead. */
  readonly collect?: () => void;
  readonly now?: () => number;
}

/** Defaults for the home agent: a burst of thousands of changes, one second quiet. */
export const HEAP_TRIM_MIN_CHANGES = 4096;
export const HEAP_TRIM_IDLE_MS = 1000;

export class HeapTrim {
  readonly stats = { trims: 0, lastMs: 0 };
  private changes = 0;
  private seen = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly collect: (() => void) | undefined;
  private closed = false;

  constructor(private readonly o: HeapTrimOptions) {
    this.collect = o.collect ?? v8Collector(o.log);
  }

  /** A binding was created, changed or removed. */
  changed(): void {
    this.changes++;
    if (this.timer === undefined && !this.closed && this.collect !== undefined) this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Checks every `idleMs`: a period without changes ends the burst. */
  private arm(): void {
    this.seen = this.changes;
    this.timer = setTimeout(() => this.check(), this.o.idleMs);
    this.timer.unref?.();
  }

  private check(): void {
    this.timer = undefined;
    if (this.closed) return;
    if (this.changes !== this.seen) return this.arm();
    const changes = this.changes;
    this.changes = 0;
    if (changes < this.o.minChanges || this.collect === undefined) return;
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
    this.o.log.info('heap trimmed after a burst of binding changes', { changes, ms: this.stats.lastMs });
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
