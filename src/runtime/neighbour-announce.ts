/**
 * Announcements on the home link (RFC 6275 §10.4.1, RFC 4861 §7.2.6 / §10): when the home agent
 * starts defending an address it sends MAX_NEIGHBOR_ADVERTISEMENT rounds (unsolicited NAs, or
 * gratuitous ARP), RetransTimer apart, so neighbours that cached the mobile node's own MAC switch
 * to the home agent's. The rounds of the addresses a burst of registrations starts together
 * share one timer (ItemRounds, as the DADs do); an address waiting for its next round costs one
 * small record, not a closure. `stop` cancels the rounds of an address.
 */
import type { Logger } from './logger.js';
import { ItemRounds } from './neighbour-kernel.js';
import type { LinkFacts } from './neighbour-packets.js';

/** RFC 4861 §10. Gratuitous ARP uses the same count. */
export const MAX_NEIGHBOR_ADVERTISEMENT = 3;

/** One address's announcement: the rounds still to send (0: over, or superseded by a later one). */
interface Announcement {
  readonly address: string;
  left: number;
}

export class Announcer {
  /** The announcement in progress for each address; a later `start` or `stop` supersedes it. */
  private readonly current = new Map<string, Announcement>();
  private readonly rounds = new ItemRounds<Announcement>((due) => this.fire(due));
  private closed = false;

  /** `once(address, facts)` sends one round for `address`; a throw is logged, the rounds go on. */
  constructor(
    private readonly facts: () => LinkFacts, private readonly intervalMs: () => number,
    private readonly log: Logger, private readonly once: (address: string, facts: LinkFacts) => void,
  ) {}

  /** Sends a round for `address` now and MAX_NEIGHBOR_ADVERTISEMENT - 1 more, RetransTimer apart. */
  start(address: string): void {
    if (this.closed) return;
    let facts: LinkFacts;
    try {
      facts = this.facts();
    } catch (e) {
      this.end(address);
      return this.skip(address, messageOf(e));
    }
    const a: Announcement = { address, left: MAX_NEIGHBOR_ADVERTISEMENT };
    this.end(address);
    this.current.set(address, a);
    this.round(a, facts);
  }

  /** No more rounds for `address`. */
  stop(address: string): void {
    this.end(address);
  }

  /** The announcement of `address` in progress, if any, sends no more rounds. */
  private end(address: string): void {
    const a = this.current.get(address);
    if (a === undefined) return;
    a.left = 0;
    this.current.delete(address);
  }

  /** One round could not be sent (the next round, if any, tries again). */
  skip(address: string, why: string): void {
    this.log.limited(`announce-skip ${why}`, 'warn', 'cannot announce on the home link', { address, why });
  }

  close(): void {
    this.closed = true;
    this.rounds.clear();
    for (const a of this.current.values()) a.left = 0;
    this.current.clear();
  }

  private fire(due: readonly Announcement[]): void {
    let facts: LinkFacts | undefined;
    let why = '';
    try {
      facts = this.facts();
    } catch (e) {
      why = messageOf(e);
    }
    for (const a of due) {
      if (a.left === 0) continue; // stopped or superseded while it waited
      if (facts !== undefined) this.round(a, facts);
      else { this.skip(a.address, why); this.next(a); }
    }
  }

  private round(a: Announcement, facts: LinkFacts): void {
    try {
      this.once(a.address, facts);
    } catch (e) {
      // The other addresses of the round go on.
      this.skip(a.address, messageOf(e));
    }
    this.next(a);
  }

  private next(a: Announcement): void {
    if (--a.left > 0) this.rounds.add(this.intervalMs(), a);
    else this.current.delete(a.address);
  }
}

function messageOf(e: unknown): string {
  return String(e instanceof Error ? e.message : e);
}
