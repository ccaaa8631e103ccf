import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hex } from '../vectors/rfc5555.js';
import { toHex } from '../../src/wire/bytes.js';
import {
  decodeMobilityHeader, encodeMobilityHeader, mobilityHeaderCodec, type MobilityHeader,
} from '../../src/wire/mh/header.js';
import { BaFlag, BuFlag, buFlagLetters, lifetimeToWireSeconds } from '../../src/wire/mh/constants.js';
import type { MobilityOption } from '../../src/wire/mh/options.js';
import { optionAlignment } from '../../src/wire/mh/options-encode.js';
import { checkRoundTrip, checkTruncations, encodeToBytes } from '../harness.js';

const bytes8 = (s: string): Uint8Array => hex(s);
const mh = (message: MobilityHeader['message'], options: MobilityOption[] = []): MobilityHeader =>
  ({ payloadProto: 59, message, options });

/** Each vector: hex of a bare MH with checksum 0 (encoded without addresses) and its value. */
const VECTORS: readonly { name: string; hex: string; value: MobilityHeader }[] = [
  { name: 'BRR', hex: '3b000000 0000 0000', value: mh({ type: 'binding-refresh-request' }) },
  {
    name: 'HoTI', hex: '3b010100 0000 0000 0102030405060708',
    value: mh({ type: 'home-test-init', homeInitCookie: bytes8('0102030405060708') }),
  },
  {
    name: 'CoTI', hex: '3b010200 0000 0000 f1f2f3f4f5f6f7f8',
    value: mh({ type: 'care-of-test-init', careOfInitCookie: bytes8('f1f2f3f4f5f6f7f8') }),
  },
  {
    name: 'HoT', hex: '3b020300 0000 abcd 0102030405060708 1112131415161718',
    value: mh({
      type: 'home-test', homeNonceIndex: 0xabcd, homeInitCookie: bytes8('0102030405060708'),
      homeKeygenToken: bytes8('1112131415161718'),
    }),
  },
  {
    name: 'CoT', hex: '3b020400 0000 0007 2122232425262728 3132333435363738',
    value: mh({
      type: 'care-of-test', careOfNonceIndex: 7, careOfInitCookie: bytes8('2122232425262728'),
      careOfKeygenToken: bytes8('3132333435363738'),
    }),
  },
  {
    // seq 1, A|H, lifetime 16 units; PadN(0) puts the Alt-CoA at 8n+6 (offset 14).
    name: 'BU + Alt-CoA', hex: '3b030500 0000 0001 c000 0010 0100 0310 20010db8000200000000000000000005',
    value: mh({ type: 'binding-update', sequence: 1, flags: BuFlag.A | BuFlag.H, lifetimeSeconds: 64 },
      [{ type: 'alternate-care-of-address', careOfAddress: '2001:db8:2::5' }]),
  },
  {
    // Nonce Indices at 12 (2n), BAD at 18 (8n+2), ends at 32.
    name: 'BU + NI + BAD', hex: '3b030500 0000 fffe 0000 0000 0404 00010002 050c a0a1a2a3a4a5a6a7a8a9aaab',
    value: mh({ type: 'binding-update', sequence: 0xfffe, flags: 0, lifetimeSeconds: 0 }, [
      { type: 'nonce-indices', homeNonceIndex: 1, careOfNonceIndex: 2 },
      { type: 'binding-authorization-data', authenticator: hex('a0a1a2a3a4a5a6a7a8a9aaab') },
    ]),
  },
  {
    // MN-ID (no alignment) at 12..19, PadN(0) to 21 = 4n+1, AUTH MN-HA SPI 256 + 12 octets, 40.
    name: 'BU + MN-ID + AUTH',
    hex: '3b040500 0000 0002 d000 0064 0805 016d6e4078 0100 0911 01 00000100 b0b1b2b3b4b5b6b7b8b9babb',
    value: mh({ type: 'binding-update', sequence: 2, flags: 0xd000, lifetimeSeconds: 400 }, [
      { type: 'mobile-node-identifier', subtype: 1, identifier: hex('6d6e4078') },
      { type: 'authentication', subtype: 1, spi: 256, authenticationData: hex('b0b1b2b3b4b5b6b7b8b9babb') },
    ]),
  },
  {
    // PadN(4) puts MESG-ID at 18 (8n+2); PadN(2) pads 28 to 32.
    name: 'BU + MESG-ID', hex: '3b030500 0000 0003 8000 0001 0104 00000000 0a08 e1b2c3d412345678 0102 0000',
    value: mh({ type: 'binding-update', sequence: 3, flags: BuFlag.A, lifetimeSeconds: 4 }, [
      { type: 'replay-protection', timestamp: 0xe1b2c3d412345678n },
    ]),
  },
  {
    // IPv4 HoA 10.1.2.3/24 P=0 at 12, IPv4 CoA at 20, PadN(2) to 32; flags A|H|F.
    name: 'BU + IPv4 HoA + IPv4 CoA',
    hex: '3b030500 0000 0004 c100 0100 1d06 6000 0a010203 2006 0000 c0000201 0102 0000',
    value: mh({ type: 'binding-update', sequence: 4, flags: 0xc100, lifetimeSeconds: 1024 }, [
      { type: 'ipv4-home-address', prefixLength: 24, requestPrefix: false, address: '10.1.2.3' },
      { type: 'ipv4-care-of-address', address: '192.0.2.1' },
    ]),
  },
  {
    name: 'BU + MNP', hex: '3b030500 0000 0005 c400 0100 0612 0030 20010db8abcd00000000000000000000',
    value: mh({ type: 'binding-update', sequence: 5, flags: BuFlag.A | BuFlag.H | BuFlag.R, lifetimeSeconds: 1024 },
      [{ type: 'mobile-network-prefix', prefixLength: 48, prefix: '2001:db8:abcd::' }]),
  },
  {
    name: 'BA + BRA', hex: '3b010600 0000 8740 0006 0fff 0202 0100',
    value: mh({ type: 'binding-ack', status: 135, flags: BaFlag.R, sequence: 6, lifetimeSeconds: 0x0fff * 4 },
      [{ type: 'binding-refresh-advice', refreshIntervalSeconds: 1024 }]),
  },
  {
    // IPv4 Ack status 132 /0 0.0.0.0, NAT Detection F=1 refresh 0xffffffff, PadN(2).
    name: 'BA + IPv4 Ack + NATD', hex: '3b030600 0000 0080 0007 0040 1e06 8400 00000000 1f06 8000 ffffffff 0102 0000',
    value: mh({ type: 'binding-ack', status: 0, flags: BaFlag.K, sequence: 7, lifetimeSeconds: 256 }, [
      { type: 'ipv4-address-acknowledgement', status: 132, prefixLength: 0, address: '0.0.0.0' },
      { type: 'nat-detection', forceUdp: true, refreshTimeSeconds: 0xffffffff },
    ]),
  },
  {
    name: 'BE', hex: '3b020700 0000 0200 20010db8000100000000000000000100',
    value: mh({ type: 'binding-error', status: 2, homeAddress: '2001:db8:1::100' }),
  },
  {
    name: 'unknown MH type 16', hex: '3b011000 0000 0102 030405060708090a',
    value: mh({ type: 'unknown', mhType: 16, data: hex('0102030405060708090a') }),
  },
  {
    // An unknown option type 200 (3 octets of data) kept byte for byte, then PadN(5) to 24.
    name: 'BU + unknown option', hex: '3b020500 0000 0009 0000 0000 c803 aabbcc 0105 0000000000',
    value: mh({ type: 'binding-update', sequence: 9, flags: 0, lifetimeSeconds: 0 },
      [{ type: 'unknown', optionType: 200, data: hex('aabbcc') }]),
  },
];

