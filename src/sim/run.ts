/**
 * One simulation run: builds the world from a scenario and a seed, runs it on virtual time and
 * returns what the checkers found. `runSim` is deterministic: the same options give the same
 * result, step for step.
 */
import { HomeAgent } from '../engine/ha/home-agent.js';
import { homeAgentConfig } from '../engine/ha/config.js';
import type { HomeAgentConfig } from '../engine/ha/types.js';
import type { TunnelEndpoint } from '../engine/types.js';
import { MobileNode } from '../engine/mn/mobile-node.js';
import type { MobileNodeConfig } from '../engine/mn/types.js';
import { Xoshiro128, type Prng } from '../proto/prng.js';
import { Ipv4Pool } from '../proto/ipv4-pool.js';
import { MN_IFNAME, SimMobile } from './nodes.js';
import { Observer, type Violation } from './observer.js';
import { probe, type ProbeStats } from './probes.js';
import { startRouterAdvertisements } from './router-adverts.js';
import { findScenario, type ScenarioPlan } from './scenarios.js';
import {
  HA_ADDRESS, HA_IPV4_PRIVATE_BEHIND_NAT, HA_IPV4_PUBLIC, HA_NAT_PUBLIC, HOME_PREFIX, IPV4_HOME_SUBNET,
  address4, address6, routerAddress4, routerAddress6, standardNetworks, type SimNetwork,
} from './topology.js';
import { World } from './world.js';

export interface SimOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly mobiles: number;
  readonly scenario: string;
  readonly log?: (line: string) => void;
  /** Changes to the home agent's configuration (tests use it to prove the checkers bite). */
  readonly haOverrides?: Partial<HomeAgentConfig>;
  /** A plan to run instead of the named scenario. */
  readonly plan?: ScenarioPlan;
}

export interface SimResult {
  readonly seed: number;
  readonly scenario: ScenarioPlan;
  readonly violations: readonly Violation[];
  readonly counts: Observer['counts'];
  readonly probes: ProbeStats;
  readonly network: World['counters'];
  readonly endMs: number;
  /** Each mobile node's tunnel and network at the end. */
  readonly final: readonly {
    readonly network: string | undefined; readonly tunnel: TunnelEndpoint | undefined;
  }[];
}

const NAT_IDLE_TIMEOUT_MS = 30_000;
const NAT_REFRESH_SECONDS = 20;
const PROBE_INTERVAL_MS = 1000;
const IPV4_POOL = '10.200.0.0/24';

function mnConfig(i: number, p: ScenarioPlan, haIpv4: string): MobileNodeConfig {
  const router = p.mobileRouter && i === 0;
  return {
    homeAddress: `2001:db8:1::${(0x100 + i).toString(16)}`, homePrefixLength: 64,
    homeAgentAddress: HA_ADDRESS, homeAgentIpv4Address: haIpv4, homeAgentUdpPort: 4191,
    useDsmip6: true, forceUdp: p.forceUdp, mobileRouter: router, explicitMode: true,
    mobileNetworkPrefixes: router ? [`2001:db8:ff${i.toString(16).padStart(2, '0')}::/64`] : [],
    ...(p.ipv4HomeAddress === 'static' ? { ipv4HomeAddress: `192.0.2.${100 + i}` } : {}),
    ...(p.ipv4HomeAddress === 'dynamic' ? { ipv4HomeAddress: '0.0.0.0' } : {}),
    maxBindingLifetimeSeconds: 60, initialBindackTimeoutFirstRegMs: 1500,
    initialBindackTimeoutReRegMs: 1000, interfaces: [{ name: MN_IFNAME, preference: 1 }],
    udpSourcePort: 4191,
  };
}

function buildWorld(o: SimOptions, prng: Prng, p: ScenarioPlan): World {
  const networks = standardNetworks(NAT_IDLE_TIMEOUT_MS);
  const haIpv4 = p.haBehindNat ? HA_NAT_PUBLIC : HA_IPV4_PUBLIC;
  const configs = Array.from({ length: o.mobiles }, (_, i) => mnConfig(i, p, haIpv4));
  const ha = new HomeAgent(homeAgentConfig({
    address: HA_ADDRESS, homePrefixes: [{ prefix: HOME_PREFIX }],
    ipv4Address: p.haBehindNat ? HA_IPV4_PRIVATE_BEHIND_NAT : HA_IPV4_PUBLIC,
    ipv4HomeSubnet: IPV4_HOME_SUBNET, acceptDsmip6: true, natRefreshSeconds: NAT_REFRESH_SECONDS,
    behindNat: p.haBehindNat, acceptMobileRouter: true, defaultAclPolicy: 'deny',
    acl: configs.map((c) => ({
      homeAddress: c.homeAddress, prefixes: c.mobileNetworkPrefixes, action: 'allow' as const,
    })),
    ipv4Authorizations: configs.filter((c) => c.ipv4HomeAddress && c.ipv4HomeAddress !== '0.0.0.0')
      .map((c) => ({ ipv4HomeAddress: c.ipv4HomeAddress!, prefixes: [], homeAddress: c.homeAddress })),
    ipv4HomeAddressPool: IPV4_POOL, dad: true, refreshRequestLeadSeconds: 5, ...o.haOverrides,
  }));
  const pool = new Ipv4Pool(IPV4_POOL);
  const staticV4 = new Set(configs.map((c) => c.ipv4HomeAddress));
  const observer = new Observer(new Set(configs.map((c) => c.homeAddress)),
    (a) => staticV4.has(a) || pool.contains(a), o.log);
  const w = new World(prng, ha, networks, p.impairment, p.haBehindNat, observer);
  configs.forEach((c, i) => {
    w.mobiles.push(new SimMobile(i, `mn${i}`, c, new MobileNode(c, new Xoshiro128(o.seed * 31 + i)), 16 + i));
  });
  return w;
}

