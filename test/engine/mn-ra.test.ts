/**
 * MobileNode: movement detection from observed Router Advertisements (RFC 6275 §11.5.1, §7.3,
 * §11.5.4; RFC 4861 §6.1.2 validity). RAs are real encodings with real checksums.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MnOutput, ReceivedRouterAdvertisement } from '../../src/engine/mn/types.js';
import { LOST_AFTER_INTERVALS, ROUTERS_PER_LINK_MAX } from '../../src/engine/mn/routers.js';
import { Xoshiro128 } from '../../src/proto/prng.js';
import { parseIpv6 } from '../../src/wire/addr.js';
import { finishChecksum, pseudoSum6, sumWords } from '../../src/wire/checksum.js';
import { ALL_NODES, FOREIGN, FOREIGN_B, HOME_PREFIX, WLAN_COA, ra, registeredWithWlan } from './ra-fixture.js';
import {
  COA6, COA6B, HA, HOA, ROUTER6, World, eventsOf, onlyBu, ops, registeredOn6, sends, trace,
} from './mn-world.js';

function drops(out: readonly MnOutput[]): string[] {
  return eventsOf(out, 'dropped').map((d) => `${d.reason}: ${d.detail}`);
}

test('RFC 4861 §6.1.2: invalid RAs are dropped and counted; a valid one changes nothing by itself', () => {
  const w = new World();
  registeredOn6(w);
  const good = ra('eth0', { prefixes: [{ prefix: FOREIGN }] });
  const bad: [string, ReceivedRouterAdvertisement, RegExp][] = [
    ['hop limit 64', { ...good, hopLimit: 64 }, /malformed: .*hop limit 64/],
    ['hop limit unknown', { ...good, hopLimit: 256 }, /malformed: .*hop limit 256/],
    ['global source', ra('eth0', { source: '2001:db8:2::1' }), /malformed: .*not link-local/],
    ['checksum', { ...good, bytes: good.bytes.map((b, i) => (i === 8 ? b ^ 1 : b)) }, /bad-checksum/],
    ['checksum for another source', { ...good, source: 'fe80::99' }, /bad-checksum/],
    ['code 1', { ...good, bytes: patch(good, 1, 1) }, /malformed: .*code 1/],
    ['short', { ...good, bytes: fixChecksum(good.bytes.slice(0, 12)) }, /malformed/],
    ['zero-length option', { ...good, bytes: fixChecksum(new Uint8Array([...good.bytes.slice(0, 16), 3, 0, 0, 0, 0, 0, 0, 0])) },
      /malformed: .*zero/],
    ['not an RA', { ...good, bytes: patch(good, 0, 133) }, /malformed/],
  ];
  for (const [what, rx, want] of bad) {
    const out = w.feed(rx);
    assert.equal(drops(out).length, 1, what);
    assert.match(drops(out)[0], want, what);
    assert.deepEqual(trace(out), ['event dropped'], what);
  }
  assert.deepEqual(w.feed(good), []);
  assert.deepEqual(w.feed(ra('dsmip0', { prefixes: [{ prefix: HOME_PREFIX }] })), [], 'unconfigured interface');
  const c = w.mn.snapshot(w.now).counters;
  assert.equal(c.routerAdvertisements, bad.length + 1);
  assert.equal(c.routerAdvertisementsDropped, bad.length);
  assert.equal(c.droppedByReason['bad-checksum'], 2);
  assert.deepEqual(w.mn.snapshot(w.now).routers, [{
    ifname: 'eth0', source: ROUTER6, state: 'usable', unusableSince: undefined, defaultRouter: true,
    defaultUntil: w.now + 1800_000, homeAgent: false, heardAt: w.now, advertisementIntervalMs: undefined,
    lostAt: undefined, prefixes: ['2001:db8:2::/64'],
  }]);
});

/** `rx` with byte `at` set to `value` and the checksum recomputed. */
function patch(rx: ReceivedRouterAdvertisement, at: number, value: number): Uint8Array {
  const b = rx.bytes.slice();
  b[at] = value;
  return fixChecksum(b);
}

/** `b` with its ICMPv6 checksum recomputed for ROUTER6 -> ff02::1. */
function fixChecksum(b: Uint8Array): Uint8Array {
  const out = b.slice();
  out[2] = 0;
  out[3] = 0;
  const sum = sumWords(out, 0, out.length, pseudoSum6(parseIpv6(ROUTER6)!, parseIpv6(ALL_NODES)!, out.length, 58));
  const cs = finishChecksum(sum);
  out[2] = cs >> 8;
  out[3] = cs & 0xff;
  return out;
}

