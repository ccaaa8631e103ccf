/**
 * What tshark 4.0 must show for an ICMPv6 or ICMPv4 packet we encoded, computed from the VALUES
 * we encoded (the message, its IP header, and the spec of the invoking packet an error carries),
 * never by decoding our bytes. Display formats (hex with fixed widths, unsigned Home Agent
 * preference, the EUI-64 link-layer rule) are tshark 4.0's; ./README.md lists them.
 */
import type { Icmpv4Message } from '../../src/wire/icmpv4.js';
import type { Icmpv6Message } from '../../src/wire/icmpv6.js';
import type { NdOption } from '../../src/wire/nd-options.js';
import type { Expectation } from './tshark.js';

/** The IP header values of a packet (outer, or the invoking packet inside an error). */
export interface IpHeaderSpec {
  readonly source: string;
  readonly destination: string;
  readonly hopLimit: number; // IPv4: TTL
  readonly trafficClass: number; // IPv4: Type of Service
  readonly id: number; // IPv6: Flow Label; IPv4: Identification
}

/** The invoking packet an error carries: IP + UDP, cut to its first `keep` octets. */
export interface InvokingSpec extends IpHeaderSpec {
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly payload: Uint8Array;
  readonly keep: number; // at least IP header + UDP header
}

interface CaseBase {
  readonly name: string;
  readonly ip: IpHeaderSpec;
  readonly invoking?: InvokingSpec;
}
export type IcmpCase =
  | (CaseBase & { readonly family: 6; readonly message: Icmpv6Message })
  | (CaseBase & { readonly family: 4; readonly message: Icmpv4Message });

type Pair = [string, string];

export const hex = (v: number, digits: number): string => v.toString(16).padStart(digits, '0');
export const bytesHex = (b: Uint8Array): string => [...b].map((x) => hex(x, 2)).join('');
export const colons = (b: Uint8Array): string => [...b].map((x) => hex(x, 2)).join(':');
const bit = (v: number, mask: number): string => ((v & mask) !== 0 ? '1' : '0');
const bool = (b: boolean): string => (b ? '1' : '0');

const IPV6_HEADER = 40;
const IPV4_HEADER = 20;
const UDP_HEADER = 8;

function ipv6Header(h: IpHeaderSpec, plen: number, nxt: number): Pair[] {
  return [['ipv6.src', h.source], ['ipv6.dst', h.destination], ['ipv6.hlim', `${h.hopLimit}`],
    ['ipv6.plen', `${plen}`], ['ipv6.nxt', `${nxt}`],
    ['ipv6.tclass', `0x${hex(h.trafficClass, 8)}`], ['ipv6.tclass.dscp', `${h.trafficClass >> 2}`],
    ['ipv6.tclass.ecn', `${h.trafficClass & 3}`], ['ipv6.flow', `0x${hex(h.id, 6)}`]];
}

/** IPv4 header fields (no options, no fragmentation) of a packet of `len` octets. */
export function ipv4Header(h: IpHeaderSpec, len: number, proto: number, df: boolean): Pair[] {
  return [['ip.src', h.source], ['ip.dst', h.destination], ['ip.ttl', `${h.hopLimit}`],
    ['ip.proto', `${proto}`], ['ip.len', `${len}`], ['ip.hdr_len', '20'],
    ['ip.id', `0x${hex(h.id, 4)}`], ['ip.flags.df', bool(df)], ['ip.flags.mf', '0'],
    ['ip.frag_offset', '0'], ['ip.dsfield.dscp', `${h.trafficClass >> 2}`],
    ['ip.dsfield.ecn', `${h.trafficClass & 3}`], ['ip.checksum.status', '1']];
}

/** The part of the invoking UDP payload that the error carries. */
function keptPayload(inv: InvokingSpec, family: 4 | 6): Uint8Array {
  const header = (family === 6 ? IPV6_HEADER : IPV4_HEADER) + UDP_HEADER;
  return inv.payload.subarray(0, inv.keep - header);
}

/** Inner IP header, then UDP (checksum verified only when the datagram is whole). */
function invokingExpect(inv: InvokingSpec, family: 4 | 6): { ip: Pair[]; udp: Pair[] } {
  const udpLength = UDP_HEADER + inv.payload.length;
  const kept = keptPayload(inv, family);
  const ip = family === 6 ? ipv6Header(inv, udpLength, 17)
    : ipv4Header(inv, IPV4_HEADER + udpLength, 17, true);
  const udp: Pair[] = [['udp.srcport', `${inv.sourcePort}`],
    ['udp.dstport', `${inv.destinationPort}`], ['udp.length', `${udpLength}`],
    ['udp.checksum.status', kept.length === inv.payload.length ? '1' : '2']];
  if (kept.length > 0) udp.push(['udp.payload', colons(kept)], ...dataExpect(kept));
  return { ip, udp };
}

