/**
 * What tshark 4.0 must show for a packet we encoded, computed from the VALUE we encoded (the
 * MobilityPacketSpec and its outer IPv4/UDP header), never by decoding our bytes with our own
 * decoder. Option alignment and padding to 8n are re-implemented from protocol.md §0/§1.4
 * (no code shared with src/wire/mh/options-encode.ts). Only the MH checksum is computed from
 * our bytes, with the independent one's-complement sum below. The Wireshark 4.0 quirks these
 * expectations reproduce on purpose are listed in ./README.md ("Quirks").
 */
import type { MobilityHeader } from '../../src/wire/mh/header.js';
import type { MobilityMessage } from '../../src/wire/mh/messages.js';
import type { MobilityOption } from '../../src/wire/mh/options.js';
import type { MobilityPacketSpec } from '../../src/wire/mh/packet.js';
import { canonicalIpv6Text, type Expectation } from './tshark.js';

/** Outer IPv4/UDP header of RFC 5555 vanilla UDP encapsulation. */
export interface OuterUdp4 {
  readonly source: string; readonly destination: string;
  readonly sourcePort: number; readonly destinationPort: number;
  readonly ttl?: number; readonly typeOfService?: number; readonly zeroChecksum?: boolean;
}

export interface OracleCase {
  readonly name: string;
  readonly spec: MobilityPacketSpec;
  readonly outer?: OuterUdp4;
}

const [IPV4_HEADER, UDP_HEADER, IPV6_HEADER, MH_PROTO] = [20, 8, 40, 135];
const EXT_HEADER = 24; // HAO Destination Options header and Type 2 Routing Header

/** Alignment xn+y (x = 1: none) and data length (-1: variable) per option, protocol.md §0. */
const RULE: Readonly<Record<MobilityOption['type'], readonly [number, number, number]>> = {
  'binding-refresh-advice': [2, 0, 2], 'alternate-care-of-address': [8, 6, 16],
  'nonce-indices': [2, 0, 4], 'binding-authorization-data': [8, 2, 12],
  'mobile-network-prefix': [8, 4, 18], 'mobile-node-identifier': [1, 0, -1],
  'authentication': [4, 1, -1], 'replay-protection': [8, 2, 8], 'ipv4-home-address': [4, 0, 6],
  'ipv4-address-acknowledgement': [4, 0, 6], 'nat-detection': [4, 0, 6],
  'ipv4-care-of-address': [4, 0, 6], 'unknown': [1, 0, -1],
};

function dataLength(o: MobilityOption): number {
  if (o.type === 'mobile-node-identifier') return 1 + o.identifier.length;
  if (o.type === 'authentication') return 5 + o.authenticationData.length;
  return o.type === 'unknown' ? o.data.length : RULE[o.type][2];
}

/** Where options start (protocol.md §1.2); an unknown type has no options. */
const FIXED_END: Readonly<Record<string, number>> = {
  'binding-refresh-request': 8, 'home-test-init': 16, 'care-of-test-init': 16,
  'home-test': 24, 'care-of-test': 24, 'binding-update': 12, 'binding-ack': 12,
  'binding-error': 24,
};

type Slot =
  | { readonly kind: 'pad'; readonly length: number }
  | { readonly kind: 'option'; readonly option: MobilityOption };

/** MH length and the sequence of options and paddings, by the "xn+y" rule. */
type Layout = { readonly length: number; readonly slots: Slot[] };

export function mhLayout(mh: MobilityHeader): Layout {
  const m = mh.message;
  if (m.type === 'unknown') return { length: 6 + m.data.length, slots: [] };
  const slots: Slot[] = [];
  let pos = FIXED_END[m.type];
  const pad = (x: number, y: number): void => {
    const n = (((y - pos) % x) + x) % x;
    if (n > 0) slots.push({ kind: 'pad', length: n });
    pos += n;
  };
  for (const o of mh.options) {
    pad(RULE[o.type][0], RULE[o.type][1]);
    slots.push({ kind: 'option', option: o });
    pos += 2 + dataLength(o);
  }
  pad(8, 0);
  return { length: pos, slots };
}

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const colons = (b: Uint8Array): string => (hex(b).match(/../g) ?? []).join(':');
const u64 = (b: Uint8Array): string => `0x${hex(b)}`;
const flag = (flags: number, bit: number): string => ((flags & bit) !== 0 ? '1' : '0');

