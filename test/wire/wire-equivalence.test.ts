/**
 * The allocation-free address codec and the one-pass Mobility Header packet encoder give exactly
 * what the codecs gave before: addresses against a verbatim copy of the old code
 * (reference-addr.ts), packets against golden vectors the old codecs produced
 * (test/vectors/wire-golden.ts) and against the generic encoder path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Ipv6TextMemo, canonicalIpv6, formatIpv4, formatIpv4Value, formatIpv6, ipv6WordSum, isIpv6Text, parseIpv4, parseIpv6, writeIpv4,
  writeIpv6,
} from '../../src/wire/addr.js';
import { copyBytes, fromHex, packetBytes, toHex } from '../../src/wire/bytes.js';
import { pseudoSum6, pseudoSum6Text, upperChecksum4, upperChecksum6 } from '../../src/wire/checksum.js';
import { encodeIpv6Header, encodeIpv6Packet, encodedLengthIpv6Packet } from '../../src/wire/ipv6.js';
import {
  decodeMobilityPacket, encodeMobilityPacket, encodeMobilityPacketInto, encodedLengthMobilityPacket,
  mobilityChecksumAddresses, mobilityPacket, type MobilityPacketSpec,
} from '../../src/wire/mh/packet.js';
import { verifyMobilityChecksum } from '../../src/wire/mh/header.js';
import { MH_TYPE_OF, OPTIONS_OFFSET, fixedPartEnd, type MobilityMessage } from '../../src/wire/mh/messages.js';
import {
  GOLDEN_IPV4_PACKETS, GOLDEN_IPV6_HEADERS, GOLDEN_IPV6_PACKETS, GOLDEN_MOBILITY,
} from '../vectors/wire-golden.js';
import { encodeIpv4Packet, encodedLengthIpv4Packet } from '../../src/wire/ipv4.js';
import { mobilityHeader, mobilityOption } from '../prop/arbitraries.js';
import { optionAlignment, optionDataLength } from '../../src/wire/mh/options-encode.js';
import type { MobilityOption } from '../../src/wire/mh/options.js';
import { refFormatIpv4, refFormatIpv6, refParseIpv4, refParseIpv6 } from './reference-addr.js';
import {
  corrupted, ipv4Packets, ipv4Texts, ipv6ByteCases, ipv6Headers, ipv6Packets, ipv6Texts, packetSpecs, resultDigest,
  resultJson, thrownName,
} from './wire-corpus.js';

const RUNS = { numRuns: 3000, seed: 5952 };
const hexOf = (b: Uint8Array | undefined): string | undefined => (b ? toHex(b) : undefined);
const wordSum = (b: Uint8Array): number => {
  let s = 0;
  for (let i = 0; i < 16; i += 2) s += (b[i] << 8) | b[i + 1];
  return s;
};

/** Text made of the characters IPv6 text is made of (most of it malformed, some valid). */
const addressLike = fc.array(fc.constantFrom(...'0123456789abcdefABCDEF:::..x '), { maxLength: 46 })
  .map((cs) => cs.join(''));

function checkIpv6Text(text: string): void {
  const want = refParseIpv6(text);
  const got = parseIpv6(text);
  assert.equal(hexOf(got), hexOf(want), `parseIpv6(${JSON.stringify(text)})`);
  assert.equal(isIpv6Text(text), want !== undefined, text);
  assert.equal(ipv6WordSum(text), want ? wordSum(want) : -1, text);
  assert.equal(canonicalIpv6(text), want ? refFormatIpv6(want) : undefined, text);
  const out = new Uint8Array(24).fill(0xa5);
  const wrote = writeIpv6(out, 5, text);
  assert.equal(wrote, want !== undefined, text);
  const expect = new Uint8Array(24).fill(0xa5);
  if (want) expect.set(want, 5);
  assert.equal(toHex(out), toHex(expect), `writeIpv6 of ${JSON.stringify(text)} (untouched when false)`);
}

test('parseIpv6, writeIpv6, ipv6WordSum, isIpv6Text, canonicalIpv6 agree with the old parser', () => {
  const texts = ipv6Texts();
  assert.ok(texts.length > 900);
  let valid = 0;
  for (const t of texts) {
    checkIpv6Text(t);
    if (refParseIpv6(t)) valid++;
  }
  // The corpus exercises both outcomes in quantity.
  assert.ok(valid > 400 && texts.length - valid > 200, `${valid} valid of ${texts.length}`);
  fc.assert(fc.property(addressLike, (t) => { checkIpv6Text(t); }), RUNS);
});