test('RFC 6275 §11.5.4: an RA with the home prefix on-link: home at once, dereg BU without waiting for SLAAC', () => {
  const w = new World();
  registeredOn6(w);
  w.now = 5000;
  const out = w.feed(ra('eth0', { prefixes: [{ prefix: HOME_PREFIX }] }));
  assert.deepEqual(trace(out), [
    'event care-of-changed', 'os tunnel-clear', 'event at-home', 'send ipv6 binding-update', 'event bu-sent',
  ]);
  const { bu, send } = onlyBu(out);
  assert.equal(bu.lifetimeSeconds, 0);
  assert.equal(send.packet.source, HOA);
  assert.deepEqual(w.mn.snapshot(w.now).location, { kind: 'home', ifname: 'eth0' });
});

test('RFC 6275 §11.5.4: booting: the home RA alone puts the home address on the interface', () => {
  const w = new World();
  w.link('wlan0');
  const out = w.feed(ra('wlan0', { prefixes: [{ prefix: HOME_PREFIX }] }));
  assert.deepEqual(trace(out), ['event at-home', 'os home-address-set']);
  assert.deepEqual(ops(out)[0], { op: 'home-address-set', address: HOA, family: 6, prefixLength: 64, on: { ifname: 'wlan0' } });
});

test('RFC 6275 §7.1/§7.2: the H flag with the home agent address (R flag) means home; other prefixes do not', () => {
  const w = new World();
  w.link('eth0');
  assert.deepEqual(w.feed(ra('eth0', { prefixes: [{ prefix: FOREIGN }, { prefix: HOME_PREFIX, onLink: false }] })), [],
    'a home prefix that is not on-link is not the home link');
  assert.deepEqual(w.feed(ra('eth0', { prefixes: [{ prefix: HA, onLink: false, routerAddress: true }] })), [],
    'the R flag without the H flag');
  const out = w.feed(ra('eth0', { homeAgent: true, prefixes: [{ prefix: HA, onLink: false, routerAddress: true }] }));
  assert.deepEqual(trace(out), ['event at-home', 'os home-address-set']);
});

test('movement hint: a new router whose prefixes exclude the CoA: its address wins as soon as it exists', () => {
  const control = new World();
  registeredOn6(control);
  control.now = 5000;
  assert.deepEqual(control.address('eth0', COA6B), [], 'without RAs the current CoA is kept');

  const w = new World();
  registeredOn6(w);
  w.feed(ra('eth0', { prefixes: [{ prefix: FOREIGN }] }));
  w.now = 5000;
  assert.deepEqual(w.feed(ra('eth0', { source: 'fe80::2', prefixes: [{ prefix: FOREIGN_B }] })), [],
    'no address of the new prefix yet: nothing to register from');
  const out = w.address('eth0', COA6B);
  assert.deepEqual(eventsOf(out, 'care-of-changed'),
    [{ type: 'care-of-changed', ifname: 'eth0', careOfAddress: COA6B, family: 6 }]);
  assert.equal(onlyBu(out).send.packet.source, COA6B);
  w.now = 6000;
  assert.deepEqual(w.feed(ra('eth0', { prefixes: [{ prefix: FOREIGN }] })), [], 'the old router again: no flapping');
});

test('movement hint: a second router advertising the CoA prefix too keeps the CoA', () => {
  const w = new World();
  registeredOn6(w);
  w.feed(ra('eth0', { prefixes: [{ prefix: FOREIGN }] }));
  w.address('eth0', COA6B);
  w.now = 5000;
  assert.deepEqual(w.feed(ra('eth0', { source: 'fe80::2', prefixes: [{ prefix: FOREIGN }, { prefix: FOREIGN_B }] })), []);
});

test('RFC 4861 §6.3.4: a CoA prefix withdrawn (valid lifetime 0) is never registered from again', () => {
  const w = new World();
  registeredOn6(w);
  w.feed(ra('eth0', { prefixes: [{ prefix: FOREIGN }] }));
  w.now = 5000;
  const out = w.feed(ra('eth0', { prefixes: [{ prefix: FOREIGN, valid: 0 }] }));
  assert.deepEqual(trace(out), ['event care-of-changed', 'os tunnel-clear']);
  assert.equal(sends(w.advance(60_000)).length, 0, 'the kernel still has the address; we do not use it');
  const back = w.address('eth0', COA6B);
  assert.equal(onlyBu(back).send.packet.source, COA6B, 'an address the RAs never spoke of is usable');
});

