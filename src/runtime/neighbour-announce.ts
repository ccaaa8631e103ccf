/**
 * Announcements on the home link (RFC 6275 §10.4.1, RFC 4861 §7.2.6 / §10): when the home agent
 * starts defending an address it sends MAX_NEIGHBOR_ADVERTISEMENT rounds (unsolicited NAs, or
 * gratuitous ARP), RetransTimer apart, so neighbours that cached the mobile node's own MAC switch
 * to the home agent's. One timer per address while its rounds last; `stop` cancels them.
 */
import type { Logger } from './logger.js';
import type { LinkFacts } from './neighbour-packets.js';

/** RFC 4861 §10. Gratuitous ARP uses the same count. */
export const MAX_NEIGHBOR_ADVERTISEMENT = 3;

export class Announcer {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private closed = false;

  constructor(
    private readonly facts: () => LinkFacts, private readonly intervalMs: () => number,
    private readonly log: Logger,
  ) {}

  /** Runs `once` now and MAX_NEIGHBOR_ADVERTISEMENT - 1 more times, RetransTimer apart. */
  start(address: string, once: (facts: LinkFacts) => void): void {
    if (this.closed) return;
    this.stop(address);
    let facts: LinkFacts;
    try {
      facts = this.facts();
    } catch (e) {
      return this.skip(address, String(e instanceof Error ? e.message : e));
    }
    let left = MAX_NEIGHBOR_ADVERTISEMENT;
    const round = (): void => {
      this.timers.delete(address);
      once(facts);
      if (--left > 0 && !this.closed) this.timers.set(address, setTimeout(round, this.intervalMs()));
    };
    round();
  }

  /** No more rounds for `address`. */
  stop(address: string): void {
    const t = this.timers.get(address);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(address);
  }

  /** One round could not be sent (the next round, if any, tries again). */
  skip(address: string, why: string): void {
    this.log.limited(`announce-skip ${why}`, 'warn', 'cannot announce on the home link', { address, why });
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