function messageExpect(m: MobilityMessage): [string, string][] {
  switch (m.type) {
    case 'binding-refresh-request': return [['mip6.binding_refresh_request', '00:00']];
    case 'home-test-init': return [['mip6.hoti.cookie', u64(m.homeInitCookie)]];
    case 'care-of-test-init': return [['mip6.coti.cookie', u64(m.careOfInitCookie)]];
    case 'home-test': return [['mip6.hot.nindex', `${m.homeNonceIndex}`],
      ['mip6.hot.cookie', u64(m.homeInitCookie)], ['mip6.hot.token', u64(m.homeKeygenToken)]];
    case 'care-of-test': return [['mip6.cot.nindex', `${m.careOfNonceIndex}`],
      ['mip6.cot.cookie', u64(m.careOfInitCookie)], ['mip6.hot.token', u64(m.careOfKeygenToken)]];
    case 'binding-update': {
      const f = m.flags;
      return [['mip6.bu.seqnr', `${m.sequence}`],
        ['mip6.bu.a_flag', flag(f, 0x8000)], ['mip6.bu.h_flag', flag(f, 0x4000)],
        ['mip6.bu.l_flag', flag(f, 0x2000)], ['mip6.bu.k_flag', flag(f, 0x1000)],
        ['mip6.bu.m_flag', flag(f, 0x0800)], ['mip6.nemo.bu.r_flag', flag(f, 0x0400)],
        ['mip6.bu.p_flag', flag(f, 0x0200)], ['mip6.bu.f_flag', flag(f, 0x0100)],
        ['mip6.bu.t_flag', flag(f, 0x0080)], ['mip6.bu.b_flag', flag(f, 0x0040)],
        ['mip6.bu.lifetime', `${m.lifetimeSeconds / 4}`]];
    }
    case 'binding-ack': {
      const f = m.flags;
      return [['mip6.ba.status', `${m.status}`],
        ['mip6.ba.k_flag', flag(f, 0x80)], ['mip6.nemo.ba.r_flag', flag(f, 0x40)],
        ['mip6.ba.p_flag', flag(f, 0x20)], ['mip6.ba.t_flag', flag(f, 0x10)],
        ['mip6.ba.b_flag', flag(f, 0x08)],
        ['mip6.ba.seqnr', `${m.sequence}`], ['mip6.ba.lifetime', `${m.lifetimeSeconds / 4}`]];
    }
    case 'binding-error':
      return [['mip6.be.status', `${m.status}`], ['mip6.be.haddr', m.homeAddress]];
    case 'unknown': return [['mip6.unknown_type_data', colons(m.data)]];
  }
}

/** Fields of one option, without `mip6.mobility_opt.len` (added by the caller). */
function optionExpect(o: MobilityOption): [string, string][] {
  switch (o.type) {
    case 'binding-refresh-advice':
      return [['mip6.bra.interval', `${o.refreshIntervalSeconds / 4}`]];
    case 'alternate-care-of-address': return [['mip6.acoa.acoa', o.careOfAddress]];
    case 'nonce-indices':
      return [['mip6.ni.hni', `${o.homeNonceIndex}`], ['mip6.ni.cni', `${o.careOfNonceIndex}`]];
    case 'binding-authorization-data': return [['mip6.bad.auth', colons(o.authenticator)]];
    case 'mobile-network-prefix':
      return [['mip6.nemo.mnp.pfl', `${o.prefixLength}`], ['mip6.nemo.mnp.mnp', o.prefix]];
    case 'mobile-node-identifier': {
      const id: [string, string][] = o.identifier.length >= 3
        ? [['mip6.mnid.identifier', new TextDecoder().decode(o.identifier)]] : [];
      return [['mip6.mnid.subtype', `${o.subtype}`], ...id];
    }
    case 'authentication': {
      const d = o.authenticationData;
      const shownData = d.length >= 2 ? d.subarray(0, d.length - 2) : d;
      return [['mip6.auth.subtype', `${o.subtype}`], ['mip6.auth.mobility_spi', `${o.spi}`],
        ['mip6.auth.auth_data', colons(shownData)]];
    }
    case 'replay-protection':
      return [['mip6.mseg_id.timestamp', o.timestamp.toString(16).padStart(16, '0')]];
    case 'ipv4-home-address':
      return [['mip6.ipv4ha.preflen', `${o.prefixLength}`],
        ['mip6.ipv4ha.p_flag', o.requestPrefix ? '1' : '0'], ['mip6.ipv4ha.ha', o.address]];
    case 'ipv4-address-acknowledgement':
      return [['mip6.ipv4aa.sts', `${o.status}`], ['mip6.ipv4ha.preflen', `${o.prefixLength}`],
        ['mip6.ipv4ha.ha', o.address]];
    case 'nat-detection':
      return [['mip6.natd.f_flag', o.forceUdp ? '1' : '0'], ['mip6.natd.reserved', '0'],
        ['mip6.natd.refresh_t', `${o.refreshTimeSeconds}`]];
    case 'ipv4-care-of-address':
      return [['mip6.ipv4coa.reserved', '0'], ['mip6.ipv4coa.addr', o.address]];
    case 'unknown': return [['mip6.mobility_opt', `${o.optionType}`]];
  }
}

