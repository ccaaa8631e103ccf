/**
 * The invariant checkers, run after every simulation step and on every event (conventions C11):
 * - every binding the home agent holds has its OS state (routes/tunnel, proxy ND) and nothing else
 *   does;
 * - a binding's accepted sequence numbers only move forward;
 * - no mobile node sends more than 3 Binding Updates in any second (RFC 6275 §11.8);
 * - no binding exists without authorisation (configured home addresses, IPv4 home addresses from
 *   the configuration or the pool);
 * - data from the correspondent reaches a settled mobile node through the tunnel it expects
 *   (probes, see probes.ts), so NAT mappings stay alive while keepalives run.
 * A violation is recorded with the virtual time; the run stops at the first one.
 */
import type { HaEvent } from '../engine/ha/types.js';
import type { MnEvent } from '../engine/mn/types.js';
import { seqNewer } from '../proto/seqno.js';
import type { Instant } from '../proto/time.js';
import type { SimMobile } from './nodes.js';
import type { World } from './world.js';

export interface Violation {
  readonly atMs: Instant;
  readonly message: string;
}

export class Observer {
  readonly violations: Violation[] = [];
  readonly lastSeq = new Map<string, number>();
  readonly haAcceptedAt = new Map<string, { at: Instant; lifetimeSeconds: number }>();
  counts = { registrations: 0, accepted: 0, rejected: 0, expired: 0, busSent: 0, handovers: 0 };

  constructor(
    /** Home addresses the home agent is configured to serve. */
    readonly authorisedHomeAddresses: ReadonlySet<string>,
    /** Is this IPv4 home address one the configuration or pool may hand out? */
    readonly ipv4Authorised: (address: string) => boolean,
    readonly log: ((line: string) => void) | undefined,
  ) {}

  violation(w: World, message: string): void {
    this.violations.push({ atMs: w.now, message });
  }

  afterStep(w: World): void {
    const dp = w.haDataplane;
    for (const e of w.ha.cache.entries()) {
      const b = dp.bindings.get(e.homeAddress);
      if (!b) { this.violation(w, `binding ${e.homeAddress} has no OS state`); continue; }
      if (JSON.stringify(b.tunnel) !== JSON.stringify(e.tunnel)) {
        const [os, cache] = [JSON.stringify(b.tunnel), JSON.stringify(e.tunnel)];
        this.violation(w, `binding ${e.homeAddress}: OS tunnel ${os} ≠ ${cache}`);
      }
      if (!dp.proxyNd.has(e.homeAddress)) this.violation(w, `binding ${e.homeAddress} has no proxy ND entry`);
    }
    for (const hoa of dp.bindings.keys()) {
      if (!w.ha.cache.get(hoa)) this.violation(w, `OS tunnel for ${hoa} without a binding (leak)`);
    }
    for (const a of dp.proxyNd) {
      const owner = [...w.ha.cache.entries()].some((e) => e.homeAddress === a || e.linkLocal === a);
      if (!owner) this.violation(w, `proxy ND entry ${a} without a binding (leak)`);
    }
  }

  haEvent(w: World, e: HaEvent): void {
    this.log?.(`${(w.now / 1000).toFixed(3)} HA ${JSON.stringify(e)}`);
    switch (e.type) {
      case 'binding-accepted': {
        this.counts.accepted++;
        if (!this.authorisedHomeAddresses.has(e.homeAddress)) {
          this.violation(w, `binding for unauthorised home address ${e.homeAddress}`);
        }
        if (e.ipv4HomeAddress !== undefined && !this.ipv4Authorised(e.ipv4HomeAddress)) {
          this.violation(w, `unauthorised IPv4 home address ${e.ipv4HomeAddress} for ${e.homeAddress}`);
        }
        const prev = this.lastSeq.get(e.homeAddress);
        if (prev !== undefined && !e.isNew && !seqNewer(e.sequence, prev)) {
          this.violation(w, `${e.homeAddress}: accepted sequence ${e.sequence} after ${prev}`);
        }
        this.lastSeq.set(e.homeAddress, e.sequence);
        this.haAcceptedAt.set(e.homeAddress, { at: w.now, lifetimeSeconds: e.lifetimeSeconds });
        return;
      }
      case 'binding-rejected': this.counts.rejected++; return;
      case 'binding-expired': case 'binding-deregistered': case 'binding-displaced':
        if (e.type === 'binding-expired') this.counts.expired++;
        this.haAcceptedAt.delete(e.homeAddress);
        this.lastSeq.delete(e.homeAddress);
        return;
      default: return;
    }
  }

  mnEvent(w: World, m: SimMobile, e: MnEvent): void {
    this.log?.(`${(w.now / 1000).toFixed(3)} ${m.name} ${JSON.stringify(e)}`);
    if (e.type === 'registered') {
      this.counts.registrations++;
      m.registeredAt = w.now;
      m.registeredLifetimeSeconds = e.lifetimeSeconds;
    } else if (e.type === 'care-of-changed' || e.type === 'deregistered' || e.type === 'at-home') {
      m.registeredAt = undefined;
    }
  }

  buSent(w: World, m: SimMobile): void {
    this.counts.busSent++;
    m.buSentAt.push(w.now);
    while (m.buSentAt.length > 0 && m.buSentAt[0] <= w.now - 1000) m.buSentAt.shift();
    if (m.buSentAt.length > 3) {
      this.violation(w, `${m.name} sent ${m.buSentAt.length} BUs within one second (RFC 6275 §11.8)`);
    }
  }
}
