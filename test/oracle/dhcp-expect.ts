/**
 * What tshark 4.0 must show for a DHCPv4 message we encoded inside IPv4/UDP, computed from the
 * VALUES we encoded (the DhcpMessage and the IP header), never by decoding our bytes. The option
 * data bytes are re-encoded here from the values (dotted quads, big-endian integers, latin1
 * text) without src/wire helpers. tshark 4.0 rules these expectations follow (hardware address,
 * client identifier heuristics, the End option's type) are listed in ./README.md.
 */
import type { DhcpMessage, DhcpOption } from '../../src/wire/dhcpv4.js';
import { bytesHex, colons, hex, ipv4Header, type IpHeaderSpec } from './icmp-expect.js';
import type { Expectation } from './tshark.js';

export interface DhcpCase {
  readonly name: string;
  readonly ip: IpHeaderSpec;
  readonly toServer: boolean; // UDP 68 -> 67; otherwise 67 -> 68
  readonly message: DhcpMessage;
}

type Pair = [string, string];

/** Unknown option codes tshark 4.0 shows as bare type/length/value (checked one by one). */
export const OPAQUE_OPTION_CODES: readonly number[] = [
  ...range(102, 111), ...range(162, 208), ...range(213, 241), 243, 244, 245, 246, 247, 248,
];
/** Unknown options with a text or number field in tshark, and the field name. */
const NAMED_UNKNOWN: Readonly<Record<number, string>> = {
  15: 'dhcp.option.domain_name', 56: 'dhcp.option.message', 60: 'dhcp.option.vendor_class_id',
  57: 'dhcp.option.dhcp_max_message_size',
};
export const NAMED_UNKNOWN_CODES: readonly number[] = Object.keys(NAMED_UNKNOWN).map(Number);

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const MESSAGE_TYPE: Readonly<Record<string, number>> = { discover: 1, offer: 2, request: 3,
  decline: 4, ack: 5, nak: 6, release: 7, inform: 8 };
const CODE: Readonly<Record<Exclude<DhcpOption['type'], 'unknown'>, number>> = {
  'subnet-mask': 1, 'routers': 3, 'dns-servers': 6, 'host-name': 12,
  'requested-ip-address': 50, 'lease-time': 51, 'message-type': 53, 'server-identifier': 54,
  'parameter-request-list': 55, 'renewal-time': 58, 'rebinding-time': 59,
  'client-identifier': 61,
};

const quad = (text: string): number[] => text.split('.').map(Number);
const u32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const latin1 = (s: string): number[] => [...s].map((ch) => ch.charCodeAt(0));

/** The option's data octets, re-encoded from its value. */
function optionData(o: DhcpOption): Uint8Array {
  switch (o.type) {
    case 'subnet-mask': case 'requested-ip-address': case 'server-identifier':
      return Uint8Array.from(quad(o.address));
    case 'routers': case 'dns-servers': return Uint8Array.from(o.addresses.flatMap(quad));
    case 'host-name': return Uint8Array.from(latin1(o.hostName));
    case 'lease-time': return Uint8Array.from(u32(o.leaseTimeSeconds));
    case 'renewal-time': return Uint8Array.from(u32(o.renewalTimeSeconds));
    case 'rebinding-time': return Uint8Array.from(u32(o.rebindingTimeSeconds));
    case 'message-type': return Uint8Array.of(typeof o.messageType === 'number'
      ? o.messageType : MESSAGE_TYPE[o.messageType]);
    case 'parameter-request-list': return Uint8Array.from(o.codes);
    case 'client-identifier': return Uint8Array.of(o.identifierType, ...o.identifier);
    case 'unknown': return o.data;
  }
}

const text = (d: Uint8Array): string => String.fromCharCode(...d);
const u16At = (d: Uint8Array, i: number): number => (d[i] << 8) | d[i + 1];
const u32At = (d: Uint8Array, i: number): number => ((d[i] << 24) | (d[i + 1] << 16)
  | (d[i + 2] << 8) | d[i + 3]) >>> 0;