test('parseIpv6 still returns a fresh array per call', () => {
  const a = parseIpv6('2001:db8::1')!;
  const b = parseIpv6('2001:db8::1')!;
  assert.notEqual(a, b);
  a[0] = 0xff;
  assert.equal(b[0], 0x20);
  assert.equal(parseIpv6('2001:db8::1')![0], 0x20);
  assert.equal(a.length, 16);
  assert.equal(a.byteOffset, 0);
  assert.equal(a.buffer.byteLength, 16);
});

test('writeIpv6 / writeIpv4 refuse to write past the end, as out.set did', () => {
  assert.throws(() => writeIpv6(new Uint8Array(20), 5, '::1'), RangeError);
  assert.throws(() => writeIpv4(new Uint8Array(6), 3, '1.2.3.4'), RangeError);
  assert.equal(writeIpv6(new Uint8Array(20), 5, 'bad'), false);
});

test('parseIpv4, writeIpv4 and formatIpv4 agree with the old code', () => {
  const check = (t: string): void => {
    const want = refParseIpv4(t);
    assert.equal(hexOf(parseIpv4(t)), hexOf(want), t);
    const out = new Uint8Array(8).fill(7);
    assert.equal(writeIpv4(out, 2, t), want !== undefined, t);
    const expect = new Uint8Array(8).fill(7);
    if (want) expect.set(want, 2);
    assert.equal(toHex(out), toHex(expect), t);
  };
  for (const t of ipv4Texts()) check(t);
  fc.assert(fc.property(fc.array(fc.constantFrom(...'0123456789...'), { maxLength: 16 })
    .map((cs) => cs.join('')), check), RUNS);
  fc.assert(fc.property(fc.uint8Array({ minLength: 7, maxLength: 7 }), fc.integer({ min: 0, max: 3 }),
    (b, off) => { assert.equal(formatIpv4(b, off), refFormatIpv4(b, off)); }), RUNS);
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
    const b = Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    assert.equal(formatIpv4Value(v), refFormatIpv4(b, 0));
  }), RUNS);
  for (const v of [0, 1, 0xffffffff, 0x7f000001]) {
    assert.equal(formatIpv4Value(v), refFormatIpv4(Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff), 0));
  }
});

test('formatIpv6 gives the old RFC 5952 text (zero runs, ties, ::ffff:a.b.c.d, offsets)', () => {
  const cases = ipv6ByteCases();
  for (const b of cases) {
    assert.equal(formatIpv6(b), refFormatIpv6(b), toHex(b));
    const shifted = new Uint8Array(21);
    shifted.set(b, 5);
    assert.equal(formatIpv6(shifted, 5), refFormatIpv6(b), `${toHex(b)} at offset 5`);
  }
  assert.equal(formatIpv6(fromHex('00000000000000000000ffff0a000001')!), '::ffff:10.0.0.1');
  // Bytes drawn mostly from {0, 1, 0xff} so that zero runs of every length and position occur.
  const octet = fc.oneof(fc.constant(0), fc.constant(0), fc.constant(1), fc.constant(0xff), fc.integer({ min: 0, max: 255 }));
  fc.assert(fc.property(fc.array(octet, { minLength: 16, maxLength: 16 }), (xs) => {
    const b = Uint8Array.from(xs);
    assert.equal(formatIpv6(b), refFormatIpv6(b));
    assert.equal(hexOf(parseIpv6(formatIpv6(b))), toHex(b));
  }), RUNS);
});

