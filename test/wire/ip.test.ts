import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RFC5555_BA, RFC5555_BU, hex } from '../vectors/rfc5555.js';
import { toHex } from '../../src/wire/bytes.js';
import { decodeIpv4Packet, encodeIpv4Packet, ipv4PacketCodec } from '../../src/wire/ipv4.js';
import { decodeIpv6Packet, ipv6PacketCodec } from '../../src/wire/ipv6.js';
import { decodeUdp, encodeUdp } from '../../src/wire/udp.js';
import { decodeUdpEncapsulation4, encapsulatedFamily } from '../../src/wire/udp-encap.js';
import { decodeMobilityPacket, mobilityPacket } from '../../src/wire/mh/packet.js';
import { encodeIpv6Packet, encodedLengthIpv6Packet } from '../../src/wire/ipv6.js';
import { BaFlag, BuFlag } from '../../src/wire/mh/constants.js';
import { internetChecksum } from '../../src/wire/checksum.js';
import { checkTruncations } from '../harness.js';
import { DSMIPV6_UDP_PORT, IpProto } from '../../src/wire/ip-protocols.js';

test('RFC 5555 BU vector: IPv4/UDP 4191/IPv6+HAO/MH decodes field by field', () => {
  const e = decodeUdpEncapsulation4(RFC5555_BU);
  assert.ok(e.ok);
  assert.equal(e.value.source, '198.51.100.10');
  assert.equal(e.value.destination, '203.0.113.1');
  assert.equal(e.value.sourcePort, DSMIPV6_UDP_PORT);
  assert.equal(e.value.destinationPort, DSMIPV6_UDP_PORT);
  assert.equal(IpProto.MOBILITY, 135);
  assert.equal(e.value.family, 6);
  const m = decodeMobilityPacket(RFC5555_BU, e.value.innerOffset);
  assert.ok(m.ok, m.ok ? '' : JSON.stringify(m.error));
  assert.equal(m.value.packet.source, '::ffff:198.51.100.10');
  assert.equal(m.value.packet.destination, '2001:db8:1::1');
  assert.equal(m.value.homeAddressOption, '2001:db8:1::100');
  assert.deepStrictEqual(m.value.mh.message, {
    type: 'binding-update', sequence: 0x1234,
    flags: BuFlag.A | BuFlag.H | BuFlag.K | BuFlag.R, lifetimeSeconds: 400,
  });
  assert.deepStrictEqual(m.value.mh.options, [
    { type: 'ipv4-home-address', prefixLength: 32, requestPrefix: true, address: '0.0.0.0' },
    { type: 'ipv4-care-of-address', address: '198.51.100.10' },
    { type: 'mobile-network-prefix', prefixLength: 64, prefix: '2001:db8:ff::' },
  ]);
});

test('RFC 5555 BA vector: IPv4/UDP/IPv6+RH2/MH decodes field by field', () => {
  const e = decodeUdpEncapsulation4(RFC5555_BA);
  assert.ok(e.ok);
  const m = decodeMobilityPacket(RFC5555_BA, e.value.innerOffset);
  assert.ok(m.ok, m.ok ? '' : JSON.stringify(m.error));
  assert.equal(m.value.packet.destination, '::ffff:198.51.100.10');
  assert.equal(m.value.type2RoutingAddress, '2001:db8:1::100');
  assert.deepStrictEqual(m.value.mh.message, {
    type: 'binding-ack', status: 0, flags: BaFlag.K | BaFlag.R, sequence: 0x1234, lifetimeSeconds: 400,
  });
  assert.deepStrictEqual(m.value.mh.options, [
    { type: 'ipv4-address-acknowledgement', status: 0, prefixLength: 32, address: '192.0.2.100' },
    { type: 'nat-detection', forceUdp: false, refreshTimeSeconds: 110 },
  ]);
});

/** Re-encodes a §3.9 vector from its decoded value: IPv4 id 1, no DF, UDP checksum 0. */
function reencode(vector: Uint8Array): Uint8Array {
  const e = decodeUdpEncapsulation4(vector);
  assert.ok(e.ok);
  const m = decodeMobilityPacket(vector, e.value.innerOffset);
  assert.ok(m.ok);
  const p = m.value.packet;
  const inner6 = mobilityPacket({
    source: p.source, destination: p.destination, hopLimit: p.hopLimit, mh: m.value.mh,
    ...(m.value.homeAddressOption ? { homeAddressOption: m.value.homeAddressOption } : {}),
    ...(m.value.type2RoutingAddress ? { type2RoutingAddress: m.value.type2RoutingAddress } : {}),
  });
  const inner = new Uint8Array(encodedLengthIpv6Packet(inner6));
  encodeIpv6Packet(inner6, inner, 0);
  const udp = new Uint8Array(8 + inner.length);
  encodeUdp({ sourcePort: 4191, destinationPort: 4191, payload: inner }, udp, 0,
    { family: 4, source: e.value.source, destination: e.value.destination }, true);
  const ip = {
    typeOfService: 0, identification: 1, dontFragment: false, moreFragments: false,
    fragmentOffset: 0, ttl: 64, protocol: 17, source: e.value.source,
    destination: e.value.destination, options: new Uint8Array(0), payload: udp,
  };
  const out = new Uint8Array(20 + udp.length);
  encodeIpv4Packet(ip, out, 0);
  return out;
}

test('RFC 5555 vectors re-encode byte for byte (padding, Header Len, MH checksum)', () => {
  assert.equal(toHex(reencode(RFC5555_BU)), toHex(RFC5555_BU));
  assert.equal(toHex(reencode(RFC5555_BA)), toHex(RFC5555_BA));
});

