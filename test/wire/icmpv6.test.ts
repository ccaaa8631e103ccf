/**
 * ICMPv6, ND options and the Mobile IPv6 ICMPv6 messages: hand-written vectors checked field by
 * field, error cases with their offsets, encoder validation, checksums, and properties.
 *
 * How the vectors were checked: layouts from RFC 4443 §3–4, RFC 4861 §4.1–4.6, RFC 6275
 * §6.5–6.8 and §7.1–7.4, RFC 3963 §7.1–7.3 (HAAD and MPA layouts also compared with scapy's
 * classes, found with the search tool). Checksums were computed with an independent Python
 * RFC 1071 sum over the pseudo-header 2001:db8::1 -> 2001:db8::2 (the addresses icmpv6Codec
 * uses), and every vector was wrapped in an IPv6 header and decoded with tshark 4.0.17: all
 * checksums "Good", and the fields match the comments. (tshark and scapy both show the HAI
 * preference as unsigned, 65526 for -10; RFC 6275 §7.4 says it is a signed integer.)
 */
import {
  ICMPV6_CODEC_DESTINATION, ICMPV6_CODEC_SOURCE, icmpv6Codec,
} from '../../src/wire/icmpv6-codec.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import { EncodeError } from '../../src/wire/result.js';
import {
  ICMPV6_TYPE, decodeIcmpv6, encodeIcmpv6,
  encodedLengthIcmpv6, verifyIcmpv6Checksum, type Icmpv6Message,
} from '../../src/wire/icmpv6.js';
import {
  HOME_AGENTS_ANYCAST_ID, homeAgentsAnycastAddress,
} from '../../src/wire/icmpv6-mobile.js';
import {
  decodeNdOption, decodeNdOptions, encodedLengthNdOption, ndOptionsCodec, type NdOption,
} from '../../src/wire/nd-options.js';
import { checkRoundTrip, checkTruncations, decodeNoThrow, encodeToBytes } from '../harness.js';
import {
  icmpv6Message, ipv6Text, ndOption, ndOptionCodec, ndOptions,
} from '../fuzz/targets-icmp.js';

const SRC = ICMPV6_CODEC_SOURCE; // 2001:db8::1
const DST = ICMPV6_CODEC_DESTINATION; // 2001:db8::2
const RUNS = 2000;

