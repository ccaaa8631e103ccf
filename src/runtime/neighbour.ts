/**
 * The home agent on its home link (RFC 6275 §10.3.1 step 10 and §10.4.1):
 *
 *  - Duplicate Address Detection for a new home address (`dad`, RFC 4862 §5.4): join the
 *    target's solicited-node group, send one probe (DupAddrDetectTransmits = 1), wait
 *    RetransTimer (the kernel's value for the home interface, `retrans_time_ms`, which the
 *    home link's RAs may change, RFC 4861 §6.3.2; 1 s by default); a valid NA for the target,
 *    or another node's probe for it, means duplicate. Our own probe never comes back
 *    (IPV6_MULTICAST_LOOP is off) and would be recognised by its nonce if it did. DADs are
 *    pipelined: those a burst of BUs starts share one timer. Any number run at once, up to
 *    DAD_IN_FLIGHT_MAX; above that an address is reported unique at once, as the engine does
 *    when a DAD times out (the engine's `bindingsMax` bounds pending DADs first).
 *  - When proxy ND starts for an address: MAX_NEIGHBOR_ADVERTISEMENT unsolicited NAs with the
 *    home interface's MAC, RetransTimer apart, so neighbours that cached the mobile node's own
 *    MAC switch to the home agent. When proxy ARP starts for an IPv4 home address: gratuitous
 *    ARP (a request and a reply each round) on the same schedule.
 *
 * Sockets open on first use. Without them (no CAP_NET_RAW, OS ports without a link) DAD reports
 * "unique" after RetransTimer and announcements are skipped, with warnings; nothing throws.
 */
import { randomBytes } from 'node:crypto';
import type { LinkLayerPort, NdMessage, NdPort } from '../os/ports.js';
import { canonicalIpv6 } from '../wire/addr.js';
import type { Logger } from './logger.js';
import {
  ARP_REPLY, ARP_REQUEST, ETHERNET_BROADCAST, ETHERTYPE_ARP, ICMPV6_NA, ICMPV6_NS, dadSignal,
  dadSolicitation, gratuitousArp, linkFacts, sameBytes, solicitedNode, unsolicitedAdvertisement,
  type LinkFacts,
} from './neighbour-packets.js';
import { RETRANS_TIMER_MS, TimerRounds } from './neighbour-kernel.js';

export { linkFacts, type LinkFacts } from './neighbour-packets.js';

export {
  RETRANS_TIMER_MS, KERNEL_FACTS_TTL_MS, cachedFor, kernelRetransTimerMs,
} from './neighbour-kernel.js';
/** RFC 4862 §5.1 default. */
export const DUP_ADDR_DETECT_TRANSMITS = 1;
/** RFC 4861 §10. Gratuitous ARP uses the same count. */
export const MAX_NEIGHBOR_ADVERTISEMENT = 3;
/** DADs probing at once; above it an address is reported unique at once (see the header). */
export const DAD_IN_FLIGHT_MAX = 256;

export interface HomeLinkDeps {
  readonly openNd: () => NdPort;
  readonly openLinkLayer: () => LinkLayerPort;
  /** Throws when the interface has no MAC or no IPv6 address. */
  readonly facts: () => LinkFacts;
  readonly log: Logger;
  readonly nonce?: () => Uint8Array;
  /** The home interface's RetransTimer in ms (default RETRANS_TIMER_MS). */
  readonly retransTimerMs?: () => number;
}


export interface HomeLinkCounters {
  dadStarted: number; dadDuplicate: number; dadUnique: number;
  /** Reported unique without probing: too many in flight, or no socket. */
  dadSkipped: number;
  probesSent: number; advertisementsSent: number; arpSent: number; sendErrors: number;
  /** NS/NA that were not valid (hop limit, checksum, format) or our own probe come back. */
  ignored: number;
}

interface Dad {
  readonly address: string; readonly nonce: Uint8Array; readonly group: string | undefined;
  readonly done: ((duplicate: boolean) => void)[];
}

type Port<T> = { port: T } | { error: string };

