/**
 * The simulator's agenda: events ordered by virtual time, ties broken by insertion order, so a
 * run is a pure function of its seed (conventions C11).
 */
import type { Instant } from '../proto/time.js';

interface Item {
  readonly at: Instant;
  readonly seq: number;
  readonly run: () => void;
}

export class EventQueue {
  private readonly heap: Item[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  schedule(at: Instant, run: () => void): void {
    const item = { at, seq: this.seq++, run };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  peekTime(): Instant | undefined {
    return this.heap.length > 0 ? this.heap[0].at : undefined;
  }

  /** Removes the earliest event. */
  pop(): { at: Instant; run: () => void } | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Item, b: Item): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