/** Joins hex parts (one field per part, commented at the call site). */
function hex(...parts: string[]): Uint8Array {
  const b = fromHex(parts.join(''));
  assert.ok(b, `bad hex in vector: ${parts.join('')}`);
  return b;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const MAC1 = hex('02005e005301'); // 02:00:5e:00:53:01 (RFC 7042 documentation range)
const MAC2 = hex('02005e005302');
/** First 8 bytes of an IPv6 header: version 6, payload length 8, next header UDP, hop limit 64. */
const INVOKING = hex('6000000000081140');
const SLLA_HEX = '0101' + '02005e005301'; // Source Link-Layer Address, length 1, MAC1

const PI_ROUTER: NdOption = {
  type: 'prefix-information', prefixLength: 64, onLink: true, autonomous: true,
  routerAddress: true, reserved: 0, validLifetimeSeconds: 2592000,
  preferredLifetimeSeconds: 604800, prefix: '2001:db8:1::1',
};
const PI_HOME: NdOption = { ...PI_ROUTER, routerAddress: false, prefix: '2001:db8:1::' };

interface Vector {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly value: Icmpv6Message;
  readonly checksum: number;
  /** Length of the fixed part: every shorter prefix is truncated. */
  readonly fixed: number;
}

const VECTORS: Vector[] = [
  {
    name: 'Echo Request',
    bytes: hex(
      '80', // Type 128 Echo Request
      '00', // Code 0
      'cff9', // Checksum
      '1234', // Identifier
      '0001', // Sequence Number 1
      '64736d697036', // Data "dsmip6"
    ),
    value: {
      type: 'echo-request', code: 0, identifier: 0x1234, sequence: 1, data: ascii('dsmip6'),
    },
    checksum: 0xcff9, fixed: 8,
  },
  {
    name: 'Echo Reply',
    bytes: hex('81', '00', 'cef9', '1234', '0001', '64736d697036'), // as above, Type 129
    value: { type: 'echo-reply', code: 0, identifier: 0x1234, sequence: 1, data: ascii('dsmip6') },
    checksum: 0xcef9, fixed: 8,
  },
  {
    name: 'Destination Unreachable',
    bytes: hex(
      '01', // Type 1 Destination Unreachable
      '04', // Code 4 port unreachable
      '31f4', // Checksum
      '00000000', // Unused
      '6000000000081140', // invoking packet (start of an IPv6 header)
    ),
    value: { type: 'destination-unreachable', code: 4, invoking: INVOKING },
    checksum: 0x31f4, fixed: 8,
  },
  {
    name: 'Packet Too Big',
    bytes: hex(
      '02', // Type 2 Packet Too Big
      '00', // Code 0
      '2bf8', // Checksum
      '00000500', // MTU 1280
      '6000000000081140', // invoking packet
    ),
    value: { type: 'packet-too-big', code: 0, mtu: 1280, invoking: INVOKING },
    checksum: 0x2bf8, fixed: 8,
  },
  {
    name: 'Time Exceeded',
    bytes: hex(
      '03', // Type 3 Time Exceeded
      '00', // Code 0 hop limit exceeded in transit
      '2ff8', // Checksum
      '00000000', // Unused
      '6000000000081140', // invoking packet
    ),
    value: { type: 'time-exceeded', code: 0, invoking: INVOKING },
    checksum: 0x2ff8, fixed: 8,
  },
  {
    name: 'Parameter Problem',
    bytes: hex(
      '04', // Type 4 Parameter Problem
      '01', // Code 1 unrecognized Next Header type
      '2ecf', // Checksum
      '00000028', // Pointer 40
      '6000000000081140', // invoking packet
    ),
    value: { type: 'parameter-problem', code: 1, pointer: 40, invoking: INVOKING },
    checksum: 0x2ecf, fixed: 8,
  },
  {
    name: 'Router Solicitation',
    bytes: hex(
      '85', // Type 133 Router Solicitation
      '00', // Code 0
      '6b3d', // Checksum
      '00000000', // Reserved
      '01', '01', '02005e005301', // Source Link-Layer Address, length 1, MAC1
    ),
    value: {
      type: 'router-solicitation', code: 0,
      options: [{ type: 'source-link-layer-address', linkLayerAddress: MAC1 }],
    },
    checksum: 0x6b3d, fixed: 8,
  },
  {
    name: 'Router Advertisement (home agent, all MIPv6 options)',
    bytes: hex(
      '86', // Type 134 Router Advertisement
      '00', // Code 0
      'cadd', // Checksum
      '40', // Cur Hop Limit 64
      'e8', // M 0x80 | O 0x40 | H 0x20 | 0x08 (RFC 4191 Prf = 01, high) -> otherFlags 0x08
      '0708', // Router Lifetime 1800 s
      '00007530', // Reachable Time 30000 ms
      '000003e8', // Retrans Timer 1000 ms
      SLLA_HEX, // Source Link-Layer Address MAC1
      '05', '01', '0000', '000005dc', // MTU option, length 1, Reserved, MTU 1500
      '03', '04', // Prefix Information, length 4
      '40', // Prefix Length 64
      'e0', // L 0x80 | A 0x40 | R 0x20 (RFC 6275 §7.2: the prefix is the router's address)
      '00278d00', // Valid Lifetime 2592000 s
      '00093a80', // Preferred Lifetime 604800 s
      '00000000', // Reserved2
      '20010db8000100000000000000000001', // 2001:db8:1::1
      '07', '01', '0000', '000003e8', // Advertisement Interval, length 1, Reserved, 1000 ms
      '08', '01', // Home Agent Information, length 1
      '8000', // R 0x8000 (RFC 3963: supports mobile routers), Reserved 0
      'fff6', // Home Agent Preference -10
      '0708', // Home Agent Lifetime 1800 s
    ),
    value: {
      type: 'router-advertisement', code: 0, curHopLimit: 64,
      managed: true, otherConfig: true, homeAgent: true, otherFlags: 0x08,
      routerLifetimeSeconds: 1800, reachableTimeMs: 30000, retransTimerMs: 1000,
      options: [
        { type: 'source-link-layer-address', linkLayerAddress: MAC1 },
        { type: 'mtu', mtu: 1500 },
        PI_ROUTER,
        { type: 'advertisement-interval', intervalMs: 1000 },
        {
          type: 'home-agent-information', mobileRouterSupport: true, reserved: 0,
          preference: -10, lifetimeSeconds: 1800,
        },
      ],
    },
    checksum: 0xcadd, fixed: 16,
  },
  {
    name: 'Neighbor Solicitation',
    bytes: hex(
      '87', // Type 135 Neighbor Solicitation
      '00', // Code 0
      '3a73', // Checksum
      '00000000', // Reserved
      '20010db8000100000000000000000100', // Target Address 2001:db8:1::100
      SLLA_HEX, // Source Link-Layer Address MAC1
    ),
    value: {
      type: 'neighbor-solicitation', code: 0, target: '2001:db8:1::100',
      options: [{ type: 'source-link-layer-address', linkLayerAddress: MAC1 }],
    },
    checksum: 0x3a73, fixed: 24,
  },
  {
    name: 'Neighbor Advertisement',
    bytes: hex(
      '88', // Type 136 Neighbor Advertisement
      '00', // Code 0
      '5871', // Checksum
      'e0000000', // R 0x80 | S 0x40 | O 0x20, Reserved 0
      '20010db8000100000000000000000100', // Target Address 2001:db8:1::100
      '02', '01', '02005e005302', // Target Link-Layer Address, length 1, MAC2
    ),
    value: {
      type: 'neighbor-advertisement', code: 0, router: true, solicited: true, override: true,
      reserved: 0, target: '2001:db8:1::100',
      options: [{ type: 'target-link-layer-address', linkLayerAddress: MAC2 }],
    },
    checksum: 0x5871, fixed: 24,
  },
  {
    name: 'HAAD Request',
    bytes: hex(
      '90', // Type 144 Home Agent Address Discovery Request
      '00', // Code 0
      '5126', // Checksum
      '4321', // Identifier
      '8000', // R 0x8000 (the sender is a mobile router), Reserved 0
    ),
    value: {
      type: 'haad-request', code: 0, identifier: 0x4321, mobileRouterSupport: true, reserved: 0,
    },
    checksum: 0x5126, fixed: 8,
  },
  {
    name: 'HAAD Reply',
    bytes: hex(
      '91', // Type 145 Home Agent Address Discovery Reply
      '00', // Code 0
      'f48e', // Checksum
      '4321', // Identifier
      '8000', // R 0x8000, Reserved 0
      '20010db8000100000000000000000001', // Home Agent Address 2001:db8:1::1
      '20010db8000100000000000000000002', // Home Agent Address 2001:db8:1::2
    ),
    value: {
      type: 'haad-reply', code: 0, identifier: 0x4321, mobileRouterSupport: true, reserved: 0,
      homeAgentAddresses: ['2001:db8:1::1', '2001:db8:1::2'],
    },
    checksum: 0xf48e, fixed: 8,
  },
  {
    name: 'Mobile Prefix Solicitation',
    bytes: hex(
      '92', // Type 146 Mobile Prefix Solicitation
      '00', // Code 0
      '1206', // Checksum
      '0042', // Identifier
      '0000', // Reserved
    ),
    value: { type: 'mobile-prefix-solicitation', code: 0, identifier: 0x42 },
    checksum: 0x1206, fixed: 8,
  },
  {
    name: 'Mobile Prefix Advertisement',
    bytes: hex(
      '93', // Type 147 Mobile Prefix Advertisement
      '00', // Code 0
      '17b6', // Checksum
      '0042', // Identifier
      'c000', // M 0x8000 | O 0x4000, Reserved 0
      '03', '04', '40', 'c0', // Prefix Information, length 4, /64, L | A
      '00278d00', '00093a80', '00000000', // Valid 2592000 s, Preferred 604800 s, Reserved2
      '20010db8000100000000000000000000', // Prefix 2001:db8:1::
    ),
    value: {
      type: 'mobile-prefix-advertisement', code: 0, identifier: 0x42, managed: true,
      otherConfig: true, reserved: 0, options: [PI_HOME],
    },
    checksum: 0x17b6, fixed: 8,
  },
  {
    name: 'unknown type 200',
    bytes: hex(
      'c8', // Type 200 (private experimentation, RFC 4443 §2.1)
      '00', // Code 0
      '1781', // Checksum
      '61626364', // body "abcd"
    ),
    value: { type: 'unknown', icmpType: 200, code: 0, body: ascii('abcd') },
    checksum: 0x1781, fixed: 4,
  },
];

for (const v of VECTORS) {
  test(`ICMPv6 vector ${v.name}: decodes field by field and re-encodes byte for byte`, () => {
    const r = decodeIcmpv6(v.bytes);
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    assert.deepStrictEqual(r.value.message, v.value);
    assert.equal(r.value.checksum, v.checksum);
    assert.equal(r.value.checksum, (v.bytes[2] << 8) | v.bytes[3]);
    assert.equal(r.consumed, v.bytes.length);
    assert.equal(encodedLengthIcmpv6(v.value), v.bytes.length);
    assert.equal(toHex(encodeToBytes(icmpv6Codec, v.value)), toHex(v.bytes));
    assert.equal(verifyIcmpv6Checksum(v.bytes, 0, v.bytes.length, SRC, DST), true);
    checkRoundTrip(icmpv6Codec, v.value);
  });

  test(`ICMPv6 vector ${v.name}: every strict prefix fails to decode or to verify`, () => {
    for (let len = 0; len < v.bytes.length; len++) {
      const r = decodeIcmpv6(v.bytes, 0, len);
      if (len < v.fixed) {
        assert.equal(r.ok, false, `prefix ${len} decoded`);
        if (!r.ok) assert.equal(r.error.kind, 'truncated');
      }
      if (r.ok) {
        assert.equal(verifyIcmpv6Checksum(v.bytes, 0, len, SRC, DST), false, `prefix ${len}`);
      } else {
        assert.ok(r.error.offset >= 0 && r.error.offset <= len, `offset ${r.error.offset}`);
      }
    }
  });
}

test('ICMPv6 fixed-length vectors: checkTruncations', () => {
  for (const v of VECTORS.filter((x) => x.value.type === 'haad-request' ||
    x.value.type === 'mobile-prefix-solicitation')) {
    checkTruncations(icmpv6Codec, v.bytes);
  }
});

function vector(name: string): Vector {
  const v = VECTORS.find((x) => x.name.startsWith(name));
  assert.ok(v, name);
  return v;
}

test('ICMPv6 type numbers', () => {
  assert.deepStrictEqual(
    [ICMPV6_TYPE.routerSolicitation, ICMPV6_TYPE.routerAdvertisement,
      ICMPV6_TYPE.neighborSolicitation, ICMPV6_TYPE.neighborAdvertisement],
    [133, 134, 135, 136]);
  assert.deepStrictEqual(
    [ICMPV6_TYPE.haadRequest, ICMPV6_TYPE.haadReply, ICMPV6_TYPE.mobilePrefixSolicitation,
      ICMPV6_TYPE.mobilePrefixAdvertisement],
    [144, 145, 146, 147]);
});

test('ICMPv6 decode at an offset: same value, absolute error offsets', () => {
  const ra = vector('Router Advertisement').bytes;
  const buf = new Uint8Array(7 + ra.length + 9).fill(0xee);
  buf.set(ra, 7);
  const r = decodeIcmpv6(buf, 7, 7 + ra.length);
  assert.ok(r.ok);
  assert.deepStrictEqual(r.value.message, vector('Router Advertisement').value);
  assert.equal(r.consumed, ra.length);
  assert.equal(verifyIcmpv6Checksum(buf, 7, 7 + ra.length, SRC, DST), true);
  // A zero-length option at message offset 16: the error names the Length byte, absolutely.
  const bad = buf.slice();
  bad[7 + 16 + 1] = 0;
  const e = decodeIcmpv6(bad, 7, 7 + ra.length);
  assert.deepStrictEqual(e.ok ? undefined : [e.error.kind, e.error.offset], ['bad-length', 24]);
});

test('ICMPv6 malformations: kind and offset', () => {
  const ra = vector('Router Advertisement').bytes;
  const fixedRa = ra.slice(0, 16);
  const cat = (...p: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(p.reduce((n, x) => n + x.length, 0));
    p.reduce((off, x) => { out.set(x, off); return off + x.length; }, 0);
    return out;
  };
  const cases: [string, Uint8Array, string, number][] = [
    ['3-byte header', hex('860000'), 'truncated', 0],
    ['RA fixed part 15 bytes', ra.slice(0, 15), 'truncated', 0],
    ['NS fixed part 23 bytes', vector('Neighbor Solicitation').bytes.slice(0, 23), 'truncated', 0],
    ['zero-length option', cat(fixedRa, hex('0500', '0000', '000005dc')), 'bad-length', 17],
    ['option past the end', cat(fixedRa, hex('0304', '40c0')), 'truncated', 16],
    ['lone option type byte', cat(fixedRa, hex('05')), 'truncated', 16],
    ['PI length 3', cat(fixedRa, hex('0303'), new Uint8Array(22)), 'bad-length', 17],
    ['Prefix Length 129', cat(fixedRa, hex('0304', '81c0'), new Uint8Array(28)), 'bad-value', 18],
    ['MTU option length 2', cat(fixedRa, hex('0502'), new Uint8Array(14)), 'bad-length', 17],
    ['Adv. Interval length 2', cat(fixedRa, hex('0702'), new Uint8Array(14)), 'bad-length', 17],
    ['HAI length 2', cat(fixedRa, hex('0802'), new Uint8Array(14)), 'bad-length', 17],
    ['HAAD Reply 15 address bytes',
      cat(vector('HAAD Request').bytes, new Uint8Array(15)).map((x, i) => i === 0 ? 145 : x),
      'bad-length', 8],
    ['HAAD Reply 17 address bytes',
      cat(vector('HAAD Request').bytes, new Uint8Array(17)).map((x, i) => i === 0 ? 145 : x),
      'bad-length', 24],
    ['MPA option past the end', cat(vector('Mobile Prefix Solicitation').bytes, hex('0304'))
      .map((x, i) => i === 0 ? 147 : x), 'truncated', 8],
    ['Echo Request 7 bytes', vector('Echo Request').bytes.slice(0, 7), 'truncated', 0],
    ['Packet Too Big 6 bytes', vector('Packet Too Big').bytes.slice(0, 6), 'truncated', 0],
  ];
  for (const [what, bytes, kind, offset] of cases) {
    const r = decodeIcmpv6(bytes);
    assert.equal(r.ok, false, what);
    if (!r.ok) assert.deepStrictEqual([r.error.kind, r.error.offset], [kind, offset], what);
  }
});

test('ICMPv6 reserved bits beside flags are kept; wholly reserved fields are ignored', () => {
  // NA with one reserved bit: value keeps it and re-encodes it.
  const na = vector('Neighbor Advertisement');
  const naBits = na.bytes.slice();
  naBits[7] = 0x01; // R|S|O|Reserved = e0000001
  const r = decodeIcmpv6(naBits);
  assert.ok(r.ok);
  assert.deepStrictEqual(r.value.message, { ...na.value, reserved: 1 });
  assert.equal(toHex(encodeToBytes(icmpv6Codec, r.value.message)).slice(8, 16), 'e0000001');
  // RA other flags, HAAD and MPA reserved bits.
  const ra = vector('Router Advertisement').bytes.slice();
  ra[5] = 0x1f; // no M/O/H, all five other bits
  const rar = decodeIcmpv6(ra);
  assert.ok(rar.ok && rar.value.message.type === 'router-advertisement');
  assert.deepStrictEqual(
    [rar.value.message.managed, rar.value.message.otherConfig, rar.value.message.homeAgent,
      rar.value.message.otherFlags], [false, false, false, 0x1f]);
  const haad = decodeIcmpv6(hex('9000', '0000', '4321', '7fff'));
  assert.deepStrictEqual(haad.ok && haad.value.message, {
    type: 'haad-request', code: 0, identifier: 0x4321, mobileRouterSupport: false,
    reserved: 0x7fff,
  });
  const mpa = decodeIcmpv6(hex('9300', '0000', '0042', '4001'));
  assert.deepStrictEqual(mpa.ok && mpa.value.message, {
    type: 'mobile-prefix-advertisement', code: 0, identifier: 0x42, managed: false,
    otherConfig: true, reserved: 1, options: [],
  });
  // NS Reserved, Destination Unreachable Unused, MPS Reserved: ignored, re-encoded as zero.
  for (const [name, at] of [['Neighbor Solicitation', 4], ['Destination Unreachable', 4],
    ['Mobile Prefix Solicitation', 6]] as const) {
    const v = vector(name);
    const noisy = v.bytes.slice();
    noisy.fill(0xff, at, 8);
    const d = decodeIcmpv6(noisy);
    assert.ok(d.ok, name);
    assert.deepStrictEqual(d.value.message, v.value, name);
    assert.equal(toHex(encodeToBytes(icmpv6Codec, d.value.message)), toHex(v.bytes), name);
  }
});

test('ICMPv6 code is kept; bytes after a fixed-size message are ignored', () => {
  const ra = vector('Router Advertisement');
  const coded = ra.bytes.slice();
  coded[1] = 7;
  const r = decodeIcmpv6(coded);
  assert.deepStrictEqual(r.ok && r.value.message, { ...ra.value, code: 7 });
  const req = decodeIcmpv6(hex('9000', '0000', '4321', '8000', 'deadbeef'));
  assert.deepStrictEqual(req.ok && [req.value.message, req.consumed],
    [vector('HAAD Request').value, 12]);
});

test('ICMPv6 known-but-unparsed types (Redirect 137) are kept as unknown', () => {
  const redirect = hex('8900', '0000', '00000000', '20010db8000000000000000000000001',
    '20010db8000000000000000000000002');
  const r = decodeIcmpv6(redirect);
  assert.ok(r.ok);
  assert.deepStrictEqual(r.value.message,
    { type: 'unknown', icmpType: 137, code: 0, body: redirect.slice(4) });
});

test('ICMPv6 checksum: verify, wrong address, flipped bytes, reported as received', () => {
  const ra = vector('Router Advertisement').bytes;
  assert.equal(verifyIcmpv6Checksum(ra, 0, ra.length, SRC, DST), true);
  assert.equal(verifyIcmpv6Checksum(ra, 0, ra.length, '2001:db8::3', DST), false);
  assert.equal(verifyIcmpv6Checksum(ra, 0, ra.length, SRC, 'ff02::1'), false);
  for (let i = 0; i < ra.length; i++) {
    const bad = ra.slice();
    bad[i] ^= 0x01;
    assert.equal(verifyIcmpv6Checksum(bad, 0, bad.length, SRC, DST), false, `byte ${i}`);
  }
  assert.equal(verifyIcmpv6Checksum(ra, 0, 3, SRC, DST), false);
  assert.equal(verifyIcmpv6Checksum(ra, 0, ra.length + 1, SRC, DST), false);
  assert.throws(() => verifyIcmpv6Checksum(ra, 0, ra.length, 'nope', DST));
  const zeroed = ra.slice();
  zeroed[2] = 0;
  zeroed[3] = 0;
  const r = decodeIcmpv6(zeroed);
  assert.ok(r.ok);
  assert.equal(r.value.checksum, 0);
  assert.equal(verifyIcmpv6Checksum(zeroed, 0, zeroed.length, SRC, DST), false);
});

test('ICMPv6 encode: checksum over the given pseudo-header addresses', () => {
  // Expected values from an independent Python RFC 1071 sum.
  const ra = vector('Router Advertisement').value;
  const out = new Uint8Array(encodedLengthIcmpv6(ra));
  encodeIcmpv6(ra, out, 0, 'fe80::1', 'ff02::1');
  assert.equal(toHex(out.slice(2, 4)), '28cd');
  assert.equal(verifyIcmpv6Checksum(out, 0, out.length, 'fe80::1', 'ff02::1'), true);
  const req = vector('HAAD Request').value;
  const anycast = homeAgentsAnycastAddress('2001:db8:1::', 64);
  const out2 = new Uint8Array(8);
  encodeIcmpv6(req, out2, 0, '2001:db8:1::100', anycast);
  assert.equal(toHex(out2), '900052284321' + '8000');
});

test('ICMPv6 encode rejects invalid values with EncodeError', () => {
  const ra = vector('Router Advertisement').value as Extract<Icmpv6Message,
    { type: 'router-advertisement' }>;
  const bad: Icmpv6Message[] = [
    { ...vector('Echo Request').value, code: 256 },
    { type: 'echo-request', code: 0, identifier: 0x10000, sequence: 0, data: new Uint8Array() },
    { type: 'echo-reply', code: 0, identifier: 0, sequence: -1, data: new Uint8Array() },
    { type: 'packet-too-big', code: 0, mtu: 2 ** 32, invoking: new Uint8Array() },
    { type: 'parameter-problem', code: 0, pointer: 1.5, invoking: new Uint8Array() },
    { ...ra, otherFlags: 0x20 },
    { ...ra, curHopLimit: 256 },
    { ...ra, routerLifetimeSeconds: 0x10000 },
    { ...ra, options: [{ type: 'mtu', mtu: -1 }] },
    { ...ra, options: [{ type: 'source-link-layer-address', linkLayerAddress: new Uint8Array(5) }],
    },
    { type: 'neighbor-solicitation', code: 0, target: '2001:db8::zz', options: [] },
    { ...vector('Neighbor Advertisement').value, reserved: 0x20000000 } as Icmpv6Message,
    { ...vector('HAAD Request').value, reserved: 0x8000 } as Icmpv6Message,
    { ...vector('HAAD Reply').value, homeAgentAddresses: ['10.0.0.1'] } as Icmpv6Message,
    { ...vector('Mobile Prefix Advertisement').value, reserved: 0x4000 } as Icmpv6Message,
    { type: 'mobile-prefix-solicitation', code: 0, identifier: 70000 },
    { type: 'unknown', icmpType: 128, code: 0, body: new Uint8Array() },
    { type: 'unknown', icmpType: 256, code: 0, body: new Uint8Array() },
  ];
  for (const m of bad) {
    assert.throws(() => encodeToBytes(icmpv6Codec, m), EncodeError, JSON.stringify(m));
  }
  const ok = vector('HAAD Request').value;
  assert.throws(() => encodeIcmpv6(ok, new Uint8Array(8), 0, 'x', DST), EncodeError);
  assert.throws(() => encodeIcmpv6(ok, new Uint8Array(7), 0, SRC, DST), EncodeError);
  assert.throws(() => encodeIcmpv6(ok, new Uint8Array(8), 1, SRC, DST), EncodeError);
});

// --- ND options alone ---------------------------------------------------------------------

const OPTION_VECTORS: [string, Uint8Array, NdOption][] = [
  ['Source Link-Layer Address', hex(SLLA_HEX),
    { type: 'source-link-layer-address', linkLayerAddress: MAC1 }],
  ['Target Link-Layer Address, 2 units (padding kept)', hex(
    '02', '02', // Target Link-Layer Address, length 2 (16 bytes)
    '0102030405060708', '000000000000', // an 8-byte address and 6 bytes of padding
  ), { type: 'target-link-layer-address', linkLayerAddress: hex('0102030405060708000000000000') }],
  ['Prefix Information', hex(
    '03', '04', '30', '80', // type 3, length 4, /48, L only, Reserved1 0
    'ffffffff', '00000e10', '00000000', // Valid infinity, Preferred 3600 s, Reserved2
    '20010db8000200000000000000000000', // 2001:db8:2::
  ), {
    type: 'prefix-information', prefixLength: 48, onLink: true, autonomous: false,
    routerAddress: false, reserved: 0, validLifetimeSeconds: 0xffffffff,
    preferredLifetimeSeconds: 3600, prefix: '2001:db8:2::',
  }],
  ['Prefix Information, Reserved1 bits kept', hex(
    '03', '04', '80', '1f', '00000000', '00000000', '00000000', // /128, Reserved1 0x1f
    '00000000000000000000ffffc0000201', // ::ffff:192.0.2.1
  ), {
    type: 'prefix-information', prefixLength: 128, onLink: false, autonomous: false,
    routerAddress: false, reserved: 0x1f, validLifetimeSeconds: 0, preferredLifetimeSeconds: 0,
    prefix: '::ffff:192.0.2.1',
  }],
  ['MTU', hex('05', '01', '0000', '00000500'), { type: 'mtu', mtu: 1280 }],
  ['Advertisement Interval', hex('07', '01', '0000', '00000046'), // 70 ms (MIPv6 minimum)
    { type: 'advertisement-interval', intervalMs: 70 }],
  ['Home Agent Information', hex(
    '08', '01', // type 8, length 1
    '0001', // R clear, Reserved 1
    '7fff', // preference 32767
    'fff0', // lifetime 65520 s (radvd's maximum)
  ), {
    type: 'home-agent-information', mobileRouterSupport: false, reserved: 1,
    preference: 32767, lifetimeSeconds: 65520,
  }],
  ['Home Agent Information, most negative preference', hex('0801', '8000', '8000', '0000'), {
    type: 'home-agent-information', mobileRouterSupport: true, reserved: 0,
    preference: -32768, lifetimeSeconds: 0,
  }],
  ['unknown (RDNSS, type 25) kept byte for byte', hex(
    '19', '03', // type 25, length 3 (24 bytes)
    '0000', '00000e10', // Reserved, Lifetime 3600 s
    '20010db8000000000000000000000053', // 2001:db8::53
  ), {
    type: 'unknown', optionType: 25,
    data: hex('000000000e10', '20010db8000000000000000000000053'),
  }],
];

for (const [name, bytes, value] of OPTION_VECTORS) {
  test(`ND option vector ${name}`, () => {
    const r = decodeNdOption(bytes);
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    assert.deepStrictEqual(r.value, value);
    assert.equal(r.consumed, bytes.length);
    assert.equal(encodedLengthNdOption(value), bytes.length);
    assert.equal(toHex(encodeToBytes(ndOptionCodec, value)), toHex(bytes));
    checkRoundTrip(ndOptionCodec, value);
    checkTruncations(ndOptionCodec, bytes);
  });
}

test('ND option list: all vectors back to back, and the empty list', () => {
  const all = new Uint8Array(OPTION_VECTORS.reduce((n, [, b]) => n + b.length, 0));
  OPTION_VECTORS.reduce((off, [, b]) => { all.set(b, off); return off + b.length; }, 0);
  const r = decodeNdOptions(all);
  assert.ok(r.ok);
  assert.deepStrictEqual(r.value, OPTION_VECTORS.map(([, , v]) => v));
  assert.equal(toHex(encodeToBytes<readonly NdOption[]>(ndOptionsCodec, r.value)), toHex(all));
  assert.deepStrictEqual(decodeNdOptions(all, 5, 5), { ok: true, value: [], consumed: 0 });
});

test('ND option encode rejects invalid values with EncodeError', () => {
  const bad: NdOption[] = [
    { type: 'source-link-layer-address', linkLayerAddress: new Uint8Array(0) },
    { type: 'target-link-layer-address', linkLayerAddress: new Uint8Array(7) },
    { type: 'unknown', optionType: 3, data: new Uint8Array(6) },
    { type: 'unknown', optionType: 300, data: new Uint8Array(6) },
    { type: 'unknown', optionType: 25, data: new Uint8Array(2046) }, // 256 units
    { ...(PI_HOME as Extract<NdOption, { type: 'prefix-information' }>), prefixLength: 129 },
    { ...(PI_HOME as Extract<NdOption, { type: 'prefix-information' }>), prefix: '2001:db8::/64' },
    { ...(PI_HOME as Extract<NdOption, { type: 'prefix-information' }>), reserved: 0x20 },
    { ...(PI_HOME as Extract<NdOption, { type: 'prefix-information' }>),
      validLifetimeSeconds: -1 },
    { type: 'mtu', mtu: 2 ** 32 },
    { type: 'advertisement-interval', intervalMs: 0.5 },
    { type: 'home-agent-information', mobileRouterSupport: false, reserved: 0,
      preference: 32768, lifetimeSeconds: 1 },
    { type: 'home-agent-information', mobileRouterSupport: false, reserved: 0x8000,
      preference: 0, lifetimeSeconds: 1 },
    { type: 'home-agent-information', mobileRouterSupport: false, reserved: 0,
      preference: 0, lifetimeSeconds: 65536 },
  ];
  for (const o of bad) {
    assert.throws(() => encodeToBytes(ndOptionCodec, o), EncodeError, JSON.stringify(o));
  }
  // The largest option (length 255) is fine.
  const max: NdOption = { type: 'unknown', optionType: 25, data: new Uint8Array(255 * 8 - 2) };
  assert.equal(encodeToBytes(ndOptionCodec, max)[1], 255);
});

// --- Home-Agents anycast address ------------------------------------------------------------

test('Mobile IPv6 Home-Agents anycast address (RFC 2526)', () => {
  assert.equal(HOME_AGENTS_ANYCAST_ID, 126);
  // /64, EUI-64 format: universal/local bit cleared, anycast ID 0x7e last.
  assert.equal(homeAgentsAnycastAddress('2001:db8:1::', 64), '2001:db8:1:0:fdff:ffff:ffff:fffe');
  // Host bits of the given prefix are ignored.
  assert.equal(homeAgentsAnycastAddress('2001:db8:1::1234', 64),
    '2001:db8:1:0:fdff:ffff:ffff:fffe');
  // Other lengths: ones between the prefix and the 7-bit ID.
  assert.equal(homeAgentsAnycastAddress('2001:db8:1::', 48), '2001:db8:1:ffff:ffff:ffff:ffff:fffe');
  assert.equal(homeAgentsAnycastAddress('2001:db8::', 120), '2001:db8::fe');
  assert.equal(homeAgentsAnycastAddress('2001:db8::', 121), '2001:db8::7e');
  assert.equal(homeAgentsAnycastAddress('2001:db8::80', 121), '2001:db8::fe');
  assert.throws(() => homeAgentsAnycastAddress('2001:db8::', 122), EncodeError);
  assert.throws(() => homeAgentsAnycastAddress('2001:db8::/64', 64), EncodeError);
});

// --- properties -----------------------------------------------------------------------------

test('property: ICMPv6 decode(encode(x)) = x', () => {
  fc.assert(fc.property(icmpv6Message, (m) => { checkRoundTrip(icmpv6Codec, m); }),
    { numRuns: RUNS });
});

test('property: ND options decode(encode(x)) = x, alone and as a list', () => {
  fc.assert(fc.property(ndOption, (o) => { checkRoundTrip(ndOptionCodec, o); }),
    { numRuns: RUNS });
  fc.assert(fc.property(ndOptions, (os) => {
    checkRoundTrip<readonly NdOption[]>(ndOptionsCodec, os);
  }), { numRuns: RUNS });
});

test('property: encodeIcmpv6 checksum verifies for any pseudo-header addresses', () => {
  fc.assert(fc.property(icmpv6Message, ipv6Text, ipv6Text, (m, s, d) => {
    const out = new Uint8Array(encodedLengthIcmpv6(m));
    encodeIcmpv6(m, out, 0, s, d);
    assert.equal(verifyIcmpv6Checksum(out, 0, out.length, s, d), true);
  }), { numRuns: RUNS });
});

test('property: random bytes never make the ICMPv6 / ND decoders throw', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
    decodeNoThrow(icmpv6Codec, b);
    decodeNoThrow<readonly NdOption[]>(ndOptionsCodec, b);
    decodeNoThrow(ndOptionCodec, b);
  }), { numRuns: RUNS });
});

