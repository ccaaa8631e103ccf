/**
 * RFC 5555 UDP encapsulation ("vanilla" format, §4.1): an IPv4 or IPv6 packet carried directly as
 * the payload of a UDP datagram to or from port 4191, with no extra header. The receiver tells the
 * inner family by the version nibble of the first octet.
 *
 *   IPv4 (proto 17) | UDP (dst or src 4191) | inner IPv4 or IPv6 packet
 *
 * TLV-header format (BU/BA T flag): the T flags are IANA-registered by RFC 5845, and the layout
 * and Type values of the TLV header could not be confirmed from a reliable source
 * (docs/protocol-notes.md), so dsmip6 never requests it and a home agent always answers T = 0,
 * which makes the mobile node fall back to the vanilla format (RFC 5555 behaviour, UMIP-DSMIP too).
 */
import { decodeIpv4Packet, encodeIpv4Packet, encodedLengthIpv4Packet } from './ipv4.js';
import { IpProto } from './ip-protocols.js';
import { fail, needBytes, ok, type WireResult } from './result.js';
import { decodeUdp, encodeUdp, encodedLengthUdp, type UdpDatagram } from './udp.js';

/** The inner family of a vanilla UDP-encapsulated payload, from its version nibble. */
export function encapsulatedFamily(b: Uint8Array, offset = 0, end = b.length): WireResult<4 | 6> {
  const short = needBytes(end, offset, 1, 'encapsulated packet');
  if (short) return short;
  const v = b[offset] >> 4;
  if (v === 4 || v === 6) return ok(v, 0);
  return fail('bad-version', offset, `encapsulated packet version ${v} (want 4 or 6)`);
}

export interface UdpEncapsulation4 {
  readonly source: string;
  readonly destination: string;
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly ttl?: number;
  /** DSCP/ECN of the outer header (copied from the inner one by the data plane). */
  readonly typeOfService?: number;
  readonly inner: Uint8Array;
}

/** Builds IPv4 / UDP / inner packet (UDP checksum computed unless `zeroChecksum`). */
export function encodeUdpEncapsulation4(e: UdpEncapsulation4, zeroChecksum = false): Uint8Array {
  const udp: UdpDatagram = {
    sourcePort: e.sourcePort, destinationPort: e.destinationPort, payload: e.inner,
  };
  const udpBytes = new Uint8Array(encodedLengthUdp(udp));
  encodeUdp(udp, udpBytes, 0, { family: 4, source: e.source, destination: e.destination }, zeroChecksum);
  const ip = {
    typeOfService: e.typeOfService ?? 0, identification: 0, dontFragment: true,
    moreFragments: false, fragmentOffset: 0, ttl: e.ttl ?? 64, protocol: IpProto.UDP,
    source: e.source, destination: e.destination, options: new Uint8Array(0), payload: udpBytes,
  };
  const out = new Uint8Array(encodedLengthIpv4Packet(ip));
  encodeIpv4Packet(ip, out, 0);
  return out;
}

/** Decodes IPv4 / UDP / inner; `innerOffset` is where the inner packet starts in `b`. */
export function decodeUdpEncapsulation4(
  b: Uint8Array, offset = 0, end = b.length,
): WireResult<UdpEncapsulation4 & { readonly innerOffset: number; readonly family: 4 | 6 }> {
  const ip = decodeIpv4Packet(b, offset, end);
  if (!ip.ok) return ip;
  const udpStart = offset + ip.consumed - ip.value.payload.length;
  if (ip.value.protocol !== IpProto.UDP) {
    return fail('unsupported', offset + 9, `IPv4 protocol ${ip.value.protocol} is not UDP`);
  }
  if (ip.value.fragmentOffset !== 0 || ip.value.moreFragments) {
    return fail('unsupported', offset + 6, 'IPv4 fragment');
  }
  const pseudo = { family: 4 as const, source: ip.value.source, destination: ip.value.destination };
  const udp = decodeUdp(b, udpStart, offset + ip.consumed, pseudo);
  if (!udp.ok) return udp;
  const innerOffset = udpStart + 8;
  const fam = encapsulatedFamily(b, innerOffset, udpStart + udp.consumed);
  if (!fam.ok) return fam;
  return ok({
    source: ip.value.source, destination: ip.value.destination, ttl: ip.value.ttl,
    typeOfService: ip.value.typeOfService, sourcePort: udp.value.sourcePort,
    destinationPort: udp.value.destinationPort, inner: udp.value.payload, innerOffset,
    family: fam.value,
  }, ip.consumed);
}
