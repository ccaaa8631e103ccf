/**
 * A dissector for operators: any IPv4 or IPv6 packet (including RFC 5555 UDP 4191 encapsulation,
 * IP-in-IP, ICMP and DHCPv4) or a bare Mobility Header becomes a list of layers with stable field
 * names. Malformed input yields the layers that decoded plus the error and its absolute offset.
 * Used by `dsmip6 decode`.
 */
import { toHex } from './bytes.js';
import { DHCP_CLIENT_PORT, DHCP_SERVER_PORT } from './dhcpv4.js';
import { dissectDhcpv4, dissectIcmpv4, dissectIcmpv6 } from './dissect-more.js';
import { plain, type Layer } from './dissect-layer.js';
import { DSMIPV6_UDP_PORT, IpProto } from './ip-protocols.js';
import { decodeIpv4Packet } from './ipv4.js';
import { IPV6_HEADER_LENGTH, decodeIpv6Packet } from './ipv6.js';
import { encodedLengthExtension } from './ipv6-ext.js';
import { baFlagLetters, buFlagLetters } from './mh/constants.js';
import { decodeMobilityHeader, readMobilityChecksum, verifyMobilityChecksum } from './mh/header.js';
import { mobilityChecksumAddresses } from './mh/packet.js';
import { fail, type WireError } from './result.js';
import type { PseudoHeader } from './udp.js';
import { decodeUdp } from './udp.js';

export type { Layer } from './dissect-layer.js';

export interface Dissection {
  readonly layers: Layer[];
  readonly error?: WireError;
}

type Found = WireError | undefined;
const NESTING_MAX = 8;

function dissectIp(b: Uint8Array, off: number, end: number, out: Layer[], depth: number): Found {
  if (depth > NESTING_MAX) return fail('unsupported', off, 'too many nested encapsulations').error;
  const v = off < end ? b[off] >> 4 : -1;
  if (v === 4) return dissectIpv4(b, off, end, out, depth);
  if (v === 6) return dissectIpv6(b, off, end, out, depth);
  return fail(off < end ? 'bad-version' : 'truncated', off, `IP version ${v}`).error;
}

function dissectIpv4(b: Uint8Array, off: number, end: number, out: Layer[], depth: number): Found {
  const r = decodeIpv4Packet(b, off, end);
  if (!r.ok) return r.error;
  const { payload, ...header } = r.value;
  const stop = off + r.consumed;
  out.push({ layer: 'ipv4', offset: off, length: r.consumed, fields: plain(header) });
  if (header.fragmentOffset !== 0) return undefined;
  const ph: PseudoHeader = { family: 4, source: header.source, destination: header.destination };
  return dissectUpper(b, stop - payload.length, stop, header.protocol, out, depth, ph);
}

function dissectIpv6(b: Uint8Array, off: number, end: number, out: Layer[], depth: number): Found {
  const r = decodeIpv6Packet(b, off, end);
  if (!r.ok) return r.error;
  const { payload, extensions, ...header } = r.value;
  const stop = off + r.consumed;
  out.push({ layer: 'ipv6', offset: off, length: r.consumed, fields: plain(header) });
  let at = off + IPV6_HEADER_LENGTH;
  for (const e of extensions) {
    const len = encodedLengthExtension(e);
    out.push({ layer: e.type, offset: at, length: len, fields: plain(e) });
    at += len;
  }
  if (extensions.some((e) => e.type === 'fragment' && e.fragmentOffset !== 0)) return undefined;
  const start = stop - payload.length;
  if (header.upperProtocol === IpProto.MOBILITY) {
    const addrs = mobilityChecksumAddresses(header.source, header.destination, extensions);
    return dissectMh(b, start, stop, out, addrs);
  }
  const ph: PseudoHeader = { family: 6, source: header.source, destination: header.destination };
  return dissectUpper(b, start, stop, header.upperProtocol, out, depth, ph);
}

function dissectUpper(
  b: Uint8Array, off: number, end: number, proto: number, out: Layer[], depth: number,
  ph: PseudoHeader,
): Found {
  switch (proto) {
    case IpProto.IPV4: case IpProto.IPV6: return dissectIp(b, off, end, out, depth + 1);
    case IpProto.UDP: return dissectUdp(b, off, end, out, depth, ph);
    case IpProto.ICMPV6: return dissectIcmpv6(b, off, end, out, ph);
    case IpProto.ICMPV4: return dissectIcmpv4(b, off, end, out);
    default:
      pushPayload(b, off, end, out, proto);
      return undefined;
  }
}

function pushPayload(b: Uint8Array, off: number, end: number, out: Layer[], protocol?: number): void {
  if (end <= off) return;
  const data = toHex(b.subarray(off, end));
  out.push({ layer: 'payload', offset: off, length: end - off, fields: { protocol, data } });
}

function dissectUdp(
  b: Uint8Array, off: number, end: number, out: Layer[], depth: number, ph: PseudoHeader,
): Found {
  const r = decodeUdp(b, off, end, ph);
  if (!r.ok) return r.error;
  const { sourcePort, destinationPort } = r.value;
  out.push({ layer: 'udp', offset: off, length: r.consumed, fields: { sourcePort, destinationPort } });
  const inner = off + 8;
  const stop = off + r.consumed;
  const ports = [sourcePort, destinationPort];
  if (ports.includes(DSMIPV6_UDP_PORT)) return dissectIp(b, inner, stop, out, depth + 1);
  if (ports.includes(DHCP_SERVER_PORT) && ports.includes(DHCP_CLIENT_PORT)) {
    return dissectDhcpv4(b, inner, stop, out);
  }
  pushPayload(b, inner, stop, out);
  return undefined;
}

function dissectMh(
  b: Uint8Array, off: number, end: number, out: Layer[],
  addrs?: { source: string; destination: string },
): Found {
  const r = decodeMobilityHeader(b, off, end);
  if (!r.ok) return r.error;
  const m = r.value.message;
  const flagLetters = m.type === 'binding-update' ? buFlagLetters(m.flags)
    : m.type === 'binding-ack' ? baFlagLetters(m.flags) : undefined;
  const checksum = readMobilityChecksum(b, off);
  const checksumValid = addrs ? verifyMobilityChecksum(b, off, off + r.consumed, addrs) : undefined;
  out.push({
    layer: 'mobility-header', offset: off, length: r.consumed,
    fields: plain({ ...r.value, message: { ...m, flagLetters }, checksum, checksumValid }),
  });
  if (addrs && r.consumed !== end - off) {
    return fail('bad-length', off + 1, 'MH Header Len disagrees with the IPv6 payload length').error;
  }
  if (checksumValid === false) return fail('bad-checksum', off + 4, 'MH checksum').error;
  return undefined;
}

/** Dissects a packet: IPv4, IPv6, or a bare Mobility Header (first octet 59). */
export function dissect(b: Uint8Array): Dissection {
  const layers: Layer[] = [];
  const error = b.length > 0 && b[0] === 59
    ? dissectMh(b, 0, b.length, layers)
    : dissectIp(b, 0, b.length, layers, 0);
  return error ? { layers, error } : { layers };
}
