/** Hand-built engine snapshots for the management API tests (no daemon, no engine). */
import type { BindingCacheEntry } from '../../src/engine/ha/binding-cache.js';
import type { HaSnapshot } from '../../src/engine/ha/home-agent.js';
import type { MnSnapshot } from '../../src/engine/mn/mobile-node.js';
import type {
  Clock, DaemonInfo, DataPlaneCounters, EngineSource, HaSource, Snapshots,
} from '../../src/api/snapshots.js';
import type { HomeLinkStatus } from '../../src/api/views.js';

/** Engine time 1000 s; wall clock 2025-01-02T03:04:05Z. */
export const CLOCK: Clock = { now: 1_000_000, wallMs: Date.UTC(2025, 0, 2, 3, 4, 5) };

export const DAEMON: DaemonInfo = { version: '0.1.0', pid: 4242, uptimeSeconds: 93784, configFile: '/etc/dsmip6/ha.conf' };

export const E6: BindingCacheEntry = {
  homeAddress: '2001:db8:1::100', careOfAddress: '2001:db8:2::5',
  tunnel: { encapsulation: 'ipv6', local: '2001:db8:1::1', remote: '2001:db8:2::5' },
  via: { kind: 'ipv6' }, signallingAddress: '2001:db8:2::5', sequence: 10, flags: 0xc000,
  lifetimeSeconds: 400, registeredAt: 900_000, expiresAt: 1_300_000, mobileRouter: false,
  nemoMode: undefined, prefixes: [], linkLocal: undefined, ipv4HomeAddress: undefined,
  ipv4Prefix: undefined, natDetected: false, refreshRequestSent: false,
};

export const E4: BindingCacheEntry = {
  homeAddress: '2001:db8:1::200', careOfAddress: '198.51.100.10',
  tunnel: { encapsulation: 'udp4', local: '203.0.113.1', localPort: 4191, remote: '192.0.2.77', remotePort: 40001 },
  via: { kind: 'udp4', source: '203.0.113.1', sourcePort: 4191, destination: '192.0.2.77', destinationPort: 40001 },
  signallingAddress: '::ffff:192.0.2.77', sequence: 65535, flags: 0xc400, lifetimeSeconds: 3600,
  registeredAt: 999_500, expiresAt: 4_599_500, mobileRouter: true, nemoMode: 'explicit',
  prefixes: ['2001:db8:ff::/64', '2001:db8:fe::/64'], linkLocal: undefined,
  ipv4HomeAddress: '10.0.0.7', ipv4Prefix: '10.1.0.0/24', natDetected: true, refreshRequestSent: true,
};

export const HA_SNAPSHOT: HaSnapshot = {
  address: '2001:db8:1::1', ipv4Address: '203.0.113.1', udpPort: 4191, acceptDsmip6: true,
  bindingCount: 2, bindingsMax: 1000, pendingDadCount: 1,
  counters: {
    bindingUpdates: 12, accepted: 8, rejectedByStatus: { 135: 1, 129: 2 },
    droppedByReason: { 'malformed': 3, 'bad-checksum': 1 }, bindingAcksSent: 11, bindingErrorsSent: 1,
    refreshRequestsSent: 2, expired: 4,
  },
};

export function haSource(entries: readonly BindingCacheEntry[] = [E6, E4], snap = HA_SNAPSHOT): HaSource {
  return {
    role: 'ha',
    snapshot: () => ({ ...snap, bindingCount: entries.length }),
    bindings: (offset, limit) => entries.slice(offset, offset + limit),
    binding: (hoa) => entries.find((e) => e.homeAddress === hoa),
    homeLink: () => HOME_LINK,
  };
}

export const HOME_LINK: HomeLinkStatus = {
  dadStarted: 9, dadUnique: 7, dadDuplicate: 1, dadSkipped: 2, probesSent: 9, advertisementsSent: 21,
  arpSent: 6, sendErrors: 0, ignored: 3,
};

