/**
 * A deterministic corpus of codec inputs (seeded, no Math.random): address texts valid and not,
 * address octets, Mobility Header packet specs (with and without Home Address option, Type 2
 * Routing Header and the DSMIPv6 options, some invalid), generic IPv6 packets and headers.
 * `test/vectors/wire-golden.ts` holds what the codecs produced for it before the allocation-free
 * rewrite (scripts/gen-wire-golden.mjs); wire-equivalence.test.ts checks today's codecs against it.
 */
import { createHash } from 'node:crypto';
import type { Ipv6ExtensionHeader, Ipv6Option } from '../../src/wire/ipv6-ext.js';
import type { Ipv4Packet } from '../../src/wire/ipv4.js';
import type { Ipv6Header, Ipv6Packet } from '../../src/wire/ipv6.js';
import type { MobilityMessage } from '../../src/wire/mh/messages.js';
import type { MobilityOption } from '../../src/wire/mh/options.js';
import type { MobilityPacketSpec } from '../../src/wire/mh/packet.js';
import { refFormatIpv6 } from './reference-addr.js';

/** mulberry32: a small seeded PRNG; `int(n)` is uniform in [0, n). */
export function prng(seed: number): { int(n: number): number; pick<T>(xs: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)] };
}

type Rng = ReturnType<typeof prng>;

/** 16 octets shaped like real addresses: runs of zero groups, small and large groups. */
export function randomAddressBytes(r: Rng): Uint8Array {
  const b = new Uint8Array(16);
  const shape = r.int(10);
  if (shape === 0) return b; // ::
  if (shape === 1) { b[15] = r.int(3); return b; } // ::, ::1, ::2
  if (shape === 2) { // IPv4-mapped
    b[10] = 0xff; b[11] = 0xff;
    for (let i = 12; i < 16; i++) b[i] = r.int(256);
    return b;
  }
  if (shape === 3) { // IPv4-compatible / NAT64-like: a dotted quad is not RFC 5952 output here
    if (r.int(2) === 0) { b[0] = 0; b[1] = 0x64; b[2] = 0xff; b[3] = 0x9b; }
    for (let i = 12; i < 16; i++) b[i] = r.int(256);
    return b;
  }
  for (let g = 0; g < 8; g++) {
    const kind = r.int(5);
    const v = kind <= 1 ? 0 : kind === 2 ? r.int(16) : kind === 3 ? r.int(0x1000) : r.int(0x10000);
    b[2 * g] = v >> 8; b[2 * g + 1] = v & 0xff;
  }
  return b;
}

const groupsOf = (b: Uint8Array): number[] =>
  Array.from({ length: 8 }, (_, g) => (b[2 * g] << 8) | b[2 * g + 1]);

/** Valid IPv6 texts for `b` other than the canonical one: full, padded, upper case, any `::`. */
export function alternativeTexts(r: Rng, b: Uint8Array): string[] {
  const g = groupsOf(b);
  const hex = g.map((x) => x.toString(16));
  const out = [hex.join(':'), g.map((x) => x.toString(16).padStart(4, '0')).join(':')];
  out.push(out[r.int(2)].toUpperCase());
  // `::` over any run of one or more zero groups (RFC 4291 allows a non-canonical choice).
  for (let i = 0; i < 8; i++) {
    if (g[i] !== 0) continue;
    let j = i;
    while (j < 8 && g[j] === 0 && r.int(4) !== 0) j++;
    if (j === i) j = i + 1;
    if (g.slice(i, j).some((x) => x !== 0)) continue;
    out.push(`${hex.slice(0, i).join(':')}::${hex.slice(j).join(':')}`);
  }
  // A trailing dotted quad (any address may be written so).
  out.push(`${hex.slice(0, 6).join(':')}:${b[12]}.${b[13]}.${b[14]}.${b[15]}`);
  return out;
}

