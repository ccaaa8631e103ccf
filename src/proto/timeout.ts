/**
 * A retransmission timeout with exponential backoff and injected jitter (TigerBeetle's
 * `Timeout`; RFC 6275 §11.8: start at InitialBindackTimeout(FirstReg), double up to
 * MAX_BINDACK_TIMEOUT, then keep retrying at that interval).
 */
import type { Prng } from './prng.js';
import type { Instant } from './time.js';

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly jitterFraction: number,
  ) {
    if (!(initialMs > 0 && maxMs >= initialMs && jitterFraction >= 0 && jitterFraction < 1)) {
      throw new Error(`bad backoff ${initialMs}/${maxMs}/${jitterFraction}`);
    }
  }

  /** Sends so far since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }

  /** The deadline for the next retransmission after a send at `now`; counts the attempt. */
  next(now: Instant, prng: Prng): Instant {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const jitter = base * this.jitterFraction * (2 * prng.next() - 1);
    return now + Math.max(1, Math.round(base + jitter));
  }
}

/** Enforces a minimum spacing between sends (MAX_UPDATE_RATE: 3 BU/s to one destination). */
export class RateLimit {
  private readonly sent: Instant[] = [];

  constructor(private readonly perSecond: number) {}

  /** The earliest instant at or after `now` at which a send is allowed. */
  earliestAllowed(now: Instant): Instant {
    this.expire(now);
    if (this.sent.length < this.perSecond) return now;
    return this.sent[0] + 1000;
  }

  record(now: Instant): void {
    this.expire(now);
    this.sent.push(now);
  }

  private expire(now: Instant): void {
    while (this.sent.length > 0 && this.sent[0] + 1000 <= now) this.sent.shift();
  }
}
