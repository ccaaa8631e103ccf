/** Property tests for the IP layer, UDP and the Mobility Header (conventions C10). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkRoundTrip, decodeNoThrow } from '../harness.js';
import { ipv4PacketCodec } from '../../src/wire/ipv4.js';
import { ipv6PacketCodec } from '../../src/wire/ipv6.js';
import { mobilityHeaderCodec } from '../../src/wire/mh/header.js';
import { decodeMobilityPacket, encodeMobilityPacket } from '../../src/wire/mh/packet.js';
import { canonicalIpv6, formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../../src/wire/addr.js';
import { ipv4Packet, ipv6Address, ipv6Packet, mobilityHeader } from './arbitraries.js';
import { udp4Codec, udpDatagram } from '../fuzz/targets-ip.js';

const RUNS = { numRuns: 2000, seed: 42 };

/** The dotted-quad rule parseIpv4 implements, written the slow, obvious way. */
function referenceIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p))) return undefined;
  const v = parts.map(Number);
  return v.every((x) => x <= 255) ? v : undefined;
}

test('IPv4 text: parse agrees with the reference rule on valid, near-valid and random text', () => {
  const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('', '00', '01', '-1', 'a', '1 '));
  const dotted = fc.array(octet, { minLength: 2, maxLength: 6 }).map((a) => a.join('.'));
  const text = fc.oneof(dotted, fc.string({ maxLength: 16 }), fc.stringMatching(/^[0-9.]{0,16}$/));
  fc.assert(fc.property(text, (t) => {
    const got = parseIpv4(t);
    assert.deepEqual(got === undefined ? undefined : [...got], referenceIpv4(t), JSON.stringify(t));
    if (got) assert.equal(formatIpv4(got), t);
  }), { numRuns: 20000, seed: 42 });
});

test('IPv6 text: format(parse(x)) = x for canonical text', () => {
  fc.assert(fc.property(ipv6Address, (a) => {
    assert.equal(formatIpv6(parseIpv6(a)!), a);
  }), RUNS);
});

test('IPv6 text: RFC 5952 canonical forms', () => {
  assert.equal(canonicalIpv6('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(canonicalIpv6('2001:db8:0:0:0:0:2:1'), '2001:db8::2:1');
  assert.equal(canonicalIpv6('2001:db8::0:1'), '2001:db8::1');
  assert.equal(canonicalIpv6('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1');
  assert.equal(canonicalIpv6('2001:db8:1:1:1:1:0:1'), '2001:db8:1:1:1:1:0:1');
  assert.equal(canonicalIpv6('::ffff:c633:640a'), '::ffff:198.51.100.10');
  assert.equal(canonicalIpv6('::'), '::');
  for (const bad of ['1::2::3', '12345::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'g::', '::1.2.3']) {
    assert.equal(canonicalIpv6(bad), undefined, bad);
  }
});

test('IPv6 packet round trip', () => {
  fc.assert(fc.property(ipv6Packet, (p) => { checkRoundTrip(ipv6PacketCodec, p); }), RUNS);
});

test('IPv4 packet round trip', () => {
  fc.assert(fc.property(ipv4Packet, (p) => { checkRoundTrip(ipv4PacketCodec, p); }), RUNS);
});

test('UDP over IPv4 round trip (checksum verified)', () => {
  fc.assert(fc.property(udpDatagram, (d) => { checkRoundTrip(udp4Codec, d); }), RUNS);
});

test('Mobility Header round trip', () => {
  fc.assert(fc.property(mobilityHeader, (m) => { checkRoundTrip(mobilityHeaderCodec, m); }), RUNS);
});

test('MH in IPv6 with HAO/RH2: checksum verifies; one flipped bit is detected or re-decodes', () => {
  fc.assert(fc.property(mobilityHeader, ipv6Address, ipv6Address, ipv6Address, fc.nat(),
    (mh, src, dst, hoa, flip) => {
      const withHao = flip % 2 === 0;
      const bytes = encodeMobilityPacket({
        source: src, destination: dst, mh,
        ...(withHao ? { homeAddressOption: hoa } : { type2RoutingAddress: hoa }),
      });
      const r = decodeMobilityPacket(bytes);
      assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
      assert.deepStrictEqual(r.value.mh, structuredClone(mh));
      const mhStart = bytes.length - r.value.packet.payload.length;
      const bit = flip % ((bytes.length - mhStart) * 8);
      bytes[mhStart + (bit >> 3)] ^= 1 << (bit & 7);
      const r2 = decodeMobilityPacket(bytes);
      assert.equal(r2.ok, false, 'a single-bit error in the MH must not pass the checksum');
    }), RUNS);
});

test('decoders never throw on random bytes', () => {
  const codecs = [ipv6PacketCodec, ipv4PacketCodec, udp4Codec, mobilityHeaderCodec];
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
    for (const c of codecs) decodeNoThrow(c as never, b);
    decodeMobilityPacket(b);
  }), RUNS);
});

test('IPv6 text parser agrees with the WHATWG URL parser (differential, random text)', () => {
  const alphabet = fc.constantFrom(...'0123456789abcdefABCDEF:.'.split(''), '::', 'ffff', '1.2.3.4');
  fc.assert(fc.property(fc.array(alphabet, { maxLength: 14 }).map((xs) => xs.join('')), (t) => {
    let viaUrl: Uint8Array | undefined;
    try {
      const host = new URL(`http://[${t}]/`).hostname.slice(1, -1);
      viaUrl = parseIpv6(host);
      assert.ok(viaUrl, `URL produced ${host} which we cannot parse`);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      viaUrl = undefined;
    }
    const ours = parseIpv6(t);
    assert.deepStrictEqual(ours && formatIpv6(ours), viaUrl && formatIpv6(viaUrl), `text ${JSON.stringify(t)}`);
  }), { numRuns: 20_000, seed: 11 });
});