test('formatIpv6 answers right again for octets it formatted before (its cache of recent texts)', () => {
  // Addresses differing in one word only, many more than the cache has slots, in three orders.
  const cases = Array.from({ length: 3000 }, (_, i) => {
    const b = fromHex('20010db8000100000000000100000000')!;
    const word = (i * 2654435761) >>> 0;
    const at = 4 * (i % 4);
    b[at] ^= word >>> 24; b[at + 1] ^= (word >>> 16) & 0xff; b[at + 2] ^= (word >>> 8) & 0xff; b[at + 3] ^= word & 0xff;
    return b;
  });
  const want = cases.map((b) => refFormatIpv6(b));
  for (const order of [cases.keys(), [...cases.keys()].reverse(), [...cases.keys()].map((i) => (i * 7) % 3000)]) {
    for (const i of order) assert.equal(formatIpv6(cases[i]), want[i], toHex(cases[i]));
  }
  // Octets changed in place after formatting give the new text.
  const b = fromHex('20010db8000000000000000000000001')!;
  assert.equal(formatIpv6(b), '2001:db8::1');
  b[15] = 2;
  assert.equal(formatIpv6(b), '2001:db8::2');
  // Short arrays read missing octets as 0, as before.
  for (const off of [0, 2, 8]) {
    const short = fromHex('20010db8000000000000000000')!;
    assert.equal(formatIpv6(short, off), refFormatIpv6(short, off));
  }
});

test('pseudoSum6Text equals pseudoSum6 over parsed addresses; bad text is -1 / throws as before', () => {
  const texts = ipv6Texts().filter((t) => refParseIpv6(t) !== undefined).slice(0, 200);
  texts.forEach((s, i) => {
    const d = texts[(i * 7) % texts.length];
    assert.equal(pseudoSum6Text(s, d, 1000 + i, 135), pseudoSum6(refParseIpv6(s)!, refParseIpv6(d)!, 1000 + i, 135));
  });
  assert.equal(pseudoSum6Text('::1', '1::2::3', 8, 58), -1);
  assert.throws(() => upperChecksum6('::1', 'nope', 17, new Uint8Array(8), 0, 8),
    (e: Error) => e.constructor === Error && /pseudo-header/.test(e.message));
});

function encodeGeneric(spec: MobilityPacketSpec): Uint8Array {
  const p = mobilityPacket(spec);
  const out = new Uint8Array(encodedLengthIpv6Packet(p));
  encodeIpv6Packet(p, out, 0);
  return out;
}

test('encodeMobilityPacket matches the golden octets of the old encoder, and errors by class', () => {
  const specs = packetSpecs();
  assert.equal(specs.length, GOLDEN_MOBILITY.length);
  let thrown = 0;
  specs.forEach((spec, i) => {
    const g = GOLDEN_MOBILITY[i];
    if (g.encoded.startsWith('throws:')) {
      thrown++;
      assert.equal(`throws:${thrownName(() => encodeMobilityPacket(spec))}`, g.encoded, `spec ${i}`);
      assert.equal(`throws:${thrownName(() => encodeGeneric(spec))}`, g.encoded, `spec ${i} (generic)`);
      return;
    }
    assert.equal(toHex(encodeMobilityPacket(spec)), g.encoded, `spec ${i}`);
    assert.equal(toHex(encodeGeneric(spec)), g.encoded, `spec ${i} (generic path)`);
    assert.equal(encodedLengthMobilityPacket(spec), g.encoded.length / 2);
  });
  assert.ok(thrown >= 10 && thrown < specs.length / 2, `${thrown} invalid specs`);
});

test('decodeMobilityPacket gives the old results for the golden octets and corrupted copies', () => {
  GOLDEN_MOBILITY.forEach((g, i) => {
    if (g.decoded === undefined) return;
    const bytes = fromHex(g.encoded)!;
    const r = decodeMobilityPacket(bytes);
    assert.equal(resultDigest(r), g.decoded, `packet ${i}: ${resultJson(r)}`);
    const c = decodeMobilityPacket(corrupted(bytes, i));
    assert.equal(resultDigest(c), g.corrupted, `corrupted packet ${i}: ${resultJson(c)}`);
    // The in-place checksum sum agrees with the text-based verifier (the rule RFC 6275 §6.1.1).
    if (r.ok) {
      const p = r.value.packet;
      const mhStart = bytes.length - p.payload.length;
      const a = mobilityChecksumAddresses(p.source, p.destination, p.extensions);
      assert.ok(verifyMobilityChecksum(bytes, mhStart, bytes.length, a));
    }
  });
});

