/**
 * Fuzz targets and value generators for ICMPv6 (with ND options and the Mobile IPv6 messages)
 * and ICMPv4. The generators make only valid values, so decode(encode(x)) must give x back.
 */
import fc from 'fast-check';
import { formatIpv6 } from '../../src/wire/addr.js';
import { icmpv4Codec, type Icmpv4Message } from '../../src/wire/icmpv4.js';
import type { Icmpv6Message } from '../../src/wire/icmpv6.js';
import { icmpv6Codec } from '../../src/wire/icmpv6-codec.js';
import {
  ND_OPTION_TYPE, encodeNdOption, encodedLengthNdOption, decodeNdOption, ndOptionsCodec,
  type NdOption,
} from '../../src/wire/nd-options.js';
import type { Codec } from '../harness.js';
import { target, type FuzzTarget } from './registry.js';

/** One ND option alone (every strict prefix of its encoding is truncated). */
export const ndOptionCodec: Codec<NdOption> = {
  name: 'nd-option',
  encodedLength: encodedLengthNdOption,
  encode: encodeNdOption,
  decode: decodeNdOption,
};

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** Canonical IPv6 text of any 16 bytes (IPv4-mapped ones included). */
export const ipv6Text: fc.Arbitrary<string> =
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIpv6(b));

/** Option data of 8n-2 bytes, n = 1..3 (the option is n 8-octet units). */
const optionData = fc.integer({ min: 1, max: 3 })
  .chain((n) => fc.uint8Array({ minLength: 8 * n - 2, maxLength: 8 * n - 2 }));

const knownOptionTypes = new Set<number>(Object.values(ND_OPTION_TYPE));
const unknownOptionType = u8.filter((t) => !knownOptionTypes.has(t));

export const ndOption: fc.Arbitrary<NdOption> = fc.oneof(
  fc.record({
    type: fc.constantFrom(
      'source-link-layer-address' as const, 'target-link-layer-address' as const),
    linkLayerAddress: optionData,
  }),
  fc.record({
    type: fc.constant('prefix-information' as const),
    prefixLength: fc.integer({ min: 0, max: 128 }),
    onLink: fc.boolean(),
    autonomous: fc.boolean(),
    routerAddress: fc.boolean(),
    reserved: fc.integer({ min: 0, max: 0x1f }),
    validLifetimeSeconds: u32,
    preferredLifetimeSeconds: u32,
    prefix: ipv6Text,
  }),
  fc.record({ type: fc.constant('mtu' as const), mtu: u32 }),
  fc.record({ type: fc.constant('advertisement-interval' as const), intervalMs: u32 }),
  fc.record({
    type: fc.constant('home-agent-information' as const),
    mobileRouterSupport: fc.boolean(),
    reserved: fc.integer({ min: 0, max: 0x7fff }),
    preference: fc.integer({ min: -0x8000, max: 0x7fff }),
    lifetimeSeconds: u16,
  }),
  fc.record({
    type: fc.constant('unknown' as const), optionType: unknownOptionType, data: optionData,
  }),
);

export const ndOptions: fc.Arbitrary<NdOption[]> = fc.array(ndOption, { maxLength: 5 });

const bytes = fc.uint8Array({ maxLength: 48 });

const knownIcmpv6Types = new Set([1, 2, 3, 4, 128, 129, 133, 134, 135, 136, 144, 145, 146, 147]);

export const icmpv6Message: fc.Arbitrary<Icmpv6Message> = fc.oneof(
  fc.record({
    type: fc.constantFrom('echo-request' as const, 'echo-reply' as const),
    code: u8, identifier: u16, sequence: u16, data: bytes,
  }),
  fc.record({
    type: fc.constantFrom('destination-unreachable' as const, 'time-exceeded' as const),
    code: u8, invoking: bytes,
  }),
  fc.record({ type: fc.constant('packet-too-big' as const), code: u8, mtu: u32, invoking: bytes }),
  fc.record({
    type: fc.constant('parameter-problem' as const), code: u8, pointer: u32, invoking: bytes,
  }),
  fc.record({ type: fc.constant('router-solicitation' as const), code: u8, options: ndOptions }),
  fc.record({
    type: fc.constant('router-advertisement' as const),
    code: u8,
    curHopLimit: u8,
    managed: fc.boolean(),
    otherConfig: fc.boolean(),
    homeAgent: fc.boolean(),
    otherFlags: fc.integer({ min: 0, max: 0x1f }),
    routerLifetimeSeconds: u16,
    reachableTimeMs: u32,
    retransTimerMs: u32,
    options: ndOptions,
  }),
  fc.record({
    type: fc.constant('neighbor-solicitation' as const),
    code: u8, target: ipv6Text, options: ndOptions,
  }),
  fc.record({
    type: fc.constant('neighbor-advertisement' as const),
    code: u8,
    router: fc.boolean(),
    solicited: fc.boolean(),
    override: fc.boolean(),
    reserved: fc.integer({ min: 0, max: 0x1fffffff }),
    target: ipv6Text,
    options: ndOptions,
  }),
  fc.record({
    type: fc.constant('haad-request' as const),
    code: u8, identifier: u16, mobileRouterSupport: fc.boolean(),
    reserved: fc.integer({ min: 0, max: 0x7fff }),
  }),
  fc.record({
    type: fc.constant('haad-reply' as const),
    code: u8, identifier: u16, mobileRouterSupport: fc.boolean(),
    reserved: fc.integer({ min: 0, max: 0x7fff }),
    homeAgentAddresses: fc.array(ipv6Text, { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('mobile-prefix-solicitation' as const), code: u8, identifier: u16,
  }),
  fc.record({
    type: fc.constant('mobile-prefix-advertisement' as const),
    code: u8, identifier: u16, managed: fc.boolean(), otherConfig: fc.boolean(),
    reserved: fc.integer({ min: 0, max: 0x3fff }), options: ndOptions,
  }),
  fc.record({
    type: fc.constant('unknown' as const),
    icmpType: u8.filter((t) => !knownIcmpv6Types.has(t)),
    code: u8,
    body: bytes,
  }),
);

const knownIcmpv4Types = new Set([0, 3, 8, 11]);

export const icmpv4Message: fc.Arbitrary<Icmpv4Message> = fc.oneof(
  fc.record({
    type: fc.constantFrom('echo-request' as const, 'echo-reply' as const),
    code: u8, identifier: u16, sequence: u16, data: bytes,
  }),
  // Next-Hop MTU only with code 4 (RFC 1191); 0 otherwise.
  fc.oneof(
    fc.record({
      type: fc.constant('destination-unreachable' as const),
      code: fc.constant(4), nextHopMtu: u16, invoking: bytes,
    }),
    fc.record({
      type: fc.constant('destination-unreachable' as const),
      code: u8, nextHopMtu: fc.constant(0), invoking: bytes,
    }),
  ),
  fc.record({ type: fc.constant('time-exceeded' as const), code: u8, invoking: bytes }),
  fc.record({
    type: fc.constant('unknown' as const),
    icmpType: u8.filter((t) => !knownIcmpv4Types.has(t)),
    code: u8,
    body: bytes,
  }),
);

export const icmpTargets: FuzzTarget<unknown>[] = [
  target(icmpv6Codec, icmpv6Message),
  target(icmpv4Codec, icmpv4Message),
  target<readonly NdOption[]>(ndOptionsCodec, ndOptions),
  target(ndOptionCodec, ndOption),
];
