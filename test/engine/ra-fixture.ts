/** Router Advertisements for the Mobile Node engine tests: real encodings with real checksums. */
import type { MobileNodeConfig, ReceivedRouterAdvertisement } from '../../src/engine/mn/types.js';
import { encodeIcmpv6, type Icmpv6RouterAdvertisement } from '../../src/wire/icmpv6.js';
import type { NdOption } from '../../src/wire/nd-options.js';
import { ROUTER6, World, mnConfig, registeredOn6 } from './mn-world.js';

export const ALL_NODES = 'ff02::1';
export const HOME_PREFIX = '2001:db8:1::';
export const FOREIGN = '2001:db8:2::'; // COA6's prefix
export const FOREIGN_B = '2001:db8:3::'; // COA6B's prefix
export const WLAN_COA = '2001:db8:9::9';

export interface RaSpec {
  readonly source?: string;
  readonly lifetime?: number;
  readonly homeAgent?: boolean;
  readonly prefixes?: readonly { prefix: string; valid?: number; onLink?: boolean; routerAddress?: boolean }[];
  readonly intervalMs?: number;
  readonly extra?: readonly NdOption[];
}

export function raBytes(spec: RaSpec, source: string): Uint8Array {
  const options: NdOption[] = (spec.prefixes ?? []).map((p) => ({
    type: 'prefix-information', prefixLength: 64, onLink: p.onLink ?? true, autonomous: true,
    routerAddress: p.routerAddress ?? false, reserved: 0, validLifetimeSeconds: p.valid ?? 86400,
    preferredLifetimeSeconds: Math.min(p.valid ?? 14400, 14400), prefix: p.prefix,
  }));
  if (spec.intervalMs !== undefined) options.push({ type: 'advertisement-interval', intervalMs: spec.intervalMs });
  options.push(...(spec.extra ?? []));
  const m: Icmpv6RouterAdvertisement = {
    type: 'router-advertisement', code: 0, curHopLimit: 64, managed: false, otherConfig: false,
    homeAgent: spec.homeAgent ?? false, otherFlags: 0, routerLifetimeSeconds: spec.lifetime ?? 1800,
    reachableTimeMs: 0, retransTimerMs: 0, options,
  };
  const out = new Uint8Array(1500);
  return out.slice(0, encodeIcmpv6(m, out, 0, source, ALL_NODES));
}

export function ra(ifname: string, spec: RaSpec = {}, over: Partial<ReceivedRouterAdvertisement> = {}): ReceivedRouterAdvertisement {
  const source = spec.source ?? ROUTER6;
  return {
    kind: 'router-advertisement', ifname, source, destination: ALL_NODES, hopLimit: 255,
    bytes: raBytes(spec, source), ...over,
  };
}

/** A node registered from COA6 on eth0 (preferred) that also holds WLAN_COA on wlan0 to move to. */
export function registeredWithWlan(config: MobileNodeConfig = mnConfig()): World {
  const w = new World(config);
  registeredOn6(w);
  w.attach('wlan0', WLAN_COA);
  return w;
}