export class HomeLink {
  readonly counters: HomeLinkCounters = {
    dadStarted: 0, dadDuplicate: 0, dadUnique: 0, dadSkipped: 0, probesSent: 0,
    advertisementsSent: 0, arpSent: 0, sendErrors: 0, ignored: 0,
  };
  private nd: Port<NdPort> | undefined;
  private link: Port<LinkLayerPort> | undefined;
  private readonly dads = new Map<string, Dad>();
  /** Solicited-node groups joined, with how many DADs use each. */
  private readonly groups = new Map<string, number>();
  private readonly announcing = new Map<string, ReturnType<typeof setTimeout>>();
  /** Reports of DADs that were not performed, still to come. */
  private readonly skipped = new Set<ReturnType<typeof setTimeout>>();
  /** DAD timers, one per burst; reports of DADs not performed (too many in flight). */
  private readonly rounds = new TimerRounds();
  private readonly atOnce = new TimerRounds();
  private closed = false;

  constructor(private readonly deps: HomeLinkDeps) {}

  /** RetransTimer now, ms. */
  get retransTimerMs(): number {
    return this.deps.retransTimerMs?.() ?? RETRANS_TIMER_MS;
  }

  /** DADs probing now. */
  get inFlight(): number {
    return this.dads.size;
  }

  /** Runs DAD for `address`; `done(duplicate)` is called once, after about RetransTimer. */
  dad(address: string, done: (duplicate: boolean) => void): void {
    if (this.closed) return;
    const key = canonicalIpv6(address);
    const running = key !== undefined ? this.dads.get(key) : undefined;
    if (running) { running.done.push(done); return; }
    const nd = this.ndPort();
    if (key === undefined || 'error' in nd || this.dads.size >= DAD_IN_FLIGHT_MAX) {
      const why = key === undefined ? 'not an IPv6 address' : 'error' in nd ? nd.error
        : `${this.dads.size} DADs in flight (max ${DAD_IN_FLIGHT_MAX})`;
      this.deps.log.limited(`dad-skip ${why}`, 'warn', 'DAD not performed; address treated as unique',
        { address, why });
      this.counters.dadSkipped++;
      if ('error' in nd) {
        const t = setTimeout(() => { this.skipped.delete(t); done(false); }, this.retransTimerMs);
        this.skipped.add(t);
      } else {
        this.atOnce.add(0, () => done(false));
      }
      return;
    }
    const d: Dad = { address: key, nonce: this.nonce(), group: this.join(nd.port, key), done: [done] };
    this.dads.set(key, d);
    this.counters.dadStarted++;
    this.deps.log.debug('DAD started on the home link', { address: key });
    this.attempt('probesSent', key, () => nd.port.send(dadSolicitation(key, d.nonce)));
    this.joinRound(d);
  }

  /**
   * Pipelined DAD: the probes of one burst of registrations (one received batch) wait out
   * RetransTimer under one timer, and their results are delivered in one callback, so the
   * registrations they complete are applied and acknowledged together.
   */
  private joinRound(d: Dad): void {
    this.rounds.add(this.retransTimerMs * DUP_ADDR_DETECT_TRANSMITS, () => this.finish(d, false));
  }

  /** Proxy ND started for `address`: unsolicited NAs (RFC 6275 §10.4.1). */
  announceNeighbour(address: string): void {
    this.announce(address, (facts) => {
      const nd = this.ndPort();
      if ('error' in nd) return this.skipAnnouncing(address, nd.error);
      this.attempt('advertisementsSent', address,
        () => nd.port.send(unsolicitedAdvertisement(facts.source, address, facts.mac)));
    });
  }

  /** Proxy ARP started for the IPv4 `address`: gratuitous ARP, request and reply. */
  announceArp(address: string): void {
    this.announce(address, (facts) => {
      const link = this.linkPort();
      if ('error' in link) return this.skipAnnouncing(address, link.error);
      for (const op of [ARP_REQUEST, ARP_REPLY] as const) {
        this.attempt('arpSent', address,
          () => link.port.send(ETHERTYPE_ARP, ETHERNET_BROADCAST, gratuitousArp(op, address, facts.mac)));
      }
    });
  }

  /** Proxying stopped for `address`: no more announcements for it. */
  stopAnnouncing(address: string): void {
    const t = this.announcing.get(address);
    if (t !== undefined) clearTimeout(t);
    this.announcing.delete(address);
  }

  /** Stops every timer and closes the sockets; pending DADs never report. Idempotent. */
  close(): void {
    this.closed = true;
    this.rounds.clear();
    this.atOnce.clear();
    this.dads.clear();
    for (const t of [...this.announcing.values(), ...this.skipped]) clearTimeout(t);
    this.announcing.clear();
    this.skipped.clear();
    for (const p of [this.nd, this.link]) if (p && 'port' in p) p.port.close();
    this.nd = { error: 'closed' };
    this.link = { error: 'closed' };
  }