const dataExpect = (d: Uint8Array): Pair[] =>
  (d.length > 0 ? [['data.data', colons(d)], ['data.len', `${d.length}`]] : []);

/** Link-layer address option: MAC for 6 octets, EUI-64 for 8 + 6 zero octets, else bytes. */
function linkLayerExpect(kind: 'src' | 'target', a: Uint8Array): Pair[] {
  if (a.length === 6) return [['icmpv6.opt.linkaddr', colons(a)], [`icmpv6.opt.${kind}_linkaddr`,
    colons(a)]];
  if (a.length === 14 && a.subarray(8).every((x) => x === 0)) {
    const eui = colons(a.subarray(0, 8));
    // tshark 4.0 adds the hidden byte-string twins only in the Source LLA branch.
    const twins: Pair[] = kind === 'src'
      ? [['icmpv6.opt.linkaddr', eui], ['icmpv6.opt.src_linkaddr', eui]] : [];
    return [['icmpv6.opt.linkaddr_eui64', eui], [`icmpv6.opt.${kind}_linkaddr_eui64`, eui],
      ...twins, ['icmpv6.opt.padding', '000000000000']];
  }
  return [['icmpv6.opt.linkaddr', colons(a)], [`icmpv6.opt.${kind}_linkaddr`, colons(a)]];
}

const OPTION_CODE: Readonly<Record<Exclude<NdOption['type'], 'unknown'>, number>> = {
  'source-link-layer-address': 1, 'target-link-layer-address': 2, 'prefix-information': 3,
  'mtu': 5, 'advertisement-interval': 7, 'home-agent-information': 8,
};

function ndOptionExpect(o: NdOption): Pair[] {
  if (o.type === 'unknown') throw new Error('the ICMP oracle generates no unknown ND option');
  const units = o.type === 'prefix-information' ? 4
    : 'linkLayerAddress' in o ? (o.linkLayerAddress.length + 2) / 8 : 1;
  const head: Pair[] = [['icmpv6.opt.type', `${OPTION_CODE[o.type]}`],
    ['icmpv6.opt.length', `${units}`]];
  switch (o.type) {
    case 'source-link-layer-address': return [...head, ...linkLayerExpect('src',
      o.linkLayerAddress)];
    case 'target-link-layer-address': return [...head, ...linkLayerExpect('target',
      o.linkLayerAddress)];
    case 'prefix-information': {
      const flags = (o.onLink ? 0x80 : 0) | (o.autonomous ? 0x40 : 0)
        | (o.routerAddress ? 0x20 : 0) | o.reserved;
      return [...head, ['icmpv6.opt.prefix.length', `${o.prefixLength}`],
        ['icmpv6.opt.prefix.flag', `0x${hex(flags, 2)}`],
        ['icmpv6.opt.prefix.flag.l', bool(o.onLink)], ['icmpv6.opt.prefix.flag.a',
          bool(o.autonomous)], ['icmpv6.opt.prefix.flag.r', bool(o.routerAddress)],
        ['icmpv6.opt.prefix.flag.reserved', `${o.reserved}`],
        ['icmpv6.opt.prefix.valid_lifetime', `${o.validLifetimeSeconds}`],
        ['icmpv6.opt.prefix.preferred_lifetime', `${o.preferredLifetimeSeconds}`],
        ['icmpv6.opt.reserved', '00000000'], ['icmpv6.opt.prefix', o.prefix]];
    }
    case 'mtu': return [...head, ['icmpv6.opt.reserved', '0000'], ['icmpv6.opt.mtu', `${o.mtu}`]];
    case 'advertisement-interval': return [...head, ['icmpv6.opt.reserved', '0000'],
      ['icmpv6.opt.advertisement_interval', `${o.intervalMs}`]];
    case 'home-agent-information': {
      const word = (o.mobileRouterSupport ? 0x8000 : 0) | o.reserved;
      return [...head, ['icmpv6.opt.reserved', hex(word, 4)],
        ['icmpv6.opt.home_agent_preference', `${o.preference & 0xffff}`],
        ['icmpv6.opt.home_agent_lifetime', `${o.lifetimeSeconds}`]];
    }
  }
}

const ICMPV6_TYPE: Readonly<Record<Exclude<Icmpv6Message['type'], 'unknown'>, number>> = {
  'destination-unreachable': 1, 'packet-too-big': 2, 'time-exceeded': 3, 'parameter-problem': 4,
  'echo-request': 128, 'echo-reply': 129, 'router-solicitation': 133,
  'router-advertisement': 134, 'neighbor-solicitation': 135, 'neighbor-advertisement': 136,
  'haad-request': 144, 'haad-reply': 145, 'mobile-prefix-solicitation': 146,
  'mobile-prefix-advertisement': 147,
};