test('RFC 4861 §6.3.4: Router Lifetime 0 from the default router: that interface has no IPv6 router', () => {
  const w = registeredWithWlan();
  w.now = 5000;
  const out = w.feed(ra('eth0', { lifetime: 0, prefixes: [{ prefix: FOREIGN }] }));
  assert.deepEqual(eventsOf(out, 'care-of-changed'),
    [{ type: 'care-of-changed', ifname: 'wlan0', careOfAddress: WLAN_COA, family: 6 }]);
  assert.equal(onlyBu(out).send.packet.source, WLAN_COA);
  assert.equal(w.mn.snapshot(w.now).routers[0].defaultRouter, false);
  w.now = 6000;
  const again = w.feed(ra('eth0', { lifetime: 1800, prefixes: [{ prefix: FOREIGN }] }));
  assert.equal(onlyBu(again).send.packet.source, COA6, 'usable again: the preferred interface wins');
});

test('RFC 6275 §7.3: a router silent for 3 Advertisement Intervals is lost: move to the other interface', () => {
  const w = registeredWithWlan();
  w.now = 10_000;
  assert.deepEqual(w.feed(ra('eth0', { intervalMs: 1000, prefixes: [{ prefix: FOREIGN }] })), []);
  assert.equal(w.untilDeadline(), LOST_AFTER_INTERVALS * 1000);
  assert.deepEqual(w.advance(2500), []);
  w.feed(ra('eth0', { intervalMs: 1000, prefixes: [{ prefix: FOREIGN }] })); // heard again at 12.5 s
  assert.deepEqual(w.advance(2999), [], 'not lost before 3 intervals of silence');
  const steps = w.steps(1);
  assert.deepEqual(steps.map((s) => s.at), [15_500]);
  const out = steps[0].out;
  assert.deepEqual(eventsOf(out, 'care-of-changed'),
    [{ type: 'care-of-changed', ifname: 'wlan0', careOfAddress: WLAN_COA, family: 6 }]);
  assert.equal(onlyBu(out).send.packet.source, WLAN_COA);
  const s = w.mn.snapshot(w.now);
  assert.equal(s.counters.routersLost, 1);
  assert.deepEqual(s.routers.map((r) => [r.source, r.state, r.unusableSince, r.heardAt, r.prefixes]),
    [[ROUTER6, 'lost', 15_500, undefined, []]], 'forgotten with its prefixes, remembered as lost');
  assert.deepEqual(s.withdrawnPrefixes, [{ ifname: 'eth0', prefixes: ['2001:db8:2::/64'] }]);
  w.now += 1000;
  assert.deepEqual(w.address('eth0', COA6, false), [], 'the kernel removing the address later changes nothing');
});

test('RFC 6275 §7.3: a lost router that speaks again is usable again; a link flap forgets what RAs said', () => {
  const w = new World();
  registeredOn6(w);
  w.feed(ra('eth0', { intervalMs: 100, prefixes: [{ prefix: FOREIGN }] }));
  const lost = w.advance(300);
  assert.deepEqual(trace(lost), ['event care-of-changed', 'os tunnel-clear']);
  w.now += 1000;
  const back = w.feed(ra('eth0', { intervalMs: 100, prefixes: [{ prefix: FOREIGN }] }));
  assert.equal(onlyBu(back).send.packet.source, COA6);
  w.advance(300);
  w.now += 1000;
  w.link('eth0', false);
  assert.equal(onlyBu(w.link('eth0')).send.packet.source, COA6, 'after a flap the address counts again');
  assert.equal(w.mn.nextDeadline() !== undefined, true);
});

