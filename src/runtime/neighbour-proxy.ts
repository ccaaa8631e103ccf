/**
 * Userspace proxy Neighbor Discovery for the home agent (RFC 6275 §10.4.1, RFC 4861 §7.2.8):
 * the home addresses it defends are a Set, and every Neighbor Solicitation heard on the home
 * link (an NdListenPort: one packet socket, no multicast group per address) whose target is in
 * it is validated and answered with a Neighbor Advertisement carrying the home agent's MAC. The
 * cost per binding is one Set entry (sharing the binding's string); the kernel keeps no proxy
 * entry and joins no group for it.
 * Malformed solicitations for defended addresses are dropped and counted.
 */
import { canonicalIpv6 } from '../wire/addr.js';
import type { Logger } from './logger.js';
import type { LinkFacts } from './neighbour-packets.js';
import {
  proxiedSolicitation, proxyAdvertisement, solicitationTarget,
} from './neighbour-proxy-packets.js';

export interface ProxyCounters {
  /** Valid NSs for a defended address, answered. */
  solicitationsAnswered: number;
  /** NSs for a defended address that failed RFC 4861 §7.1.1 validation (dropped). */
  solicitationsMalformed: number;
  /** Answers that could not be built or sent. */
  answerErrors: number;
}

export interface ProxyDeps {
  readonly facts: () => LinkFacts;
  /** Sends one whole IPv6 packet on the home link; throws on failure. */
  readonly send: (packet: Uint8Array) => void;
  readonly log: Logger;
}

/**
 * The RFC 5952 text of `address`: `address` itself when it already is (the home agent engine's
 * home addresses are), so the Set shares the binding's string instead of holding a copy.
 */
function canonical(address: string): string {
  const c = canonicalIpv6(address);
  return c === undefined || c === address ? address : c;
}

export class ProxyResponder {
  readonly counters: ProxyCounters = { solicitationsAnswered: 0, solicitationsMalformed: 0, answerErrors: 0 };
  private readonly defended = new Set<string>();

  constructor(private readonly deps: ProxyDeps) {}

  get size(): number {
    return this.defended.size;
  }

  defend(address: string): void {
    this.defended.add(canonical(address));
  }

  /** Stops defending `address`; false when it was not defended here. */
  release(address: string): boolean {
    return this.defended.delete(canonical(address));
  }

  defends(address: string): boolean {
    return this.defended.has(canonical(address));
  }

  /** One received packet (whole IPv6): answered when it is a valid NS for a defended address. */
  packet(p: Uint8Array): void {
    const target = solicitationTarget(p);
    if (target === undefined || !this.defended.has(target)) return;
    const ns = proxiedSolicitation(p);
    if (!ns.ok) {
      this.counters.solicitationsMalformed++;
      this.deps.log.limited(`proxy-ns ${ns.fault}`, 'debug', 'proxy ND: invalid solicitation dropped',
        { target, fault: ns.fault });
      return;
    }
    try {
      const f = this.deps.facts();
      this.deps.send(proxyAdvertisement(ns.value, f.source, f.mac));
      this.counters.solicitationsAnswered++;
    } catch (e) {
      this.counters.answerErrors++;
      this.deps.log.limited('proxy-na', 'warn', 'proxy ND: cannot answer a solicitation',
        { target, error: String(e instanceof Error ? e.message : e) });
    }
  }
}
