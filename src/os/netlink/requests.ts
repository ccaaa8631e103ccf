/**
 * Request messages for the client's operations, built as values (so tests can check their
 * bytes). Each builder takes the sequence number and a spec; an invalid spec (bad address or
 * prefix text, out-of-range number) is the caller's bug and throws EncodeError.
 *
 * Flags follow iproute2: adds are CREATE|EXCL (EEXIST when present), replaces CREATE|REPLACE,
 * deletes and changes plain, all with NLM_F_ACK so every request ends in NLMSG_ERROR (error 0 is
 * the ACK); dumps are NLM_F_DUMP and end in NLMSG_DONE. Route deletes match any protocol and
 * scope (RTPROT_UNSPEC, RT_SCOPE_NOWHERE, RTN_UNSPEC) unless the spec names them.
 */
import { parseIpv4, parseIpv6 } from '../../wire/addr.js';
import { EncodeError, checkUint } from '../../wire/result.js';
import { formatPrefix, parsePrefix } from '../../proto/prefix.js';
import {
  AF_UNSPEC, FR_ACT_TO_TBL, IFA_F_NODAD, IFF_UP, NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL,
  NLM_F_REPLACE, NLM_F_REQUEST, NTF_PROXY, NUD_PERMANENT, RTM_DELADDR, RTM_DELNEIGH, RTM_DELROUTE,
  RTM_DELRULE, RTM_GETADDR, RTM_GETLINK, RTM_GETNEIGH, RTM_GETROUTE, RTM_GETRULE, RTM_NEWADDR,
  RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWROUTE, RTM_NEWRULE, RTN_UNICAST, RTN_UNSPEC, RTPROT_STATIC,
  RTPROT_UNSPEC, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN,
} from './constants.js';
import type { LinkMessage } from './link.js';
import type { RtnlBody, RtnlMessage } from './message.js';
import { tableByte } from './route.js';
import { addressFamily, type IpFamily } from './views.js';

/** A link by index, or by name (looked up by the kernel). */
export type LinkRef = number | string;

export interface AddressSpec {
  readonly index: number;
  readonly address: string;
  readonly prefixLength: number;
  /** Skip Duplicate Address Detection (IFA_F_NODAD; IPv6 only). */
  readonly nodad?: boolean;
}

export interface RouteSpec {
  /** Destination prefix `addr/len` (host bits are cleared); a bare address is a host route. */
  readonly dst: string;
  readonly oif?: number;
  readonly gateway?: string;
  /** Table id, any 32-bit value; RT_TABLE_MAIN (254) when absent. */
  readonly table?: number;
  readonly metric?: number;
  /** Preferred source address (RTA_PREFSRC, `ip route ... src`). */
  readonly src?: string;
  /** RTPROT_*; RTPROT_STATIC on add, any on delete. */
  readonly protocol?: number;
  /** RTN_*; RTN_UNICAST on add, any on delete. */
  readonly type?: number;
}

export interface RuleSpec {
  /** Source prefix: `from PREFIX lookup TABLE`. */
  readonly from: string;
  readonly table: number;
  readonly priority?: number;
}

export interface ProxyNeighbourSpec {
  readonly index: number;
  readonly address: string;
}

function message(type: number, flags: number, seq: number, body: RtnlBody): RtnlMessage {
  return { header: { type, flags: NLM_F_REQUEST | flags, seq, pid: 0 }, body };
}

function prefixOf(text: string, what: string): { family: IpFamily; address: string; length: number } {
  const full = text.includes('/') ? text : `${text}/${parseIpv4(text) ? 32 : 128}`;
  const p = parsePrefix(full);
  if (!p) throw new EncodeError(`${what}: not a prefix: ${text}`);
  const [address, length] = formatPrefix(p).split('/');
  return { family: p.family, address, length: Number(length) };
}

function familyOfAddress(text: string, what: string): IpFamily {
  if (parseIpv4(text)) return 4;
  if (parseIpv6(text)) return 6;
  throw new EncodeError(`${what}: not an IPv4 or IPv6 address: ${text}`);
}