export const MN_REGISTERED: MnSnapshot = {
  homeAddress: '2001:db8:1::100', homeAgentAddress: '2001:db8:1::1', homeAgentIpv4Address: '203.0.113.1',
  location: { kind: 'away' }, careOf: { ifname: 'wlan0', family: 4, address: '198.51.100.10' },
  round: undefined, nextDeadline: 1_300_000, outstanding: false, registered: true,
  lastSequence: 32768, lastSentAt: 988_000, lastLifetimeSeconds: 600, lifetimeRequestedSeconds: 600,
  grantedSeconds: 600, expiresAt: 1_588_000, natDetected: true,
  tunnel: {
    encapsulation: 'udp4', local: '198.51.100.10', localPort: 40000, remote: '203.0.113.1', remotePort: 4191,
  },
  ipv4HomeAddress: '10.0.0.7', ipv4Prefix: undefined, mobileRouter: false, explicitMode: true,
  mobileNetworkPrefixes: ['2001:db8:ff::/64'], useRouterAdvertisements: true, routerLostIntervals: 3,
  interfaces: ['eth0', 'wlan0'], routers: [], withdrawnPrefixes: [],
  counters: {
    bindingUpdatesSent: 3, registrations: 1, deregistrations: 0, failuresByStatus: { 130: 1 },
    bindingErrorsByStatus: {}, ipv4RefusedByStatus: {}, droppedByReason: { 'unexpected-ack': 2 },
    expired: 0, careOfChanges: 2, routerAdvertisements: 0, routerAdvertisementsDropped: 0, routersLost: 0,
  },
};

export const TRAFFIC: DataPlaneCounters = {
  traffic: { 'tunnel-to-tun': { packets: 10, bytes: 1200 }, 'tun-to-tunnel': { packets: 7, bytes: 900 } },
  dropped: { 'ingress-source': 2 },
};

export function snapshots(engine: EngineSource, over: Partial<Snapshots> = {}): Snapshots {
  return {
    clock: () => CLOCK, engine: () => engine, dataPlane: () => TRAFFIC, daemon: () => DAEMON, ...over,
  };
}

/**
 * Routers heard on wlan0 at engine time 1000 s: a usable one (Router Lifetime to 2800 s,
 * Advertisement Interval 500 ms, last RA 0.4 s ago), one that sent Router Lifetime 0 at 990 s,
 * one lost at 995 s; and a prefix withdrawn there. Nothing heard on eth0.
 */
export const MN_ROUTERS: MnSnapshot = {
  ...MN_REGISTERED, routerLostIntervals: 4,
  routers: [
    {
      ifname: 'wlan0', source: 'fe80::1', state: 'usable', unusableSince: undefined, defaultRouter: true,
      defaultUntil: 2_800_000, homeAgent: true, heardAt: 999_600, advertisementIntervalMs: 500,
      lostAt: 1_001_600, prefixes: ['2001:db8:30::/64', '2001:db8:31::/64'],
    },
    {
      ifname: 'wlan0', source: 'fe80::2', state: 'lifetime-0', unusableSince: 990_000, defaultRouter: false,
      defaultUntil: undefined, homeAgent: false, heardAt: 990_000, advertisementIntervalMs: undefined,
      lostAt: undefined, prefixes: ['2001:db8:32::/64'],
    },
    {
      ifname: 'wlan0', source: 'fe80::3', state: 'lost', unusableSince: 995_000, defaultRouter: false,
      defaultUntil: undefined, homeAgent: false, heardAt: undefined, advertisementIntervalMs: undefined,
      lostAt: undefined, prefixes: [],
    },
  ],
  withdrawnPrefixes: [{ ifname: 'wlan0', prefixes: ['2001:db8:20::/64'] }],
  counters: { ...MN_REGISTERED.counters, routerAdvertisements: 40, routerAdvertisementsDropped: 2, routersLost: 1 },
};