const MALFORMED = [
  '', ':', ':::', '::::', '1', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', ':1::', '1::2:',
  '12345::', 'g::1', '::1 ', ' ::1', '1:2:3:4:5:6:7:8::', '::1.2.3', '::1.2.3.4.5', '::1.2.3.256',
  '::01.2.3.4', '::1.2.3.4:5', '1:2:3:4:5:6:7:1.2.3.4', '::ffff:1.2.3.04', '2001:db8::1%eth0',
  '[::1]', '::-1', '::+1', '0x1::', '1.2.3.4', '::ffff:999.0.0.1', 'fe80::/64',
  '1:2:3:4:5:6:7:8:', ':1:2:3:4:5:6:7:8', '::12345', '1:2:3:4:5:6::7:8',
  'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255.1', '::ffff:1.2..4', '::ffff:.1.2.3', '::%',
];

/** Mutations of valid text: most are malformed, some stay valid. */
export function mutatedText(r: Rng, text: string): string {
  const chars = ':.0123456789abcdefABCDEFgx% ';
  const at = r.int(text.length + 1);
  switch (r.int(4)) {
    case 0: return text.slice(0, at) + r.pick([...chars]) + text.slice(at);
    case 1: return text.slice(0, at) + text.slice(at + 1);
    case 2: return text.slice(0, at) + r.pick([...chars]) + text.slice(at + 1);
    default: return text + text.slice(0, at);
  }
}

/** IPv6 texts: canonical, alternative and malformed, in a fixed order. */
export function ipv6Texts(): string[] {
  const r = prng(6275);
  const out = ['::', '::1', '1::', '::ffff:0.0.0.0', '::ffff:255.255.255.255', 'FE80::1', '::FFFF:10.0.0.1',
    '0:0:0:0:0:0:0:0', '0000:0000:0000:0000:0000:0000:0000:0001', '2001:DB8:0:0:1:0:0:1', ...MALFORMED];
  for (let i = 0; i < 300; i++) {
    const b = randomAddressBytes(r);
    const canonical = refFormatIpv6(b);
    out.push(canonical, ...alternativeTexts(r, b).filter(() => r.int(3) === 0), mutatedText(r, canonical));
  }
  return out;
}

/** IPv4 texts valid and not. */
export function ipv4Texts(): string[] {
  const r = prng(5555);
  const out = ['0.0.0.0', '255.255.255.255', '1.2.3.4', '01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1',
    '1..2.3', '', '1.2.3.4 ', 'a.b.c.d', '1.2.3.-4', '10.0.0.00', '100.64.0.1'];
  for (let i = 0; i < 100; i++) {
    const t = `${r.int(256)}.${r.int(256)}.${r.int(256)}.${r.int(256)}`;
    out.push(t, mutatedText(r, t));
  }
  return out;
}

/** Address octets to format: random shapes plus the RFC 5952 corner cases. */
export function ipv6ByteCases(): Uint8Array[] {
  const r = prng(5952);
  const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((x) => parseInt(x, 16)));
  const fixed = [
    '00000000000000000000000000000000', '00000000000000000000000000000001',
    '00010000000000000000000000000000', '20010db8000000010000000000000001', // tie: first run
    '20010db8000000000001000000000001', '20010db8000100000000000000010000', // single zero group
    '20010db8000000000000000100000000', '00000000000000000000ffff0a000001', // mapped
    '00000000000000000000fffe0a000001', '000000000000000000000000c0000201', // compatible
    '0000000000000000000100000000ffff', 'ffffffffffffffffffffffffffffffff',
  ].map(hex);
  return [...fixed, ...Array.from({ length: 400 }, () => randomAddressBytes(r))];
}

const ADDRS = ['2001:db8:1::1', '2001:db8:1::1:0:5a3', '::ffff:10.64.1.2', 'fe80::1:2ff:fe03:405', '::1',
  '::', '2001:DB8:2::A', '2001:0db8:0003:0000:0000:0000:0000:0009', '::ffff:192.0.2.1', '1::'];
