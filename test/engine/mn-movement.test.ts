/** MobileNode: care-of address selection and movement (RFC 6275 §11.5, RFC 5555 §4). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COA4, COA6, COA6B, HOA, HOME_SLAAC, ROUTER4, ROUTER6, World, eventsOf, mnConfig, onlyBu,
  registeredOn6, sends, trace,
} from './mn-world.js';

test('RFC 6275 §11.5.4: booting at home: home address on the interface, no BU', () => {
  const w = new World();
  assert.deepEqual(w.link('eth0'), []);
  const out = w.address('eth0', HOME_SLAAC);
  assert.deepEqual(trace(out), ['event at-home', 'os home-address-set']);
  assert.deepEqual(out[1], {
    kind: 'os', op: { op: 'home-address-set', address: HOA, family: 6, prefixLength: 64, on: { ifname: 'eth0' } },
  });
  assert.deepEqual(w.router('eth0', ROUTER6), []);
  assert.equal(w.mn.nextDeadline(), undefined);
});

test('RFC 6275 §11.5.4: the home address itself on an interface means at home', () => {
  const w = new World();
  w.link('wlan0');
  assert.deepEqual(trace(w.address('wlan0', HOA)), ['event at-home', 'os home-address-set']);
});

test('movement: no care-of address until link, address and router of one family are all there', () => {
  const w = new World();
  assert.deepEqual(w.address('eth0', COA6), []);
  assert.deepEqual(w.router('eth0', ROUTER6), []);
  assert.deepEqual(w.router('eth0', ROUTER4), []);
  const out = w.link('eth0');
  assert.equal(onlyBu(out).send.packet.source, COA6);
});

test('movement: an IPv4 default router does not make an IPv6 address usable', () => {
  const w = new World();
  w.link('eth0');
  w.address('eth0', COA6);
  assert.deepEqual(w.router('eth0', ROUTER4), []);
});

test('movement: link-local, loopback, multicast and IPv4-mapped addresses are not care-of addresses', () => {
  const w = new World();
  w.link('eth0');
  w.router('eth0', ROUTER6);
  for (const a of ['fe80::1234', '::1', 'ff02::1', '::ffff:198.51.100.9', '::']) {
    assert.deepEqual(w.address('eth0', a), [], a);
  }
  w.router('eth0', ROUTER4);
  for (const a of ['127.0.0.1', '0.1.2.3', '224.0.0.5', '255.255.255.255']) {
    assert.deepEqual(w.address('eth0', a), [], a);
  }
  assert.equal(onlyBu(w.address('eth0', 'fd00:1::5')).send.packet.source, 'fd00:1::5', 'ULA accepted');
});

test('movement: unknown interfaces and preference 0 are never used', () => {
  const w = new World(mnConfig({
    interfaces: [{ name: 'eth0', preference: 0 }, { name: 'wlan0', preference: 4 }],
  }));
  assert.deepEqual(w.attach('eth0', COA6), []);
  assert.deepEqual(w.attach('dsmip0', COA6B), []);
  assert.deepEqual(w.attach('dsmip0', HOME_SLAAC), [], 'not even for home detection');
  assert.equal(onlyBu(w.attach('wlan0', '2001:db8:9::1')).send.packet.source, '2001:db8:9::1');
});

test('movement: IPv6 is preferred over IPv4 even on a less preferred interface', () => {
  const w = new World();
  const v4 = onlyBu(w.attach('eth0', COA4));
  assert.equal(v4.send.via.kind, 'udp4');
  const out = w.attach('wwan0', COA6B);
  assert.deepEqual(eventsOf(out, 'care-of-changed'),
    [{ type: 'care-of-changed', ifname: 'wwan0', careOfAddress: COA6B, family: 6 }]);
  const v6 = onlyBu(out);
  assert.equal(v6.send.via.kind, 'ipv6');
  assert.equal(v6.send.packet.source, COA6B);
});

test('movement: IPv4 is used when DSMIPv6 is on and no IPv6 CoA exists', () => {
  const w = new World();
  w.attach('eth0', COA4);
  w.attach('wlan0', COA6);
  const out = w.link('wlan0', false);
  assert.deepEqual(eventsOf(out, 'care-of-changed'),
    [{ type: 'care-of-changed', ifname: 'eth0', careOfAddress: COA4, family: 4 }]);
  assert.equal(onlyBu(out).send.via.kind, 'udp4');
});

test('movement: lower preference number wins, then interface name', () => {
  const w = new World(mnConfig({
    interfaces: [{ name: 'b0', preference: 2 }, { name: 'a0', preference: 2 }, { name: 'c0', preference: 1 }],
  }));
  assert.equal(onlyBu(w.attach('b0', '2001:db8:b::1')).send.packet.source, '2001:db8:b::1');
  assert.equal(onlyBu(w.attach('a0', '2001:db8:a::1')).send.packet.source, '2001:db8:a::1');
  assert.equal(onlyBu(w.attach('c0', '2001:db8:c::1')).send.packet.source, '2001:db8:c::1');
  w.now = 1000; // the fourth BU in a second would wait for the rate limit
  assert.equal(onlyBu(w.link('c0', false)).send.packet.source, '2001:db8:a::1');
});

test('movement: a new address on the same interface does not replace the current CoA', () => {
  const w = new World();
  registeredOn6(w, '2001:db8:2::50');
  assert.deepEqual(w.address('eth0', '2001:db8:2::10'), []);
  const out = w.address('eth0', '2001:db8:2::50', false);
  assert.equal(onlyBu(out).send.packet.source, '2001:db8:2::10');
});

test('RFC 6275 §11.5: losing every CoA: care-of-changed, tunnel-clear, no BUs; back → register', () => {
  const w = new World();
  registeredOn6(w);
  w.now = 10_000;
  const down = w.link('eth0', false);
  assert.deepEqual(trace(down), ['event care-of-changed', 'os tunnel-clear']);
  assert.deepEqual(eventsOf(down, 'care-of-changed'),
    [{ type: 'care-of-changed', ifname: undefined, careOfAddress: undefined, family: undefined }]);
  assert.equal(sends(w.advance(100_000)).length, 0);
  const up = w.link('eth0');
  assert.deepEqual(trace(up), ['event care-of-changed', 'send ipv6 binding-update', 'event bu-sent']);
  assert.equal(w.untilDeadline(), 1000, 'binding still valid: re-registration timeout');
});

test('RFC 6275 §11.5: losing the CoA while registering stops the retransmissions', () => {
  const w = new World();
  onlyBu(w.attach('eth0', COA6));
  onlyBu(w.advance(1500));
  const out = w.link('eth0', false);
  assert.deepEqual(trace(out), ['event care-of-changed']);
  assert.equal(w.mn.nextDeadline(), undefined);
});

test('RFC 6275 §11.7.1: a CoA change restarts registration at once with the backoff reset', () => {
  const w = new World();
  onlyBu(w.attach('eth0', COA6));
  onlyBu(w.advance(1500));
  onlyBu(w.advance(3000));
  onlyBu(w.advance(6000));
  w.now += 100;
  const out = [...w.address('eth0', COA6B), ...w.address('eth0', COA6, false)];
  const { send } = onlyBu(out);
  assert.equal(send.packet.source, COA6B);
  assert.equal(w.untilDeadline(), 1500);
});

test('RFC 5555 §4: moving from an IPv6 to an IPv4 CoA re-registers over UDP', () => {
  const w = new World();
  registeredOn6(w);
  w.attach('wlan0', COA4);
  const out = w.link('eth0', false);
  const { send } = onlyBu(out);
  assert.equal(send.via.kind, 'udp4');
  assert.deepEqual(send.packet.mh.options, [{ type: 'ipv4-care-of-address', address: COA4 }]);
  assert.equal(trace(out).includes('os tunnel-clear'), false, 'old tunnel kept until the new BA');
});

test('movement: inputs with bad address text are ignored', () => {
  const w = new World();
  w.link('eth0');
  assert.deepEqual(w.feed({ kind: 'address', ifname: 'eth0', family: 6, address: 'zz::1', prefixLength: 64, present: true }), []);
  assert.deepEqual(w.feed({ kind: 'address', ifname: 'eth0', family: 4, address: COA6, prefixLength: 24, present: true }), []);
  assert.deepEqual(w.feed({ kind: 'default-router', ifname: 'eth0', family: 6, address: '1.2.3.4', present: true }), []);
});
