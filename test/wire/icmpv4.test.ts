/**
 * ICMPv4 (RFC 792, RFC 1191): hand-written vectors checked field by field, malformations,
 * encoder validation, the checksum report, and properties.
 *
 * How the vectors were checked: layouts from RFC 792 and RFC 1191 §4. Checksums were computed
 * with an independent Python RFC 1071 sum, and every vector was wrapped in an IPv4 header and
 * decoded with tshark 4.0.17: all checksums "Good"; tshark shows MTU 1480 for the code 4 vector.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import { EncodeError } from '../../src/wire/result.js';
import {
  ICMPV4_CODE_FRAGMENTATION_NEEDED, ICMPV4_PROTOCOL, ICMPV4_TYPE, decodeIcmpv4, encodeIcmpv4,
  encodedLengthIcmpv4, icmpv4Codec, type Icmpv4Message,
} from '../../src/wire/icmpv4.js';
import { checkRoundTrip, decodeNoThrow, encodeToBytes } from '../harness.js';
import { icmpv4Message } from '../fuzz/targets-icmp.js';

const RUNS = 2000;

function hex(...parts: string[]): Uint8Array {
  const b = fromHex(parts.join(''));
  assert.ok(b, `bad hex in vector: ${parts.join('')}`);
  return b;
}
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** IPv4 header of the packet that was too big: 1500 bytes, DF, TCP, 192.0.2.1 -> 198.51.100.2. */
const BIG_PACKET_HEADER = '450005dc000040004006' + '0000' + 'c0000201' + 'c6336402';
/** IPv4 header of a UDP datagram: 28 bytes, TTL 64 (or 1), 192.0.2.1 -> 198.51.100.2. */
const UDP_HEADER = (ttl: string): string => '4500001c00000000' + ttl + '11' + '0000' +
  'c0000201' + 'c6336402';

interface Vector {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly value: Icmpv4Message;
  readonly checksum: number;
  readonly fixed: number;
}

const VECTORS: Vector[] = [
  {
    name: 'Echo Request',
    bytes: hex(
      '08', // Type 8 Echo Request
      '00', // Code 0
      'a3b9', // Checksum
      '1234', // Identifier
      '0001', // Sequence Number 1
      '64736d697034', // Data "dsmip4"
    ),
    value: {
      type: 'echo-request', code: 0, identifier: 0x1234, sequence: 1, data: ascii('dsmip4'),
    },
    checksum: 0xa3b9, fixed: 8,
  },
  {
    name: 'Echo Reply',
    bytes: hex('00', '00', 'abb9', '1234', '0001', '64736d697034'), // as above, Type 0
    value: {
      type: 'echo-reply', code: 0, identifier: 0x1234, sequence: 1, data: ascii('dsmip4'),
    },
    checksum: 0xabb9, fixed: 8,
  },
  {
    name: 'Destination Unreachable, fragmentation needed (RFC 1191)',
    bytes: hex(
      '03', // Type 3 Destination Unreachable
      '04', // Code 4 fragmentation needed and DF set
      'd9b2', // Checksum
      '0000', // Unused
      '05c8', // Next-Hop MTU 1480 (e.g. a 20-byte IPv4-in-IPv4 tunnel on a 1500 link)
      BIG_PACKET_HEADER, // invoking packet: IPv4 header ...
      '1111111122222222', // ... and the first 64 bits of its data
    ),
    value: {
      type: 'destination-unreachable', code: 4, nextHopMtu: 1480,
      invoking: hex(BIG_PACKET_HEADER, '1111111122222222'),
    },
    checksum: 0xd9b2, fixed: 8,
  },
  {
    name: 'Destination Unreachable, port unreachable',
    bytes: hex(
      '03', // Type 3 Destination Unreachable
      '03', // Code 3 port unreachable
      '8b97', // Checksum
      '00000000', // Unused
      UDP_HEADER('40'), // invoking packet: the IPv4 header (its 8 data bytes left out here)
    ),
    value: {
      type: 'destination-unreachable', code: 3, nextHopMtu: 0, invoking: hex(UDP_HEADER('40')),
    },
    checksum: 0x8b97, fixed: 8,
  },
  {
    name: 'Time Exceeded',
    bytes: hex(
      '0b', // Type 11 Time Exceeded
      '00', // Code 0 TTL exceeded in transit
      'c29a', // Checksum
      '00000000', // Unused
      UDP_HEADER('01'), // invoking packet: the IPv4 header, TTL 1
    ),
    value: { type: 'time-exceeded', code: 0, invoking: hex(UDP_HEADER('01')) },
    checksum: 0xc29a, fixed: 8,
  },
  {
    name: 'unknown type 253',
    bytes: hex(
      'fd', // Type 253 (RFC 4727 experiment)
      '00', // Code 0
      '02fc', // Checksum
      '00010002', // body
    ),
    value: { type: 'unknown', icmpType: 253, code: 0, body: hex('00010002') },
    checksum: 0x02fc, fixed: 4,
  },
];

