/**
 * Mobility Header inside an IPv6 packet: the checksum address rule and packet builders.
 *
 * RFC 6275 §6.1.1: the pseudo-header source is the Home Address from a Home Address option when
 * there is one, and the destination is the final destination — the Home Address of a Type 2
 * Routing Header when there is one (a BA sent to a care-of address).
 */
import { ipv6WordSum, writeIpv6 } from '../addr.js';
import { packetBytes } from '../bytes.js';
import { sumWords } from '../checksum.js';
import {
  HOME_ADDRESS_OPTION_TYPE, TYPE2_ROUTING, findHomeAddressOption, findType2RoutingAddress,
  homeAddressDestinationOptions, type Ipv6ExtensionHeader,
} from '../ipv6-ext.js';
import { IPV6_HEADER_LENGTH, decodeIpv6Packet, writeIpv6Header, type Ipv6Packet } from '../ipv6.js';
import { IpProto } from '../ip-protocols.js';
import { EncodeError, checkRoom, fail, ok, type WireResult } from '../result.js';
import {
  decodeMobilityHeader, encodeMobilityHeader, encodedLengthMobilityHeader, fillMobilityChecksumWords,
  mobilityChecksumWordsOk, writeMobilityHeader, type MhChecksumAddresses, type MobilityHeader,
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

/** Octets of the Type 2 Routing Header and of the Destination Options header with an HAO. */
const RH2_LENGTH = 24;
const HAO_HEADER_LENGTH = 24;

function extensionsLength(spec: MobilityPacketSpec): number {
  return (spec.type2RoutingAddress !== undefined ? RH2_LENGTH : 0)
    + (spec.homeAddressOption !== undefined ? HAO_HEADER_LENGTH : 0);
}

/** Octets of the whole IPv6 packet `encodeMobilityPacket(spec)` makes. */
export function encodedLengthMobilityPacket(spec: MobilityPacketSpec): number {
  return IPV6_HEADER_LENGTH + extensionsLength(spec) + encodedLengthMobilityHeader(spec.mh);
}

/**
 * Writes the packet `mobilityPacket(spec)` describes at out[offset...] and returns its length:
 * the same octets as `encodeIpv6Packet(mobilityPacket(spec), ...)`, written in one pass with no
 * intermediate packet value, payload copy or address array. Layout (ipv6-ext.ts): a Type 2
 * Routing Header (Segments Left 1), then a Destination Options header of PadN(2) and the Home
 * Address option, then the MH, whose checksum is summed over the addresses already written.
 */
export function encodeMobilityPacketInto(spec: MobilityPacketSpec, out: Uint8Array, offset: number): number {
  return writeMobilityPacket(spec, out, offset, encodedLengthMobilityHeader(spec.mh));
}

/** encodeMobilityPacketInto given the length of the MH (computed once per packet). */
function writeMobilityPacket(
  spec: MobilityPacketSpec, out: Uint8Array, offset: number, mhLength: number,
): number {
  const mhStart = offset + IPV6_HEADER_LENGTH + extensionsLength(spec);
  const total = mhStart - offset + mhLength;
  checkRoom(out, offset, total, 'IPv6 packet');
  writeMobilityHeader(spec.mh, out, mhStart, mhLength);
  const rh2 = spec.type2RoutingAddress;
  const hao = spec.homeAddressOption;
  let at = offset + IPV6_HEADER_LENGTH;
  let sourceAt = offset + 8;
  let destinationAt = offset + 24;
  if (rh2 !== undefined) {
    out[at] = hao !== undefined ? IpProto.DESTINATION_OPTIONS : IpProto.MOBILITY;
    out[at + 1] = RH2_LENGTH / 8 - 1; out[at + 2] = TYPE2_ROUTING; out[at + 3] = 1;
    out[at + 4] = 0; out[at + 5] = 0; out[at + 6] = 0; out[at + 7] = 0;
    if (!writeIpv6(out, at + 8, rh2)) throw new EncodeError(`bad Type 2 Routing Header address ${rh2}`);
    destinationAt = at + 8;
    at += RH2_LENGTH;
  }
  if (hao !== undefined) {
    out[at] = IpProto.MOBILITY; out[at + 1] = HAO_HEADER_LENGTH / 8 - 1;
    out[at + 2] = 1; out[at + 3] = 2; out[at + 4] = 0; out[at + 5] = 0; // PadN(2)
    out[at + 6] = HOME_ADDRESS_OPTION_TYPE; out[at + 7] = 16;
    if (!writeIpv6(out, at + 8, hao)) throw new EncodeError(`bad Home Address ${hao}`);
    sourceAt = at + 8;
  }
  const first = rh2 !== undefined ? IpProto.ROUTING
    : hao !== undefined ? IpProto.DESTINATION_OPTIONS : IpProto.MOBILITY;
  writeIpv6Header(out, offset, 0, 0, total - IPV6_HEADER_LENGTH, first, spec.hopLimit ?? 64,
    spec.source, spec.destination);
  const words = sumWords(out, sourceAt, sourceAt + 16) + sumWords(out, destinationAt, destinationAt + 16);
  fillMobilityChecksumWords(out, mhStart, offset + total, words);
  return total;
}

/** Encodes `spec` as a complete IPv6 packet (in fresh octets of its own). */
export function encodeMobilityPacket(spec: MobilityPacketSpec): Uint8Array {
  const mhLength = encodedLengthMobilityHeader(spec.mh);
  const out = packetBytes(IPV6_HEADER_LENGTH + extensionsLength(spec) + mhLength);
  writeMobilityPacket(spec, out, 0, mhLength);
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
  // The pseudo-header addresses (rule above): the header's own octets unless an HAO or an RH2
  // replaces them; summed in place, not parsed back from the text just formatted.
  const homeAddressOption = findHomeAddressOption(p.extensions);
  const type2RoutingAddress = findType2RoutingAddress(p.extensions);
  const sourceAt = homeAddressOption === undefined
    ? offset + 8 : addressOffset(b, offset, p.extensions, false);
  const destinationAt = type2RoutingAddress === undefined
    ? offset + 24 : addressOffset(b, offset, p.extensions, true);
  const words = addressWords(b, sourceAt, homeAddressOption)
    + addressWords(b, destinationAt, type2RoutingAddress);
  if (!mobilityChecksumWordsOk(b, mhStart, mhStart + mr.consumed, words)) {
    return fail('bad-checksum', mhStart + 4, 'MH checksum');
  }
  const value: Mutable<ReceivedMobilityPacket> = { packet: p, mh: mr.value };
  if (homeAddressOption !== undefined) value.homeAddressOption = homeAddressOption;
  if (type2RoutingAddress !== undefined) value.type2RoutingAddress = type2RoutingAddress;
  return ok(value, pr.consumed);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Sum of the words of the address at b[at, at+16), or of `text` when `at` is -1. */
function addressWords(b: Uint8Array, at: number, text: string | undefined): number {
  return at >= 0 ? sumWords(b, at, at + 16) : ipv6WordSum(text ?? '');
}

/**
 * Where in `b` the address of the first Home Address option (`rh2` false) or of the first Type 2
 * Routing Header (`rh2` true) of the packet at `packetStart` lies, found by walking the chain
 * `exts` decoded from it (the same lengths decodeExtensionChain used, in the same order
 * findHomeAddressOption / findType2RoutingAddress search); -1 if not found.
 */
function addressOffset(
  b: Uint8Array, packetStart: number, exts: readonly Ipv6ExtensionHeader[], rh2: boolean,
): number {
  let at = packetStart + IPV6_HEADER_LENGTH;
  let proto = b[packetStart + 6];
  for (let k = 0; k < exts.length; k++) {
    const e = exts[k];
    const len = proto === IpProto.FRAGMENT ? 8
      : proto === IpProto.AH ? (b[at + 1] + 2) * 4 : (b[at + 1] + 1) * 8;
    if (rh2 && e.type === 'type2-routing') return at + 8;
    if (!rh2 && e.type === 'destination-options') {
      for (let i = at + 2; i < at + len;) {
        if (b[i] === HOME_ADDRESS_OPTION_TYPE) return i + 2;
        i += b[i] === 0 ? 1 : 2 + b[i + 1];
      }
    }
    proto = b[at];
    at += len;
  }
  return -1;
}
