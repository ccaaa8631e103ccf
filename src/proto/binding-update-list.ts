/**
 * The Binding Update List entry of a home registration (RFC 6275 §11.1): the sans-IO bookkeeping
 * a mobile node keeps for the one binding it holds at its home agent.
 *
 * Guarantees:
 * - every Binding Update takes a fresh sequence number, retransmissions included (RFC 6275
 *   §11.8; UMIP increments on every send); the first one is drawn from the injected PRNG;
 * - a registration "round" (the BUs sent for one trigger: movement, refresh, BRR, return home)
 *   retransmits with exponential backoff from its initial timeout up to MAX_BINDACK_TIMEOUT with
 *   jitter (RFC 6275 §11.8, §12), and no two rounds together send more than
 *   MAX_UPDATE_RATE BUs in any second (RFC 6275 §11.8, §12);
 * - a Binding Acknowledgement matches a BU of the round in progress while one is outstanding:
 *   the last one, or, for an acceptance only, an earlier one of the same round. Every BU of a
 *   round carries the same care-of address and request, so accepting an earlier one accepts the
 *   round (a new binding's first BA often arrives after the home agent's DAD, when a
 *   retransmission with the next sequence number is already out); a rejection must answer the
 *   last BU, or a stale copy would stop the wait. Status 135 carries the home agent's last
 *   accepted sequence number and always matches (RFC 6275 §11.7.3);
 * - the binding's expiry and refresh deadlines count from the send time of the accepted BU (for an
 *   earlier BU of the round, from the round's first send), never later than the home agent's own
 *   start of the lifetime.
 * Time is passed in (`now`); nothing here reads a clock.
 */
import {
  MAX_BINDACK_TIMEOUT_MS, MAX_UPDATE_RATE_PER_SECOND, RETRANSMIT_JITTER_FRACTION,
} from './constants.js';
import type { Prng } from './prng.js';
import { SEQNO_MODULUS, seqNewer, seqNext } from './seqno.js';
import { earliest, type Instant } from './time.js';
import { Backoff, RateLimit } from './timeout.js';

/** BA status "Sequence number out of window" (RFC 6275 §6.1.8). */
const STATUS_SEQUENCE_OUT_OF_WINDOW = 135;
/** BA statuses below 128 accept the BU (RFC 6275 §6.1.8). */
const STATUS_FIRST_REJECTION = 128;

export type RoundKind = 'register' | 'deregister';

export interface RegistrationRound {
  readonly kind: RoundKind;
  /** When the round began (the trigger), for the registration time metric. */
  readonly startedAt: Instant;
  readonly backoff: Backoff;
  /** BUs sent in this round. */
  sends: number;
}

/** How a received BA relates to what was sent. */
export type AckMatch = 'match' | 'no-bu-outstanding' | 'sequence-mismatch';

export class BindingUpdateListEntry {
  private nextSequence: number;
  private lastSequence: number | undefined;
  private lastSentAtValue: Instant | undefined;
  /** The first BU of the round in progress: its sequence number and send time. */
  private roundFirst: { readonly sequence: number; readonly sentAt: Instant } | undefined;
  private awaiting = false;
  private roundValue: RegistrationRound | undefined;
  private sendAt: Instant | undefined;
  private refreshAt: Instant | undefined;
  private expiresAt: Instant | undefined;
  private readonly rateLimit = new RateLimit(MAX_UPDATE_RATE_PER_SECOND);

  constructor(private readonly prng: Prng) {
    this.nextSequence = prng.below(SEQNO_MODULUS);
  }

  /** The round in progress, if any. */
  get round(): RegistrationRound | undefined {
    return this.roundValue;
  }

  /** The sequence number the next BU will carry. */
  get sequenceNext(): number {
    return this.nextSequence;
  }

  /** True while the last BU sent has not been answered. */
  get outstanding(): boolean {
    return this.awaiting;
  }

  /**
   * Starts a round: the first BU is due at once (subject to the rate limit). A BU of an earlier
   * round is no longer awaited: its answer would describe a state the node has left.
   */
  begin(now: Instant, kind: RoundKind, initialTimeoutMs: number): void {
    const backoff = new Backoff(initialTimeoutMs, MAX_BINDACK_TIMEOUT_MS, RETRANSMIT_JITTER_FRACTION);
    this.roundValue = { kind, startedAt: now, backoff, sends: 0 };
    this.roundFirst = undefined;
    this.sendAt = now;
    this.awaiting = false;
  }