test('RFC 5555 vectors: every truncation is an error at every layer', () => {
  checkTruncations(ipv4PacketCodec, RFC5555_BU);
  checkTruncations(ipv4PacketCodec, RFC5555_BA);
  const inner = RFC5555_BU.subarray(28);
  checkTruncations(ipv6PacketCodec, inner);
  for (let len = 0; len < RFC5555_BU.length; len++) {
    assert.equal(decodeUdpEncapsulation4(RFC5555_BU, 0, len).ok, false);
    assert.equal(decodeMobilityPacket(inner, 0, Math.min(len, inner.length - 1)).ok, false);
  }
});

test('IPv4: bad header checksum is reported at offset 10', () => {
  const b = RFC5555_BU.slice();
  b[8] ^= 1; // TTL
  const r = decodeIpv4Packet(b);
  assert.ok(!r.ok);
  assert.deepStrictEqual([r.error.kind, r.error.offset], ['bad-checksum', 10]);
  assert.equal(internetChecksum(RFC5555_BU, 0, 20), 0);
});

test('UDP: checksum verified when given the pseudo-header; zero is illegal over IPv6', () => {
  const d = { sourcePort: 1000, destinationPort: 4191, payload: hex('60000000') };
  const ph6 = { family: 6 as const, source: '2001:db8::1', destination: '2001:db8::2' };
  const out = new Uint8Array(12);
  encodeUdp(d, out, 0, ph6);
  assert.ok(decodeUdp(out, 0, 12, ph6).ok);
  const wrong = { ...ph6, destination: '2001:db8::3' };
  const r = decodeUdp(out, 0, 12, wrong);
  assert.ok(!r.ok && r.error.kind === 'bad-checksum');
  out[6] = 0; out[7] = 0;
  assert.equal(decodeUdp(out, 0, 12, ph6).ok, false);
  assert.throws(() => encodeUdp(d, out, 0, ph6, true), { name: 'EncodeError' });
});

test('RFC 5555 encapsulation: inner family from the version nibble', () => {
  assert.deepStrictEqual(encapsulatedFamily(hex('45')), { ok: true, value: 4, consumed: 0 });
  assert.deepStrictEqual(encapsulatedFamily(hex('60')), { ok: true, value: 6, consumed: 0 });
  const r = encapsulatedFamily(hex('3b'));
  assert.ok(!r.ok && r.error.kind === 'bad-version');
});

// IPv6 header: src 2001:db8::1 dst 2001:db8::2, payload 16, next header 0 (HBH)
const V6_HDR = '6000000000100040 20010db8000000000000000000000001 20010db8000000000000000000000002';

test('IPv6 extension chain: HBH, fragment, AH are walked to the upper layer', () => {
  // HBH (next 44, len 0, PadN 4) | Fragment (next 51, offset 0, M, id 0x01020304) |
  // AH (next 59, payload len 0 = 8 octets... minimal AH 12 octets: len 1) -> no next header
  const b = hex(`${V6_HDR.replace('0010', '001c')} 2c00 0104 00000000 3300 0001 01020304 3b01 0000 0000 0000 aabbccdd`);
  const r = decodeIpv6Packet(b);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
  assert.deepStrictEqual(r.value.extensions.map((e) => e.type), ['hop-by-hop', 'fragment', 'other']);
  assert.equal(r.value.upperProtocol, 59);
  assert.equal(r.value.payload.length, 0);
});

test('IPv6 extension chain: a Hop-by-Hop header after another header is malformed', () => {
  const b = hex(`${V6_HDR.replace('0010', '0010').replace(/00 ?40 ?2001/, '3c402001')} 0000 0104 00000000 3b00 0104 00000000`);
  const r = decodeIpv6Packet(b);
  assert.ok(!r.ok);
  assert.equal(r.error.offset, 48);
});

test('IPv6 extension chain: ESP stops the walk; Type 2 RH with a wrong length is malformed', () => {
  const esp = hex(`${V6_HDR.replace('0010', '0008').replace(/00 ?40 ?2001/, '32402001')} 0000000100000001`);
  const r = decodeIpv6Packet(esp);
  assert.ok(r.ok);
  assert.equal(r.value.upperProtocol, 50);
  assert.equal(r.value.payload.length, 8);
  const rh = hex(`${V6_HDR.replace('0010', '0008').replace(/00 ?40 ?2001/, '2b402001')} 3b00020100000000`);
  const r2 = decodeIpv6Packet(rh);
  assert.ok(!r2.ok && r2.error.kind === 'bad-length' && r2.error.offset === 41);
});

test('Home Address option with a wrong length is malformed', () => {
  const b = hex(`${V6_HDR.replace('0010', '0018').replace(/00 ?40 ?2001/, '3c402001')}
    3b02 0102 0000 c90f 20010db8000100000000000000000100`);
  const r = decodeIpv6Packet(b);
  assert.ok(!r.ok);
  assert.deepStrictEqual([r.error.kind, r.error.offset], ['bad-length', 47]);
});

test('decoded bytes are independent Uint8Array copies, even from a Node Buffer', () => {
  const buf = Buffer.from(RFC5555_BU);
  const r = decodeIpv4Packet(buf);
  assert.ok(r.ok);
  assert.equal(Object.getPrototypeOf(r.value.payload), Uint8Array.prototype);
  const before = toHex(r.value.payload);
  buf.fill(0);
  assert.equal(toHex(r.value.payload), before);
});