  /** Sends now and MAX_NEIGHBOR_ADVERTISEMENT - 1 more times, RetransTimer apart. */
  private announce(address: string, once: (facts: LinkFacts) => void): void {
    if (this.closed) return;
    this.stopAnnouncing(address);
    let facts: LinkFacts;
    try {
      facts = this.deps.facts();
    } catch (e) {
      return this.skipAnnouncing(address, String(e instanceof Error ? e.message : e));
    }
    let left = MAX_NEIGHBOR_ADVERTISEMENT;
    const round = (): void => {
      this.announcing.delete(address);
      once(facts);
      if (--left > 0 && !this.closed) this.announcing.set(address, setTimeout(round, this.retransTimerMs));
    };
    round();
  }

  /** One round could not be sent (the next round, if any, tries again). */
  private skipAnnouncing(address: string, why: string): void {
    this.deps.log.limited(`announce-skip ${why}`, 'warn', 'cannot announce on the home link',
      { address, why });
  }

  private onMessage(m: NdMessage): void {
    if (this.dads.size === 0) return;
    const s = dadSignal(m);
    if (s === undefined) { this.counters.ignored++; return; }
    const d = this.dads.get(s.target);
    if (d === undefined) return;
    if (s.kind === 'solicitation' && s.nonce !== undefined && sameBytes(s.nonce, d.nonce)) {
      this.counters.ignored++; // our own probe, looped back
      return;
    }
    this.deps.log.info('DAD: address in use on the home link', { address: d.address, seen: s.kind });
    this.finish(d, true);
  }

  private finish(d: Dad, duplicate: boolean): void {
    if (this.dads.get(d.address) !== d) return;
    this.dads.delete(d.address);
    this.leave(d.group);
    if (duplicate) this.counters.dadDuplicate++; else this.counters.dadUnique++;
    if (!duplicate) this.deps.log.debug('DAD: no duplicate on the home link', { address: d.address });
    for (const done of d.done) {
      try {
        done(duplicate);
      } catch (e) {
        this.deps.log.error('DAD result handler failed', { address: d.address, error: String(e) });
      }
    }
  }

  /** Joins the solicited-node group of `address` (shared by addresses with the same last 24 bits). */
  private join(nd: NdPort, address: string): string | undefined {
    const group = solicitedNode(address) as string;
    const n = this.groups.get(group) ?? 0;
    if (n === 0) {
      try {
        nd.joinGroup(group);
      } catch (e) {
        // Without the group, another node's simultaneous probe goes unheard; NAs still arrive.
        this.deps.log.limited('dad-join', 'warn', 'DAD: cannot join the solicited-node group',
          { group, error: String(e) });
        return undefined;
      }
    }
    this.groups.set(group, n + 1);
    return group;
  }

  private leave(group: string | undefined): void {
    if (group === undefined) return;
    const n = (this.groups.get(group) ?? 1) - 1;
    if (n > 0) { this.groups.set(group, n); return; }
    this.groups.delete(group);
    const nd = this.nd;
    if (nd && 'port' in nd) {
      try { nd.port.leaveGroup(group); } catch { /* the socket goes with close() anyway */ }
    }
  }

  /** Runs one send, counting it or its failure (logged, rate-limited). */
  private attempt(
    counter: 'probesSent' | 'advertisementsSent' | 'arpSent', address: string, act: () => void,
  ): void {
    try {
      act();
      this.counters[counter]++;
    } catch (e) {
      this.counters.sendErrors++;
      this.deps.log.limited(`home-link-send ${counter}`, 'warn', 'cannot send on the home link',
        { address, what: counter, error: String(e) });
    }
  }

  private nonce(): Uint8Array {
    return this.deps.nonce?.() ?? new Uint8Array(randomBytes(6));
  }

  /** The ND port, opened on first use; a failed open is tried again on the next use. */
  private ndPort(): Port<NdPort> {
    if (this.nd === undefined || ('error' in this.nd && !this.closed)) {
      this.nd = open(this.deps.openNd);
      if ('port' in this.nd) {
        this.nd.port.onMessage((m) => this.onMessage(m), (e) => this.deps.log.limited('nd-rx',
          'warn', 'home link receive error', { error: e.code }));
      }
    }
    return this.nd;
  }

  private linkPort(): Port<LinkLayerPort> {
    if (this.link === undefined || ('error' in this.link && !this.closed)) {
      this.link = open(this.deps.openLinkLayer);
    }
    return this.link;
  }
}

function open<T>(f: () => T): Port<T> {
  try {
    return { port: f() };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
