/**
 * rtnetlink codec: the hand-built request vectors (netlink-request-vectors.ts), decoding of
 * hand-built replies, alignment and unknown attributes, malformations with their offsets, and
 * encoder validation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import { EncodeError } from '../../src/wire/result.js';
import * as rq from '../../src/os/netlink/requests.js';
import { REQUESTS } from './netlink-request-vectors.js';
import {
  decodeDatagram, decodeRtnlMessage, encodeRtnlMessageBytes, extendedAck,
} from '../../src/os/netlink/message.js';
import { decodeAttrs, encodeAttrs } from '../../src/os/netlink/attr.js';
import { HOST_LITTLE_ENDIAN } from '../../src/os/netlink/endian.js';
import {
  RTMGRP_IPV4_IFADDR, RTMGRP_IPV4_ROUTE, RTMGRP_IPV6_IFADDR, RTMGRP_IPV6_ROUTE, RTMGRP_LINK,
  RTMGRP_NEIGH, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV6_RULE, RTNLGRP_LINK, RTNLGRP_NEIGH, rtnlGroupBit,
} from '../../src/os/netlink/constants.js';

function hex(...parts: string[]): Uint8Array {
  const b = fromHex(parts.join(''));
  assert.ok(b, `bad hex: ${parts.join('')}`);
  return b;
}

test('request messages encode to the hand-built bytes and decode back', () => {
  for (const v of REQUESTS) {
    const bytes = encodeRtnlMessageBytes(v.message);
    assert.equal(toHex(bytes), toHex(v.bytes), v.name);
    const r = decodeRtnlMessage(v.bytes, 0, v.bytes.length);
    assert.ok(r.ok, v.name);
    assert.deepStrictEqual(r.value, structuredClone(v.message), v.name);
    assert.equal(r.consumed, v.bytes.length);
  }
});

test('the host is little-endian and the codec says so', () => {
  assert.equal(HOST_LITTLE_ENDIAN, true);
});

test('multicast group constants have the kernel values', () => {
  assert.deepEqual(
    [RTMGRP_LINK, RTMGRP_NEIGH, RTMGRP_IPV4_IFADDR, RTMGRP_IPV4_ROUTE, RTMGRP_IPV6_IFADDR, RTMGRP_IPV6_ROUTE],
    [0x1, 0x4, 0x10, 0x40, 0x100, 0x400],
  );
  assert.deepEqual([RTNLGRP_LINK, RTNLGRP_NEIGH, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV6_RULE], [1, 3, 11, 19]);
  assert.equal(rtnlGroupBit(RTNLGRP_IPV6_ROUTE), RTMGRP_IPV6_ROUTE);
  assert.equal(rtnlGroupBit(RTNLGRP_NEIGH), RTMGRP_NEIGH);
  assert.equal(rtnlGroupBit(32), 0x80000000);
  assert.equal(rtnlGroupBit(33), 0);
});

test('attributes: 4-byte alignment, zeroed padding, unknown types kept byte for byte', () => {
  const attrs = [
    { type: 0x8007, data: hex('0500010001') }, // a nested-flagged attribute with 5 data bytes
    { type: 3, data: new Uint8Array(0) },
  ];
  const out = new Uint8Array(20).fill(0xee);
  assert.equal(encodeAttrs(attrs, out, 4), 16);
  assert.equal(toHex(out), 'eeeeeeee' + '09000780' + '0500010001' + '000000' + '04000300');
  const back = decodeAttrs(out, 4, 20);
  assert.ok(back.ok);
  assert.deepStrictEqual(back.value, [{ ...attrs[0], offset: 4 }, { ...attrs[1], offset: 16 }]);
  // A last attribute without its padding is accepted (RTA_OK semantics).
  const short = decodeAttrs(hex('05000900aa'), 0, 5);
  assert.ok(short.ok);
  assert.deepStrictEqual(short.value[0].data, hex('aa'));
});

test('a link reply keeps unknown and repeated attributes, in order', () => {
  const b = hex(
    '48000000', '1000', '0200', '05000000', '39300000', // RTM_NEWLINK, NLM_F_MULTI, seq 5, pid 12345
    '00', '00', 'feff', '07000000', '91100000', '00000000', // ARPHRD_NONE, index 7, UP|POINTOPOINT|..
    '0800', '0400', 'dc050000', // IFLA_MTU 1500
    '0700', '0300', '743100', '00', // IFLA_IFNAME t1
    '0500', '1000', '02', '000000', // IFLA_OPERSTATE down
    '0800', '0400', '00050000', // IFLA_MTU again: kept raw
    '0500', '1100', '00', '000000', // IFLA_LINKMODE (17): unknown
  );
  const r = decodeRtnlMessage(b, 0, b.length);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepStrictEqual(r.value, {
    header: { type: 16, flags: 2, seq: 5, pid: 12345 },
    body: {
      kind: 'link',
      link: {
        family: 0, type: 65534, index: 7, flags: 0x1091, change: 0, mtu: 1500, name: 't1', operstate: 2,
        unknown: [{ type: 4, data: hex('00050000') }, { type: 17, data: hex('00') }],
      },
    },
  });
});

test('NLMSG_ERROR, ACK and NLMSG_DONE, with extended-ACK attributes', () => {
  const err = hex(
    '3c000000', '0200', '0002', '2a000000', '01000000', // NLMSG_ERROR, ACK_TLVS, seq 42, pid 1
    'efffffff', // -17 EEXIST
    '1c000000', '1800', '0506', '2a000000', '00000000', // echoed request header, len 28
    '0a000000', '00000000', '00000000', // its payload (not capped)
    '0900', '0100', '6f6f707300', '000000', // NLMSGERR_ATTR_MSG "oops"
  );
  const r = decodeDatagram(err);
  assert.ok(r.ok);
  const m = r.value[0];
  assert.equal(m.body.kind, 'error');
  if (m.body.kind !== 'error') return;
  assert.equal(m.body.error, -17);
  assert.deepStrictEqual(m.body.request, { length: 28, type: 24, flags: 0x605, seq: 42, pid: 0 });
  assert.deepStrictEqual(extendedAck(m.header, m.body), { message: 'oops' });
  const ack = hex('24000000', '0200', '0001', '03000000', '00000000', '00000000',
    '10000000', '1000', '0500', '03000000', '00000000');
  const a = decodeRtnlMessage(ack, 0, ack.length);
  assert.ok(a.ok);
  assert.equal(a.value.body.kind === 'error' && a.value.body.error, 0);
  assert.equal(extendedAck(a.value.header, a.value.body), undefined);
  const done = decodeRtnlMessage(hex('14000000', '0300', '0200', '09000000', '00000000', '00000000'), 0, 20);
  assert.ok(done.ok);
  assert.deepStrictEqual(done.value.body, { kind: 'done', error: 0, trailer: new Uint8Array(0) });
});

test('malformed messages are typed errors with offsets', () => {
  const cases: Array<[string, Uint8Array, string, number]> = [
    ['nlmsg_len below 16', hex('0f000000', '1000', '0000', '00000000', '00000000'), 'bad-length', 0],
    ['nlmsg_len past the end', hex('20000000', '1000', '0000', '00000000', '00000000'), 'truncated', 0],
    ['ifinfomsg cut short', hex('18000000', '1000', '0000', '00000000', '00000000', '00'.repeat(8)),
      'truncated', 16],
    ['rta_len below 4', hex('24000000', '1800', '0000', '00000000', '00000000', '00'.repeat(12),
      '0200', '0100', '00000000'), 'bad-length', 28],
    ['rta_len past the message', hex('24000000', '1800', '0000', '00000000', '00000000', '00'.repeat(12),
      '0900', '0100', '00000000'), 'truncated', 28],
    ['RTA_OIF of 2 bytes', hex('24000000', '1800', '0000', '00000000', '00000000', '00'.repeat(12),
      '0600', '0400', '01000000'), 'bad-length', 28],
    ['RTA_DST of 5 bytes', hex('28000000', '1800', '0000', '00000000', '00000000', '00'.repeat(12),
      '0900', '0100', '0102030405', '000000'), 'bad-length', 28],
    ['IFA_CACHEINFO of 8 bytes', hex('24000000', '1400', '0000', '00000000', '00000000', '00'.repeat(8),
      '0c00', '0600', '00'.repeat(8)), 'bad-length', 24],
    ['nlmsgerr cut short', hex('16000000', '0200', '0000', '00000000', '00000000', 'efffffff', '0000'),
      'truncated', 16],
  ];
  for (const [name, b, kind, offset] of cases) {
    const r = decodeDatagram(b);
    assert.equal(r.ok, false, name);
    if (!r.ok) assert.deepEqual([r.error.kind, r.error.offset], [kind, offset], `${name}: ${r.error.what}`);
    else assert.fail(name);
  }
  // The second message of a datagram reports its absolute offset.
  const two = hex('14000000', '0300', '0200', '01000000', '00000000', '00000000', '0f000000');
  const r = decodeDatagram(two);
  assert.ok(!r.ok && r.error.offset === 20 && r.error.kind === 'truncated');
});

test('encoders throw EncodeError on invalid values', () => {
  const bad: Array<[string, () => unknown]> = [
    ['mtu -1', () => rq.setMtuRequest(1, 4, -1)],
    ['name of 16 bytes', () => encodeRtnlMessageBytes(rq.setLinkStateRequest(1, 'abcdefghijklmnop', true))],
    ['name with NUL', () => encodeRtnlMessageBytes(rq.setLinkStateRequest(1, 'a\0b', true))],
    ['bad address', () => rq.addressRequest(1, true, { index: 1, address: '2001:db8::g', prefixLength: 64 })],
    ['IPv4 /33', () => rq.addressRequest(1, true, { index: 1, address: '10.0.0.1', prefixLength: 33 })],
    ['bad prefix', () => rq.routeRequest(1, 'add', { dst: '2001:db8::/129' })],
    ['gateway of the other family', () => rq.routeRequest(1, 'add', { dst: '10.0.0.0/8', gateway: 'fe80::1' })],
    ['table 2^32', () => rq.ruleRequest(1, true, { from: '::/0', table: 2 ** 32 })],
    ['seq 2^32', () => encodeRtnlMessageBytes({ ...rq.getLinksRequest(1), header: {
      type: 18, flags: 0, seq: 2 ** 32, pid: 0 } })],
    ['body kind not matching the type', () => encodeRtnlMessageBytes({
      header: { type: 24, flags: 0, seq: 0, pid: 0 }, body: rq.getLinksRequest(1).body })],
    ['error code out of range', () => encodeRtnlMessageBytes({
      header: { type: 3, flags: 0, seq: 0, pid: 0 }, body: { kind: 'done', error: 2 ** 31, trailer: new Uint8Array(0) } })],
  ];
  for (const [name, f] of bad) assert.throws(f, EncodeError, name);
});

test('route and rule specs: host bits cleared, bare address is a host route, table > 255 kept', () => {
  const r = rq.routeRequest(1, 'add', { dst: '2001:db8::1:2/64', table: 4_000_000_000 });
  assert.ok(r.body.kind === 'route');
  if (r.body.kind !== 'route') return;
  assert.equal(r.body.route.dst, '2001:db8::');
  assert.equal(r.body.route.table, 0);
  assert.equal(r.body.route.tableId, 4_000_000_000);
  const h = rq.routeRequest(1, 'add', { dst: '10.1.2.3', oif: 3 });
  assert.ok(h.body.kind === 'route' && h.body.route.dstLength === 32 && h.body.route.scope === 253);
  const all = rq.ruleRequest(1, true, { from: '::/0', table: 7 });
  assert.ok(all.body.kind === 'rule' && all.body.rule.src === undefined && all.body.rule.table === 7);
});
