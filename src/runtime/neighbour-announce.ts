/**
 * Announcements on the home link (RFC 6275 §10.4.1, RFC 4861 §7.2.6 / §10): when the home agent
 * starts defending an address it sends MAX_NEIGHBOR_ADVERTISEMENT rounds (unsolicited NAs, or
 * gratuitous ARP), RetransTimer apart, so neighbours that cached the mobile node's own MAC switch
 * to the home agent's. The rounds of the addresses a burst of registrations starts together
 * share one timer (TimerRounds, as the DADs do), not one timer per address; `stop` cancels them.
 */
import type { Logger } from './logger.js';
import { TimerRounds } from './neighbour-kernel.js';
import type { LinkFacts } from './neighbour-packets.js';

/** RFC 4861 §10. Gratuitous ARP uses the same count. */
export const MAX_NEIGHBOR_ADVERTISEMENT = 3;

export class Announcer {
  /** The announcement in progress for each address; a later `start` or `stop` supersedes it. */
  private readonly current = new Map<string, object>();
  private readonly rounds = new TimerRounds();
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
    const token = {};
    this.current.set(address, token);
    let left = MAX_NEIGHBOR_ADVERTISEMENT;
    const round = (): void => {
      if (this.current.get(address) !== token) return;
      try {
        once(facts);
      } catch (e) {
        // The other addresses of the round go on.
        this.skip(address, String(e instanceof Error ? e.message : e));
      }
      if (--left > 0) this.rounds.add(this.intervalMs(), round);
      else this.current.delete(address);
    };
    round();
  }

  /** No more rounds for `address`. */
  stop(address: string): void {
    this.current.delete(address);
  }

  /** One round could not be sent (the next round, if any, tries again). */
  skip(address: string, why: string): void {
    this.log.limited(`announce-skip ${why}`, 'warn', 'cannot announce on the home link', { address, why });
  }

  close(): void {
    this.closed = true;
    this.rounds.clear();
    this.current.clear();
  }
}
