/**
 * The simulated world: one home agent, mobile nodes, networks with NATs, and a correspondent,
 * on virtual time (conventions C11). Engines are called synchronously; their packets are encoded
 * to real bytes (so the codecs run too), carried through impairments and NATs, and decoded by the
 * receiving engine. Nothing here reads a clock or uses Math.random: a run is a function of its
 * seed.
 */
import type { HomeAgent } from '../engine/ha/home-agent.js';
import type { HaInput, HaOutput } from '../engine/ha/types.js';
import type { MnInput, MnOutput } from '../engine/mn/types.js';
import type { SendMh } from '../engine/types.js';
import type { Prng } from '../proto/prng.js';
import type { Instant } from '../proto/time.js';
import { encodeMobilityPacket } from '../wire/mh/packet.js';
import { EventQueue } from './event-queue.js';
import { HaDataplane, type SimMobile } from './nodes.js';
import {
  HA_ADDRESS, HA_IPV4_PRIVATE_BEHIND_NAT, HA_IPV4_PUBLIC, HA_NAT_PUBLIC, type SimNetwork,
} from './topology.js';
import type { Observer } from './observer.js';

export interface Impairment {
  readonly lossRate: number;
  readonly duplicateRate: number;
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
}

export class World {
  readonly queue = new EventQueue();
  now: Instant = 0;
  readonly haDataplane = new HaDataplane();
  readonly mobiles: SimMobile[] = [];
  private haTimerAt: Instant | undefined;
  /** Networks cut off until the given time. */
  readonly partitionedUntil = new Map<string, Instant>();
  counters = { delivered: 0, lost: 0, duplicated: 0, misrouted: 0 };

  constructor(
    readonly prng: Prng,
    readonly ha: HomeAgent,
    readonly networks: Map<string, SimNetwork>,
    readonly impairment: Impairment,
    readonly haBehindNat: boolean,
    readonly observer: Observer,
  ) {}

  /** The address a mobile node sends to for the home agent over IPv4. */
  get haIpv4Public(): string {
    return this.haBehindNat ? HA_NAT_PUBLIC : HA_IPV4_PUBLIC;
  }

  /** The address the home agent's own socket has (private behind its NAT). */
  get haIpv4Local(): string {
    return this.haBehindNat ? HA_IPV4_PRIVATE_BEHIND_NAT : HA_IPV4_PUBLIC;
  }

  at(t: Instant, run: () => void): void {
    this.queue.schedule(Math.max(t, this.now), run);
  }

  runUntil(end: Instant): void {
    for (let t = this.queue.peekTime(); t !== undefined && t <= end; t = this.queue.peekTime()) {
      const e = this.queue.pop()!;
      this.now = e.at;
      e.run();
      this.observer.afterStep(this);
    }
    this.now = end;
  }

  partitioned(n: SimNetwork | undefined): boolean {
    return n !== undefined && (this.partitionedUntil.get(n.name) ?? -1) > this.now;
  }

  /** Carries something across a mobile node's access network: loss, duplication, delay. */
  carry(n: SimNetwork | undefined, deliver: () => void): 'sent' | 'lost' {
    if (this.partitioned(n) || this.prng.next() < this.impairment.lossRate) {
      this.counters.lost++;
      return 'lost';
    }
    const copies = this.prng.next() < this.impairment.duplicateRate ? 2 : 1;
    if (copies === 2) this.counters.duplicated++;
    for (let i = 0; i < copies; i++) {
      const { delayMinMs: lo, delayMaxMs: hi } = this.impairment;
      this.at(this.now + lo + this.prng.next() * (hi - lo), deliver);
    }
    return 'sent';
  }

  // ---- the home agent ----

  feedHa(input: HaInput): void {
    this.haOutputs(this.ha.handle(this.now, input));
  }

  private haOutputs(outs: readonly HaOutput[]): void {
    for (const o of outs) {
      if (o.kind === 'send-mh') this.fromHa(o);
      else if (o.kind === 'os') {
        this.haDataplane.apply(o.op);
        if (o.op.op === 'dad-start') {
          const address = o.op.address;
          this.at(this.now + 1000, () => this.feedHa({ kind: 'dad-result', address, duplicate: false }));
        }
      } else this.observer.haEvent(this, o.event);
    }
    this.armHaTimer();
  }

  private armHaTimer(): void {
    const d = this.ha.nextDeadline();
    const armed = this.haTimerAt;
    if (d === undefined || (armed !== undefined && armed <= d && armed >= this.now)) return;
    this.haTimerAt = d;
    this.at(d, () => {
      this.haTimerAt = undefined;
      this.haOutputs(this.ha.onTimeout(this.now));
    });
  }

