/**
 * Test world for the Mobile Node engine: a configuration, a driver on virtual time, packet
 * builders for what the home agent sends (real encodings, checksums included), and output
 * filters. Not a test file itself.
 */
import assert from 'node:assert/strict';
import { MobileNode } from '../../src/engine/mn/mobile-node.js';
import type {
  MnEvent, MnInput, MnOsOp, MnOutput, MobileNodeConfig,
} from '../../src/engine/mn/types.js';
import type { ReceivedMh, SendMh } from '../../src/engine/types.js';
import type { Prng } from '../../src/proto/prng.js';
import { ipv4MappedIpv6 } from '../../src/wire/addr.js';
import type { MobilityMessage } from '../../src/wire/mh/messages.js';
import type { MobilityOption } from '../../src/wire/mh/options.js';
import {
  decodeMobilityPacket, encodeMobilityPacket, type ReceivedMobilityPacket,
} from '../../src/wire/mh/packet.js';
import { decodeUdpEncapsulation4, encodeUdpEncapsulation4 } from '../../src/wire/udp-encap.js';

export const HOA = '2001:db8:1::100';
export const HOME_SLAAC = '2001:db8:1::abcd';
export const HA = '2001:db8:1::1';
export const HA4 = '203.0.113.1';
export const HA_PORT = 4191;
export const MN_PORT = 40000;
export const COA6 = '2001:db8:2::10';
export const COA6B = '2001:db8:3::20';
export const COA4 = '198.51.100.10';
export const COA4B = '192.0.2.77';
export const ROUTER6 = 'fe80::1';
export const ROUTER4 = '198.51.100.1';
export const LIFETIME = 600;

export function mnConfig(over: Partial<MobileNodeConfig> = {}): MobileNodeConfig {
  return {
    homeAddress: HOA, homePrefixLength: 64, homeAgentAddress: HA, homeAgentIpv4Address: HA4,
    homeAgentUdpPort: HA_PORT, useDsmip6: true, forceUdp: false, mobileRouter: false,
    explicitMode: true, mobileNetworkPrefixes: [], maxBindingLifetimeSeconds: LIFETIME,
    initialBindackTimeoutFirstRegMs: 1500, initialBindackTimeoutReRegMs: 1000,
    interfaces: [{ name: 'eth0', preference: 1 }, { name: 'wlan0', preference: 2 },
      { name: 'wwan0', preference: 3 }],
    udpSourcePort: MN_PORT,
    ...over,
  };
}

/** next() = 0.5: no jitter; the first sequence number is 32768. */
export class MidPrng implements Prng {
  next(): number { return 0.5; }
  below(n: number): number { return Math.floor(0.5 * n); }
}

export const FIRST_SEQ = 32768;

export class World {
  now = 0;
  readonly mn: MobileNode;

  constructor(config: MobileNodeConfig = mnConfig(), prng: Prng = new MidPrng()) {
    this.mn = new MobileNode(config, prng);
  }

  feed(input: MnInput): MnOutput[] {
    return this.mn.handle(this.now, input);
  }

  feedAll(inputs: readonly MnInput[]): MnOutput[] {
    return inputs.flatMap((i) => this.feed(i));
  }

  link(ifname: string, up = true): MnOutput[] {
    return this.feed({ kind: 'link', ifname, up });
  }

  address(ifname: string, address: string, present = true, prefixLength = 64): MnOutput[] {
    const family = address.includes(':') ? 6 : 4;
    return this.feed({ kind: 'address', ifname, family, address, prefixLength, present });
  }

  router(ifname: string, address: string, present = true): MnOutput[] {
    const family = address.includes(':') ? 6 : 4;
    return this.feed({ kind: 'default-router', ifname, family, address, present });
  }

  /** Link up, an address, and a default router of the address's family. */
  attach(ifname: string, address: string): MnOutput[] {
    const router = address.includes(':') ? ROUTER6 : ROUTER4;
    return [...this.link(ifname), ...this.address(ifname, address), ...this.router(ifname, router)];
  }

  /** Runs every timer up to `now + ms`, in order; returns each firing's time and outputs. */
  steps(ms: number): { at: number; out: MnOutput[] }[] {
    const target = this.now + ms;
    const fired: { at: number; out: MnOutput[] }[] = [];
    for (let guard = 0; guard < 100_000; guard++) {
      const d = this.mn.nextDeadline();
      if (d === undefined || d > target) break;
      this.now = Math.max(this.now, d);
      fired.push({ at: this.now, out: this.mn.onTimeout(this.now) });
    }
    this.now = target;
    return fired;
  }

