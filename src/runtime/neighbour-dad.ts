/**
 * The DAD probes of the home link (RFC 4862 §5.4.2; the Nonce option of RFC 3971 §5.3.2 as RFC
 * 7527 §4.1 uses it): one packet rewritten per target (target, solicited-node group, nonce,
 * checksum), byte for byte what `dadSolicitation` builds, with nonces drawn from a pool of random
 * bytes. A burst of registrations probes every new home address; this keeps a probe to a few
 * writes, and a waiting DAD's nonce to three small integers.
 *
 * `DadTable` holds the DADs waiting out RetransTimer: what the link says about their targets ends
 * them as duplicates; the rest are reported unique together when the round's timer fires, a
 * turn's worth (DAD_RESULTS_PER_TURN) at a time.
 */
import { randomBytes } from 'node:crypto';
import { writeIpv6 } from '../wire/addr.js';
import { finishChecksum, sumWords } from '../wire/checksum.js';
import { ICMPV6_NEXT_HEADER } from '../wire/icmpv6.js';
import { IPV6_HEADER_LENGTH } from '../wire/ipv6.js';
import type { Logger } from './logger.js';
import { ItemRounds } from './neighbour-kernel.js';
import { NONCE_LENGTH, UNSPECIFIED, dadSolicitation, type DadSignal } from './neighbour-packets.js';

/** NS: type, code, checksum, reserved (8 bytes), then the target. */
const TARGET_OFFSET = IPV6_HEADER_LENGTH + 8;
/** The Nonce option's data, after the target and the option's type and length. */
const NONCE_OFFSET = TARGET_OFFSET + 16 + 2;
const CHECKSUM_OFFSET = IPV6_HEADER_LENGTH + 2;
/** The destination's last three bytes: the solicited-node group's low 24 bits (RFC 4291 §2.7.1). */
const GROUP_LOW_OFFSET = 24 + 13;
const POOL_NONCES = 512;

/** A nonce as three 16-bit words. */
export interface NonceWords {
  readonly n0: number;
  readonly n1: number;
  readonly n2: number;
}

/** Writes DAD probes; after `write`, its own n0..n2 are the nonce of the probe written. */
export class ProbeWriter implements NonceWords {
  private readonly packet = dadSolicitation(UNSPECIFIED, new Uint8Array(NONCE_LENGTH));
  private pool = new Uint8Array(0);
  private used = 0;

  /** `nonce` (tests) gives each probe's 6 nonce bytes; by default they are random. */
  constructor(private readonly nonce?: () => Uint8Array) {}

  /**
   * The probe for `target` with a new nonce (read it with `nonceWord`), in a buffer the next
   * call rewrites: send or copy it first. Undefined when `target` is not IPv6 text.
   */
  write(target: string): Uint8Array | undefined {
    const p = this.packet;
    if (!writeIpv6(p, TARGET_OFFSET, target)) return undefined;
    p.copyWithin(GROUP_LOW_OFFSET, TARGET_OFFSET + 13, TARGET_OFFSET + 16);
    this.writeNonce(p);
    p[CHECKSUM_OFFSET] = 0;
    p[CHECKSUM_OFFSET + 1] = 0;
    const upper = p.length - IPV6_HEADER_LENGTH;
    // RFC 8200 §8.1 pseudo-header (source and destination, length, next header), then the message.
    const pseudo = sumWords(p, 8, IPV6_HEADER_LENGTH) + upper + ICMPV6_NEXT_HEADER;
    const c = finishChecksum(sumWords(p, IPV6_HEADER_LENGTH, p.length, pseudo));
    p[CHECKSUM_OFFSET] = c >> 8;
    p[CHECKSUM_OFFSET + 1] = c & 0xff;
    return p;
  }

  /** Word `i` (0, 1 or 2) of the nonce of the probe `write` returned last. */
  nonceWord(i: number): number {
    return (this.packet[NONCE_OFFSET + 2 * i] << 8) | this.packet[NONCE_OFFSET + 2 * i + 1];
  }

  get n0(): number { return this.nonceWord(0); }
  get n1(): number { return this.nonceWord(1); }
  get n2(): number { return this.nonceWord(2); }