const IPV6_FIELDS = new Set(['mip6.acoa.acoa', 'mip6.nemo.mnp.mnp', 'mip6.be.haddr', 'ipv6.src',
  'ipv6.dst', 'ipv6.opt.mipv6.home_address', 'ipv6.routing.mipv6.home_address']);
const RAW_FIELDS = new Set(['mip6.mseg_id.timestamp']);

function toExpectations(pairs: [string, string][]): Expectation[] {
  return pairs.map(([field, value]) => ({
    field, value,
    mode: IPV6_FIELDS.has(field) ? 'ipv6' : RAW_FIELDS.has(field) ? 'raw' : 'text',
  }));
}

/** Options area: per-option fields, lengths, Pad1/PadN, and the unknown-option quirk. */
function optionsExpect(mh: MobilityHeader, hlen: number): Expectation[] {
  const pairs: [string, string][] = [];
  const lens: string[] = [];
  const quirkLens: string[] = [];
  for (const s of mhLayout(mh).slots) {
    if (s.kind === 'pad' && s.length === 1) { pairs.push(['mip6.options.pad1', '00']); continue; }
    if (s.kind === 'pad') {
      const zeros = new Uint8Array(s.length - 2);
      pairs.push(['mip6.options.padn', colons(Uint8Array.of(1, s.length - 2, ...zeros))]);
      if (zeros.length > 0) pairs.push(['mip6.padn', colons(zeros)]);
      lens.push(`${s.length - 2}`);
      continue;
    }
    pairs.push(...optionExpect(s.option));
    if (s.option.type === 'unknown') {
      quirkLens.push(`${hlen}`); // read at MH offset 1, which sorts before every option
      pairs.push(['mip6.ie_not_dissected', ''], ['_ws.expert.severity', '4194304'],
        ['_ws.expert.message', 'IE data not dissected yet'], ['_ws.expert.group', '83886080']);
    } else {
      lens.push(`${dataLength(s.option)}`);
    }
  }
  for (const v of [...quirkLens, ...lens]) pairs.push(['mip6.mobility_opt.len', v]);
  return toExpectations(pairs);
}