test('generic IPv6 packets and headers encode to the golden octets (errors by class)', () => {
  ipv6Packets().forEach((p, i) => {
    const got = ((): string => {
      try {
        const out = new Uint8Array(encodedLengthIpv6Packet(p));
        encodeIpv6Packet(p, out, 0);
        return toHex(out);
      } catch (e) {
        return `throws:${(e as Error).name}`;
      }
    })();
    assert.equal(got, GOLDEN_IPV6_PACKETS[i], `packet ${i}`);
  });
  let thrown = 0;
  ipv6Headers().forEach((h, i) => {
    const out = new Uint8Array(40);
    const name = thrownName(() => encodeIpv6Header(h, out, 0));
    if (name !== undefined) thrown++;
    assert.equal(name !== undefined ? `throws:${name}` : toHex(out), GOLDEN_IPV6_HEADERS[i], `header ${i}`);
  });
  assert.ok(thrown > 0);
});

test('encodeMobilityPacketInto writes the same octets at any offset and leaves the rest alone', () => {
  const specs = packetSpecs().filter((_, i) => !GOLDEN_MOBILITY[i].encoded.startsWith('throws:'));
  specs.forEach((spec, i) => {
    const want = encodeMobilityPacket(spec);
    const off = 1 + (i % 9);
    const out = new Uint8Array(off + want.length + 3).fill(0x5c);
    assert.equal(encodeMobilityPacketInto(spec, out, off), want.length);
    assert.equal(toHex(out.subarray(off, off + want.length)), toHex(want));
    assert.ok(out.subarray(0, off).every((x) => x === 0x5c) && out.subarray(off + want.length).every((x) => x === 0x5c));
  });
  assert.throws(() => encodeMobilityPacketInto(specs[0], new Uint8Array(40), 0), { name: 'EncodeError' });
});

test('fast and generic Mobility packet encoders agree on random headers, with HAO and/or RH2', () => {
  const addr = fc.constantFrom('2001:db8:1::1', '::ffff:10.64.1.2', '::', '::1', 'FE80::A:b', '2001:db8:1::1:0:5a3');
  fc.assert(fc.property(mobilityHeader, addr, addr, fc.option(addr), fc.option(addr), (mh, s, d, hao, rh2) => {
    const spec: MobilityPacketSpec = {
      source: s, destination: d, mh,
      ...(hao !== null ? { homeAddressOption: hao } : {}), ...(rh2 !== null ? { type2RoutingAddress: rh2 } : {}),
    };
    const fast = thrownName(() => encodeMobilityPacket(spec)) ?? toHex(encodeMobilityPacket(spec));
    const generic = thrownName(() => encodeGeneric(spec)) ?? toHex(encodeGeneric(spec));
    assert.equal(fast, generic);
  }), { numRuns: 1500, seed: 6275 });
});

test('packetBytes hands out zeroed, disjoint arrays', () => {
  const seen: Uint8Array[] = [];
  for (let n = 1; n < 3000; n += 37) {
    const b = packetBytes(n);
    assert.equal(b.length, n);
    assert.ok(b.every((x) => x === 0));
    b.fill(n & 0xff || 1);
    seen.push(b);
  }
  for (let k = 0; k < 200; k++) seen.push(packetBytes(100).fill(0xee));
  let n = 1;
  for (const b of seen.slice(0, -200)) {
    assert.ok(b.every((x) => x === (n & 0xff || 1)), `array of ${n} kept its contents`);
    n += 37;
  }
});

test('copyBytes copies exactly what new Uint8Array(b.subarray(start, end)) did', () => {
  const b = Uint8Array.from({ length: 100 }, (_, i) => i * 3);
  const ranges: [number, number][] = [[0, 0], [0, 10], [5, 69], [5, 70], [90, 100], [90, 120], [-5, 3], [10, 5],
    [1.5, 7], [0, 100], [99, 100], [100, 100]];
  for (const [s, e] of ranges) {
    const got = copyBytes(b, s, e);
    assert.equal(toHex(got), toHex(new Uint8Array(b.subarray(s, e))), `[${s}, ${e})`);
    assert.notEqual(got.buffer, b.buffer);
  }
});

test('fixedPartEnd is still OPTIONS_OFFSET of the MH type', () => {
  for (const [type, code] of Object.entries(MH_TYPE_OF)) {
    // Only `type` matters for the known kinds.
    assert.equal(fixedPartEnd({ type } as MobilityMessage), OPTIONS_OFFSET[code], type);
  }
  assert.equal(fixedPartEnd({ type: 'unknown', mhType: 9, data: new Uint8Array(10) }), 16);
});

