/**
 * The simulated networks: a dual-stack home link with the home agent, IPv6-only, IPv4-only and
 * dual-stack foreign networks, and private IPv4 networks behind NATs (the seed testbed's shape:
 * home, fn1 IPv4-only, fn2 IPv6-only, fn3 dual-stack, nat, nat2).
 */
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../wire/addr.js';
import { Nat } from './nat.js';

export type NetworkKind = 'home' | 'ipv6' | 'ipv4' | 'dual' | 'nat';

export interface SimNetwork {
  readonly name: string;
  readonly kind: NetworkKind;
  /** The /64 of the network (IPv6 care-of addresses, or the home prefix). */
  readonly prefix6: string | undefined;
  /** The /24 of the network (IPv4 care-of addresses; private behind a NAT). */
  readonly subnet4: string | undefined;
  readonly nat: Nat | undefined;
}

export const HA_ADDRESS = '2001:db8:1::1';
export const HA_IPV4_PUBLIC = '192.0.2.1';
export const HA_IPV4_PRIVATE_BEHIND_NAT = '10.99.0.1';
export const HA_NAT_PUBLIC = '198.51.104.1';
export const HOME_PREFIX = '2001:db8:1::/64';
export const IPV4_HOME_SUBNET = '192.0.2.0/24';
export const CN_ADDRESS = '2001:db8:cc::1';

function net(name: string, kind: NetworkKind, prefix6?: string, subnet4?: string, nat?: Nat): SimNetwork {
  return { name, kind, prefix6, subnet4, nat };
}

/** The standard networks; NAT idle timeouts in milliseconds. */
export function standardNetworks(natIdleTimeoutMs: number): Map<string, SimNetwork> {
  const list = [
    net('home', 'home', '2001:db8:1::', '192.0.2.0'),
    net('fn1', 'ipv4', undefined, '198.51.100.0'),
    net('fn2', 'ipv6', '2001:db8:20::'),
    net('fn3', 'dual', '2001:db8:30::', '198.51.101.0'),
    net('nat', 'nat', undefined, '10.1.0.0', new Nat('198.51.102.1', natIdleTimeoutMs)),
    net('nat2', 'nat', undefined, '10.2.0.0', new Nat('198.51.103.1', natIdleTimeoutMs, 30000)),
  ];
  return new Map(list.map((n) => [n.name, n]));
}

/** The address of host number `host` (1..250) on the network's /64. */
export function address6(n: SimNetwork, host: number): string | undefined {
  if (n.prefix6 === undefined) return undefined;
  const b = parseIpv6(n.prefix6)!;
  b[14] = host >> 8; b[15] = host & 0xff;
  return formatIpv6(b);
}

/** The address of host number `host` (1..250) on the network's /24. */
export function address4(n: SimNetwork, host: number): string | undefined {
  if (n.subnet4 === undefined || n.kind === 'home') return undefined;
  const b = parseIpv4(n.subnet4)!;
  b[3] = host;
  return formatIpv4(b);
}

export function routerAddress6(n: SimNetwork): string | undefined {
  return n.prefix6 === undefined ? undefined : `fe80::1`;
}

export function routerAddress4(n: SimNetwork): string | undefined {
  return address4(n, 254);
}