for (const v of VECTORS) {
  test(`MH vector: ${v.name}`, () => {
    const b = hex(v.hex);
    const r = decodeMobilityHeader(b);
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    assert.deepStrictEqual(r.value, v.value);
    assert.equal(r.consumed, b.length);
    assert.equal(toHex(encodeToBytes(mobilityHeaderCodec, v.value)), toHex(b));
    checkRoundTrip(mobilityHeaderCodec, v.value);
    checkTruncations(mobilityHeaderCodec, b);
  });
}

test('MH: Header Len below the type minimum is malformed (RFC 6275 §9.2)', () => {
  const r = decodeMobilityHeader(hex('3b000500 0000 0000'));
  assert.ok(!r.ok);
  assert.equal(r.error.kind, 'bad-length');
  assert.equal(r.error.offset, 1);
});

test('MH: a known option with the wrong length is malformed', () => {
  const r = decodeMobilityHeader(hex('3b010500 0000 0001 0000 0000 1d02 0000'));
  assert.ok(!r.ok);
  assert.equal(r.error.kind, 'bad-length');
  assert.equal(r.error.offset, 13);
});

test('MH: an option overrunning the message is truncated at its length octet', () => {
  const r = decodeMobilityHeader(hex('3b010500 0000 0001 0000 0000 0206 0000'));
  assert.ok(!r.ok);
  assert.equal(r.error.kind, 'truncated');
  assert.equal(r.error.offset, 13);
});

