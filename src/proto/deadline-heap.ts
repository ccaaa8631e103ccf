/**
 * A binary min-heap of (deadline, key) with lazy deletion: callers re-push when a key's deadline
 * changes and check, when popping, whether the popped deadline is still the key's current one.
 * Keeps `nextDeadline()` O(1) and expiry O(log n) with 100k bindings.
 */
import type { Instant } from './time.js';

export class DeadlineHeap<K> {
  private readonly at: Instant[] = [];
  private readonly keys: K[] = [];

  get size(): number {
    return this.at.length;
  }

  peek(): Instant | undefined {
    return this.at.length > 0 ? this.at[0] : undefined;
  }

  push(deadline: Instant, key: K): void {
    this.at.push(deadline);
    this.keys.push(key);
    let i = this.at.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at[parent] <= this.at[i]) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the earliest item if it is due at `now`. */
  popDue(now: Instant): { deadline: Instant; key: K } | undefined {
    if (this.at.length === 0 || this.at[0] > now) return undefined;
    const deadline = this.at[0];
    const key = this.keys[0];
    const lastAt = this.at.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.at.length > 0) {
      this.at[0] = lastAt;
      this.keys[0] = lastKey;
      this.siftDown(0);
    }
    return { deadline, key };
  }

  private siftDown(i: number): void {
    const n = this.at.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.at[l] < this.at[m]) m = l;
      if (r < n && this.at[r] < this.at[m]) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.at[i]; this.at[i] = this.at[j]; this.at[j] = a;
    const k = this.keys[i]; this.keys[i] = this.keys[j]; this.keys[j] = k;
  }
}
