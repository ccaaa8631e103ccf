/** fast-check generators of valid values for the IP-layer and Mobility Header codecs. */
import fc from 'fast-check';
import { formatIpv4, formatIpv6 } from '../../src/wire/addr.js';
import type { MobilityHeader } from '../../src/wire/mh/header.js';
import type { MobilityMessage } from '../../src/wire/mh/messages.js';
import type { MobilityOption } from '../../src/wire/mh/options.js';
import type { Ipv6ExtensionHeader, Ipv6Option } from '../../src/wire/ipv6-ext.js';
import type { Ipv6Packet } from '../../src/wire/ipv6.js';
import type { Ipv4Packet } from '../../src/wire/ipv4.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });

export const ipv6Address: fc.Arbitrary<string> = fc.oneof(
  bytes(16).map((b) => formatIpv6(b)),
  bytes(4).map((b) => formatIpv6(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...b))),
  fc.constantFrom('::', '::1', '2001:db8::1', 'fe80::1', '2001:db8:0:1::', '1:0:0:2::3'),
);
export const ipv4Address: fc.Arbitrary<string> = bytes(4).map((b) => formatIpv4(b));
const lifetimeSeconds = u16.map((u) => u * 4);

export const mobilityOption: fc.Arbitrary<MobilityOption> = fc.oneof(
  lifetimeSeconds.map((s) => ({ type: 'binding-refresh-advice' as const, refreshIntervalSeconds: s })),
  ipv6Address.map((a) => ({ type: 'alternate-care-of-address' as const, careOfAddress: a })),
  fc.record({ type: fc.constant('nonce-indices' as const), homeNonceIndex: u16, careOfNonceIndex: u16 }),
  bytes(12).map((a) => ({ type: 'binding-authorization-data' as const, authenticator: a })),
  fc.record({
    type: fc.constant('mobile-network-prefix' as const),
    prefixLength: fc.integer({ min: 0, max: 128 }), prefix: ipv6Address,
  }),
  fc.record({
    type: fc.constant('mobile-node-identifier' as const), subtype: u8,
    identifier: fc.uint8Array({ minLength: 1, maxLength: 60 }),
  }),
  fc.record({
    type: fc.constant('authentication' as const), subtype: u8, spi: u32,
    authenticationData: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  }),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((t) => ({ type: 'replay-protection' as const, timestamp: t })),
  fc.record({
    type: fc.constant('ipv4-home-address' as const), prefixLength: fc.integer({ min: 0, max: 32 }),
    requestPrefix: fc.boolean(), address: ipv4Address,
  }),
  fc.record({
    type: fc.constant('ipv4-address-acknowledgement' as const), status: u8,
    prefixLength: fc.integer({ min: 0, max: 32 }), address: ipv4Address,
  }),
  fc.record({ type: fc.constant('nat-detection' as const), forceUdp: fc.boolean(), refreshTimeSeconds: u32 }),
  ipv4Address.map((a) => ({ type: 'ipv4-care-of-address' as const, address: a })),
  fc.record({
    type: fc.constant('unknown' as const),
    optionType: fc.integer({ min: 11, max: 255 }).filter((t) => t < 29 || t > 32),
    data: fc.uint8Array({ maxLength: 30 }),
  }),
);

export const mobilityMessage: fc.Arbitrary<MobilityMessage> = fc.oneof(
  fc.constant({ type: 'binding-refresh-request' as const }),
  bytes(8).map((c) => ({ type: 'home-test-init' as const, homeInitCookie: c })),
  bytes(8).map((c) => ({ type: 'care-of-test-init' as const, careOfInitCookie: c })),
  fc.record({
    type: fc.constant('home-test' as const), homeNonceIndex: u16, homeInitCookie: bytes(8),
    homeKeygenToken: bytes(8),
  }),
  fc.record({
    type: fc.constant('care-of-test' as const), careOfNonceIndex: u16, careOfInitCookie: bytes(8),
    careOfKeygenToken: bytes(8),
  }),
  fc.record({ type: fc.constant('binding-update' as const), sequence: u16, flags: u16, lifetimeSeconds }),
  fc.record({
    type: fc.constant('binding-ack' as const), status: u8, flags: u8, sequence: u16, lifetimeSeconds,
  }),
  fc.record({ type: fc.constant('binding-error' as const), status: u8, homeAddress: ipv6Address }),
  fc.record({
    type: fc.constant('unknown' as const), mhType: fc.integer({ min: 8, max: 255 }),
    data: fc.integer({ min: 0, max: 6 }).chain((k) => bytes(2 + 8 * k)),
  }),
);