for (const v of VECTORS) {
  test(`ICMPv4 vector ${v.name}: decodes field by field and re-encodes byte for byte`, () => {
    const r = decodeIcmpv4(v.bytes);
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    assert.deepStrictEqual(r.value.message, v.value);
    assert.equal(r.value.checksum, v.checksum);
    assert.equal(r.value.checksumValid, true);
    assert.equal(r.consumed, v.bytes.length);
    assert.equal(encodedLengthIcmpv4(v.value), v.bytes.length);
    assert.equal(toHex(encodeToBytes(icmpv4Codec, v.value)), toHex(v.bytes));
    checkRoundTrip(icmpv4Codec, v.value);
  });

  test(`ICMPv4 vector ${v.name}: every strict prefix fails or fails the checksum`, () => {
    for (let len = 0; len < v.bytes.length; len++) {
      const r = decodeIcmpv4(v.bytes, 0, len);
      if (len < v.fixed) {
        assert.equal(r.ok, false, `prefix ${len} decoded`);
        if (!r.ok) assert.equal(r.error.kind, 'truncated');
      }
      if (r.ok) assert.equal(r.value.checksumValid, false, `prefix ${len}`);
      else assert.ok(r.error.offset >= 0 && r.error.offset <= len);
    }
  });
}

test('ICMPv4 constants', () => {
  assert.equal(ICMPV4_PROTOCOL, 1);
  assert.deepStrictEqual(ICMPV4_TYPE,
    { echoReply: 0, destinationUnreachable: 3, echoRequest: 8, timeExceeded: 11 });
  assert.equal(ICMPV4_CODE_FRAGMENTATION_NEEDED, 4);
});

test('ICMPv4 checksum: a flipped byte is reported, not an error; the field is as received', () => {
  const v = VECTORS[2];
  for (let i = 0; i < v.bytes.length; i++) {
    const bad = v.bytes.slice();
    bad[i] ^= 0x01;
    const r = decodeIcmpv4(bad);
    assert.ok(r.ok, `byte ${i}`);
    assert.equal(r.value.checksumValid, false, `byte ${i}`);
  }
  const zeroed = v.bytes.slice();
  zeroed[2] = 0;
  zeroed[3] = 0;
  const r = decodeIcmpv4(zeroed);
  assert.deepStrictEqual(r.ok && [r.value.checksum, r.value.checksumValid], [0, false]);
});

test('ICMPv4 unused bits are ignored: Next-Hop MTU only for code 4', () => {
  // Code 3 with junk in the whole Unused word: nextHopMtu 0, re-encoded as zeros.
  const noisy = VECTORS[3].bytes.slice();
  noisy.fill(0xff, 4, 8);
  const r = decodeIcmpv4(noisy);
  assert.ok(r.ok);
  assert.deepStrictEqual(r.value.message, VECTORS[3].value);
  assert.equal(toHex(encodeToBytes(icmpv4Codec, r.value.message)), toHex(VECTORS[3].bytes));
  // Code 4 with junk in the Unused half: only the low 16 bits count.
  const frag = VECTORS[2].bytes.slice();
  frag[4] = 0xab;
  frag[5] = 0xcd;
  const f = decodeIcmpv4(frag);
  assert.ok(f.ok && f.value.message.type === 'destination-unreachable');
  assert.equal(f.value.message.nextHopMtu, 1480);
  // Code 4 from a pre-RFC 1191 router: Next-Hop MTU 0.
  const old = decodeIcmpv4(hex('0304', '0000', '00000000', BIG_PACKET_HEADER));
  assert.ok(old.ok && old.value.message.type === 'destination-unreachable');
  assert.equal(old.value.message.nextHopMtu, 0);
  // Time Exceeded Unused word ignored too.
  const te = VECTORS[4].bytes.slice();
  te[7] = 1;
  const t = decodeIcmpv4(te);
  assert.deepStrictEqual(t.ok && t.value.message, VECTORS[4].value);
});