/**
 * Option 61 as tshark 4.0 reads it (dissect_dhcpopt_client_identifier): 7 octets with type
 * 1..47 are a hardware type and address; type 255 is an RFC 4361 IAID and DUID; type 0 with
 * text is an "undefined" identifier; anything else stays opaque.
 */
function clientIdExpect(type: number, id: Uint8Array): Pair[] {
  if (id.length === 6 && type > 0 && type < 48) {
    if (type !== 1 && type !== 6) throw new Error('client id: use hardware type 1 or 6');
    return [['dhcp.hw.type', `0x${hex(type, 2)}`], ['dhcp.hw.mac_addr', colons(id)]];
  }
  if (type === 0 && id.length === 16) throw new Error('client id: type 0 + 16 octets is a UUID');
  if (type === 0) return [['dhcp.client_id.type', '0'], ['dhcp.client_id.undef', text(id)]];
  if (type !== 255) return [];
  const duid = u16At(id, 4);
  const pairs: Pair[] = [['dhcp.client_id.iaid', bytesHex(id.subarray(0, 4))],
    ['dhcp.client_id.duid_type', `${duid}`]];
  switch (duid) {
    case 1: return [...pairs, ['dhcp.client_id.duid_llt_hw_type', `${u16At(id, 6)}`],
      ['dhcp.client_id.time', `${u32At(id, 8)}`],
      ['dhcp.client_id.link_layer_address', colons(id.subarray(12))]];
    case 2: return [...pairs, ['dhcp.client_id.enterprise_num', `${u32At(id, 6)}`],
      ['dhcp.client_id', colons(id.subarray(10))]];
    case 3: return [...pairs, ['dhcp.client_id.duid_ll_hw_type', `${u16At(id, 6)}`],
      ['dhcp.client_id.link_layer_address', colons(id.subarray(8))]];
    default: return pairs;
  }
}

/** The fields of one option after type, length and value. */
function optionFields(o: DhcpOption, data: Uint8Array): Pair[] {
  const each = (field: string, xs: readonly string[]): Pair[] =>
    xs.map((x): Pair => [field, x]);
  switch (o.type) {
    case 'subnet-mask': return [['dhcp.option.subnet_mask', o.address]];
    case 'routers': return each('dhcp.option.router', o.addresses);
    case 'dns-servers': return each('dhcp.option.domain_name_server', o.addresses);
    case 'host-name': return [['dhcp.option.hostname', o.hostName]];
    case 'requested-ip-address': return [['dhcp.option.requested_ip_address', o.address]];
    case 'lease-time': return [['dhcp.option.ip_address_lease_time', `${o.leaseTimeSeconds}`]];
    case 'message-type': return [['dhcp.option.dhcp', `${data[0]}`]];
    case 'server-identifier': return [['dhcp.option.dhcp_server_id', o.address]];
    case 'parameter-request-list':
      return each('dhcp.option.request_list_item', o.codes.map(String));
    case 'renewal-time': return [['dhcp.option.renewal_time_value', `${o.renewalTimeSeconds}`]];
    case 'rebinding-time':
      return [['dhcp.option.rebinding_time_value', `${o.rebindingTimeSeconds}`]];
    case 'client-identifier': return clientIdExpect(o.identifierType, o.identifier);
    case 'unknown': {
      const field = NAMED_UNKNOWN[o.code];
      if (field === undefined) {
        if (!OPAQUE_OPTION_CODES.includes(o.code)) throw new Error(`option ${o.code}`);
        return [];
      }
      return [[field, o.code === 57 ? `${u16At(data, 0)}` : text(data)]];
    }
  }
}

/** Options in wire order, then End and the padding after it. */
function optionsExpect(m: DhcpMessage): { pairs: Pair[]; length: number } {
  const pairs: Pair[] = [];
  let length = 0;
  for (const o of m.options) {
    const data = optionData(o);
    pairs.push(['dhcp.option.type', `${o.type === 'unknown' ? o.code : CODE[o.type]}`],
      ['dhcp.option.length', `${data.length}`]);
    pairs.push(['dhcp.option.value', colons(data)]); // '' when empty
    pairs.push(...optionFields(o, data));
    length += 2 + data.length;
  }
  // tshark 4.0 gives the End option's `dhcp.option.type` the value 0 ("(255) End" as text).
  pairs.push(['dhcp.option.type', '0'], ['dhcp.option.end', '255']);
  if (m.padLength > 0) pairs.push(['dhcp.option.padding', colons(new Uint8Array(m.padLength))]);
  return { pairs, length: length + 1 + m.padLength };
}