export const mobilityHeader: fc.Arbitrary<MobilityHeader> = mobilityMessage.chain((message) =>
  fc.record({
    payloadProto: fc.constant(59),
    message: fc.constant(message),
    options: message.type === 'unknown'
      ? fc.constant([] as MobilityOption[])
      : fc.array(mobilityOption, { maxLength: 6 }),
  }));

const ipv6Option: fc.Arbitrary<Ipv6Option> = fc.oneof(
  fc.constant({ type: 'pad1' as const }),
  fc.integer({ min: 0, max: 10 }).map((n) => ({ type: 'padn' as const, length: n })),
  ipv6Address.map((a) => ({ type: 'home-address' as const, homeAddress: a })),
  fc.record({
    type: fc.constant('unknown' as const),
    optionType: fc.integer({ min: 2, max: 255 }).filter((t) => t !== 201),
    data: fc.uint8Array({ maxLength: 20 }),
  }),
);

/** Options padded with PadN/Pad1 so that 2 + their length is a multiple of 8. */
const paddedOptions: fc.Arbitrary<Ipv6Option[]> = fc.array(ipv6Option, { maxLength: 4 }).map((os) => {
  const len = 2 + os.reduce((n, o) => n + (o.type === 'pad1' ? 1 : o.type === 'padn' ? 2 + o.length
    : o.type === 'home-address' ? 18 : 2 + o.data.length), 0);
  const pad = (8 - (len % 8)) % 8;
  if (pad === 0) return os;
  return [...os, pad === 1 ? { type: 'pad1' as const } : { type: 'padn' as const, length: pad - 2 }];
});

export const ipv6Extension: fc.Arbitrary<Ipv6ExtensionHeader> = fc.oneof(
  paddedOptions.map((options) => ({ type: 'destination-options' as const, options })),
  fc.record({ type: fc.constant('type2-routing' as const), segmentsLeft: u8, homeAddress: ipv6Address }),
  fc.record({
    type: fc.constant('routing' as const), routingType: u8.filter((t) => t !== 2), segmentsLeft: u8,
    data: fc.integer({ min: 0, max: 3 }).chain((k) => bytes(4 + 8 * k)),
  }),
  fc.record({
    type: fc.constant('fragment' as const), fragmentOffset: fc.constant(0), moreFragments: fc.boolean(),
    identification: u32,
  }),
  fc.record({
    type: fc.constant('other' as const), protocol: fc.constant(51),
    data: fc.integer({ min: 0, max: 4 }).chain((k) => bytes(6 + 4 * k)),
  }),
);

export const ipv6Packet: fc.Arbitrary<Ipv6Packet> = fc.record({
  trafficClass: u8,
  flowLabel: fc.integer({ min: 0, max: 0xfffff }),
  hopLimit: u8,
  source: ipv6Address,
  destination: ipv6Address,
  extensions: fc.tuple(fc.boolean(), paddedOptions, fc.array(ipv6Extension, { maxLength: 3 }))
    .map(([hbh, options, rest]) => (hbh ? [{ type: 'hop-by-hop' as const, options }, ...rest] : rest)),
  upperProtocol: fc.constantFrom(6, 17, 58, 59, 135, 4, 41, 50),
  payload: fc.uint8Array({ maxLength: 64 }),
});

export const ipv4Packet: fc.Arbitrary<Ipv4Packet> = fc.record({
  typeOfService: u8,
  identification: u16,
  dontFragment: fc.boolean(),
  moreFragments: fc.boolean(),
  fragmentOffset: fc.integer({ min: 0, max: 0x1fff }),
  ttl: u8,
  protocol: u8,
  source: ipv4Address,
  destination: ipv4Address,
  options: fc.integer({ min: 0, max: 10 }).chain((k) => bytes(4 * k)),
  payload: fc.uint8Array({ maxLength: 64 }),
});
