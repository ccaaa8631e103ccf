/**
 * DHCPv4 client (src/proto/dhcp-client.ts), RFC 2131 §4.4 Figure 5: the exchange message by
 * message against the builders' output, then BOUND → RENEWING → REBINDING → expiry, and NAK.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Engine } from '../../src/engine/types.js';
import type { DhcpClientInput, DhcpClientOutput, DhcpLease } from '../../src/proto/dhcp-client.js';
import { Xoshiro128 } from '../../src/proto/prng.js';
import { decodeDhcpMessage, dhcpMessageCodec, dhcpOption } from '../../src/wire/dhcpv4.js';
import { buildDiscover, buildRequest } from '../../src/wire/dhcpv4-client.js';
import { encodeToBytes } from '../harness.js';
import {
  bind, BROADCAST_UDP, CLIENT_ID, events, HOST, MAC, makeClient, OFFERED, ops, optionTypes, PRL,
  received, reply, ROUTER, ScriptedPrng, SERVER, sent,
} from './dhcp-client-fixture.test.js';

const ID = { chaddr: MAC, clientIdentifier: CLIENT_ID, hostName: HOST, parameterRequestList: PRL };
const UNICAST_UDP = { source: OFFERED, sourcePort: 68, destination: SERVER, destinationPort: 67 };
const REBIND_UDP = { ...BROADCAST_UDP, source: OFFERED };
const T0 = 1_000;
const H = 3_600_000;

function leaseAt(obtainedAt: number): DhcpLease {
  return { address: OFFERED, prefixLength: 24, routers: [ROUTER], dnsServers: [],
    serverId: SERVER, leaseSeconds: 3600, renewalSeconds: 1800, rebindingSeconds: 3150,
    obtainedAt, renewAt: obtainedAt + H / 2, rebindAt: obtainedAt + H * 0.875,
    expiresAt: obtainedAt + H };
}

test('the client has the Engine shape', () => {
  const e: Engine<DhcpClientInput, DhcpClientOutput> = makeClient();
  assert.equal(e.nextDeadline(), undefined);
  assert.deepEqual(e.onTimeout(0), []);
});

test('happy path: DISCOVER → OFFER → REQUEST → ACK, exactly the builders\' messages', () => {
  const replay = new Xoshiro128(42);
  const c = makeClient(42);
  const d = sent(c.handle(T0, { kind: 'start' }));
  const xid = replay.below(2 ** 32);
  assert.equal(d.message.xid, xid, 'xid drawn from the injected PRNG');
  assert.deepEqual(d.message, buildDiscover({ ...ID, xid, secs: 0, broadcast: true }));
  assert.deepEqual(d.udp, BROADCAST_UDP);
  assert.equal(d.message.broadcast, true, 'BROADCAST flag: the interface has no address yet');
  assert.deepEqual(optionTypes(d.message),
    ['message-type', 'client-identifier', 'host-name', 'parameter-request-list']);
  assert.equal(encodeToBytes(dhcpMessageCodec, d.message).length, 300);
  assert.equal(c.state, 'selecting');
  assert.equal(c.nextDeadline(), T0 + 4000 + Math.floor((2 * replay.next() - 1) * 1000));

  const r = sent(c.handle(T0 + 2_500, received({ type: 'offer', xid })));
  assert.equal(c.state, 'requesting');
  assert.deepEqual(r.message, buildRequest({ ...ID, xid, secs: 2, broadcast: true,
    state: 'selecting', requestedAddress: OFFERED, serverIdentifier: SERVER }));
  assert.equal(r.message.xid, xid, 'the REQUEST reuses the OFFER xid');
  assert.equal(r.message.ciaddr, '0.0.0.0');
  assert.deepEqual(r.udp, BROADCAST_UDP);
  assert.equal(dhcpOption(r.message, 'requested-ip-address')?.address, OFFERED); // 50
  assert.equal(dhcpOption(r.message, 'server-identifier')?.address, SERVER); // 54
  assert.deepEqual(dhcpOption(r.message, 'parameter-request-list')?.codes, PRL); // 55
  assert.deepEqual(dhcpOption(r.message, 'client-identifier'), { type: 'client-identifier',
    ...CLIENT_ID }); // 61

  const out = c.handle(T0 + 2_510, received({ type: 'ack', xid, dns: ['192.0.2.53'] }));
  const lease = { ...leaseAt(T0 + 2_500), dnsServers: ['192.0.2.53'] };
  assert.deepEqual(out, [
    { kind: 'os', op: { op: 'address-set', address: OFFERED, prefixLength: 24 } },
    { kind: 'os', op: { op: 'default-route-set', gateway: ROUTER, source: OFFERED } },
    { kind: 'event', event: { type: 'bound', lease, via: 'requesting' } },
  ]);
  assert.equal(c.state, 'bound');
  assert.deepEqual(c.lease, lease);
  assert.equal(c.nextDeadline(), T0 + 2_500 + H / 2, 'T1 runs from the REQUEST');
  assert.deepEqual(c.remembered, { address: OFFERED, serverId: SERVER, expiresAt: T0 + 2500 + H });
});

test('T1: RENEWING unicasts a REQUEST with ciaddr and no 50/54; the ACK renews', () => {
  const c = makeClient(3);
  bind(c, T0);
  const t1 = T0 + H / 2;
  assert.deepEqual(c.onTimeout(t1 - 1), [], 'a spurious early call does nothing');
  const r = sent(c.onTimeout(t1));
  assert.equal(c.state, 'renewing');
  assert.deepEqual(r.udp, UNICAST_UDP);
  assert.deepEqual(r.message, buildRequest({ ...ID, xid: r.message.xid, secs: 0,
    broadcast: false, state: 'renewing', clientAddress: OFFERED }));
  assert.equal(r.message.ciaddr, OFFERED);
  assert.equal(dhcpOption(r.message, 'requested-ip-address'), undefined);
  assert.equal(dhcpOption(r.message, 'server-identifier'), undefined);
  // RFC 2131 §4.4.5: retransmit at half the time left to T2 (1350 s / 2).
  assert.equal(c.nextDeadline(), t1 + 675_000);
  const out = c.handle(t1 + 40, received({ type: 'ack', xid: r.message.xid }));
  assert.deepEqual(ops(out), [], 'same address and router: nothing to change in the OS');
  assert.deepEqual(events(out), [{ type: 'renewed', lease: leaseAt(t1), via: 'renewing' }]);
  assert.equal(c.state, 'bound');
  assert.equal(c.nextDeadline(), t1 + H / 2);
});

test('T2: REBINDING broadcasts the REQUEST; expiry removes the address and starts over', () => {
  const c = makeClient(4);
  bind(c, T0);
  const t1 = T0 + H / 2;
  const first = sent(c.onTimeout(t1));
  const retransmits: number[] = [];
  for (let d = c.nextDeadline()!; d < T0 + H * 0.875; d = c.nextDeadline()!) {
    assert.ok(retransmits.length < 10 && d > t1 + (retransmits.at(-1) ?? 0), `stuck at ${d}`);
    const again = sent(c.onTimeout(d));
    assert.equal(again.message.xid, first.message.xid);
    assert.deepEqual(again.udp, UNICAST_UDP);
    retransmits.push(d - t1);
  }
  assert.deepEqual(retransmits, [675_000, 1_012_500, 1_181_250, 1_265_625, 1_325_625],
    'half the time left to T2, at least 60 s');
  const t2 = T0 + H * 0.875;
  assert.equal(c.nextDeadline(), t2);
  const b = sent(c.onTimeout(t2));
  assert.equal(c.state, 'rebinding');
  assert.deepEqual(b.udp, REBIND_UDP);
  assert.notEqual(b.message.xid, first.message.xid);
  assert.deepEqual(b.message, buildRequest({ ...ID, xid: b.message.xid, secs: 0,
    broadcast: false, state: 'rebinding', clientAddress: OFFERED }));
  assert.equal(c.nextDeadline(), t2 + 225_000, 'half of the 450 s left');
  sent(c.onTimeout(t2 + 225_000));
  assert.equal(c.nextDeadline(), t2 + 225_000 + 112_500);
  sent(c.onTimeout(t2 + 337_500));
  assert.equal(c.nextDeadline(), t2 + 397_500, 'at least 60 s');
  sent(c.onTimeout(t2 + 397_500));
  assert.equal(c.nextDeadline(), T0 + H, 'the next 60 s would pass the expiry');
  const out = c.onTimeout(T0 + H);
  assert.deepEqual(ops(out), [
    { op: 'default-route-clear', gateway: ROUTER, source: OFFERED },
    { op: 'address-clear', address: OFFERED, prefixLength: 24 },
  ]);
  assert.deepEqual(events(out), [{ type: 'lost', address: OFFERED, reason: 'expired' }]);
  assert.equal(sent(out).message.options[0].type, 'message-type');
  assert.equal(dhcpOption(sent(out).message, 'message-type')?.messageType, 'discover');
  assert.equal(c.state, 'selecting');
  assert.equal(c.lease, undefined);
  assert.equal(c.remembered, undefined);
});

test('an ACK in REBINDING from another server renews and moves the lease to it', () => {
  const c = makeClient(5);
  bind(c, T0);
  c.onTimeout(T0 + H / 2);
  const b = sent(c.onTimeout(T0 + H * 0.875));
  const other = '192.168.77.2';
  const out = c.handle(T0 + H * 0.875, received({ type: 'ack', xid: b.message.xid, serverId: other }));
  assert.deepEqual(events(out).map((e) => e.type), ['renewed']);
  assert.equal(c.lease?.serverId, other);
  assert.equal(c.lease?.obtainedAt, T0 + H * 0.875);
});

test('a renewal ACK with another address and router replaces the configuration', () => {
  const c = makeClient(6);
  bind(c, T0);
  const r = sent(c.onTimeout(T0 + H / 2));
  const out = c.handle(T0 + H / 2, received({ type: 'ack', xid: r.message.xid,
    yiaddr: '192.168.77.121', routers: ['192.168.77.253'] }));
  assert.deepEqual(ops(out), [
    { op: 'default-route-clear', gateway: ROUTER, source: OFFERED },
    { op: 'address-clear', address: OFFERED, prefixLength: 24 },
    { op: 'address-set', address: '192.168.77.121', prefixLength: 24 },
    { op: 'default-route-set', gateway: '192.168.77.253', source: '192.168.77.121' },
  ]);
  assert.deepEqual(events(out).map((e) => e.type), ['lost', 'bound']);
});

test('NAK in REQUESTING: back to INIT, a new DISCOVER with a new xid at once', () => {
  const c = makeClient(7);
  const d = sent(c.handle(T0, { kind: 'start' }));
  sent(c.handle(T0, received({ type: 'offer', xid: d.message.xid })));
  const out = c.handle(T0 + 5, received({ type: 'nak', xid: d.message.xid }));
  assert.deepEqual(events(out), [{ type: 'nak', serverId: SERVER }]);
  assert.deepEqual(ops(out), []);
  const again = sent(out);
  assert.equal(dhcpOption(again.message, 'message-type')?.messageType, 'discover');
  assert.notEqual(again.message.xid, d.message.xid);
  assert.equal(c.state, 'selecting');
  // A second NAK before BOUND waits 10 s instead of looping.
  const r2 = sent(c.handle(T0 + 6, received({ type: 'offer', xid: again.message.xid })));
  const out2 = c.handle(T0 + 7, received({ type: 'nak', xid: r2.message.xid }));
  assert.deepEqual(events(out2).map((e) => e.type), ['nak']);
  assert.equal(c.state, 'init');
  assert.equal(c.nextDeadline(), T0 + 7 + 10_000);
  assert.deepEqual(c.onTimeout(T0 + 7 + 9_999), []);
  assert.equal(c.state, 'init');
  assert.equal(dhcpOption(sent(c.onTimeout(T0 + 10_007)).message, 'message-type')?.messageType,
    'discover');
});

test('NAK in RENEWING: the address goes and the client starts over', () => {
  const c = makeClient(8);
  bind(c, T0);
  const r = sent(c.onTimeout(T0 + H / 2));
  const nak = received({ type: 'nak', xid: r.message.xid, extra: [
    { type: 'unknown', code: 56, data: Uint8Array.from('wrong network', (x) => x.charCodeAt(0)) },
  ] });
  const out = c.handle(T0 + H / 2 + 3, nak);
  assert.deepEqual(events(out), [
    { type: 'nak', serverId: SERVER, message: 'wrong network' },
    { type: 'lost', address: OFFERED, reason: 'nak' },
  ]);
  assert.deepEqual(ops(out).map((o) => o.op), ['default-route-clear', 'address-clear']);
  assert.equal(dhcpOption(sent(out).message, 'message-type')?.messageType, 'discover');
  assert.equal(c.state, 'selecting');
  assert.equal(c.lease, undefined);
});

test('a NAK in RENEWING from a server other than the lease\'s is ignored', () => {
  const c = makeClient(9);
  bind(c, T0);
  const r = sent(c.onTimeout(T0 + H / 2));
  const out = c.handle(T0 + H / 2, received({ type: 'nak', xid: r.message.xid,
    serverId: '192.168.77.66' }));
  assert.deepEqual(events(out).map((e) => e.type === 'dropped' && e.reason), ['wrong-server']);
  assert.equal(c.state, 'renewing');
});

test('lease options: server T1/T2 used when sane, defaults otherwise; infinite lease', () => {
  const lease = (ack: object): DhcpLease => {
    const c = makeClient(10);
    bind(c, 0, ack);
    return c.lease!;
  };
  const given = lease({ lease: 1000, t1: 300, t2: 600 });
  assert.deepEqual([given.renewAt, given.rebindAt, given.expiresAt], [300_000, 600_000, 1_000_000]);
  const bad = lease({ lease: 1000, t1: 900, t2: 2000 });
  assert.deepEqual([bad.renewalSeconds, bad.rebindingSeconds], [500, 875]);
  const lowT2 = lease({ lease: 1000, t2: 200 });
  assert.deepEqual([lowT2.renewalSeconds, lowT2.rebindingSeconds], [200, 200]);
  const noMask = lease({ mask: null, yiaddr: '10.1.2.3' });
  assert.equal(noMask.prefixLength, 8, 'classful when option 1 is missing');
  assert.equal(lease({ mask: '255.0.255.0' }).prefixLength, 24, 'non-contiguous: classful (C)');
  assert.equal(lease({ mask: '255.255.255.252' }).prefixLength, 30);
  const c = makeClient(11);
  bind(c, 0, { lease: 0xffffffff });
  assert.equal(c.lease?.expiresAt, undefined);
  assert.equal(c.nextDeadline(), undefined, 'an infinite lease needs no timer');
  assert.deepEqual(c.onTimeout(1e15), []);
});

test('fixture: the scripted server replies decode as DHCP replies with option 54', () => {
  const b = reply({ type: 'ack', xid: 7, t1: 10, t2: 20, dns: ['192.0.2.53'] });
  const m = decodeDhcpMessage(b);
  assert.ok(m.ok);
  assert.equal(m.value.op, 'boot-reply');
  assert.equal(m.value.xid, 7);
  assert.equal(dhcpOption(m.value, 'server-identifier')?.address, SERVER);
  assert.equal(dhcpOption(m.value, 'renewal-time')?.renewalTimeSeconds, 10);
  assert.equal(b.length, 300);
  const noId = decodeDhcpMessage(reply({ type: 'offer', xid: 7, serverId: null }));
  assert.ok(noId.ok);
  assert.equal(dhcpOption(noId.value, 'server-identifier'), undefined);
});

test('fixture: the scripted PRNG returns its values in order', () => {
  const p = new ScriptedPrng([0.5, 0, 0.25]);
  assert.deepEqual([p.next(), p.below(10), p.below(8), p.next()], [0.5, 0, 2, 0.25]);
});