test('RFC 6275 §7.3: leaving home silently: the home router lost, the home prefix address no longer means home', () => {
  const w = new World();
  const homeRouter = 'fe80::a';
  w.link('eth0');
  w.address('eth0', '2001:db8:1::abcd');
  w.router('eth0', homeRouter);
  w.feed(ra('eth0', { source: homeRouter, intervalMs: 1000, prefixes: [{ prefix: HOME_PREFIX }] }));
  w.attach('wlan0', WLAN_COA);
  assert.equal(w.mn.snapshot(w.now).location.kind, 'home');
  w.now = 1000;
  // The new link's router and SLAAC address; the kernel keeps the home ones for now.
  w.router('eth0', ROUTER6);
  w.address('eth0', COA6);
  const out = w.advance(3000);
  assert.deepEqual(trace(out).slice(0, 2), ['event care-of-changed', 'os home-address-clear']);
  assert.equal(onlyBu(out).send.packet.source, COA6, 'eth0 has a router and an address RAs never withdrew');
  assert.equal(w.mn.snapshot(w.now).location.kind, 'away');
});

test('RFC 4861 §6.3.4: prefix and router lifetimes run out on their own', () => {
  const w = registeredWithWlan();
  w.feed(ra('eth0', { lifetime: 30, prefixes: [{ prefix: FOREIGN, valid: 60 }] }));
  assert.equal(w.untilDeadline(), 30_000);
  const atLifetime = w.advance(30_000);
  assert.equal(onlyBu(atLifetime).send.packet.source, WLAN_COA, 'no default router on eth0 any more');
  w.now += 1000;
  w.feed(ra('eth0', { lifetime: 1800, prefixes: [] }));
  const control = w.mn.snapshot(w.now).careOf;
  assert.equal(control?.address, COA6, 'the router is back; its earlier prefix still valid');
  const atValid = w.advance(30_000);
  assert.deepEqual(eventsOf(atValid, 'care-of-changed').map((e) => e.careOfAddress), [WLAN_COA],
    'the prefix ran out: the eth0 address is withdrawn');
});

test('bounds: routers beyond ROUTERS_PER_LINK_MAX per interface are ignored', () => {
  const w = new World();
  w.link('eth0');
  for (let i = 1; i <= ROUTERS_PER_LINK_MAX + 3; i++) {
    w.feed(ra('eth0', { source: `fe80::${i.toString(16)}`, prefixes: [{ prefix: `2001:db8:${i.toString(16)}0::` }] }));
  }
  assert.equal(w.mn.snapshot(w.now).routers.length, ROUTERS_PER_LINK_MAX);
});

test('movement: the same router address with none of its prefixes is another router (fe80::1 everywhere)', () => {
  const w = new World();
  registeredOn6(w);
  w.feed(ra('eth0', { prefixes: [{ prefix: FOREIGN }] }));
  w.now = 5000;
  const out = w.feed(ra('eth0', { prefixes: [{ prefix: FOREIGN_B }] }));
  assert.deepEqual(trace(out), ['event care-of-changed', 'os tunnel-clear'], 'the old prefix is gone with its router');
  assert.equal(onlyBu(w.address('eth0', COA6B)).send.packet.source, COA6B);
  assert.deepEqual(w.mn.snapshot(w.now).routers.map((r) => r.prefixes), [['2001:db8:3::/64']]);
  w.now = 6000;
  assert.deepEqual(w.feed(ra('eth0', { prefixes: [{ prefix: FOREIGN_B }, { prefix: '2001:db8:4::' }] })), [],
    'a router adding a prefix is the same router');
});

test('hostile RAs: 5,000 mutated and truncated RAs never throw; each is either used or dropped', () => {
  const w = new World();
  registeredOn6(w);
  const prng = new Xoshiro128(42);
  const base = ra('eth0', { intervalMs: 1000, prefixes: [{ prefix: FOREIGN }, { prefix: FOREIGN_B }] });
  let dropped = 0;
  for (let i = 0; i < 5000; i++) {
    let b = base.bytes.slice();
    const flips = 1 + prng.below(4);
    for (let f = 0; f < flips; f++) b[4 + prng.below(b.length - 4)] = prng.below(256);
    if (prng.below(4) === 0) b = b.slice(0, prng.below(b.length + 1));
    const out = w.feed({ ...base, bytes: prng.below(2) === 0 ? fixChecksum(b) : b });
    if (eventsOf(out, 'dropped').length > 0) dropped++;
    w.now += 10;
  }
  const c = w.mn.snapshot(w.now).counters;
  assert.equal(c.routerAdvertisements, 5000);
  assert.equal(c.routerAdvertisementsDropped, dropped);
  assert.ok(dropped > 2500 && dropped < 5000, `${dropped} dropped`);
});