/** Tells the node about its addresses and default routers on `net` (appearing or going). */
function announce(w: World, m: SimMobile, net: SimNetwork, present: boolean): void {
  const families = [
    { family: 6 as const, address: m.coa6, prefixLength: 64, router: routerAddress6(net) },
    { family: 4 as const, address: m.coa4, prefixLength: 24, router: routerAddress4(net) },
  ];
  for (const f of present ? families : [...families].reverse()) {
    if (f.address === undefined || f.router === undefined) continue;
    const { family, address, prefixLength, router } = f;
    const addr = { kind: 'address' as const, ifname: MN_IFNAME, family, address, prefixLength, present };
    const route = { kind: 'default-router' as const, ifname: MN_IFNAME, family, address: router, present };
    for (const input of present ? [addr, route] : [route, addr]) w.feedMn(m, input);
  }
}

function attach(w: World, m: SimMobile, net: SimNetwork, p: ScenarioPlan): void {
  m.network = net;
  m.attachedAt = w.now;
  m.coa6 = net.kind === 'home' ? m.homeAddress : address6(net, m.host);
  m.coa4 = address4(net, m.host);
  w.observer.counts.handovers++;
  w.feedMn(m, { kind: 'link', ifname: MN_IFNAME, up: true });
  announce(w, m, net, true);
  if (p.raIntervalMs !== undefined) startRouterAdvertisements(w, m, net, p.raIntervalMs);
}

function detach(w: World, m: SimMobile): void {
  const net = m.network;
  if (!net) return;
  announce(w, m, net, false);
  w.feedMn(m, { kind: 'link', ifname: MN_IFNAME, up: false });
  m.network = undefined;
  m.coa6 = undefined;
  m.coa4 = undefined;
}

function move(w: World, m: SimMobile, next: SimNetwork, p: ScenarioPlan): void {
  if (p.silentMoves) {
    // The link stays up and keeps the old addresses: traffic may fail until the node notices.
    m.disturbedAt = w.now;
    attach(w, m, next, p);
    return;
  }
  detach(w, m);
  w.at(w.now + w.prng.below(500), () => attach(w, m, next, p));
}

function scheduleMovement(w: World, m: SimMobile, p: ScenarioPlan, end: number): void {
  for (const s of p.script) {
    if (s.mobile === m.index) w.at(s.atMs, () => move(w, m, w.networks.get(s.network)!, p));
  }
  if (p.roam.length === 0) return;
  const at = w.now + p.dwellMs / 2 + w.prng.below(p.dwellMs);
  if (at >= end) return;
  w.at(at, () => {
    const choices = p.roam.filter((n) => n !== m.network?.name);
    move(w, m, w.networks.get(choices[w.prng.below(choices.length)])!, p);
    scheduleMovement(w, m, { ...p, script: [] }, end);
  });
}

function scheduleDisturbances(w: World, p: ScenarioPlan, end: number): void {
  const every = (mean: number | undefined, act: () => void): void => {
    if (mean === undefined) return;
    const at = w.now + mean / 2 + w.prng.below(mean);
    if (at < end) w.at(at, () => { act(); every(mean, act); });
  };
  const nats = [...w.networks.values()].filter((n) => n.nat);
  every(p.natRebindMeanMs, () => {
    const n = nats[w.prng.below(nats.length)];
    n.nat!.rebind();
    for (const m of w.mobiles) if (m.network === n) m.disturbedAt = w.now;
  });
  const nets = [...w.networks.values()].filter((n) => n.kind !== 'home');
  every(p.partitionMeanMs, () => {
    const n = nets[w.prng.below(nets.length)];
    w.partitionedUntil.set(n.name, w.now + 1000 + w.prng.below(4000));
    for (const m of w.mobiles) if (m.network === n) m.disturbedAt = w.now + 5000;
  });
}

export function runSim(o: SimOptions): SimResult {
  const prng = new Xoshiro128(o.seed);
  const p = o.plan ?? findScenario(o.scenario, prng);
  if (!p) throw new Error(`unknown scenario ${o.scenario}`);
  const w = buildWorld(o, prng, p);
  const stats: ProbeStats = { sent: 0, delivered: 0, lostToImpairment: 0, unsettled: 0 };
  w.mobiles.forEach((m, i) => {
    w.at(i * 137, () => attach(w, m, w.networks.get(p.start[i % p.start.length])!, p));
    scheduleMovement(w, m, p, o.durationMs);
  });
  scheduleDisturbances(w, p, o.durationMs);
  const tick = (): void => {
    for (const m of w.mobiles) probe(w, m, stats);
    if (w.now + PROBE_INTERVAL_MS < o.durationMs) w.at(w.now + PROBE_INTERVAL_MS, tick);
  };
  w.at(PROBE_INTERVAL_MS, tick);
  for (let t = 1000; t <= o.durationMs && w.observer.violations.length === 0; t += 1000) w.runUntil(t);
  return {
    seed: o.seed, scenario: p, violations: w.observer.violations, counts: w.observer.counts,
    probes: stats, network: w.counters, endMs: w.now,
    final: w.mobiles.map((m) => ({ network: m.network?.name, tunnel: m.tunnel })),
  };
}