test('ICMPv4 decode at an offset, and nothing read past end', () => {
  const v = VECTORS[0];
  const buf = new Uint8Array(5 + v.bytes.length + 3).fill(0x77);
  buf.set(v.bytes, 5);
  const r = decodeIcmpv4(buf, 5, 5 + v.bytes.length);
  assert.ok(r.ok);
  assert.deepStrictEqual(r.value, { message: v.value, checksum: 0xa3b9, checksumValid: true });
  assert.equal(r.consumed, v.bytes.length);
  const e = decodeIcmpv4(buf, 5, 12);
  assert.deepStrictEqual(e.ok ? undefined : [e.error.kind, e.error.offset], ['truncated', 5]);
  const h = decodeIcmpv4(buf, 5, 8);
  assert.deepStrictEqual(h.ok ? undefined : [h.error.kind, h.error.offset], ['truncated', 5]);
});

test('ICMPv4 encode rejects invalid values with EncodeError', () => {
  const bad: Icmpv4Message[] = [
    { type: 'echo-request', code: 256, identifier: 0, sequence: 0, data: new Uint8Array() },
    { type: 'echo-reply', code: 0, identifier: 65536, sequence: 0, data: new Uint8Array() },
    { type: 'echo-reply', code: 0, identifier: 0, sequence: 0.5, data: new Uint8Array() },
    { type: 'destination-unreachable', code: 3, nextHopMtu: 1400, invoking: new Uint8Array() },
    { type: 'destination-unreachable', code: 4, nextHopMtu: 65536, invoking: new Uint8Array() },
    { type: 'time-exceeded', code: -1, invoking: new Uint8Array() },
    { type: 'unknown', icmpType: 8, code: 0, body: new Uint8Array() },
    { type: 'unknown', icmpType: 256, code: 0, body: new Uint8Array() },
  ];
  for (const m of bad) {
    assert.throws(() => encodeToBytes(icmpv4Codec, m), EncodeError, JSON.stringify(m));
  }
  assert.throws(() => encodeIcmpv4(VECTORS[0].value, new Uint8Array(13), 0), EncodeError);
});

test('property: ICMPv4 decode(encode(x)) = x with a valid checksum', () => {
  fc.assert(fc.property(icmpv4Message, (m) => {
    const bytes = checkRoundTrip(icmpv4Codec, m);
    const r = decodeIcmpv4(bytes);
    assert.ok(r.ok && r.value.checksumValid);
  }), { numRuns: RUNS });
});

test('property: random bytes never make decodeIcmpv4 throw', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
    decodeNoThrow(icmpv4Codec, b);
    const r = decodeIcmpv4(b);
    if (r.ok) checkRoundTrip(icmpv4Codec, r.value.message);
  }), { numRuns: RUNS });
});

test('property: mutated encodings never throw; what decodes round-trips', () => {
  const edits4 = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })),
    { minLength: 1, maxLength: 4 });
  fc.assert(fc.property(icmpv4Message, edits4, (m, edits) => {
    const b = encodeToBytes(icmpv4Codec, m);
    for (const [at, v] of edits) b[at % b.length] = v;
    const r = decodeNoThrow(icmpv4Codec, b);
    if (r.ok) checkRoundTrip(icmpv4Codec, r.value);
  }), { numRuns: RUNS });
});

test('property: the decoder reads nothing at or past end', () => {
  fc.assert(fc.property(icmpv4Message, fc.uint8Array({ minLength: 1, maxLength: 16 }), (m, t) => {
    const b = encodeToBytes(icmpv4Codec, m);
    const withTail = new Uint8Array(b.length + t.length);
    withTail.set(b);
    withTail.set(t, b.length);
    assert.deepStrictEqual(decodeIcmpv4(withTail, 0, b.length), decodeIcmpv4(b));
  }), { numRuns: RUNS });
});