  private fromHa(s: SendMh): void {
    const bytes = encodeMobilityPacket(s.packet);
    if (s.via.kind === 'ipv6') {
      const dst = s.packet.destination;
      const m = this.mobiles.find((x) => x.coa6 === dst || (x.atHome() && x.homeAddress === dst));
      if (!m) { this.counters.misrouted++; return; }
      const net = m.network;
      this.carry(net, () => {
        if (m.network !== net || (m.coa6 !== dst && m.homeAddress !== dst)) return;
        this.feedMn(m, { kind: 'mh', via: { kind: 'ipv6' }, bytes });
      });
      return;
    }
    const { destination, destinationPort } = s.via;
    const target = this.resolveIpv4(destination, destinationPort);
    if (!target) { this.counters.misrouted++; return; }
    const { m, net, port } = target;
    this.carry(net, () => {
      if (m.network !== net || m.coa4 === undefined) return;
      const via = {
        kind: 'udp4' as const, source: this.haIpv4Public, sourcePort: 4191,
        destination: m.coa4, destinationPort: port,
      };
      this.feedMn(m, { kind: 'mh', via, bytes });
    });
  }

  /** The mobile node behind an IPv4 address/port as the Internet sees it (through its NAT). */
  resolveIpv4(address: string, port: number): { m: SimMobile; net: SimNetwork; port: number } | undefined {
    for (const net of this.networks.values()) {
      if (net.nat && net.nat.publicAddress === address) {
        const inside = net.nat.inbound(this.now, port);
        if (!inside) return undefined;
        const m = this.mobiles.find((x) => x.network === net && x.coa4 === inside.address);
        return m ? { m, net, port: inside.port } : undefined;
      }
    }
    const m = this.mobiles.find((x) => x.coa4 === address && x.network?.nat === undefined);
    return m && m.network ? { m, net: m.network, port } : undefined;
  }

  // ---- mobile nodes ----

  feedMn(m: SimMobile, input: MnInput): void {
    this.mnOutputs(m, m.engine.handle(this.now, input));
  }

  mnOutputs(m: SimMobile, outs: readonly MnOutput[]): void {
    for (const o of outs) {
      if (o.kind === 'send-mh') this.fromMn(m, o);
      else if (o.kind === 'os') m.apply(o.op);
      else this.observer.mnEvent(this, m, o.event);
    }
    this.armMnTimer(m);
  }

  private armMnTimer(m: SimMobile): void {
    const d = m.engine.nextDeadline();
    if (d === undefined || (m.timerAt !== undefined && m.timerAt <= d && m.timerAt >= this.now)) return;
    m.timerAt = d;
    this.at(d, () => {
      m.timerAt = undefined;
      this.mnOutputs(m, m.engine.onTimeout(this.now));
    });
  }

  private fromMn(m: SimMobile, s: SendMh): void {
    if (s.packet.mh.message.type === 'binding-update') this.observer.buSent(this, m);
    const bytes = encodeMobilityPacket(s.packet);
    const net = m.network;
    if (s.via.kind === 'ipv6') {
      const src = s.packet.source;
      if (!net || net.prefix6 === undefined || (src !== m.coa6 && !(m.atHome() && src === m.homeAddress))) {
        const why = `${m.name} sent an IPv6 BU from ${src}, not an address it has on ${net?.name}`;
        this.observer.violation(this, why);
        return;
      }
      if (s.packet.destination !== HA_ADDRESS) return;
      this.carry(net, () => this.feedHa({ kind: 'mh', via: { kind: 'ipv6' }, bytes }));
      return;
    }
    if (!net || m.coa4 === undefined || s.via.source !== m.coa4) {
      const why = `${m.name} sent a UDP BU from ${s.via.source}, not its IPv4 address on ${net?.name}`;
      this.observer.violation(this, why);
      return;
    }
    if (s.via.destination !== this.haIpv4Public || s.via.destinationPort !== 4191) return;
    const source = net.nat ? net.nat.publicAddress : m.coa4;
    const sourcePort = net.nat ? net.nat.outbound(this.now, m.coa4, s.via.sourcePort) : s.via.sourcePort;
    const destination = this.haIpv4Local;
    const via = { kind: 'udp4' as const, source, sourcePort, destination, destinationPort: 4191 };
    this.carry(net, () => this.feedHa({ kind: 'mh', via, bytes }));
  }
}