const V4 = ['0.0.0.0', '10.1.2.3', '192.0.2.100', '255.255.255.255'];
const BAD6 = ['2001:db8::1::2', '10.1.2.3', 'not-an-address', '', ':::'];
const BAD4 = ['10.1.2', '::1', '256.0.0.1', '01.2.3.4'];

function octets(r: Rng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => r.int(256));
}

function randomOption(r: Rng, bad: boolean): MobilityOption {
  const a6 = (): string => (bad ? r.pick(BAD6) : r.pick(ADDRS));
  const a4 = (): string => (bad ? r.pick(BAD4) : r.pick(V4));
  switch (r.int(13)) {
    case 0: return { type: 'binding-refresh-advice', refreshIntervalSeconds: 4 * r.int(0x10000) };
    case 1: return { type: 'alternate-care-of-address', careOfAddress: a6() };
    case 2: return { type: 'nonce-indices', homeNonceIndex: r.int(0x10000), careOfNonceIndex: r.int(0x10000) };
    case 3: return { type: 'binding-authorization-data', authenticator: octets(r, 12) };
    case 4: return { type: 'mobile-network-prefix', prefixLength: r.int(129), prefix: a6() };
    case 5: return { type: 'mobile-node-identifier', subtype: 1, identifier: octets(r, 1 + r.int(20)) };
    case 6: return { type: 'authentication', subtype: 1 + r.int(2), spi: r.int(2 ** 32), authenticationData: octets(r, 1 + r.int(16)) };
    case 7: return { type: 'replay-protection', timestamp: (BigInt(r.int(2 ** 32)) << 32n) | BigInt(r.int(2 ** 32)) };
    case 8: return { type: 'ipv4-home-address', prefixLength: r.int(33), requestPrefix: r.int(2) === 1, address: a4() };
    case 9: return { type: 'ipv4-address-acknowledgement', status: r.pick([0, 128, 129, 132]), prefixLength: r.int(33), address: a4() };
    case 10: return { type: 'nat-detection', forceUdp: r.int(2) === 1, refreshTimeSeconds: r.int(2 ** 32) };
    case 11: return { type: 'ipv4-care-of-address', address: a4() };
    default: return { type: 'unknown', optionType: r.pick([11, 33, 40, 200]), data: octets(r, r.int(12)) };
  }
}

function randomMessage(r: Rng, bad: boolean): MobilityMessage {
  switch (r.int(9)) {
    case 0: return { type: 'binding-refresh-request' };
    case 1: return { type: 'home-test-init', homeInitCookie: octets(r, 8) };
    case 2: return { type: 'care-of-test-init', careOfInitCookie: octets(r, 8) };
    case 3: return { type: 'home-test', homeNonceIndex: r.int(0x10000), homeInitCookie: octets(r, 8), homeKeygenToken: octets(r, 8) };
    case 4: return { type: 'care-of-test', careOfNonceIndex: r.int(0x10000), careOfInitCookie: octets(r, 8), careOfKeygenToken: octets(r, 8) };
    case 5: return { type: 'binding-update', sequence: r.int(0x10000), flags: r.int(0x10000), lifetimeSeconds: 4 * r.int(0x10000) };
    case 6: return { type: 'binding-ack', status: r.pick([0, 1, 128, 135, 141]), flags: r.int(256), sequence: r.int(0x10000), lifetimeSeconds: bad ? 6 : 4 * r.int(0x10000) };
    case 7: return { type: 'binding-error', status: 1 + r.int(2), homeAddress: bad ? r.pick(BAD6) : r.pick(ADDRS) };
    default: return { type: 'unknown', mhType: r.pick([8, 9, 17, 255]), data: octets(r, 2 + 8 * r.int(3)) };
  }
}

/**
 * Mobility packet specs: the registration path's own shapes (BU over UDP with HAO + IPv4 HoA +
 * IPv4 CoA, BA with RH2 + IPv4 Ack + NAT detection + BRA) and random ones; about one in six has
 * one invalid field (an address text, a lifetime) and must throw EncodeError.
 */
