/** Fuzz targets for the IP layer, UDP, RFC 5555 UDP encapsulation and the Mobility Header. */
import fc from 'fast-check';
import { decodeUdp, encodeUdp, encodedLengthUdp, type UdpDatagram } from '../../src/wire/udp.js';
import { ipv4PacketCodec } from '../../src/wire/ipv4.js';
import { ipv6PacketCodec } from '../../src/wire/ipv6.js';
import { mobilityHeaderCodec } from '../../src/wire/mh/header.js';
import { decodeMobilityPacket } from '../../src/wire/mh/packet.js';
import { decodeUdpEncapsulation4 } from '../../src/wire/udp-encap.js';
import type { Codec } from '../harness.js';
import { ipv4Packet, ipv6Packet, mobilityHeader } from '../prop/arbitraries.js';
import { target, type FuzzTarget } from './registry.js';

const PSEUDO4 = { family: 4 as const, source: '192.0.2.1', destination: '198.51.100.2' };
export const udp4Codec: Codec<UdpDatagram> = {
  name: 'udp-over-ipv4',
  encodedLength: encodedLengthUdp,
  encode: (d, out, off) => encodeUdp(d, out, off, PSEUDO4),
  decode: (b, off, end) => decodeUdp(b, off, end, PSEUDO4),
};

export const udpDatagram: fc.Arbitrary<UdpDatagram> = fc.record({
  sourcePort: fc.integer({ min: 0, max: 0xffff }),
  destinationPort: fc.integer({ min: 0, max: 0xffff }),
  payload: fc.uint8Array({ maxLength: 64 }),
});

/** Decoders whose encoders live elsewhere: fuzzed for "never throws" only. */
const decodeOnly = <T>(name: string, decode: Codec<T>['decode']): Codec<T> => ({
  name,
  encodedLength: () => { throw new Error(`${name} is decode-only`); },
  encode: () => { throw new Error(`${name} is decode-only`); },
  decode,
});

export const ipTargets: FuzzTarget<unknown>[] = [
  target(ipv6PacketCodec, ipv6Packet),
  target(ipv4PacketCodec, ipv4Packet),
  target(udp4Codec, udpDatagram),
  target(mobilityHeaderCodec, mobilityHeader),
];

/** Decode-only targets, seeded from the encodings of the targets above. */
export const ipDecodeOnly: Codec<unknown>[] = [
  decodeOnly('mobility-packet', decodeMobilityPacket) as Codec<unknown>,
  decodeOnly('udp-encapsulation', decodeUdpEncapsulation4) as Codec<unknown>,
];