  private writeNonce(p: Uint8Array): void {
    if (this.nonce !== undefined) {
      const n = this.nonce();
      if (n.length !== NONCE_LENGTH) throw new TypeError(`DAD nonce of ${n.length} bytes`);
      p.set(n, NONCE_OFFSET);
      return;
    }
    if (this.used + NONCE_LENGTH > this.pool.length) {
      this.pool = new Uint8Array(randomBytes(POOL_NONCES * NONCE_LENGTH));
      this.used = 0;
    }
    for (let i = 0; i < NONCE_LENGTH; i++) p[NONCE_OFFSET + i] = this.pool[this.used++];
  }
}

/** Whether the 6 bytes `heard` are the nonce `n`. */
export function sameNonce(heard: Uint8Array, n: NonceWords): boolean {
  if (heard.length !== NONCE_LENGTH) return false;
  const word = (i: number): number => (heard[i] << 8) | heard[i + 1];
  return word(0) === n.n0 && word(2) === n.n1 && word(4) === n.n2;
}

/** DAD results delivered per event-loop turn (each completes a registration: BA, routes, log). */
export const DAD_RESULTS_PER_TURN = 256;

export type DadDone = (duplicate: boolean) => void;

interface Dad extends NonceWords {
  readonly address: string;
  readonly group: string | undefined;
  /** One waiter (the usual case) or several. */
  done: DadDone | DadDone[];
  /** Reported (or cleared): a later timeout of this DAD does nothing. */
  over: boolean;
}

export interface DadTableDeps {
  readonly counters: { dadUnique: number; dadDuplicate: number; ignored: number };
  readonly log: Logger;
  /** The DAD of a target ended: leave the group it joined (undefined: it joined none). */
  leave(group: string | undefined): void;
}

export class DadTable {
  private readonly dads = new Map<string, Dad>();
  private readonly rounds = new ItemRounds<Dad>((due) => { for (const d of due) this.finish(d, false); },
    DAD_RESULTS_PER_TURN);

  constructor(private readonly deps: DadTableDeps) {}

  /** DADs waiting now. */
  get size(): number {
    return this.dads.size;
  }

  /** `done` waits for the DAD already running for `address`; false when none runs. */
  join(address: string, done: DadDone): boolean {
    const d = this.dads.get(address);
    if (d === undefined) return false;
    if (Array.isArray(d.done)) d.done.push(done); else d.done = [d.done, done];
    return true;
  }

  /**
   * The DAD of `address` probed with `nonce`: unique after `waitMs` unless the link says otherwise.
   * Pipelined: the DADs of one burst of registrations wait out RetransTimer under one timer.
   * Only when `join(address)` has just returned false: one DAD per address.
   */
  start(address: string, nonce: NonceWords, group: string | undefined, done: DadDone, waitMs: number): void {
    const d: Dad = { address, n0: nonce.n0, n1: nonce.n1, n2: nonce.n2, group, done, over: false };
    this.dads.set(address, d);
    this.rounds.add(waitMs, d);
  }

  /** A valid NA for a target, or another node's probe for it: duplicate. Our own probe is not. */
  heard(s: DadSignal): void {
    const d = this.dads.get(s.target);
    if (d === undefined) return;
    if (s.kind === 'solicitation' && s.nonce !== undefined && sameNonce(s.nonce, d)) {
      this.deps.counters.ignored++; // our own probe, looped back
      return;
    }
    this.deps.log.info('DAD: address in use on the home link', { address: d.address, seen: s.kind });
    this.finish(d, true);
  }

  /** No DAD reports any more. */
  clear(): void {
    this.rounds.clear();
    for (const d of this.dads.values()) d.over = true;
    this.dads.clear();
  }

  private finish(d: Dad, duplicate: boolean): void {
    if (d.over) return;
    d.over = true;
    this.dads.delete(d.address);
    this.deps.leave(d.group);
    if (duplicate) this.deps.counters.dadDuplicate++; else this.deps.counters.dadUnique++;
    if (!duplicate && this.deps.log.enabled('debug')) {
      this.deps.log.debug('DAD: no duplicate on the home link', { address: d.address });
    }
    if (Array.isArray(d.done)) for (const done of d.done) this.report(d, done, duplicate);
    else this.report(d, d.done, duplicate);
  }

  private report(d: Dad, done: DadDone, duplicate: boolean): void {
    try {
      done(duplicate);
    } catch (e) {
      this.deps.log.error('DAD result handler failed', { address: d.address, error: String(e) });
    }
  }
}