export function packetSpecs(): MobilityPacketSpec[] {
  const r = prng(3963);
  const out: MobilityPacketSpec[] = [
    {
      source: '::ffff:10.64.1.2', destination: '2001:db8:1::1', homeAddressOption: '2001:db8:1::1:0:5a3',
      mh: {
        payloadProto: 59, message: { type: 'binding-update', sequence: 7, flags: 0xc000, lifetimeSeconds: 3600 },
        options: [
          { type: 'ipv4-home-address', prefixLength: 32, requestPrefix: false, address: '0.0.0.0' },
          { type: 'ipv4-care-of-address', address: '10.64.1.2' },
        ],
      },
    },
    {
      source: '2001:db8:1::1', destination: '::ffff:10.64.1.2', type2RoutingAddress: '2001:db8:1::1:0:5a3',
      mh: {
        payloadProto: 59, message: { type: 'binding-ack', status: 0, flags: 0, sequence: 7, lifetimeSeconds: 3600 },
        options: [
          { type: 'ipv4-address-acknowledgement', status: 0, prefixLength: 32, address: '192.0.2.100' },
          { type: 'nat-detection', forceUdp: false, refreshTimeSeconds: 110 },
          { type: 'binding-refresh-advice', refreshIntervalSeconds: 3000 },
        ],
      },
    },
  ];
  for (let i = 0; i < 160; i++) {
    const bad = r.int(6) === 0;
    const where = bad ? r.int(6) : -1; // 0 source 1 destination 2 HAO 3 RH2 4 option 5 message
    const address = (k: number): string => (where === k ? r.pick(BAD6) : r.pick(ADDRS));
    const options = Array.from({ length: r.int(5) }, (_, k) => randomOption(r, where === 4 && k === 0));
    if (where === 4 && options.length === 0) options.push({ type: 'ipv4-care-of-address', address: r.pick(BAD4) });
    const message = randomMessage(r, where === 5);
    const hao = r.int(2) === 0 || where === 2;
    const rh2 = r.int(2) === 0 || where === 3;
    const hop = r.int(4);
    out.push({
      source: address(0), destination: address(1),
      ...(hop === 0 ? { hopLimit: r.int(256) } : {}),
      ...(hao ? { homeAddressOption: address(2) } : {}),
      ...(rh2 ? { type2RoutingAddress: address(3) } : {}),
      mh: { payloadProto: r.int(8) === 0 ? r.int(256) : 59, message, options: message.type === 'unknown' ? [] : options },
    });
  }
  return out;
}

function randomIpv6Option(r: Rng): Ipv6Option {
  switch (r.int(4)) {
    case 0: return { type: 'pad1' };
    case 1: return { type: 'padn', length: r.int(6) };
    case 2: return { type: 'home-address', homeAddress: r.pick(ADDRS) };
    default: return { type: 'unknown', optionType: r.pick([5, 0xc2, 0x1e]), data: octets(r, r.int(8)) };
  }
}

/** Options padded (with Pad1s) so the header is a multiple of 8 octets. */
function paddedOptions(r: Rng): Ipv6Option[] {
  const opts = Array.from({ length: 1 + r.int(3) }, () => randomIpv6Option(r));
  let len = 2;
  for (const o of opts) len += o.type === 'pad1' ? 1 : o.type === 'padn' ? 2 + o.length : o.type === 'home-address' ? 18 : 2 + o.data.length;
  while (len % 8 !== 0) { opts.push({ type: 'pad1' }); len++; }
  return opts;
}

