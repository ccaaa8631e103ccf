/**
 * Route requests from a template (src/os/netlink/route-template.ts) are byte for byte what the
 * generic codec builds (routeRequest + encodeRtnlMessageBytes): IPv4 and IPv6, replace and
 * delete, host routes, prefixes with host bits set, /0, bare addresses, large table ids, at an
 * offset in a dirty buffer; and bad text throws the same EncodeError.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRtnlMessageBytes } from '../../src/os/netlink/message.js';
import { routeRequest } from '../../src/os/netlink/requests.js';
import { ROUTE_TEMPLATE_LENGTH_MAX, RouteTemplate, type TemplateAction } from '../../src/os/netlink/route-template.js';
import { toHex } from '../../src/wire/bytes.js';
import { formatIpv4, formatIpv6 } from '../../src/wire/addr.js';
import { EncodeError } from '../../src/wire/result.js';

function generic(seq: number, action: TemplateAction, dst: string, oif: number, table?: number): string {
  return toHex(encodeRtnlMessageBytes(routeRequest(seq, action, { dst, oif, ...(table ? { table } : {}) })));
}

function templated(t: RouteTemplate, seq: number, action: TemplateAction, dst: string, at = 0): string {
  const out = new Uint8Array(at + ROUTE_TEMPLATE_LENGTH_MAX + 8).fill(0xa5);
  const n = t.write(out, at, seq, action, dst);
  assert.ok(n > 0 && n % 4 === 0, `${dst}: ${n} bytes`);
  assert.ok(out.subarray(at + n).every((b) => b === 0xa5), 'nothing written past the message');
  return toHex(out.subarray(at, at + n));
}

test('RouteTemplate: the generic encoder\'s bytes for chosen routes', () => {
  const t = new RouteTemplate(7);
  const cases = [
    '2001:db8:1::1:0:100/128', '2001:db8::1', '2001:db8:77::/48', '2001:db8:77:1:2::/64',
    '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/61', '::ffff:10.0.0.1/128', '::/0', 'fe80::1/10',
    '192.0.2.55/32', '192.0.2.55', '10.1.2.3/8', '172.16.0.0/14', '0.0.0.0/0', '255.255.255.255/1',
  ];
  for (const action of ['replace', 'delete'] as const) {
    for (const dst of cases) {
      assert.equal(templated(t, 0x1234567, action, dst, 12), generic(0x1234567, action, dst, 7),
        `${action} ${dst}`);
    }
  }
  const big = new RouteTemplate(3, 1000);
  assert.equal(templated(big, 9, 'replace', '2001:db8::9/128'), generic(9, 'replace', '2001:db8::9/128', 3, 1000));
  assert.equal(templated(big, 9, 'delete', '10.0.0.0/24'), generic(9, 'delete', '10.0.0.0/24', 3, 1000));
});

test('RouteTemplate: byte-equal to the generic encoder for generated routes (property)', () => {
  const v6 = fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 }))
    .map(([b, l]) => `${formatIpv6(b)}/${l}`);
  const v4 = fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }))
    .map(([b, l]) => `${formatIpv4(b)}/${l}`);
  fc.assert(fc.property(
    fc.oneof(v6, v4), fc.constantFrom<TemplateAction>('replace', 'delete'),
    fc.integer({ min: 1, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }),
    fc.integer({ min: 0, max: 64 }), fc.constantFrom(undefined, 254, 100, 0x10000),
    (dst, action, oif, seq, at, table) => {
      const t = new RouteTemplate(oif, table);
      assert.equal(templated(t, seq, action, dst, at), generic(seq, action, dst, oif, table));
    },
  ), { numRuns: 2000 });
});

test('RouteTemplate: text that is not a prefix throws EncodeError, as routeRequest does', () => {
  const t = new RouteTemplate(1);
  const out = new Uint8Array(ROUTE_TEMPLATE_LENGTH_MAX);
  for (const bad of ['', 'x', '2001:db8::1/129', '10.0.0.1/33', '10.0.0.1/', '2001:db8::/1a', '1.2.3/8',
    '2001:db8::1/0128', '10.0.0.1/-1']) {
    assert.throws(() => t.write(out, 0, 1, 'replace', bad), EncodeError, bad);
    assert.throws(() => routeRequest(1, 'replace', { dst: bad, oif: 1 }), EncodeError, `generic: ${bad}`);
  }
  assert.equal(t.write(new Uint8Array(40), 0, 1, 'replace', '2001:db8::1'), 0, 'no room: nothing written');
});