test('property: random bytes starting with a known type never throw either', () => {
  const types = [1, 2, 3, 4, 128, 129, 133, 134, 135, 136, 144, 145, 146, 147];
  fc.assert(fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 120 }), (t, b) => {
    const bytes = new Uint8Array([t, ...b]);
    const r = decodeNoThrow(icmpv6Codec, bytes);
    if (r.ok) checkRoundTrip(icmpv6Codec, r.value);
  }), { numRuns: RUNS });
});

test('property: mutated encodings never throw; what decodes round-trips', () => {
  const edits4 = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })),
    { minLength: 1, maxLength: 4 });
  fc.assert(fc.property(icmpv6Message, edits4, (m, edits) => {
    const b = encodeToBytes(icmpv6Codec, m);
    if (b.length === 0) return;
    for (const [at, v] of edits) b[at % b.length] = v;
    const r = decodeNoThrow(icmpv6Codec, b);
    if (r.ok) checkRoundTrip(icmpv6Codec, r.value);
  }), { numRuns: RUNS });
});

test('property: the decoder reads nothing at or past end', () => {
  const tails = fc.uint8Array({ minLength: 1, maxLength: 16 });
  fc.assert(fc.property(icmpv6Message, tails, (m, tail) => {
    const b = encodeToBytes(icmpv6Codec, m);
    const withTail = new Uint8Array(b.length + tail.length);
    withTail.set(b);
    withTail.set(tail, b.length);
    assert.deepStrictEqual(decodeIcmpv6(withTail, 0, b.length), decodeIcmpv6(b));
  }), { numRuns: RUNS });
});