function randomExtension(r: Rng, first: boolean): Ipv6ExtensionHeader {
  switch (r.int(first ? 7 : 6)) {
    case 0: return { type: 'destination-options', options: paddedOptions(r) };
    case 1: return { type: 'type2-routing', segmentsLeft: r.int(2), homeAddress: r.pick(ADDRS) };
    case 2: return { type: 'routing', routingType: r.pick([0, 3, 4]), segmentsLeft: r.int(4), data: octets(r, 4 + 8 * r.int(3)) };
    case 3: return { type: 'fragment', fragmentOffset: 0, moreFragments: r.int(2) === 1, identification: r.int(2 ** 32) };
    case 4: return { type: 'other', protocol: 51, data: octets(r, 10 + 4 * r.int(3)) };
    case 5: return { type: 'other', protocol: r.pick([139, 140, 253, 254]), data: octets(r, 6 + 8 * r.int(2)) };
    default: return { type: 'hop-by-hop', options: paddedOptions(r) };
  }
}

/** Generic IPv6 packets: extension chains of 0..3 headers and an opaque payload. */
export function ipv6Packets(): Ipv6Packet[] {
  const r = prng(8200);
  return Array.from({ length: 80 }, () => ({
    trafficClass: r.int(256), flowLabel: r.int(0x100000), hopLimit: r.int(256),
    source: r.pick(ADDRS), destination: r.pick(ADDRS),
    extensions: Array.from({ length: r.int(4) }, (_, k) => randomExtension(r, k === 0)),
    upperProtocol: r.pick([17, 58, 59, 135]),
    payload: octets(r, r.int(48)),
  }));
}

/** IPv4 packets (options, fragments, UDP/ICMP payloads), a few with an invalid address. */
export function ipv4Packets(): Ipv4Packet[] {
  const r = prng(791);
  const texts = ipv4Texts();
  return Array.from({ length: 80 }, () => {
    const bad = r.int(6) === 0 ? r.int(2) : -1;
    const addr = (k: number): string => (bad === k ? r.pick(BAD4) : r.pick(V4.concat(texts.filter((_, i) => i % 2 === 0).slice(0, 40))));
    return {
      typeOfService: r.int(256), identification: r.int(0x10000), dontFragment: r.int(2) === 1,
      moreFragments: r.int(4) === 0, fragmentOffset: r.int(4) === 0 ? r.int(0x2000) : 0, ttl: r.int(256),
      protocol: r.pick([1, 17, 41, 135]), source: addr(0), destination: addr(1),
      options: octets(r, 4 * r.int(3)), payload: octets(r, r.int(60)),
    };
  });
}

/** IPv6 headers, a few with an invalid field or address. */
export function ipv6Headers(): Ipv6Header[] {
  const r = prng(2460);
  return Array.from({ length: 80 }, () => {
    const bad = r.int(8) === 0 ? r.int(3) : -1;
    return {
      trafficClass: r.int(256), flowLabel: bad === 2 ? 0x100000 : r.int(0x100000), payloadLength: r.int(0x10000),
      nextHeader: r.int(256), hopLimit: r.int(256),
      source: bad === 0 ? r.pick(BAD6) : r.pick(ADDRS), destination: bad === 1 ? r.pick(BAD6) : r.pick(ADDRS),
    };
  });
}

/** JSON of a decode result with octets as hex and bigints as text (stable across runs). */
export function resultJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x instanceof Uint8Array) return `hex:${Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex')}`;
    if (typeof x === 'bigint') return `bigint:${x}`;
    return x;
  });
}

/** Short digest of a decode result (golden vectors keep this, not the whole JSON). */
export function resultDigest(v: unknown): string {
  return createHash('sha256').update(resultJson(v)).digest('hex').slice(0, 16);
}

/** The octets of packet `i` with one bit flipped (decoding must fail or pass the same way). */
export function corrupted(b: Uint8Array, i: number): Uint8Array {
  const c = new Uint8Array(b);
  c[(i * 7919 + 13) % c.length] ^= 1 << (i % 8);
  return c;
}

/** What encoding threw: the error's name (EncodeError, RangeError...). */
export function thrownName(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.name : typeof e;
  }
}