/** A zero-filled field of `size` octets starting with `b`, as raw hex. */
const field = (b: Uint8Array, size: number): Uint8Array => {
  const out = new Uint8Array(size);
  out.set(b);
  return out;
};

/** BOOTP fixed fields (RFC 2131 Figure 1); chaddr as tshark 4.0 splits it. */
function bootpExpect(m: DhcpMessage): Pair[] {
  const flags = (m.broadcast ? 0x8000 : 0) | m.flagsReserved;
  const hlen = m.chaddr.length;
  const chaddr = field(Uint8Array.of(...m.chaddr, ...m.chaddrPadding), 16);
  const ether = (m.htype === 1 || m.htype === 6) && hlen === 6;
  if (hlen === 0) throw new Error('hlen 0 adds the note "Client address not given"');
  return [['dhcp.type', m.op === 'boot-request' ? '1' : '2'],
    ['dhcp.hw.type', `0x${hex(m.htype, 2)}`], ['dhcp.hw.len', `${hlen}`],
    ['dhcp.hops', `${m.hops}`], ['dhcp.id', `0x${hex(m.xid, 8)}`], ['dhcp.secs', `${m.secs}`],
    ['dhcp.flags', `0x${hex(flags, 4)}`], ['dhcp.flags.bc', m.broadcast ? '1' : '0'],
    ['dhcp.flags.reserved', `0x${hex(m.flagsReserved, 4)}`],
    ['dhcp.ip.client', m.ciaddr], ['dhcp.ip.your', m.yiaddr], ['dhcp.ip.server', m.siaddr],
    ['dhcp.ip.relay', m.giaddr],
    ether ? ['dhcp.hw.mac_addr', colons(m.chaddr)] : ['dhcp.hw.addr', colons(chaddr)],
    ...(hlen < 16 ? [['dhcp.hw.addr_padding', colons(chaddr.subarray(hlen))] as Pair] : []),
    ['dhcp.server', bytesHex(field(m.sname, 64))], ['dhcp.file', bytesHex(field(m.file, 128))],
    ['dhcp.cookie', '99.130.83.99']];
}

const RAW_FIELDS = new Set(['dhcp.server', 'dhcp.file']);

/** Every (field, expected value) pair for `c`. */
export function expectDhcpCase(c: DhcpCase): Expectation[] {
  const options = optionsExpect(c.message);
  const dhcpLength = 240 + options.length;
  const udpLength = 8 + dhcpLength;
  const pairs: Pair[] = [['frame.protocols', 'raw:ip:udp:dhcp'],
    ['frame.len', `${20 + udpLength}`], ...ipv4Header(c.ip, 20 + udpLength, 17, false),
    ['udp.srcport', c.toServer ? '68' : '67'], ['udp.dstport', c.toServer ? '67' : '68'],
    ['udp.length', `${udpLength}`], ['udp.checksum.status', '1'],
    ...bootpExpect(c.message), ...options.pairs];
  return pairs.map(([f, value]) => ({ field: f, value, mode: RAW_FIELDS.has(f) ? 'raw' : 'text' }));
}

/** Field prefixes that must not show up unless expected. */
export const DHCP_WATCHED: readonly string[] = ['dhcp.', '_ws.', 'udp.'];

/** Checksums are checked through `.status`; the rest is derived from compared fields. */
const DHCP_IGNORED = new Set(['udp.checksum', 'udp.checksum_calculated', 'udp.port',
  'udp.stream', 'udp.time_relative', 'udp.time_delta', 'udp.payload']);
export const dhcpIgnored = (f: string): boolean => DHCP_IGNORED.has(f);
