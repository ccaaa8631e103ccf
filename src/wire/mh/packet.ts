/**
 * Mobility Header inside an IPv6 packet: the checksum address rule and packet builders.
 *
 * RFC 6275 §6.1.1: the pseudo-header source is the Home Address from a Home Address option when
 * there is one, and the destination is the final destination — the Home Address of a Type 2
 * Routing Header when there is one (a BA sent to a care-of address).
 */
import {
  findHomeAddressOption, findType2RoutingAddress, homeAddressDestinationOptions,
  type Ipv6ExtensionHeader,
} from '../ipv6-ext.js';
import { decodeIpv6Packet, encodeIpv6Packet, encodedLengthIpv6Packet, type Ipv6Packet } from '../ipv6.js';
import { IpProto } from '../ip-protocols.js';
import { fail, ok, type WireResult } from '../result.js';
import {
  decodeMobilityHeader, encodeMobilityHeader, encodedLengthMobilityHeader,
  verifyMobilityChecksum, type MhChecksumAddresses, type MobilityHeader,
} from './header.js';

export function mobilityChecksumAddresses(
  source: string, destination: string, extensions: readonly Ipv6ExtensionHeader[],
): MhChecksumAddresses {
  return {
    source: findHomeAddressOption(extensions) ?? source,
    destination: findType2RoutingAddress(extensions) ?? destination,
  };
}

export interface MobilityPacketSpec {
  readonly source: string;
  readonly destination: string;
  readonly hopLimit?: number;
  /** Adds a Destination Options header with this Home Address option (a BU from a CoA). */
  readonly homeAddressOption?: string;
  /** Adds a Type 2 Routing Header with this Home Address (a BA to a CoA). */
  readonly type2RoutingAddress?: string;
  readonly mh: MobilityHeader;
}

/** The IPv6 packet value carrying `spec.mh`, checksum filled per the rule above. */
export function mobilityPacket(spec: MobilityPacketSpec): Ipv6Packet {
  const extensions: Ipv6ExtensionHeader[] = [];
  if (spec.type2RoutingAddress !== undefined) {
    extensions.push({ type: 'type2-routing', segmentsLeft: 1, homeAddress: spec.type2RoutingAddress });
  }
  if (spec.homeAddressOption !== undefined) {
    extensions.push(homeAddressDestinationOptions(spec.homeAddressOption));
  }
  const payload = new Uint8Array(encodedLengthMobilityHeader(spec.mh));
  encodeMobilityHeader(spec.mh, payload, 0,
    mobilityChecksumAddresses(spec.source, spec.destination, extensions));
  return {
    trafficClass: 0, flowLabel: 0, hopLimit: spec.hopLimit ?? 64,
    source: spec.source, destination: spec.destination,
    extensions, upperProtocol: IpProto.MOBILITY, payload,
  };
}

/** Encodes `spec` as a complete IPv6 packet. */
export function encodeMobilityPacket(spec: MobilityPacketSpec): Uint8Array {
  const p = mobilityPacket(spec);
  const out = new Uint8Array(encodedLengthIpv6Packet(p));
  encodeIpv6Packet(p, out, 0);
  return out;
}

export interface ReceivedMobilityPacket {
  readonly packet: Ipv6Packet;
  readonly mh: MobilityHeader;
  /** The home address from an HAO, if present. */
  readonly homeAddressOption?: string;
  readonly type2RoutingAddress?: string;
}

/**
 * Decodes an IPv6 packet that must carry a Mobility Header and verifies the MH checksum
 * (a bad checksum is `bad-checksum`: RFC 6275 §9.2 says discard silently).
 */
export function decodeMobilityPacket(
  b: Uint8Array, offset = 0, end = b.length,
): WireResult<ReceivedMobilityPacket> {
  const pr = decodeIpv6Packet(b, offset, end);
  if (!pr.ok) return pr;
  const p = pr.value;
  const mhStart = offset + pr.consumed - p.payload.length;
  if (p.upperProtocol !== IpProto.MOBILITY) {
    return fail('unsupported', mhStart, `upper-layer protocol ${p.upperProtocol} is not the MH`);
  }
  const mr = decodeMobilityHeader(b, mhStart, mhStart + p.payload.length);
  if (!mr.ok) return mr;
  if (mr.consumed !== p.payload.length) {
    return fail('bad-length', mhStart + 1, 'MH Header Len disagrees with the IPv6 payload length');
  }
  const addrs = mobilityChecksumAddresses(p.source, p.destination, p.extensions);
  if (!verifyMobilityChecksum(b, mhStart, mhStart + mr.consumed, addrs)) {
    return fail('bad-checksum', mhStart + 4, 'MH checksum');
  }
  const homeAddressOption = findHomeAddressOption(p.extensions);
  const type2RoutingAddress = findType2RoutingAddress(p.extensions);
  return ok({
    packet: p, mh: mr.value,
    ...(homeAddressOption !== undefined ? { homeAddressOption } : {}),
    ...(type2RoutingAddress !== undefined ? { type2RoutingAddress } : {}),
  }, pr.consumed);
}