/** Fields of the ICMPv6 body (after type, code and checksum), options included. */
function icmpv6Body(m: Icmpv6Message): Pair[] {
  switch (m.type) {
    case 'echo-request': case 'echo-reply':
      return [['icmpv6.echo.identifier', `0x${hex(m.identifier, 4)}`],
        ['icmpv6.echo.sequence_number', `${m.sequence}`], ...dataExpect(m.data)];
    case 'destination-unreachable': case 'time-exceeded':
      return [['icmpv6.reserved', '00:00:00:00']];
    case 'packet-too-big': return [['icmpv6.mtu', `${m.mtu}`]];
    case 'parameter-problem': return [['icmpv6.pointer', `${m.pointer}`]];
    case 'router-solicitation': return [['icmpv6.reserved', '00:00:00:00']];
    case 'router-advertisement': {
      const f = (m.managed ? 0x80 : 0) | (m.otherConfig ? 0x40 : 0) | (m.homeAgent ? 0x20 : 0)
        | m.otherFlags;
      return [['icmpv6.nd.ra.cur_hop_limit', `${m.curHopLimit}`],
        ['icmpv6.nd.ra.flag', `0x${hex(f, 2)}`], ['icmpv6.nd.ra.flag.m', bit(f, 0x80)],
        ['icmpv6.nd.ra.flag.o', bit(f, 0x40)], ['icmpv6.nd.ra.flag.h', bit(f, 0x20)],
        ['icmpv6.nd.ra.flag.prf', `${(f >> 3) & 3}`], ['icmpv6.nd.ra.flag.p', bit(f, 0x04)],
        ['icmpv6.nd.ra.flag.rsv', `${f & 3}`],
        ['icmpv6.nd.ra.router_lifetime', `${m.routerLifetimeSeconds}`],
        ['icmpv6.nd.ra.reachable_time', `${m.reachableTimeMs}`],
        ['icmpv6.nd.ra.retrans_timer', `${m.retransTimerMs}`]];
    }
    case 'neighbor-solicitation': return [['icmpv6.reserved', '00:00:00:00'],
      ['icmpv6.nd.ns.target_address', m.target]];
    case 'neighbor-advertisement': {
      const f = ((m.router ? 0x80000000 : 0) + (m.solicited ? 0x40000000 : 0)
        + (m.override ? 0x20000000 : 0) + m.reserved) >>> 0;
      return [['icmpv6.nd.na.flag', `0x${hex(f, 8)}`], ['icmpv6.nd.na.flag.r', bool(m.router)],
        ['icmpv6.nd.na.flag.s', bool(m.solicited)], ['icmpv6.nd.na.flag.o', bool(m.override)],
        ['icmpv6.nd.na.flag.rsv', `${m.reserved}`], ['icmpv6.nd.na.target_address', m.target]];
    }
    case 'haad-request': case 'haad-reply': {
      // tshark 4.0 shows no R flag (RFC 3963): the flag word is its `icmpv6.reserved`.
      const w = (m.mobileRouterSupport ? 0x8000 : 0) | m.reserved;
      const r: Pair[] = [['icmpv6.mip6.identifier', `${m.identifier}`],
        ['icmpv6.reserved', colons(Uint8Array.of(w >> 8, w & 0xff))]];
      if (m.type === 'haad-reply') {
        r.push(...m.homeAgentAddresses.map((a): Pair => ['icmpv6.mip6.home_agent_address', a]));
      }
      return r;
    }
    case 'mobile-prefix-solicitation': return [['icmpv6.mip6.identifier', `${m.identifier}`],
      ['icmpv6.reserved', '00:00']];
    case 'mobile-prefix-advertisement': {
      const f = (m.managed ? 0x8000 : 0) | (m.otherConfig ? 0x4000 : 0) | m.reserved;
      return [['icmpv6.mip6.identifier', `${m.identifier}`], ['icmpv6.mip6.flag', `0x${hex(f, 4)}`],
        ['icmpv6.mip6.flag.m', bool(m.managed)], ['icmpv6.mip6.flag.o', bool(m.otherConfig)],
        ['icmpv6.mip6.flag.rsv', `${m.reserved}`]];
    }
    case 'unknown': throw new Error('the ICMP oracle generates no unknown ICMPv6 type');
  }
}

const ICMPV4_TYPE = { 'echo-reply': 0, 'destination-unreachable': 3, 'echo-request': 8,
  'time-exceeded': 11 } as const;
const swap16 = (v: number): number => ((v & 0xff) << 8) | (v >> 8);