/** IPv6 text -> 16 octets, via the URL canonical form (independent of src/wire/addr.ts). */
function ipv6Bytes(text: string): Uint8Array {
  const canon = canonicalIpv6Text(text).replace(/^\[|\]$/g, '');
  const [head, tail] = canon.includes('::') ? canon.split('::') : [canon, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Uint8Array.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

/** One's-complement sum of the IPv6 pseudo-header and the MH with its checksum field as 0. */
export function expectedMhChecksum(mhBytes: Uint8Array, source: string, destination: string,
): number {
  const pseudo = new Uint8Array(40);
  pseudo.set(ipv6Bytes(source), 0);
  pseudo.set(ipv6Bytes(destination), 16);
  new DataView(pseudo.buffer).setUint32(32, mhBytes.length);
  pseudo[39] = MH_PROTO;
  const body = mhBytes.slice();
  body[4] = 0; body[5] = 0;
  let sum = 0;
  for (const b of [pseudo, body]) {
    for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (b[i + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv6Expect(spec: MobilityPacketSpec, mhLength: number): [string, string][] {
  const hao = spec.homeAddressOption;
  const rh2 = spec.type2RoutingAddress;
  const exts = (hao !== undefined ? 1 : 0) + (rh2 !== undefined ? 1 : 0);
  const first = rh2 !== undefined ? 43 : hao !== undefined ? 60 : MH_PROTO;
  const pairs: [string, string][] = [
    ['ipv6.src', spec.source], ['ipv6.dst', spec.destination],
    ['ipv6.hlim', `${spec.hopLimit ?? 64}`], ['ipv6.plen', `${exts * EXT_HEADER + mhLength}`],
    ['ipv6.nxt', `${first}`],
  ];
  if (rh2 !== undefined) {
    pairs.push(['ipv6.routing.nxt', `${hao !== undefined ? 60 : MH_PROTO}`],
      ['ipv6.routing.len', '2'], ['ipv6.routing.len_oct', '24'], ['ipv6.routing.type', '2'],
      ['ipv6.routing.segleft', '1'], ['ipv6.routing.mipv6.reserved', '00:00:00:00'],
      ['ipv6.routing.mipv6.home_address', rh2]);
  }
  if (hao !== undefined) {
    pairs.push(['ipv6.dstopts.nxt', `${MH_PROTO}`], ['ipv6.dstopts.len', '2'],
      ['ipv6.opt.mipv6.home_address', hao]);
  }
  return pairs;
}

function outerExpect(o: OuterUdp4, innerLength: number): [string, string][] {
  const tos = o.typeOfService ?? 0;
  return [
    ['ip.src', o.source], ['ip.dst', o.destination], ['ip.ttl', `${o.ttl ?? 64}`],
    ['ip.proto', '17'], ['ip.len', `${IPV4_HEADER + UDP_HEADER + innerLength}`],
    ['ip.dsfield.dscp', `${tos >> 2}`], ['ip.dsfield.ecn', `${tos & 3}`],
    ['ip.checksum.status', '1'],
    ['udp.srcport', `${o.sourcePort}`], ['udp.dstport', `${o.destinationPort}`],
    ['udp.length', `${UDP_HEADER + innerLength}`],
    ['udp.checksum.status', o.zeroChecksum === true ? '3' : '1'],
  ];
}

/** Every (field, expected value) pair for `c`, whose encoding is `bytes`. */
export function expectCase(c: OracleCase, bytes: Uint8Array): Expectation[] {
  const { spec, outer } = c;
  const mh = spec.mh;
  const layout = mhLayout(mh);
  const hlen = layout.length / 8 - 1;
  const exts = (spec.homeAddressOption !== undefined ? 1 : 0)
    + (spec.type2RoutingAddress !== undefined ? 1 : 0);
  const innerLength = IPV6_HEADER + exts * EXT_HEADER + layout.length;
  const mhStart = (outer ? IPV4_HEADER + UDP_HEADER : 0) + IPV6_HEADER + exts * EXT_HEADER;
  const csum = expectedMhChecksum(bytes.subarray(mhStart, mhStart + layout.length),
    spec.homeAddressOption ?? spec.source, spec.type2RoutingAddress ?? spec.destination);
  const mhType = mh.message.type === 'unknown' ? mh.message.mhType
    : ['binding-refresh-request', 'home-test-init', 'care-of-test-init', 'home-test',
      'care-of-test', 'binding-update', 'binding-ack', 'binding-error'].indexOf(mh.message.type);
  const layers = [outer ? 'raw:ip:udp:ip:ipv6' : 'raw:ipv6',
    ...(spec.type2RoutingAddress !== undefined ? ['ipv6.routing'] : []),
    ...(spec.homeAddressOption !== undefined ? ['ipv6.dstopts'] : []), 'mipv6'];
  return [
    ...toExpectations([
      ['frame.protocols', layers.join(':')],
      ['frame.len', `${(outer ? IPV4_HEADER + UDP_HEADER : 0) + innerLength}`],
      ...(outer ? outerExpect(outer, innerLength) : []),
      ...ipv6Expect(spec, layout.length),
      ['mip6.proto', `${mh.payloadProto}`], ['mip6.hlen', `${hlen}`], ['mip6.mhtype', `${mhType}`],
      ['mip6.reserved', '0x00'], ['mip6.csum', `0x${csum.toString(16).padStart(4, '0')}`],
      ...messageExpect(mh.message),
    ]),
    ...optionsExpect(mh, hlen),
  ];
}

/** Fields we deliberately do not compare: whole-option byte strings (their parts are). */
export function ignoredField(field: string): boolean {
  return /^mip6\.options\.(?!pad1$|padn$)/.test(field);
}

/** Field prefixes that must not show up unless expected (catches extra or foreign options). */
export const WATCHED_PREFIXES: readonly string[] =
  ['mip6.', 'ipv6.routing.', 'ipv6.opt.mipv6.', '_ws.'];