function linkBody(ref: LinkRef, fields: Partial<LinkMessage>): RtnlBody {
  const byName = typeof ref === 'string';
  if (!byName) checkUint(ref, 0xffffffff, 'link index');
  const link: LinkMessage = {
    family: AF_UNSPEC, type: 0, index: byName ? 0 : ref, flags: 0, change: 0, unknown: [],
    ...(byName ? { name: ref } : {}), ...fields,
  };
  return { kind: 'link', link };
}

export function getLinksRequest(seq: number): RtnlMessage {
  return message(RTM_GETLINK, NLM_F_DUMP, seq, linkBody(0, {}));
}

export function getLinkRequest(seq: number, ref: LinkRef): RtnlMessage {
  return message(RTM_GETLINK, NLM_F_ACK, seq, linkBody(ref, {}));
}

/** RTM_NEWLINK changing IFF_UP only (ifi_change = IFF_UP). */
export function setLinkStateRequest(seq: number, ref: LinkRef, up: boolean): RtnlMessage {
  return message(RTM_NEWLINK, NLM_F_ACK, seq, linkBody(ref, { flags: up ? IFF_UP : 0, change: IFF_UP }));
}

export function setMtuRequest(seq: number, ref: LinkRef, mtu: number): RtnlMessage {
  checkUint(mtu, 0xffffffff, 'mtu');
  return message(RTM_NEWLINK, NLM_F_ACK, seq, linkBody(ref, { mtu }));
}

/** RTM_NEWADDR (add) or RTM_DELADDR; IFA_LOCAL and IFA_ADDRESS both carry the address. */
export function addressRequest(seq: number, add: boolean, spec: AddressSpec): RtnlMessage {
  const family = familyOfAddress(spec.address, 'address');
  checkUint(spec.prefixLength, family === 4 ? 32 : 128, 'prefix length');
  checkUint(spec.index, 0xffffffff, 'address index');
  const flags = spec.nodad ? IFA_F_NODAD : 0;
  const body: RtnlBody = {
    kind: 'address',
    address: {
      family: addressFamily(family), prefixLength: spec.prefixLength, flags, scope: 0,
      index: spec.index, address: spec.address, local: spec.address,
      ...(flags !== 0 ? { extFlags: flags } : {}), unknown: [],
    },
  };
  return add ? message(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, body)
    : message(RTM_DELADDR, NLM_F_ACK, seq, body);
}

export function getAddressesRequest(seq: number, family?: IpFamily): RtnlMessage {
  const af = family === undefined ? AF_UNSPEC : addressFamily(family);
  const address = { family: af, prefixLength: 0, flags: 0, scope: 0, index: 0, unknown: [] };
  return message(RTM_GETADDR, NLM_F_DUMP, seq, { kind: 'address', address });
}

export type RouteAction = 'add' | 'replace' | 'delete';

export function routeRequest(seq: number, action: RouteAction, spec: RouteSpec): RtnlMessage {
  const dst = prefixOf(spec.dst, 'route dst');
  const table = spec.table ?? RT_TABLE_MAIN;
  checkUint(table, 0xffffffff, 'route table');
  for (const a of [spec.gateway, spec.src]) {
    if (a !== undefined && familyOfAddress(a, 'route gateway/src') !== dst.family) {
      throw new EncodeError(`route ${spec.dst}: ${a} is not of the destination's family`);
    }
  }
  const del = action === 'delete';
  const linkScope = dst.family === 4 && spec.gateway === undefined && spec.oif !== undefined;
  const route = {
    family: addressFamily(dst.family), dstLength: dst.length, srcLength: 0, tos: 0,
    table: tableByte(table), flags: 0,
    protocol: spec.protocol ?? (del ? RTPROT_UNSPEC : RTPROT_STATIC),
    scope: del ? RT_SCOPE_NOWHERE : linkScope ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
    type: spec.type ?? (del ? RTN_UNSPEC : RTN_UNICAST),
    ...(dst.length > 0 ? { dst: dst.address } : {}),
    ...(spec.oif !== undefined ? { oif: spec.oif } : {}),
    ...(spec.gateway !== undefined ? { gateway: spec.gateway } : {}),
    ...(spec.metric !== undefined ? { priority: spec.metric } : {}),
    ...(spec.src !== undefined ? { prefsrc: spec.src } : {}),
    tableId: table, unknown: [],
  };
  const flags = action === 'add' ? NLM_F_CREATE | NLM_F_EXCL
    : action === 'replace' ? NLM_F_CREATE | NLM_F_REPLACE : 0;
  return message(del ? RTM_DELROUTE : RTM_NEWROUTE, NLM_F_ACK | flags, seq, { kind: 'route', route });
}