test('Ipv6TextMemo writes what writeIpv6 writes, whatever came before', () => {
  const memo = new Ipv6TextMemo();
  const texts = ['::', '2001:db8::1', '2001:db8::1', 'bad', '::1', '', '2001:DB8::1', '::', ':::', '::ffff:1.2.3.4'];
  for (let round = 0; round < 3; round++) {
    for (const t of texts) {
      const a = new Uint8Array(20).fill(9);
      const b = new Uint8Array(20).fill(9);
      assert.equal(memo.write(a, 3, t), writeIpv6(b, 3, t), t);
      assert.equal(toHex(a), toHex(b), t);
    }
  }
  assert.throws(() => memo.write(new Uint8Array(16), 1, '::1'), RangeError);
});

/** The old alignment and data-length tables, verbatim. */
function refAlignment(o: MobilityOption): { readonly x: number; readonly y: number } {
  switch (o.type) {
    case 'binding-refresh-advice': case 'nonce-indices': return { x: 2, y: 0 };
    case 'alternate-care-of-address': return { x: 8, y: 6 };
    case 'binding-authorization-data': case 'replay-protection': return { x: 8, y: 2 };
    case 'mobile-network-prefix': return { x: 8, y: 4 };
    case 'authentication': return { x: 4, y: 1 };
    case 'ipv4-home-address': case 'ipv4-address-acknowledgement':
    case 'nat-detection': case 'ipv4-care-of-address': return { x: 4, y: 0 };
    case 'mobile-node-identifier': case 'unknown': return { x: 1, y: 0 };
  }
}
function refDataLength(o: MobilityOption): number {
  switch (o.type) {
    case 'binding-refresh-advice': return 2;
    case 'alternate-care-of-address': return 16;
    case 'nonce-indices': return 4;
    case 'binding-authorization-data': return 12;
    case 'mobile-network-prefix': return 18;
    case 'mobile-node-identifier': return 1 + o.identifier.length;
    case 'authentication': return 5 + o.authenticationData.length;
    case 'replay-protection': return 8;
    case 'ipv4-home-address': case 'ipv4-address-acknowledgement':
    case 'nat-detection': case 'ipv4-care-of-address': return 6;
    case 'unknown': return o.data.length;
  }
}

test('optionAlignment and optionDataLength keep the old tables (packed option layout)', () => {
  const kinds = new Set<string>();
  fc.assert(fc.property(mobilityOption, (o) => {
    kinds.add(o.type);
    assert.deepStrictEqual(optionAlignment(o), refAlignment(o));
    assert.equal(optionDataLength(o), refDataLength(o));
  }), RUNS);
  assert.ok(kinds.size >= 12, [...kinds].join());
  const big: MobilityOption = { type: 'unknown', optionType: 77, data: new Uint8Array(70000) };
  assert.equal(optionDataLength(big), 70000);
  assert.deepStrictEqual(optionAlignment(big), { x: 1, y: 0 });
});

test('IPv4 packets and UDP-over-IPv4 checksums match the golden outputs (errors by class)', () => {
  let thrown = 0;
  ipv4Packets().forEach((p, i) => {
    const packet = thrownName(() => encodeIpv4Packet(p, new Uint8Array(encodedLengthIpv4Packet(p)), 0));
    const out = new Uint8Array(encodedLengthIpv4Packet(p));
    if (packet === undefined) encodeIpv4Packet(p, out, 0);
    else thrown++;
    const udp = thrownName(() => upperChecksum4(p.source, p.destination, 17, p.payload, 0, p.payload.length));
    const c = udp === undefined ? upperChecksum4(p.source, p.destination, 17, p.payload, 0, p.payload.length) : 0;
    const got = `${packet === undefined ? toHex(out) : `throws:${packet}`} `
      + `${udp === undefined ? toHex(Uint8Array.of(c >> 8, c & 0xff)) : `throws:${udp}`}`;
    assert.equal(got, GOLDEN_IPV4_PACKETS[i], `packet ${i}`);
  });
  assert.ok(thrown > 0 && thrown < 40, `${thrown} invalid`);
});
