/**
 * Plain views of decoded rtnetlink messages, for the client's results and for events: families
 * as 4 | 6, prefixes as `address/length` text, effective flags and table ids resolved.
 * A view is undefined for a message of a family it does not cover (e.g. a multicast route).
 */
import { addressFlagNames, addressFlags, type AddressMessage } from './address.js';
import {
  AF_INET, AF_INET6, IFF_LOWER_UP, IFF_RUNNING, IFF_UP, IF_OPER_NAMES, NTF_PROXY,
} from './constants.js';
import type { LinkMessage } from './link.js';
import type { NeighMessage } from './neigh.js';
import { routeTable, type RouteMessage } from './route.js';
import type { RuleMessage } from './rule.js';

export type IpFamily = 4 | 6;

export interface LinkInfo {
  readonly index: number;
  readonly name: string;
  /** IFF_* flags. */
  readonly flags: number;
  /** Administratively up (IFF_UP). */
  readonly up: boolean;
  /** IFF_RUNNING and IFF_LOWER_UP: the carrier is there. */
  readonly running: boolean;
  readonly lowerUp: boolean;
  /** RFC 2863 operational state as `ip` prints it in lower case ('up', 'down', 'unknown', ...). */
  readonly operState: string;
  readonly mtu?: number;
  /** Link-layer address (none on TUN devices). */
  readonly address?: string;
  /** ARPHRD_* type. */
  readonly type: number;
}

export interface AddressInfo {
  readonly family: IpFamily;
  readonly index: number;
  readonly address: string;
  readonly prefixLength: number;
  /** IPv4 point-to-point peer, when it differs from the address. */
  readonly peer?: string;
  readonly scope: number;
  /** Every IFA_F_* bit. */
  readonly flags: number;
  /** Names of the set bits: 'tentative', 'nodad', 'dadfailed', 'optimistic', 'permanent', ... */
  readonly flagNames: readonly string[];
  readonly label?: string;
  /** Seconds; 0xffffffff means forever. */
  readonly preferredLifetime?: number;
  readonly validLifetime?: number;
}

export interface RouteInfo {
  readonly family: IpFamily;
  /** Destination prefix, `::/0` or `0.0.0.0/0` for a default route. */
  readonly dst: string;
  readonly table: number;
  readonly protocol: number;
  readonly scope: number;
  readonly type: number;
  readonly oif?: number;
  readonly gateway?: string;
  readonly metric?: number;
  /** Preferred source address (`ip route ... src`). */
  readonly prefsrc?: string;
}

export interface RuleInfo {
  readonly family: IpFamily;
  /** Source prefix; absent for `from all`. */
  readonly from?: string;
  readonly to?: string;
  readonly table: number;
  /** Preference; the kernel omits FRA_PRIORITY for 0 (the `local` rule). */
  readonly priority: number;
  /** FR_ACT_*. */
  readonly action: number;
}

export interface NeighInfo {
  readonly family: IpFamily;
  readonly index: number;
  readonly address: string;
  readonly lladdr?: string;
  /** NUD_* state. */
  readonly state: number;
  /** NTF_* flags. */
  readonly flags: number;
  readonly proxy: boolean;
}

export function ipFamily(af: number): IpFamily | undefined {
  return af === AF_INET ? 4 : af === AF_INET6 ? 6 : undefined;
}

export function addressFamily(family: IpFamily): number {
  return family === 4 ? AF_INET : AF_INET6;
}

function prefixText(family: IpFamily, address: string | undefined, length: number): string {
  return `${address ?? (family === 4 ? '0.0.0.0' : '::')}/${length}`;
}

export function linkInfo(m: LinkMessage): LinkInfo {
  const info: Record<string, unknown> = {
    index: m.index, name: m.name ?? '', flags: m.flags, up: (m.flags & IFF_UP) !== 0,
    running: (m.flags & IFF_RUNNING) !== 0, lowerUp: (m.flags & IFF_LOWER_UP) !== 0,
    operState: IF_OPER_NAMES[m.operstate ?? 0] ?? `state-${m.operstate}`, type: m.type,
  };
  if (m.mtu !== undefined) info.mtu = m.mtu;
  if (m.address !== undefined) info.address = m.address;
  return info as unknown as LinkInfo;
}

export function addressInfo(m: AddressMessage): AddressInfo | undefined {
  const family = ipFamily(m.family);
  const address = m.local ?? m.address;
  if (family === undefined || address === undefined) return undefined;
  const flags = addressFlags(m);
  const info: Record<string, unknown> = {
    family, index: m.index, address, prefixLength: m.prefixLength, scope: m.scope, flags,
    flagNames: addressFlagNames(flags),
  };
  if (m.local !== undefined && m.address !== undefined && m.address !== m.local) info.peer = m.address;
  if (m.label !== undefined) info.label = m.label;
  if (m.cacheInfo) {
    info.preferredLifetime = m.cacheInfo.preferred;
    info.validLifetime = m.cacheInfo.valid;
  }
  return info as unknown as AddressInfo;
}

export function routeInfo(m: RouteMessage): RouteInfo | undefined {
  const family = ipFamily(m.family);
  if (family === undefined) return undefined;
  const info: Record<string, unknown> = {
    family, dst: prefixText(family, m.dst, m.dstLength), table: routeTable(m),
    protocol: m.protocol, scope: m.scope, type: m.type,
  };
  if (m.oif !== undefined) info.oif = m.oif;
  if (m.gateway !== undefined) info.gateway = m.gateway;
  if (m.priority !== undefined) info.metric = m.priority;
  if (m.prefsrc !== undefined) info.prefsrc = m.prefsrc;
  return info as unknown as RouteInfo;
}

export function ruleInfo(m: RuleMessage): RuleInfo | undefined {
  const family = ipFamily(m.family);
  if (family === undefined) return undefined;
  const info: Record<string, unknown> = {
    family, table: routeTable(m), priority: m.priority ?? 0, action: m.action,
  };
  if (m.srcLength > 0 || m.src !== undefined) info.from = prefixText(family, m.src, m.srcLength);
  if (m.dstLength > 0 || m.dst !== undefined) info.to = prefixText(family, m.dst, m.dstLength);
  return info as unknown as RuleInfo;
}

export function neighInfo(m: NeighMessage): NeighInfo | undefined {
  const family = ipFamily(m.family);
  if (family === undefined || m.dst === undefined) return undefined;
  const info: Record<string, unknown> = {
    family, index: m.index, address: m.dst, state: m.state, flags: m.flags,
    proxy: (m.flags & NTF_PROXY) !== 0,
  };
  if (m.lladdr !== undefined) info.lladdr = m.lladdr;
  return info as unknown as NeighInfo;
}
