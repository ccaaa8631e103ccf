/** MobileNode configuration checks and the Binding Update List entry (RFC 6275 §11.1, §11.8). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MobileNode } from '../../src/engine/mn/mobile-node.js';
import { normalizeMnConfig } from '../../src/engine/mn/config.js';
import { BindingUpdateListEntry } from '../../src/proto/binding-update-list.js';
import { MidPrng, mnConfig } from './mn-world.js';

test('config: invalid values throw at construction (local errors)', () => {
  const bad = [
    mnConfig({ homeAddress: '2001:db8::zz' }),
    mnConfig({ homeAgentAddress: '203.0.113.1' }),
    mnConfig({ homeAgentIpv4Address: '2001:db8::1' }),
    mnConfig({ homePrefixLength: 0 }),
    mnConfig({ homeAgentUdpPort: 70000 }),
    mnConfig({ udpSourcePort: 0 }),
    mnConfig({ mobileNetworkPrefixes: ['2001:db8::/129'] }),
    mnConfig({ mobileNetworkPrefixes: ['2001:db8::'] }),
    mnConfig({ ipv4HomeAddress: '192.0.2' }),
    mnConfig({ ipv4PrefixRequestLength: 0 }),
    mnConfig({ ipv4PrefixRequestLength: 33 }),
    mnConfig({ maxBindingLifetimeSeconds: 3 }),
    mnConfig({ initialBindackTimeoutFirstRegMs: 0 }),
    mnConfig({ initialBindackTimeoutReRegMs: 40_000 }),
    mnConfig({ interfaces: [{ name: 'eth0', preference: -1 }] }),
  ];
  for (const c of bad) assert.throws(() => new MobileNode(c, new MidPrng()), /MobileNodeConfig/);
});

test('config: addresses and prefixes become canonical; lifetime fits the 4-s unit', () => {
  const n = normalizeMnConfig(mnConfig({
    homeAddress: '2001:DB8:1:0::100', homeAgentAddress: '2001:db8:1:0:0:0:0:1',
    mobileNetworkPrefixes: ['2001:db8:ff:1:2::/64'], maxBindingLifetimeSeconds: 999_999,
  }));
  assert.equal(n.homeAddress, '2001:db8:1::100');
  assert.equal(n.homeAgentAddress, '2001:db8:1::1');
  assert.deepEqual(n.mobileNetworkPrefixes, [{ prefix: '2001:db8:ff:1::', prefixLength: 64 }]);
  assert.equal(n.lifetimeSeconds, 262_140);
});

test('RFC 6275 §11.8: BUL entry: fresh sequence per send, ack matching, 135 exemption', () => {
  const e = new BindingUpdateListEntry(new MidPrng());
  assert.equal(e.sequenceNext, 32768);
  assert.equal(e.match(32768, 0), 'no-bu-outstanding');
  e.begin(0, 'register', 1500);
  assert.equal(e.sendDue(0), true);
  assert.equal(e.recordSend(0), 32768);
  assert.equal(e.match(32767, 0), 'sequence-mismatch');
  assert.equal(e.match(5, 135), 'match');
  assert.equal(e.match(32768, 0), 'match');
  assert.equal(e.nextDeadline(), 1500);
  assert.equal(e.sendDue(1499), false);
  assert.equal(e.sendDue(1500), true);
  assert.equal(e.recordSend(1500), 32769);
  assert.equal(e.nextDeadline(), 4500);
  assert.equal(e.match(32769, 0), 'match');
  e.accepted(32769, 100_000, 90_000);
  assert.equal(e.round, undefined);
  assert.equal(e.outstanding, false);
  assert.equal(e.nextDeadline(), 91_500, 'refresh counted from the accepted BU send time');
  assert.equal(e.registered(101_499), true);
  assert.equal(e.takeRefresh(91_499), false);
  assert.equal(e.takeRefresh(91_500), true);
  assert.equal(e.takeRefresh(91_500), false, 'taken once');
  assert.equal(e.takeExpiry(101_500), true);
  assert.equal(e.registered(101_500), false);
  assert.equal(e.nextDeadline(), undefined);
});

test('RFC 6275 §11.7.3: BUL entry: a BA to an earlier BU of the round matches, timed from the first send', () => {
  const e = new BindingUpdateListEntry(new MidPrng());
  e.begin(100, 'register', 500);
  assert.equal(e.recordSend(100), 32768);
  assert.equal(e.sendDue(600), true);
  assert.equal(e.recordSend(600), 32769);
  assert.equal(e.match(32767, 0), 'sequence-mismatch', 'before the round');
  assert.equal(e.match(32770, 0), 'sequence-mismatch', 'never sent');
  assert.equal(e.match(32768, 0), 'match', 'the retransmitted BU answered late');
  e.accepted(32768, 100_000, 90_000);
  assert.equal(e.nextDeadline(), 90_100, 'refresh from the first send of the round');
  assert.equal(e.match(32769, 0), 'no-bu-outstanding', 'the later answer is dropped');
  e.begin(200_000, 'register', 500);
  assert.equal(e.recordSend(200_000), 32770);
  assert.equal(e.match(32769, 0), 'sequence-mismatch', 'a BU of an earlier round');
  assert.equal(e.recordSend(200_500), 32771);
  e.resynchronise(200_600, 40_000);
  assert.equal(e.recordSend(200_600), 40_001);
  assert.equal(e.match(32771, 0), 'sequence-mismatch', 'BUs before a resynchronisation');
  assert.equal(e.match(40_001, 0), 'match');
});

test('RFC 6275 §11.8: BUL entry: sequence numbers wrap at 65536', () => {
  const e = new BindingUpdateListEntry({ next: () => 0, below: (n) => n - 1 });
  e.begin(0, 'register', 1000);
  assert.equal(e.recordSend(0), 65535);
  e.resynchronise(10, 65535);
  assert.equal(e.sequenceNext, 0);
  assert.equal(e.sendDue(10), true);
  assert.equal(e.recordSend(10), 0);
});
