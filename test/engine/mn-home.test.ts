/** MobileNode: returning home and deregistration (RFC 6275 §11.5.4; RFC 3963; RFC 5555 §3.6). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEREGISTRATION_BUS_MAX } from '../../src/engine/mn/registration.js';
import { seqNext } from '../../src/proto/seqno.js';
import { BaFlag, BuFlag } from '../../src/wire/mh/constants.js';
import {
  COA6, COA6B, HA, HOA, HOME_SLAAC, World, ba, eventsOf, fromHa, mnConfig, onlyBu, ops,
  registeredOn6, sends, trace,
} from './mn-world.js';

/** A BA answering a deregistration: sent to the home address, no Type 2 Routing Header. */
const deregBa = (sequence: number, status = 0) =>
  ba({ sequence, status, lifetimeSeconds: 0, to: HOA, routingAddress: null });

test('RFC 6275 §11.5.4: returning home: dereg BU from the HoA, no HAO, lifetime 0', () => {
  const w = new World();
  registeredOn6(w);
  w.now = 20_000;
  const out = w.address('eth0', HOME_SLAAC);
  assert.deepEqual(trace(out), [
    'event care-of-changed', 'os tunnel-clear', 'event at-home', 'send ipv6 binding-update',
    'event bu-sent',
  ]);
  const { send, bu, wire } = onlyBu(out);
  assert.deepEqual(send.via, { kind: 'ipv6' });
  assert.equal(send.packet.source, HOA);
  assert.equal(send.packet.destination, HA);
  assert.equal(send.packet.homeAddressOption, undefined);
  assert.equal(wire.homeAddressOption, undefined);
  assert.equal(bu.flags, BuFlag.A | BuFlag.H);
  assert.equal(bu.lifetimeSeconds, 0);
  assert.deepEqual(eventsOf(out, 'bu-sent'), [{ type: 'bu-sent', sequence: bu.sequence, lifetimeSeconds: 0 }]);
  assert.deepEqual(ops(w.feed(fromHa({ type: 'binding-refresh-request' }, { to: HOA, routingAddress: null }))), []);
  w.now = 20_050;
  const done = w.feed(deregBa(bu.sequence));
  assert.deepEqual(trace(done), ['os home-address-set', 'os announce-home-address', 'event deregistered']);
  assert.deepEqual(ops(done), [
    { op: 'home-address-set', address: HOA, family: 6, prefixLength: 64, on: { ifname: 'eth0' } },
    { op: 'announce-home-address', ifname: 'eth0', address: HOA },
  ]);
  assert.equal(w.mn.nextDeadline(), undefined, 'no timers at home');
});

test('RFC 6275 §11.5.4: dereg retransmits then gives up and takes the home address anyway', () => {
  const w = new World();
  registeredOn6(w);
  w.now = 1000;
  const first = onlyBu(w.address('eth0', HOME_SLAAC)).bu;
  const seqs = [first.sequence];
  const times = [w.now];
  for (;;) {
    const d = w.untilDeadline();
    if (d === undefined) break;
    const out = w.advance(d);
    const s = sends(out);
    if (s.length === 0) {
      assert.deepEqual(trace(out), ['os home-address-set', 'os announce-home-address']);
      break;
    }
    const { bu } = onlyBu(out);
    assert.equal(bu.lifetimeSeconds, 0);
    seqs.push(bu.sequence);
    times.push(w.now);
  }
  assert.equal(seqs.length, DEREGISTRATION_BUS_MAX);
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqNext(seqs[i - 1]));
  assert.deepEqual(times.map((t) => t - 1000), [0, 1000, 3000, 7000, 15000]);
  assert.equal(w.now, 1000 + 31_000, 'gave up one timeout after the last BU');
});

test('RFC 6275 §11.5.4: a fatal status on dereg ends it: failure event, home address back', () => {
  const w = new World();
  registeredOn6(w);
  const { bu } = onlyBu(w.address('eth0', HOME_SLAAC));
  const out = w.feed(deregBa(bu.sequence, 133));
  assert.deepEqual(trace(out), ['event registration-failed', 'os home-address-set', 'os announce-home-address']);
  assert.equal(w.mn.nextDeadline(), undefined);
});

test('RFC 6275 §11.5.4: a transient status on dereg keeps retrying', () => {
  const w = new World();
  registeredOn6(w);
  const { bu } = onlyBu(w.address('eth0', HOME_SLAAC));
  const out = w.feed(deregBa(bu.sequence, 130));
  assert.deepEqual(trace(out), ['event registration-failed']);
  const retry = onlyBu(w.advance(1000));
  assert.equal(retry.bu.lifetimeSeconds, 0);
  assert.deepEqual(trace(w.feed(deregBa(retry.bu.sequence))),
    ['os home-address-set', 'os announce-home-address', 'event deregistered']);
});

