/**
 * The home agent on its home link (RFC 6275 §10.3.1 step 10 and §10.4.1):
 *
 *  - Proxy ND (`defend`/`release`): with an NdListenPort (one packet socket hearing every NS/NA
 *    on the link) the home addresses are answered in userspace (neighbour-proxy.ts), O(1) per
 *    binding. Without one (no CAP_NET_RAW, no addon support, OS ports without it) `defend`
 *    returns false, once logged why, and the caller falls back to kernel proxy entries.
 *  - Duplicate Address Detection for a new home address (`dad`, RFC 4862 §5.4): one probe
 *    (DupAddrDetectTransmits = 1), then RetransTimer (the kernel's `retrans_time_ms` for the home
 *    interface, RFC 4861 §6.3.2); a valid NA for the target, or another node's probe for it,
 *    means duplicate. The listener hears both (NAs come to ff02::1, probes to any solicited-node
 *    group); without it the target's solicited-node group is joined on the ND port. Our own
 *    probe never comes back (IPV6_MULTICAST_LOOP off, the listener drops outgoing packets) and
 *    would be known by its nonce if it did. DADs of one burst of BUs share one timer; above
 *    DAD_IN_FLIGHT_MAX in flight (DAD_JOINED_MAX without the listener) an address is reported
 *    unique at once.
 *  - When proxy ND starts for an address: MAX_NEIGHBOR_ADVERTISEMENT unsolicited NAs with the
 *    home interface's MAC, RetransTimer apart; for proxy ARP, gratuitous ARP likewise.
 *
 * Sockets open on first use. Without them DAD reports "unique" after RetransTimer and
 * announcements are skipped, with warnings; nothing throws.
 */
import type { LinkLayerPort, NdListenPort, NdMessage, NdPort, PacketBatch } from '../os/ports.js';
import { canonicalIpv6 } from '../wire/addr.js';
import type { Logger } from './logger.js';
import {
  ARP_REPLY, ARP_REQUEST, ETHERNET_BROADCAST, ETHERTYPE_ARP, ICMPV6_NA, ICMPV6_NS, dadSignal,
  AdvertisementTemplate, gratuitousArp, linkFacts, solicitedNode, type LinkFacts,
} from './neighbour-packets.js';
import { RETRANS_TIMER_MS, TimerRounds } from './neighbour-kernel.js';
import { DadTable, ProbeWriter, type DadDone } from './neighbour-dad.js';
import { Announcer } from './neighbour-announce.js';
import { SolicitedGroups } from './neighbour-groups.js';
import { ProxyResponder } from './neighbour-proxy.js';
import { NdSendQueue } from './neighbour-send.js';
import { ndMessageOf } from './neighbour-proxy-packets.js';

export { linkFacts, type LinkFacts } from './neighbour-packets.js';

export {
  RETRANS_TIMER_MS, KERNEL_FACTS_TTL_MS, cachedFor, kernelRetransTimerMs,
} from './neighbour-kernel.js';
/** RFC 4862 §5.1 default. */
export const DUP_ADDR_DETECT_TRANSMITS = 1;
export { MAX_NEIGHBOR_ADVERTISEMENT } from './neighbour-announce.js';
/**
 * DADs probing at once; above it an address is reported unique at once (see the header). With the
 * listener a waiting DAD is a small record; without it each joins a solicited-node group on the
 * ND socket, and a socket's memberships are few (their memory counts against optmem_max).
 */
export const DAD_IN_FLIGHT_MAX = 65_536;
export const DAD_JOINED_MAX = 256;
export { DAD_RESULTS_PER_TURN } from './neighbour-dad.js';

export interface HomeLinkDeps {
  readonly openNd: () => NdPort;
  readonly openLinkLayer: () => LinkLayerPort;
  /** Every NS/NA on the link, for userspace proxy ND; absent: kernel proxy entries, group joins. */
  readonly openListener?: () => NdListenPort;
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

type Port<T> = { port: T } | { error: string };

export class HomeLink {
  readonly counters: HomeLinkCounters = {
    dadStarted: 0, dadDuplicate: 0, dadUnique: 0, dadSkipped: 0, probesSent: 0,
    advertisementsSent: 0, arpSent: 0, sendErrors: 0, ignored: 0,
  };
  private nd: Port<NdPort> | undefined;
  private link: Port<LinkLayerPort> | undefined;
  private listener: Port<NdListenPort> | undefined;
  readonly proxy: ProxyResponder;
  private readonly dads: DadTable;
  private readonly groups: SolicitedGroups;
  private readonly queue = new NdSendQueue((lost, error) => {
    this.counters.sendErrors += lost;
    this.deps.log.limited('home-link-batch', 'warn', 'cannot send on the home link', { lost, error });
  });
  private readonly ndAnnouncer: Announcer;
  private readonly arpAnnouncer: Announcer;
  private readonly probes: ProbeWriter;
  /** Reports of DADs that were not performed, still to come. */
  private readonly skipped = new Set<ReturnType<typeof setTimeout>>();
  /** Reports of DADs not performed (too many in flight). */
  private readonly atOnce = new TimerRounds();
  private closed = false;
  private na: AdvertisementTemplate | undefined;

  constructor(private readonly deps: HomeLinkDeps) {
    this.groups = new SolicitedGroups(deps.log);
    const interval = (): number => this.retransTimerMs;
    this.ndAnnouncer = new Announcer(deps.facts, interval, deps.log, (a, f) => this.sendNa(a, f));
    this.arpAnnouncer = new Announcer(deps.facts, interval, deps.log, (a, f) => this.sendArp(a, f));
    this.probes = new ProbeWriter(deps.nonce);
    this.dads = new DadTable({
      counters: this.counters, log: deps.log,
      leave: (group) => this.groups.leave(this.nd && 'port' in this.nd ? this.nd.port : undefined, group),
    });
    this.proxy = new ProxyResponder({
      facts: deps.facts, log: deps.log,
      send: (p) => {
        const nd = this.ndPort();
        if ('error' in nd) throw new Error(nd.error);
        this.queue.send(nd.port, p);
      },
    });
  }

