/**
 * Registrations waiting for Duplicate Address Detection (RFC 6275 §10.3.1): not in the Binding
 * Cache yet, accepted when every address they wait for is reported unique, or when the DAD
 * timeout passes without a result. A burst of new registrations keeps thousands of these for
 * about RetransTimer, so each is one small record:
 *
 *  - the home address is its own key (only a link-local address, L flag, needs an index entry);
 *  - a home address waiting here has no binding (the home agent starts DAD only for a home
 *    address without one, and makes its binding when DAD ends), so neither is looked up for it;
 *  - the timeouts are `now` + one fixed delay, so they come due in the order they were made: a
 *    queue of the records themselves, not heap items. An answered registration is marked ended
 *    and skipped when it reaches the head, so the head costs no lookup;
 *  - DAD results come back about in that order too: the result for the head is found there.
 */
import type { Instant } from '../../proto/time.js';
import type { BuRequest } from './received.js';
import type { Accepted } from './registration.js';

export interface PendingDad {
  request: BuRequest;
  accepted: Accepted;
  /** The addresses still probing: the home address and, with the L flag, its link-local. */
  waiting: readonly string[];
  readonly deadline: Instant;
}

/** What a registration waits for once every address is unique. */
const NOTHING: readonly string[] = Object.freeze([]);

/** Queue slots consumed before the queue is compacted. */
const COMPACT_AFTER = 4096;

/** A record as kept: ended once answered, replaced or cancelled (then skipped in the queue). */
interface Entry extends PendingDad {
  ended: boolean;
}

export class PendingDads {
  private readonly byHome = new Map<string, Entry>();
  /** A link-local address under DAD -> the home address whose registration waits for it. */
  private readonly byLinkLocal = new Map<string, string>();
  /** Every record in the order it was made (deadline order), ended ones until they are passed. */
  private queue: Entry[] = [];
  private head = 0;

  get size(): number {
    return this.byHome.size;
  }

  get(hoa: string): PendingDad | undefined {
    return this.byHome.size > 0 ? this.byHome.get(hoa) : undefined;
  }

  /**
   * `hoa`'s registration waits for the DAD of `addresses` (its own first) until `deadline`. The
   * home agent starts one only for a home address without one (`get(hoa)` undefined); another
   * one for the same home address replaces it.
   */
  start(request: BuRequest, accepted: Accepted, addresses: readonly string[], deadline: Instant): void {
    const hoa = request.homeAddress;
    const e: Entry = { request, accepted, waiting: addresses, deadline, ended: false };
    const before = this.byHome.size;
    this.byHome.set(hoa, e);
    if (this.byHome.size === before) this.replaced(hoa);
    for (const a of addresses) if (a !== hoa) this.byLinkLocal.set(a, hoa);
    this.queue.push(e);
  }

  /** The registration waiting for the DAD of `address`, if any. */
  find(address: string): PendingDad | undefined {
    const first = this.headPending();
    if (first !== undefined && first.request.homeAddress === address) {
      return first.waiting.includes(address) ? first : undefined;
    }
    const hoa = this.byLinkLocal.size > 0 ? this.byLinkLocal.get(address) : undefined;
    const p = this.get(hoa ?? address);
    return p !== undefined && p.waiting.includes(address) ? p : undefined;
  }

  /** `address` of `p` was found unique; true when `p` waits for nothing more. */
  unique(p: PendingDad, address: string): boolean {
    const w = p.waiting;
    p.waiting = w.length === 1 && w[0] === address ? NOTHING : w.filter((a) => a !== address);
    if (this.byLinkLocal.size > 0 && this.byLinkLocal.get(address) === p.request.homeAddress) {
      this.byLinkLocal.delete(address);
    }
    return p.waiting.length === 0;
  }

  /**
   * `hoa`'s registration waits no more (answered, replaced or cancelled); `p`, when given, is
   * `get(hoa)` (the caller holds it).
   */
  end(hoa: string, p = this.get(hoa)): void {
    if (!p) return;
    (p as Entry).ended = true;
    for (const a of p.waiting) if (a !== hoa && this.byLinkLocal.get(a) === hoa) this.byLinkLocal.delete(a);
    this.byHome.delete(hoa);
  }

  /** The earliest registration whose timeout has passed at `now` (still pending: `end` it). */
  popExpired(now: Instant): PendingDad | undefined {
    const p = this.headPending();
    if (p === undefined || p.deadline > now) return undefined;
    this.advance();
    return p;
  }

  /** When the earliest pending registration times out. */
  nextDeadline(): Instant | undefined {
    return this.headPending()?.deadline;
  }

  /** The pending registration at the head of the queue; ended ones before it are dropped. */
  private headPending(): PendingDad | undefined {
    while (this.head < this.queue.length) {
      const p = this.queue[this.head];
      if (!p.ended) return p;
      this.advance();
    }
    return undefined;
  }

  private advance(): void {
    this.head++;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** A record for `hoa` replaced one still queued (not what the home agent does): that one ends. */
  private replaced(hoa: string): void {
    const current = this.byHome.get(hoa);
    for (let i = this.head; i < this.queue.length; i++) {
      const e = this.queue[i];
      if (!e.ended && e !== current && e.request.homeAddress === hoa) e.ended = true;
    }
  }
}