function icmpv4Body(m: Icmpv4Message): Pair[] {
  switch (m.type) {
    case 'echo-request': case 'echo-reply':
      return [['icmp.ident', `${m.identifier}`], ['icmp.ident_le', `${swap16(m.identifier)}`],
        ['icmp.seq', `${m.sequence}`], ['icmp.seq_le', `${swap16(m.sequence)}`],
        ...dataExpect(m.data)];
    case 'destination-unreachable':
      return m.code === 4 ? [['icmp.unused', '00:00'], ['icmp.mtu', `${m.nextHopMtu}`]]
        : [['icmp.unused', '00:00:00:00']];
    case 'time-exceeded': return [['icmp.unused', '00:00:00:00']];
    case 'unknown': throw new Error('the ICMP oracle generates no unknown ICMPv4 type');
  }
}

const optionLength = (o: NdOption): number => (o.type === 'prefix-information' ? 32
  : 'linkLayerAddress' in o ? 2 + o.linkLayerAddress.length : 8);

/** The ICMP message length, from the values (fixed part per RFC 4443/4861/6275, options). */
function icmpLength(c: IcmpCase): number {
  const m = c.message;
  const options = 'options' in m ? m.options.reduce((n, o) => n + optionLength(o), 0) : 0;
  if ('data' in m) return 8 + m.data.length;
  if ('invoking' in m) return 8 + (c.invoking?.keep ?? NaN);
  switch (m.type) {
    case 'router-advertisement': return 16 + options;
    case 'neighbor-solicitation': case 'neighbor-advertisement': return 24 + options;
    case 'haad-reply': return 8 + 16 * m.homeAgentAddresses.length;
    default: return 8 + options; // RS, HAAD Request, MPS, MPA
  }
}

const IPV6_FIELDS = new Set(['ipv6.src', 'ipv6.dst', 'icmpv6.nd.ns.target_address',
  'icmpv6.nd.na.target_address', 'icmpv6.opt.prefix', 'icmpv6.mip6.home_agent_address']);
const RAW_FIELDS = new Set(['icmpv6.opt.reserved', 'icmpv6.opt.padding']);

/** Every (field, expected value) pair for `c`. */
export function expectIcmpCase(c: IcmpCase): Expectation[] {
  const length = icmpLength(c);
  const v6 = c.family === 6;
  const inv = c.invoking ? invokingExpect(c.invoking, c.family) : undefined;
  const m = c.message;
  const hasData = 'data' in m && m.data.length > 0;
  const innerData = c.invoking !== undefined && keptPayload(c.invoking, c.family).length > 0;
  const protocols = [v6 ? 'raw:ipv6:icmpv6' : 'raw:ip:icmp', hasData ? 'data' : '',
    inv ? (v6 ? 'ipv6:udp' : 'ip:udp') : '', innerData ? 'data' : ''].filter((s) => s !== '');
  const outer = v6 ? ipv6Header(c.ip, length, 58)
    : ipv4Header(c.ip, IPV4_HEADER + length, 1, false);
  const head: Pair[] = v6
    ? [['icmpv6.type', `${ICMPV6_TYPE[c.message.type as keyof typeof ICMPV6_TYPE]}`],
      ['icmpv6.code', `${m.code}`], ['icmpv6.checksum.status', '1'], ...icmpv6Body(c.message)]
    : [['icmp.type', `${ICMPV4_TYPE[c.message.type as keyof typeof ICMPV4_TYPE]}`],
      ['icmp.code', `${m.code}`], ['icmp.checksum.status', '1'], ...icmpv4Body(c.message)];
  const options = 'options' in m ? m.options.flatMap(ndOptionExpect) : [];
  const pairs: Pair[] = [['frame.protocols', protocols.join(':')],
    ['frame.len', `${(v6 ? IPV6_HEADER : IPV4_HEADER) + length}`],
    ...outer, ...(inv?.ip ?? []), ...head, ...options, ...(inv?.udp ?? [])];
  return pairs.map(([field, value]) => ({ field, value,
    mode: IPV6_FIELDS.has(field) ? 'ipv6' : RAW_FIELDS.has(field) ? 'raw' : 'text' }));
}

/** Field prefixes that must not show up unless expected. */
export const ICMP_WATCHED: readonly string[] = ['icmpv6.', 'icmp.', '_ws.', 'udp.', 'data.'];

/** Checksums are checked through their `.status` (tshark recomputes them); the rest is derived. */
const ICMP_IGNORED = new Set(['icmpv6.checksum', 'icmp.checksum', 'udp.checksum',
  'udp.checksum_calculated', 'udp.port', 'udp.stream', 'udp.time_relative', 'udp.time_delta']);
export const icmpIgnored = (field: string): boolean => ICMP_IGNORED.has(field);