/** Dumps every route of the family (all families when undefined); tables are filtered by caller. */
export function getRoutesRequest(seq: number, family?: IpFamily): RtnlMessage {
  const route = {
    family: family === undefined ? AF_UNSPEC : addressFamily(family), dstLength: 0, srcLength: 0,
    tos: 0, table: 0, protocol: 0, scope: 0, type: 0, flags: 0, unknown: [],
  };
  return message(RTM_GETROUTE, NLM_F_DUMP, seq, { kind: 'route', route });
}

/** RTM_NEWRULE / RTM_DELRULE for `from PREFIX lookup TABLE [priority N]`. */
export function ruleRequest(seq: number, add: boolean, spec: RuleSpec): RtnlMessage {
  const from = prefixOf(spec.from, 'rule from');
  checkUint(spec.table, 0xffffffff, 'rule table');
  const rule = {
    family: addressFamily(from.family), dstLength: 0, srcLength: from.length, tos: 0,
    table: tableByte(spec.table), action: FR_ACT_TO_TBL, flags: 0,
    ...(from.length > 0 ? { src: from.address } : {}),
    ...(spec.priority !== undefined ? { priority: spec.priority } : {}),
    tableId: spec.table, unknown: [],
  };
  return add ? message(RTM_NEWRULE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, { kind: 'rule', rule })
    : message(RTM_DELRULE, NLM_F_ACK, seq, { kind: 'rule', rule });
}

export function getRulesRequest(seq: number, family: IpFamily): RtnlMessage {
  const rule = {
    family: addressFamily(family), dstLength: 0, srcLength: 0, tos: 0, table: 0, action: 0,
    flags: 0, unknown: [],
  };
  return message(RTM_GETRULE, NLM_F_DUMP, seq, { kind: 'rule', rule });
}

/** RTM_NEWNEIGH / RTM_DELNEIGH with NTF_PROXY: `ip neigh add|del proxy ADDR dev IFINDEX`. */
export function proxyNeighbourRequest(seq: number, add: boolean, spec: ProxyNeighbourSpec): RtnlMessage {
  const family = familyOfAddress(spec.address, 'proxy neighbour');
  checkUint(spec.index, 0xffffffff, 'proxy neighbour index');
  const neigh = {
    family: addressFamily(family), index: spec.index, state: NUD_PERMANENT, flags: NTF_PROXY,
    type: 0, dst: spec.address, unknown: [],
  };
  return add ? message(RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, { kind: 'neigh', neigh })
    : message(RTM_DELNEIGH, NLM_F_ACK, seq, { kind: 'neigh', neigh });
}

/** A dump of the proxy table: ndm_flags exactly NTF_PROXY selects it (net/core/neighbour.c). */
export function getProxyNeighboursRequest(seq: number, family?: IpFamily): RtnlMessage {
  const neigh = {
    family: family === undefined ? AF_UNSPEC : addressFamily(family), index: 0, state: 0,
    flags: NTF_PROXY, type: 0, unknown: [],
  };
  return message(RTM_GETNEIGH, NLM_F_DUMP, seq, { kind: 'neigh', neigh });
}
