/**
 * What the home link code reads from the kernel, and how long it reuses it: the home interface's
 * RetransTimer (RFC 4861 §6.3.2; the kernel learns it from the link's Router Advertisements and
 * exposes it per interface as `retrans_time_ms`).
 */
import { readFileSync } from 'node:fs';

/** RFC 4861 §10 RETRANS_TIMER: used when the kernel's per-interface value cannot be read. */
export const RETRANS_TIMER_MS = 1000;
/** How long a value read from the kernel (RetransTimer, the link's MAC and address) is reused. */
export const KERNEL_FACTS_TTL_MS = 1000;

/** `/proc/sys/net/ipv6/neigh/<ifname>/retrans_time_ms`, or RETRANS_TIMER_MS when unreadable. */
export function kernelRetransTimerMs(
  ifname: string, read = (p: string): string => readFileSync(p, 'utf8'),
): number {
  try {
    const v = Number(read(`/proc/sys/net/ipv6/neigh/${ifname}/retrans_time_ms`).trim());
    return Number.isInteger(v) && v > 0 ? v : RETRANS_TIMER_MS;
  } catch {
    return RETRANS_TIMER_MS;
  }
}

/** `read()` reused for `ttlMs` (a failure is not kept: the next call tries again). */
export function cachedFor<T>(read: () => T, ttlMs: number, now = () => performance.now()): () => T {
  let value: { v: T; at: number } | undefined;
  return () => {
    const t = now();
    if (value === undefined || t - value.at >= ttlMs) value = { v: read(), at: t };
    return value.v;
  };
}

/**
 * Items due after the same delay under one timer per synchronous run: everything added before
 * the current I/O callback returns (a microtask closes the round) is handed to `fire` together,
 * `chunk` items per event-loop turn (the rest after setImmediate), so that what each item causes
 * (log lines, routes, packets queued until the turn ends) leaves turn by turn instead of piling up
 * for a whole round. A burst of registrations keeps one array slot per waiting item (a DAD, an
 * announcement), not a closure each.
 */
export class ItemRounds<T> {
  private open: T[] | undefined;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly later = new Set<ReturnType<typeof setImmediate>>();

  constructor(private readonly fire: (due: readonly T[]) => void, private readonly chunk = Infinity) {}

  add(delayMs: number, item: T): void {
    if (this.open !== undefined) { this.open.push(item); return; }
    const round = [item];
    this.open = round;
    queueMicrotask(() => { if (this.open === round) this.open = undefined; });
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.open === round) this.open = undefined;
      this.fireFrom(round, 0);
    }, delayMs);
    this.timers.add(t);
  }

  /** Cancels every round; nothing added so far fires. */
  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    for (const i of this.later) clearImmediate(i);
    this.timers.clear();
    this.later.clear();
    this.open = undefined;
  }

  private fireFrom(round: T[], start: number): void {
    const end = Math.min(round.length, start + this.chunk);
    if (end < round.length) {
      const i = setImmediate(() => { this.later.delete(i); this.fireFrom(round, end); });
      this.later.add(i);
    }
    this.fire(start === 0 && end === round.length ? round : round.slice(start, end));
  }
}

/** Callbacks due after the same delay under one timer per synchronous run (ItemRounds of calls). */
export class TimerRounds extends ItemRounds<() => void> {
  constructor() {
    super((due) => { for (const f of due) f(); });
  }
}