test('RFC 6275 §11.5.4: a dereg BA carrying a Type 2 Routing Header for another address is dropped', () => {
  const w = new World();
  registeredOn6(w);
  const { bu } = onlyBu(w.address('eth0', HOME_SLAAC));
  const out = w.feed(ba({ sequence: bu.sequence, lifetimeSeconds: 0, to: HOA, routingAddress: '2001:db8:1::7' }));
  assert.deepEqual(eventsOf(out, 'dropped').map((e) => e.reason), ['invalid-home-address']);
});

test('RFC 3963: a mobile router deregisters with R = 1 and no MNP options', () => {
  const w = new World(mnConfig({ mobileRouter: true, mobileNetworkPrefixes: ['2001:db8:ff::/48'] }));
  const { bu } = onlyBu(w.attach('eth0', COA6));
  w.feed(ba({ sequence: bu.sequence, flags: BaFlag.R }));
  const dereg = onlyBu(w.address('eth0', HOME_SLAAC));
  assert.equal(dereg.bu.flags, BuFlag.A | BuFlag.H | BuFlag.R);
  assert.deepEqual(dereg.send.packet.mh.options, []);
});

test('RFC 5555 §3.6 / 3GPP A.5: dereg names the granted IPv4 HoA; it leaves the tunnel after', () => {
  const w = new World(mnConfig({ ipv4HomeAddress: '0.0.0.0' }));
  const { bu } = onlyBu(w.attach('eth0', COA6));
  w.feed(ba({
    sequence: bu.sequence,
    options: [{ type: 'ipv4-address-acknowledgement', status: 0, prefixLength: 32, address: '192.0.2.55' }],
  }));
  const dereg = onlyBu(w.address('eth0', HOME_SLAAC));
  assert.deepEqual(dereg.send.packet.mh.options,
    [{ type: 'ipv4-home-address', prefixLength: 32, requestPrefix: false, address: '192.0.2.55' }]);
  const out = w.feed(deregBa(dereg.bu.sequence));
  assert.deepEqual(ops(out)[2], { op: 'home-address-clear', address: '192.0.2.55' });
});

test('RFC 6275 §11.5.4: without an earlier registration no dereg is sent from home', () => {
  const w = new World(mnConfig({ ipv4HomeAddress: '0.0.0.0' }));
  assert.deepEqual(trace(w.address('eth0', HOME_SLAAC)), []);
  assert.deepEqual(trace(w.link('eth0')), ['event at-home', 'os home-address-set']);
});

test('RFC 6275 §11.5.4: a BU that was never answered still leads to a dereg at home', () => {
  const w = new World();
  onlyBu(w.attach('wlan0', COA6));
  const out = w.attach('eth0', HOME_SLAAC);
  assert.equal(onlyBu(out).bu.lifetimeSeconds, 0);
});

test('leaving home: the home address leaves the interface; first registration from the new CoA', () => {
  const w = new World();
  w.attach('eth0', HOME_SLAAC);
  w.now = 5000;
  const out = [...w.link('eth0', false), ...w.attach('wlan0', COA6B)];
  assert.deepEqual(trace(out), [
    'os home-address-clear', 'event care-of-changed', 'send ipv6 binding-update', 'event bu-sent',
  ]);
  assert.equal(w.untilDeadline(), 1500);
  const { bu } = onlyBu(out);
  const reg = w.feed(ba({ sequence: bu.sequence, to: COA6B }));
  assert.deepEqual(ops(reg)[1], { op: 'home-address-set', address: HOA, family: 6, prefixLength: 64, on: 'tunnel' });
});

test('leaving home during dereg: abandon it and re-register from the new CoA', () => {
  const w = new World();
  registeredOn6(w);
  const dereg = onlyBu(w.address('wlan0', HOME_SLAAC).concat(w.link('wlan0'))).bu;
  assert.equal(dereg.lifetimeSeconds, 0);
  w.now = 1000;
  const out = w.link('wlan0', false);
  assert.deepEqual(trace(out), ['event care-of-changed', 'send ipv6 binding-update', 'event bu-sent']);
  const { bu } = onlyBu(out);
  assert.equal(bu.lifetimeSeconds, 600);
  assert.equal(w.untilDeadline(), 1000, 'binding still held: re-registration');
  assert.deepEqual(eventsOf(w.feed(deregBa(dereg.sequence)), 'dropped').map((e) => e.reason), ['unexpected-ack']);
  const reg = w.feed(ba({ sequence: bu.sequence }));
  assert.deepEqual(trace(reg), ['os tunnel-set', 'event registered'], 'HoA still on the tunnel');
});