  /** Runs every timer up to `now + ms` and returns what they produced. */
  advance(ms: number): MnOutput[] {
    return this.steps(ms).flatMap((s) => s.out);
  }

  /** Time of the next deadline relative to now. */
  untilDeadline(): number | undefined {
    const d = this.mn.nextDeadline();
    return d === undefined ? undefined : d - this.now;
  }
}

export function sends(out: readonly MnOutput[]): SendMh[] {
  return out.filter((o): o is SendMh => o.kind === 'send-mh');
}

export function events(out: readonly MnOutput[]): MnEvent[] {
  return out.flatMap((o) => (o.kind === 'event' ? [o.event] : []));
}

export function eventsOf<T extends MnEvent['type']>(
  out: readonly MnOutput[], type: T,
): Extract<MnEvent, { type: T }>[] {
  return events(out).filter((e): e is Extract<MnEvent, { type: T }> => e.type === type);
}

export function ops(out: readonly MnOutput[]): MnOsOp[] {
  return out.flatMap((o) => (o.kind === 'os' ? [o.op] : []));
}

/** A compact trace of the outputs, for asserting exact sequences. */
export function trace(out: readonly MnOutput[]): string[] {
  return out.map((o) => {
    if (o.kind === 'send-mh') return `send ${o.via.kind} ${o.packet.mh.message.type}`;
    if (o.kind === 'os') return `os ${o.op.op}`;
    return `event ${o.event.type}`;
  });
}

export type Bu = Extract<MobilityMessage, { type: 'binding-update' }>;

/** The one BU among the outputs, its message, and the packet as it decodes off the wire. */
export function onlyBu(out: readonly MnOutput[]): { send: SendMh; bu: Bu; wire: ReceivedMobilityPacket } {
  const s = sends(out);
  assert.equal(s.length, 1, `expected one BU, got ${s.length}: ${trace(out).join(', ')}`);
  const m = s[0].packet.mh.message;
  assert.equal(m.type, 'binding-update');
  const r = decodeMobilityPacket(encodeMobilityPacket(s[0].packet));
  if (!r.ok) assert.fail(`BU does not decode: ${JSON.stringify(r.error)}`);
  return { send: s[0], bu: m as Bu, wire: r.value };
}

export interface BaSpec {
  readonly sequence: number;
  readonly status?: number;
  readonly flags?: number;
  readonly lifetimeSeconds?: number;
  readonly options?: readonly MobilityOption[];
  /** The care-of address the BA goes to: IPv6, or IPv4 (then it arrives over UDP). */
  readonly to?: string;
  readonly routingAddress?: string | null;
  readonly source?: string;
  readonly udpSource?: string;
  readonly udpSourcePort?: number;
}

/** Encodes an MH packet from the HA and wraps it as the engine receives it. */
export function fromHa(message: MobilityMessage, spec: Omit<BaSpec, 'sequence'> = {}): ReceivedMh {
  const to = spec.to ?? COA6;
  const v4 = !to.includes(':');
  const rh2 = spec.routingAddress === undefined ? HOA : spec.routingAddress;
  const inner = encodeMobilityPacket({
    source: spec.source ?? HA, destination: v4 ? ipv4MappedIpv6(to) : to,
    ...(rh2 !== null ? { type2RoutingAddress: rh2 } : {}),
    mh: { payloadProto: 59, message, options: spec.options ?? [] },
  });
  if (!v4) return { kind: 'mh', via: { kind: 'ipv6' }, bytes: inner };
  const outer = encodeUdpEncapsulation4({
    source: spec.udpSource ?? HA4, destination: to, sourcePort: spec.udpSourcePort ?? HA_PORT,
    destinationPort: MN_PORT, inner,
  });
  const d = decodeUdpEncapsulation4(outer);
  if (!d.ok) assert.fail('test UDP encapsulation does not decode');
  const e = d.value;
  return {
    kind: 'mh',
    via: {
      kind: 'udp4', source: e.source, sourcePort: e.sourcePort, destination: e.destination,
      destinationPort: e.destinationPort,
    },
    bytes: e.inner,
  };
}

export function ba(spec: BaSpec): ReceivedMh {
  return fromHa({
    type: 'binding-ack', status: spec.status ?? 0, flags: spec.flags ?? 0,
    sequence: spec.sequence, lifetimeSeconds: spec.lifetimeSeconds ?? LIFETIME,
  }, spec);
}

/** A World away on eth0 with an IPv6 CoA, registered (BA accepted); returns the outputs. */
export function registeredOn6(w: World, coa = COA6): MnOutput[] {
  const { bu } = onlyBu(w.attach('eth0', coa));
  w.now += 100;
  return w.feed(ba({ sequence: bu.sequence, to: coa }));
}
