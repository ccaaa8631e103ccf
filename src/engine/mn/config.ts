/**
 * Checks a MobileNodeConfig once and turns it into the canonical form the engine compares
 * against decoded packets (decoders produce RFC 5952 text). An invalid configuration is a local
 * error: the constructor throws, before any packet is handled (conventions C5).
 */
import { canonicalIpv6, formatIpv4, formatIpv6, maskBytes, parseIpv4, parseIpv6 } from '../../wire/addr.js';
import { lifetimeToWireSeconds } from '../../wire/mh/constants.js';
import { MAX_BINDACK_TIMEOUT_MS } from '../../proto/constants.js';
import {
  LOST_AFTER_INTERVALS, ROUTER_LOST_INTERVALS_MAX, ROUTER_LOST_INTERVALS_MIN,
} from './routers.js';
import type { MobileNodeConfig } from './types.js';

export interface PrefixValue {
  readonly prefix: string;
  readonly prefixLength: number;
}

export interface NormalizedMnConfig {
  readonly homeAddress: string;
  readonly homePrefixLength: number;
  /** The home prefix bytes, masked to homePrefixLength. */
  readonly homePrefix: Uint8Array;
  readonly homeAgentAddress: string;
  readonly homeAgentIpv4Address: string | undefined;
  readonly homeAgentUdpPort: number;
  readonly useDsmip6: boolean;
  readonly forceUdp: boolean;
  readonly mobileRouter: boolean;
  readonly explicitMode: boolean;
  readonly mobileNetworkPrefixes: readonly PrefixValue[];
  readonly ipv4HomeAddress: string | undefined;
  readonly ipv4PrefixRequestLength: number | undefined;
  /** The BU lifetime: min(MnMaxHaBindingLife, 262140) floored to a multiple of 4 s. */
  readonly lifetimeSeconds: number;
  readonly initialBindackTimeoutFirstRegMs: number;
  readonly initialBindackTimeoutReRegMs: number;
  /** MnIfPreference per configured interface (0 = never use). */
  readonly preferences: ReadonlyMap<string, number>;
  readonly udpSourcePort: number;
  readonly useRouterAdvertisements: boolean;
  readonly routerLostIntervals: number;
}

function bad(what: string): never {
  throw new Error(`MobileNodeConfig: ${what}`);
}

function ipv6(text: string, field: string): string {
  return canonicalIpv6(text) ?? bad(`${field} is not an IPv6 address: ${text}`);
}

function ipv4(text: string, field: string): string {
  const b = parseIpv4(text);
  return b ? formatIpv4(b) : bad(`${field} is not an IPv4 address: ${text}`);
}

function port(n: number, field: string): number {
  return Number.isInteger(n) && n > 0 && n <= 0xffff ? n : bad(`${field} is not a port: ${n}`);
}

function intIn(n: number, min: number, max: number, field: string): number {
  return Number.isInteger(n) && n >= min && n <= max ? n : bad(`${field} not in ${min}..${max}: ${n}`);
}

/** `2001:db8:ff::/64` → canonical, masked prefix. */
export function parsePrefix6(text: string): PrefixValue {
  const [addr, len, extra] = text.split('/');
  const b = parseIpv6(addr ?? '');
  const prefixLength = Number(len);
  if (!b || extra !== undefined || !/^[0-9]{1,3}$/.test(len ?? '') || prefixLength > 128) {
    bad(`mobile network prefix is not IPv6/length: ${text}`);
  }
  return { prefix: formatIpv6(maskBytes(b, prefixLength)), prefixLength };
}

/** The Backoff grows from this value up to MAX_BINDACK_TIMEOUT, so it may not exceed it. */
function timeout(ms: number, field: string): number {
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_BINDACK_TIMEOUT_MS ? ms
    : bad(`${field} must be in (0, ${MAX_BINDACK_TIMEOUT_MS}] ms: ${ms}`);
}

export function normalizeMnConfig(c: MobileNodeConfig): NormalizedMnConfig {
  const homeAddress = ipv6(c.homeAddress, 'homeAddress');
  const homePrefixLength = intIn(c.homePrefixLength, 1, 128, 'homePrefixLength');
  const lifetimeSeconds = lifetimeToWireSeconds(c.maxBindingLifetimeSeconds);
  if (lifetimeSeconds < 4) bad(`maxBindingLifetimeSeconds too small: ${c.maxBindingLifetimeSeconds}`);
  const preferences = new Map<string, number>();
  for (const i of c.interfaces) preferences.set(i.name, intIn(i.preference, 0, 255, `${i.name} preference`));
  return {
    homeAddress, homePrefixLength,
    homePrefix: maskBytes(parseIpv6(homeAddress)!, homePrefixLength),
    homeAgentAddress: ipv6(c.homeAgentAddress, 'homeAgentAddress'),
    homeAgentIpv4Address: c.homeAgentIpv4Address === undefined ? undefined
      : ipv4(c.homeAgentIpv4Address, 'homeAgentIpv4Address'),
    homeAgentUdpPort: port(c.homeAgentUdpPort, 'homeAgentUdpPort'),
    useDsmip6: c.useDsmip6, forceUdp: c.forceUdp,
    mobileRouter: c.mobileRouter, explicitMode: c.explicitMode,
    mobileNetworkPrefixes: c.mobileNetworkPrefixes.map(parsePrefix6),
    ipv4HomeAddress: c.ipv4HomeAddress === undefined ? undefined
      : ipv4(c.ipv4HomeAddress, 'ipv4HomeAddress'),
    ipv4PrefixRequestLength: c.ipv4PrefixRequestLength === undefined ? undefined
      : intIn(c.ipv4PrefixRequestLength, 1, 32, 'ipv4PrefixRequestLength'),
    lifetimeSeconds,
    initialBindackTimeoutFirstRegMs: timeout(c.initialBindackTimeoutFirstRegMs, 'first-reg timeout'),
    initialBindackTimeoutReRegMs: timeout(c.initialBindackTimeoutReRegMs, 're-reg timeout'),
    preferences,
    udpSourcePort: port(c.udpSourcePort, 'udpSourcePort'),
    useRouterAdvertisements: c.useRouterAdvertisements ?? true,
    routerLostIntervals: intIn(c.routerLostIntervals ?? LOST_AFTER_INTERVALS, ROUTER_LOST_INTERVALS_MIN,
      ROUTER_LOST_INTERVALS_MAX, 'routerLostIntervals'),
  };
}