test('MH: Pad1 and PadN anywhere are skipped', () => {
  const r = decodeMobilityHeader(hex('3b010500 0000 0001 0000 0000 00 00 0100 00 00 00'));
  assert.ok(r.ok);
  assert.deepStrictEqual(r.value.options, []);
});

test('MH encoder rejects invalid values', () => {
  const bad: MobilityHeader[] = [
    mh({ type: 'binding-update', sequence: 65536, flags: 0, lifetimeSeconds: 0 }),
    mh({ type: 'binding-update', sequence: 1, flags: 0, lifetimeSeconds: 6 }),
    mh({ type: 'binding-update', sequence: 1, flags: 0, lifetimeSeconds: 0 },
      [{ type: 'ipv4-home-address', prefixLength: 33, requestPrefix: false, address: '10.0.0.1' }]),
    mh({ type: 'binding-update', sequence: 1, flags: 0, lifetimeSeconds: 0 },
      [{ type: 'ipv4-care-of-address', address: '10.0.0.256' }]),
    mh({ type: 'binding-update', sequence: 1, flags: 0, lifetimeSeconds: 0 },
      [{ type: 'mobile-network-prefix', prefixLength: 129, prefix: '2001:db8::' }]),
    mh({ type: 'binding-update', sequence: 1, flags: 0, lifetimeSeconds: 0 },
      [{ type: 'unknown', optionType: 29, data: new Uint8Array(6) }]),
    mh({ type: 'home-test-init', homeInitCookie: new Uint8Array(7) }),
    mh({ type: 'unknown', mhType: 5, data: new Uint8Array(2) }),
  ];
  for (const v of bad) {
    assert.throws(() => encodeMobilityHeader(v, new Uint8Array(256), 0), { name: 'EncodeError' },
      JSON.stringify(v.message));
  }
});

test('BU flag letters and lifetime rounding', () => {
  assert.equal(buFlagLetters(0xd400), 'AHKR');
  assert.equal(buFlagLetters(BuFlag.F | BuFlag.T), 'FT');
  assert.equal(lifetimeToWireSeconds(7), 4);
  assert.equal(lifetimeToWireSeconds(1e9), 262140);
  assert.equal(lifetimeToWireSeconds(-3), 0);
});

test('option alignment table (RFC 6275 §6.2, RFC 3963, RFC 4285, RFC 5555)', () => {
  const a = (o: MobilityOption): string => { const { x, y } = optionAlignment(o); return `${x}n+${y}`; };
  assert.equal(a({ type: 'alternate-care-of-address', careOfAddress: '::' }), '8n+6');
  assert.equal(a({ type: 'mobile-network-prefix', prefixLength: 64, prefix: '::' }), '8n+4');
  assert.equal(a({ type: 'binding-authorization-data', authenticator: new Uint8Array(12) }), '8n+2');
  assert.equal(a({ type: 'authentication', subtype: 1, spi: 0, authenticationData: new Uint8Array(0) }), '4n+1');
  assert.equal(a({ type: 'nat-detection', forceUdp: false, refreshTimeSeconds: 0 }), '4n+0');
  assert.equal(a({ type: 'binding-refresh-advice', refreshIntervalSeconds: 0 }), '2n+0');
});
