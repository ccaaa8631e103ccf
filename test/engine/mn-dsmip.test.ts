/** MobileNode: DSMIPv6 (RFC 5555) IPv4 care-of addresses, NAT, IPv4 home addresses; NEMO MNPs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NAT_KEEPALIVE_TIMEOUT_SECONDS } from '../../src/proto/constants.js';
import { BaFlag, BuFlag, NAT_REFRESH_NOT_NEEDED } from '../../src/wire/mh/constants.js';
import type { MobilityOption } from '../../src/wire/mh/options.js';
import {
  COA4, COA6, HA, HA4, HA_PORT, HOA, MN_PORT, World, ba, eventsOf, mnConfig, onlyBu, ops,
  sends,
} from './mn-world.js';

const nat = (refreshTimeSeconds: number, forceUdp = false): MobilityOption =>
  ({ type: 'nat-detection', forceUdp, refreshTimeSeconds });
const ack = (status: number, address: string, prefixLength: number): MobilityOption =>
  ({ type: 'ipv4-address-acknowledgement', status, prefixLength, address });
const hoa4 = (address: string, prefixLength: number, requestPrefix = false): MobilityOption =>
  ({ type: 'ipv4-home-address', prefixLength, requestPrefix, address });

test('RFC 5555 §4.1: BU from an IPv4 CoA travels in IPv4/UDP with the IPv4 CoA option', () => {
  const w = new World();
  const { send, bu, wire } = onlyBu(w.attach('eth0', COA4));
  assert.deepEqual(send.via, {
    kind: 'udp4', source: COA4, sourcePort: MN_PORT, destination: HA4, destinationPort: HA_PORT,
  });
  assert.equal(send.packet.source, `::ffff:${COA4}`);
  assert.equal(send.packet.destination, HA);
  assert.equal(send.packet.homeAddressOption, HOA);
  assert.equal(wire.homeAddressOption, HOA);
  assert.equal(bu.flags, BuFlag.A | BuFlag.H, 'no F without forceUdp, never T');
  assert.deepEqual(send.packet.mh.options, [{ type: 'ipv4-care-of-address', address: COA4 }]);
});

test('RFC 5555 §3.2: forceUdp sets F (and never T)', () => {
  const w = new World(mnConfig({ forceUdp: true }));
  const { bu } = onlyBu(w.attach('eth0', COA4));
  assert.equal(bu.flags, BuFlag.A | BuFlag.H | BuFlag.F);
  assert.equal(bu.flags & BuFlag.T, 0);
});

test('RFC 5555 §3.2: F is not set from an IPv6 CoA', () => {
  const w = new World(mnConfig({ forceUdp: true }));
  assert.equal(onlyBu(w.attach('eth0', COA6)).bu.flags, BuFlag.A | BuFlag.H);
});

test('RFC 5555 §4.1: no NAT Detection option → IPv4-in-IPv4 tunnel, normal refresh', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA4));
  const out = w.feed(ba({ sequence: bu.sequence, to: COA4 }));
  assert.deepEqual(ops(out)[0], {
    op: 'tunnel-set', endpoint: { encapsulation: 'ipv4', local: COA4, remote: HA4 },
    homeAddresses: [HOA], prefixes: [],
  });
  const reg = eventsOf(out, 'registered')[0];
  assert.equal(reg.encapsulation, 'ipv4');
  assert.equal(reg.natDetected, false);
  assert.equal(reg.careOfAddress, COA4);
  assert.equal(w.mn.nextDeadline(), 540_000);
});

test('RFC 5555 §4.1: NAT option with refresh 0xFFFFFFFF and F = 0 → IPv4-in-IPv4', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA4));
  const out = w.feed(ba({ sequence: bu.sequence, to: COA4, options: [nat(NAT_REFRESH_NOT_NEEDED)] }));
  assert.equal(eventsOf(out, 'registered')[0].encapsulation, 'ipv4');
  assert.equal(w.mn.nextDeadline(), 540_000);
});

test('RFC 5555 §4.1: NAT detected (refresh 110) → UDP tunnel, refresh every 110 s at most', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA4));
  w.now = 20;
  const out = w.feed(ba({ sequence: bu.sequence, to: COA4, options: [nat(110)] }));
  assert.deepEqual(ops(out)[0], {
    op: 'tunnel-set',
    endpoint: { encapsulation: 'udp4', local: COA4, localPort: MN_PORT, remote: HA4, remotePort: HA_PORT },
    homeAddresses: [HOA], prefixes: [],
  });
  assert.equal(eventsOf(out, 'registered')[0].natDetected, true);
  assert.ok(w.mn.nextDeadline()! <= 110_000);
  // Keepalives are BU refreshes: each refresh is sent within 110 s of the previous BU.
  let last = 0;
  for (let i = 0; i < 5; i++) {
    const refresh = onlyBu(w.advance(w.untilDeadline()!));
    assert.ok(w.now - last <= 110_000, `refresh ${i} ${w.now - last} ms after the previous BU`);
    assert.equal(refresh.send.via.kind, 'udp4');
    last = w.now;
    w.now += 30;
    const reg = w.feed(ba({ sequence: refresh.bu.sequence, to: COA4, options: [nat(110)] }));
    assert.equal(eventsOf(reg, 'registered').length, 1);
  }
});

test('RFC 5555 §3.2.2: NAT refresh time 0 means NATKATIMEOUT (110 s)', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA4));
  const out = w.feed(ba({ sequence: bu.sequence, to: COA4, options: [nat(0)] }));
  assert.equal(eventsOf(out, 'registered')[0].encapsulation, 'udp4');
  assert.equal(w.mn.nextDeadline(), NAT_KEEPALIVE_TIMEOUT_SECONDS * 1000);
});

test('RFC 5555 §4.1: F granted without a NAT → UDP tunnel, no keepalive shortening', () => {
  const w = new World(mnConfig({ forceUdp: true }));
  const { bu } = onlyBu(w.attach('eth0', COA4));
  const out = w.feed(ba({ sequence: bu.sequence, to: COA4, options: [nat(NAT_REFRESH_NOT_NEEDED, true)] }));
  const reg = eventsOf(out, 'registered')[0];
  assert.equal(reg.encapsulation, 'udp4');
  assert.equal(reg.natDetected, false);
  assert.equal(w.mn.nextDeadline(), 540_000);
});

test('RFC 5555 §4.1: a NAT option in a BA to an IPv6 CoA is ignored', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA6));
  const out = w.feed(ba({ sequence: bu.sequence, options: [nat(30, true)] }));
  assert.equal(eventsOf(out, 'registered')[0].encapsulation, 'ipv6');
  assert.equal(w.mn.nextDeadline(), 540_000);
});

test('RFC 5555 §4.1: an IPv4 CoA needs useDsmip6 and the HA IPv4 address', () => {
  for (const cfg of [mnConfig({ useDsmip6: false }), mnConfig({ homeAgentIpv4Address: undefined })]) {
    const w = new World(cfg);
    assert.deepEqual(w.attach('eth0', COA4), []);
  }
});

test('RFC 5555 §3.1.1: static IPv4 HoA (Prefix-len 32), acknowledged, put on the tunnel', () => {
  const w = new World(mnConfig({ ipv4HomeAddress: '192.0.2.100' }));
  const { send, bu } = onlyBu(w.attach('eth0', COA4));
  assert.deepEqual(send.packet.mh.options, [
    hoa4('192.0.2.100', 32), { type: 'ipv4-care-of-address', address: COA4 },
  ]);
  const out = w.feed(ba({ sequence: bu.sequence, to: COA4, options: [ack(0, '192.0.2.100', 32)] }));
  assert.deepEqual(ops(out), [
    {
      op: 'tunnel-set', endpoint: { encapsulation: 'ipv4', local: COA4, remote: HA4 },
      homeAddresses: [HOA, '192.0.2.100'], prefixes: [],
    },
    { op: 'home-address-set', address: HOA, family: 6, prefixLength: 64, on: 'tunnel' },
    { op: 'home-address-set', address: '192.0.2.100', family: 4, prefixLength: 32, on: 'tunnel' },
  ]);
  assert.equal(eventsOf(out, 'registered')[0].ipv4HomeAddress, '192.0.2.100');
});

test('RFC 5555 §3.1.1 / 3GPP A.2: dynamic IPv4 HoA: 0.0.0.0, then the allocated value', () => {
  const w = new World(mnConfig({ ipv4HomeAddress: '0.0.0.0' }));
  const { send, bu } = onlyBu(w.attach('eth0', COA6));
  assert.deepEqual(send.packet.mh.options, [hoa4('0.0.0.0', 32)], 'option 29 from an IPv6 CoA too');
  const out = w.feed(ba({ sequence: bu.sequence, options: [ack(0, '192.0.2.55', 32)] }));
  assert.equal(eventsOf(out, 'registered')[0].ipv4HomeAddress, '192.0.2.55');
  const refresh = onlyBu(w.advance(540_000));
  assert.deepEqual(refresh.send.packet.mh.options, [hoa4('192.0.2.55', 32)]);
});

test('RFC 5555 §3.2.1: IPv4 HoA refused: event, the IPv6 binding stays', () => {
  const w = new World(mnConfig({ ipv4HomeAddress: '192.0.2.100' }));
  const { bu } = onlyBu(w.attach('eth0', COA6));
  const out = w.feed(ba({ sequence: bu.sequence, options: [ack(130, '0.0.0.0', 0)] }));
  assert.deepEqual(eventsOf(out, 'ipv4-home-address-refused'), [{ type: 'ipv4-home-address-refused', status: 130 }]);
  const reg = eventsOf(out, 'registered')[0];
  assert.equal(reg.ipv4HomeAddress, undefined);
  assert.deepEqual(ops(out)[1],
    { op: 'home-address-set', address: HOA, family: 6, prefixLength: 64, on: 'tunnel' });
  assert.equal(ops(out).length, 2, 'no IPv4 home address on the tunnel');
});

test('RFC 5555 §3.2.1: a granted IPv4 HoA refused on refresh is taken off the tunnel', () => {
  const w = new World(mnConfig({ ipv4HomeAddress: '0.0.0.0' }));
  const { bu } = onlyBu(w.attach('eth0', COA6));
  w.feed(ba({ sequence: bu.sequence, options: [ack(0, '192.0.2.55', 32)] }));
  const refresh = onlyBu(w.advance(540_000));
  const out = w.feed(ba({ sequence: refresh.bu.sequence, options: [ack(129, '0.0.0.0', 0)] }));
  assert.deepEqual(ops(out), [
    {
      op: 'tunnel-set', endpoint: { encapsulation: 'ipv6', local: COA6, remote: HA },
      homeAddresses: [HOA], prefixes: [],
    },
    { op: 'home-address-clear', address: '192.0.2.55' },
  ]);
  assert.deepEqual(eventsOf(out, 'ipv4-home-address-refused').map((e) => e.status), [129]);
});

test('RFC 5555 §3.1.1: IPv4 prefix request (P = 1), then the allocated length', () => {
  const w = new World(mnConfig({ mobileRouter: true, explicitMode: false, ipv4PrefixRequestLength: 28 }));
  const { send, bu } = onlyBu(w.attach('eth0', COA6));
  assert.deepEqual(send.packet.mh.options, [hoa4('0.0.0.0', 28, true)]);
  const out = w.feed(ba({ sequence: bu.sequence, flags: BaFlag.R, options: [ack(0, '198.18.7.0', 29)] }));
  assert.equal(eventsOf(out, 'registered')[0].ipv4Prefix, '198.18.7.0/29');
  assert.deepEqual(ops(out)[0], {
    op: 'tunnel-set', endpoint: { encapsulation: 'ipv6', local: COA6, remote: HA },
    homeAddresses: [HOA], prefixes: ['198.18.7.0/29'],
  });
  const refresh = onlyBu(w.advance(540_000));
  assert.deepEqual(refresh.send.packet.mh.options, [hoa4('198.18.7.0', 29, true)]);
});

test('RFC 5555 §3.1.1: address and prefix both wanted → two options 29, two acks in order', () => {
  const w = new World(mnConfig({ ipv4HomeAddress: '0.0.0.0', ipv4PrefixRequestLength: 24 }));
  const { send, bu } = onlyBu(w.attach('eth0', COA4));
  assert.deepEqual(send.packet.mh.options, [
    hoa4('0.0.0.0', 32), hoa4('0.0.0.0', 24, true), { type: 'ipv4-care-of-address', address: COA4 },
  ]);
  const out = w.feed(ba({
    sequence: bu.sequence, to: COA4, options: [ack(0, '192.0.2.9', 32), ack(0, '10.9.8.0', 24)],
  }));
  const reg = eventsOf(out, 'registered')[0];
  assert.equal(reg.ipv4HomeAddress, '192.0.2.9');
  assert.equal(reg.ipv4Prefix, '10.9.8.0/24');
});

test('RFC 5555 §3.1.1: a prefix refused while the address is granted', () => {
  const w = new World(mnConfig({ ipv4HomeAddress: '0.0.0.0', ipv4PrefixRequestLength: 24 }));
  const { bu } = onlyBu(w.attach('eth0', COA6));
  const out = w.feed(ba({ sequence: bu.sequence, options: [ack(0, '192.0.2.9', 32), ack(133, '0.0.0.0', 0)] }));
  assert.equal(eventsOf(out, 'registered')[0].ipv4HomeAddress, '192.0.2.9');
  assert.equal(eventsOf(out, 'registered')[0].ipv4Prefix, undefined);
  assert.deepEqual(eventsOf(out, 'ipv4-home-address-refused').map((e) => e.status), [133]);
});

test('RFC 5555: no IPv4 HoA options without useDsmip6', () => {
  const w = new World(mnConfig({ useDsmip6: false, ipv4HomeAddress: '192.0.2.100' }));
  assert.deepEqual(onlyBu(w.attach('eth0', COA6)).send.packet.mh.options, []);
});

test('RFC 3963 §5.1: explicit mode carries every MNP option; R set', () => {
  const w = new World(mnConfig({
    mobileRouter: true, explicitMode: true,
    mobileNetworkPrefixes: ['2001:db8:ff:1::/64', '2001:DB8:ff:2:0:0:0:1/56'],
  }));
  const { send, bu } = onlyBu(w.attach('eth0', COA6));
  assert.equal(bu.flags, BuFlag.A | BuFlag.H | BuFlag.R);
  assert.deepEqual(send.packet.mh.options, [
    { type: 'mobile-network-prefix', prefixLength: 64, prefix: '2001:db8:ff:1::' },
    { type: 'mobile-network-prefix', prefixLength: 56, prefix: '2001:db8:ff::' },
  ]);
  const out = w.feed(ba({ sequence: bu.sequence, flags: BaFlag.R }));
  const t = ops(out)[0];
  assert.ok(t.op === 'tunnel-set');
  assert.deepEqual(t.prefixes, ['2001:db8:ff:1::/64', '2001:db8:ff::/56']);
});

test('RFC 3963 §5.1: implicit mode carries no MNP option', () => {
  const w = new World(mnConfig({
    mobileRouter: true, explicitMode: false, mobileNetworkPrefixes: ['2001:db8:ff:1::/64'],
  }));
  const { send, bu } = onlyBu(w.attach('eth0', COA6));
  assert.equal(bu.flags, BuFlag.A | BuFlag.H | BuFlag.R);
  assert.deepEqual(send.packet.mh.options, []);
});

test('RFC 3963 + RFC 5555: MR from an IPv4 CoA: options 29, 32, 6 in that order', () => {
  const w = new World(mnConfig({
    mobileRouter: true, forceUdp: true, ipv4HomeAddress: '0.0.0.0',
    mobileNetworkPrefixes: ['2001:db8:ff::/48'],
  }));
  const { send, bu } = onlyBu(w.attach('eth0', COA4));
  assert.equal(bu.flags, BuFlag.A | BuFlag.H | BuFlag.R | BuFlag.F);
  assert.deepEqual(send.packet.mh.options.map((o) => o.type),
    ['ipv4-home-address', 'ipv4-care-of-address', 'mobile-network-prefix']);
});

test('RFC 5555 §4.1: BA over UDP from the wrong port or address is dropped', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA4));
  for (const spec of [{ udpSourcePort: 4192 }, { udpSource: '203.0.113.2' }]) {
    const out = w.feed(ba({ sequence: bu.sequence, to: COA4, ...spec }));
    assert.deepEqual(eventsOf(out, 'dropped').map((e) => e.reason), ['unexpected-ack']);
  }
  assert.equal(eventsOf(w.feed(ba({ sequence: bu.sequence, to: COA4 })), 'registered').length, 1);
});

test('RFC 5555 §4.1: a BA over IPv6 for a BU sent over UDP is dropped', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA4));
  const out = w.feed(ba({ sequence: bu.sequence, to: COA6 }));
  assert.deepEqual(eventsOf(out, 'dropped').map((e) => e.reason), ['unexpected-ack']);
  assert.equal(sends(out).length, 0);
});