  /** Ends the round: no more retransmissions, no BU awaited. */
  end(): void {
    this.roundValue = undefined;
    this.roundFirst = undefined;
    this.sendAt = undefined;
    this.awaiting = false;
  }

  /**
   * True when a BU should be sent now. When one is due but the rate limit forbids it, the send
   * is postponed to the earliest allowed instant (which `nextDeadline` then reports).
   */
  sendDue(now: Instant): boolean {
    if (this.roundValue === undefined || this.sendAt === undefined || this.sendAt > now) return false;
    const allowed = this.rateLimit.earliestAllowed(now);
    if (allowed > now) {
      this.sendAt = allowed;
      return false;
    }
    return true;
  }

  /** Records a BU sent at `now`; returns the sequence number it must carry. */
  recordSend(now: Instant): number {
    const round = this.roundValue;
    if (round === undefined) throw new Error('BindingUpdateListEntry.recordSend outside a round');
    const sequence = this.nextSequence;
    this.nextSequence = seqNext(sequence);
    this.lastSequence = sequence;
    this.lastSentAtValue = now;
    this.roundFirst ??= { sequence, sentAt: now };
    this.awaiting = true;
    this.rateLimit.record(now);
    round.sends++;
    this.sendAt = round.backoff.next(now, this.prng);
    return sequence;
  }

  /** Whether a BA with this sequence number and status answers the BU outstanding. */
  match(sequence: number, status: number): AckMatch {
    if (!this.awaiting) return 'no-bu-outstanding';
    if (status === STATUS_SEQUENCE_OUT_OF_WINDOW || sequence === this.lastSequence) return 'match';
    const first = this.roundFirst;
    const last = this.lastSequence;
    const earlier = first !== undefined && last !== undefined
      && !seqNewer(first.sequence, sequence) && seqNewer(last, sequence);
    return status < STATUS_FIRST_REJECTION && earlier ? 'match' : 'sequence-mismatch';
  }

  /** The outstanding BU was answered with a rejection: retransmissions go on with backoff. */
  answered(): void {
    this.awaiting = false;
  }

  /**
   * Status 135 (RFC 6275 §11.7.3): continue from the home agent's sequence number and resend at
   * once (the rate limit still applies).
   */
  resynchronise(now: Instant, homeAgentSequence: number): void {
    this.nextSequence = seqNext(homeAgentSequence);
    // BUs before the resynchronisation are no longer answers to wait for.
    this.roundFirst = undefined;
    this.awaiting = false;
    this.sendAt = now;
  }

  /**
   * The BU with `sequence` (a `match`) was accepted: the binding lasts `grantedMs` and is
   * refreshed after `refreshAfterMs`, both counted from that BU's send time (the round's first
   * send for an earlier BU of the round). Ends the round.
   */
  accepted(sequence: number, grantedMs: number, refreshAfterMs: number): void {
    const earlier = sequence !== this.lastSequence ? this.roundFirst?.sentAt : undefined;
    const sentAt = earlier ?? this.lastSentAtValue ?? 0;
    this.expiresAt = sentAt + grantedMs;
    this.refreshAt = sentAt + Math.min(grantedMs, refreshAfterMs);
    this.end();
  }

  /** Forgets the binding (deregistered, refused, or lost at the home agent). */
  clearBinding(): void {
    this.expiresAt = undefined;
    this.refreshAt = undefined;
  }

  /** True while an accepted binding has not expired. */
  registered(now: Instant): boolean {
    return this.expiresAt !== undefined && now < this.expiresAt;
  }

  /** True once when the binding lifetime has run out; the binding is then forgotten. */
  takeExpiry(now: Instant): boolean {
    if (this.expiresAt === undefined || this.expiresAt > now) return false;
    this.clearBinding();
    return true;
  }

  /** True once when the refresh deadline has passed. */
  takeRefresh(now: Instant): boolean {
    if (this.refreshAt === undefined || this.refreshAt > now) return false;
    this.refreshAt = undefined;
    return true;
  }

  nextDeadline(): Instant | undefined {
    return earliest(this.sendAt, this.refreshAt, this.expiresAt);
  }
}