  /** Answers NSs for `address` in userspace; false when there is no listener (use the kernel). */
  defend(address: string): boolean {
    if (this.closed || !this.listening()) return false;
    this.proxy.defend(address);
    return true;
  }

  /** Stops answering for `address`; false when it was not defended in userspace. */
  release(address: string): boolean {
    return this.proxy.release(address);
  }

  /** RetransTimer now, ms. */
  get retransTimerMs(): number {
    return this.deps.retransTimerMs?.() ?? RETRANS_TIMER_MS;
  }

  /** DADs probing now. */
  get inFlight(): number {
    return this.dads.size;
  }

  /** Runs DAD for `address`; `done(duplicate)` is called once, after about RetransTimer. */
  dad(address: string, done: DadDone): void {
    if (this.closed) return;
    const key = canonicalIpv6(address);
    if (key !== undefined && this.dads.join(key, done)) return;
    const nd = this.ndPort();
    const max = this.listening() ? DAD_IN_FLIGHT_MAX : DAD_JOINED_MAX;
    if (key === undefined || 'error' in nd || this.dads.size >= max) {
      const why = key === undefined ? 'not an IPv6 address' : 'error' in nd ? nd.error
        : `${this.dads.size} DADs in flight (max ${max})`;
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
    const group = this.listening() ? undefined : this.groups.join(nd.port, key);
    const p = this.probes;
    this.attempt('probesSent', key, () => {
      const probe = p.write(key);
      if (probe !== undefined) this.queue.send(nd.port, probe);
    });
    // The probe writer holds the nonce it just wrote; the DAD record copies it.
    this.dads.start(key, p, group, done, this.retransTimerMs * DUP_ADDR_DETECT_TRANSMITS);
    this.counters.dadStarted++;
    if (this.deps.log.enabled('debug')) this.deps.log.debug('DAD started on the home link', { address: key });
  }

  /** Proxy ND started for `address`: unsolicited NAs (RFC 6275 §10.4.1). */
  announceNeighbour(address: string): void {
    this.ndAnnouncer.start(address);
  }

  /** Proxy ARP started for the IPv4 `address`: gratuitous ARP, request and reply. */
  announceArp(address: string): void {
    this.arpAnnouncer.start(address);
  }

  /** Proxying stopped for `address`: no more announcements for it. */
  stopAnnouncing(address: string): void {
    this.ndAnnouncer.stop(address);
    this.arpAnnouncer.stop(address);
  }

  private sendNa(address: string, facts: LinkFacts): void {
    const nd = this.ndPort();
    if ('error' in nd) return this.ndAnnouncer.skip(address, nd.error);
    this.attempt('advertisementsSent', address,
      () => this.queue.send(nd.port, (this.na = AdvertisementTemplate.of(this.na, facts)).build(address)));
  }

  private sendArp(address: string, facts: LinkFacts): void {
    const link = this.linkPort();
    if ('error' in link) return this.arpAnnouncer.skip(address, link.error);
    for (const op of [ARP_REQUEST, ARP_REPLY] as const) {
      this.attempt('arpSent', address,
        () => link.port.send(ETHERTYPE_ARP, ETHERNET_BROADCAST, gratuitousArp(op, address, facts.mac)));
    }
  }

  /** Stops every timer and closes the sockets; pending DADs never report. Idempotent. */
  close(): void {
    this.closed = true;
    this.atOnce.clear();
    this.dads.clear();
    this.ndAnnouncer.close();
    this.arpAnnouncer.close();
    try { this.queue.flush(); } catch { /* closing anyway */ }
    for (const t of this.skipped) clearTimeout(t);
    this.skipped.clear();
    for (const p of [this.nd, this.link, this.listener]) if (p && 'port' in p) p.port.close();
    this.nd = { error: 'closed' };
    this.link = { error: 'closed' };
    this.listener = { error: 'closed' };
  }

  private onMessage(m: NdMessage): void {
    if (this.dads.size === 0) return;
    const s = dadSignal(m);
    if (s === undefined) this.counters.ignored++;
    else this.dads.heard(s);
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

  /** The listener, opened once on first use (a failure is logged and kept: kernel fallback). */
  private listening(): boolean {
    if (this.listener === undefined) {
      this.listener = this.deps.openListener ? open(this.deps.openListener)
        : { error: 'these OS ports have no link listener' };
      if ('port' in this.listener) {
        this.listener.port.onBatch((b) => this.onListened(b), (e) => this.deps.log.limited('nd-listen-rx',
          'warn', 'home link receive error', { error: e.code }));
        this.deps.log.info('proxy ND in userspace (packet socket on the home link)');
      } else {
        this.deps.log.warn('userspace proxy ND unavailable: kernel proxy entries and group joins used',
          { why: this.listener.error });
      }
    }
    return 'port' in this.listener;
  }

  private onListened(b: PacketBatch): void {
    for (let i = 0; i < b.count; i++) {
      const p = b.packet(i);
      this.proxy.packet(p);
      if (this.dads.size > 0) this.onMessage(ndMessageOf(p, 0));
    }
  }

  /** The ND port, opened on first use; a failed open is tried again on the next use. */
  private ndPort(): Port<NdPort> {
    if (this.nd === undefined || ('error' in this.nd && !this.closed)) {
      this.nd = open(this.deps.openNd);
      if ('port' in this.nd && !this.listening()) {
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
