import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RFC5555_BA, RFC5555_BU, hex } from '../vectors/rfc5555.js';
import { dissect } from '../../src/wire/dissect.js';
import { plain } from '../../src/wire/dissect-layer.js';
import { dissectIcmpv6 } from '../../src/wire/dissect-more.js';
import { encodeIcmpv6, encodedLengthIcmpv6 } from '../../src/wire/icmpv6.js';
import type { Layer } from '../../src/wire/dissect-layer.js';

test('dissect: RFC 5555 BU through IPv4, UDP 4191, IPv6, Destination Options, MH', () => {
  const d = dissect(RFC5555_BU);
  assert.equal(d.error, undefined);
  assert.deepStrictEqual(d.layers.map((l) => [l.layer, l.offset, l.length]), [
    ['ipv4', 0, 140], ['udp', 20, 120], ['ipv6', 28, 112], ['destination-options', 68, 24],
    ['mobility-header', 92, 48],
  ]);
  const mh = d.layers[4].fields as { message: Record<string, unknown>; checksumValid: boolean };
  assert.equal(mh.message.flagLetters, 'AHKR');
  assert.equal(mh.message.sequence, 0x1234);
  assert.equal(mh.checksumValid, true);
});

test('dissect: a bad MH checksum shows the MH, then the error at the checksum offset', () => {
  const b = RFC5555_BA.slice();
  b[b.length - 1] ^= 0x01; // inside the final PadN: only the checksum can notice
  const d = dissect(b);
  assert.equal(d.layers.at(-1)?.layer, 'mobility-header');
  assert.deepStrictEqual(d.error && [d.error.kind, d.error.offset], ['bad-checksum', 92 + 4]);
});

test('dissect: truncated input reports the layers before the failure', () => {
  const d = dissect(RFC5555_BU.subarray(0, 60));
  assert.deepStrictEqual(d.layers, []);
  assert.equal(d.error?.kind, 'truncated');
  const inner = dissect(RFC5555_BU.subarray(28, 28 + 50));
  assert.equal(inner.error?.kind, 'truncated');
});

test('dissect: a bare MH (first octet 59) and garbage', () => {
  const d = dissect(hex('3b000000 0000 0000'));
  assert.equal(d.layers[0].layer, 'mobility-header');
  assert.equal(d.error, undefined);
  const g = dissect(hex('ff00'));
  assert.equal(g.error?.kind, 'bad-version');
  assert.equal(dissect(new Uint8Array(0)).error?.kind, 'truncated');
});

test('dissect: ICMPv6 echo inside IPv6 with its checksum verified', () => {
  const src = '2001:db8::1';
  const dst = '2001:db8::2';
  const msg = { type: 'echo-request' as const, code: 0, identifier: 7, sequence: 9, data: hex('abcd') };
  const icmp = new Uint8Array(encodedLengthIcmpv6(msg));
  encodeIcmpv6(msg, icmp, 0, src, dst);
  const out: Layer[] = [];
  assert.equal(dissectIcmpv6(icmp, 0, icmp.length, out, { source: src, destination: dst }), undefined);
  assert.equal(out[0].fields.checksumValid, true);
  assert.equal(out[0].fields.data, 'abcd');
  const bad = dissectIcmpv6(icmp, 0, icmp.length, [], { source: src, destination: '2001:db8::3' });
  assert.equal(bad?.kind, 'bad-checksum');
});

test('plain: bytes become hex, bigints text, undefined fields vanish', () => {
  assert.deepStrictEqual(plain({ a: hex('0102'), b: 5n, c: undefined, d: [hex('ff')] }),
    { a: '0102', b: '5', d: ['ff'] });
});
