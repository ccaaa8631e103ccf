/**
 * MobileNode: the RA settings (MnUseRouterAdvertisements, MnRouterLostIntervals) and what the
 * snapshot tells of each router: state, Router Lifetime, last RA, withdrawn prefixes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeMnConfig } from '../../src/engine/mn/config.js';
import { LOST_AFTER_INTERVALS } from '../../src/engine/mn/routers.js';
import { COA6, ROUTER6, World, eventsOf, mnConfig, onlyBu, registeredOn6 } from './mn-world.js';
import { FOREIGN, WLAN_COA, ra, registeredWithWlan } from './ra-fixture.js';

test('MnUseRouterAdvertisements disabled: RAs are ignored, not counted, and move nothing', () => {
  const w = registeredWithWlan(mnConfig({ useRouterAdvertisements: false }));
  assert.deepEqual(w.feed(ra('eth0', { lifetime: 0, prefixes: [{ prefix: FOREIGN, valid: 0 }] })), [],
    'Router Lifetime 0 and a withdrawn prefix change nothing');
  const s = w.mn.snapshot(w.now);
  assert.equal(s.useRouterAdvertisements, false);
  assert.deepEqual([s.counters.routerAdvertisements, s.routers, s.withdrawnPrefixes, s.careOf?.address],
    [0, [], [], COA6]);
  const on = registeredWithWlan();
  const moved = on.feed(ra('eth0', { lifetime: 0, prefixes: [{ prefix: FOREIGN }] }));
  assert.equal(onlyBu(moved).send.packet.source, WLAN_COA, 'control: enabled, the same RA moves the node');
});

test('MnRouterLostIntervals: a router is lost after that many Advertisement Intervals, not 3', () => {
  const w = registeredWithWlan(mnConfig({ routerLostIntervals: 5 }));
  w.now = 10_000;
  w.feed(ra('eth0', { intervalMs: 1000, prefixes: [{ prefix: FOREIGN }] }));
  assert.equal(w.mn.snapshot(w.now).routerLostIntervals, 5);
  assert.equal(w.mn.snapshot(w.now).routers[0].lostAt, 15_000);
  assert.deepEqual(w.advance(LOST_AFTER_INTERVALS * 1000 + 500), [], 'still usable after 3.5 intervals');
  assert.deepEqual(w.advance(1499), [], 'still usable 1 ms before 5 intervals');
  const steps = w.steps(1);
  assert.deepEqual(steps.map((s) => s.at), [15_000]);
  assert.equal(onlyBu(steps[0].out).send.packet.source, WLAN_COA);
  assert.equal(w.mn.snapshot(w.now).counters.routersLost, 1);
});

test('MnRouterLostIntervals outside 2..100 is a configuration error', () => {
  for (const n of [1, 101, 2.5]) {
    assert.throws(() => normalizeMnConfig(mnConfig({ routerLostIntervals: n })), /routerLostIntervals/, String(n));
  }
  assert.equal(normalizeMnConfig(mnConfig()).routerLostIntervals, LOST_AFTER_INTERVALS);
  assert.equal(normalizeMnConfig(mnConfig()).useRouterAdvertisements, true);
});

test('router views: lifetime 0, lifetime run out, heard again', () => {
  const w = new World();
  registeredOn6(w);
  w.now = 20_000;
  w.feed(ra('eth0', { source: 'fe80::2', lifetime: 0, prefixes: [{ prefix: '2001:db8:7::' }] }));
  w.feed(ra('eth0', { lifetime: 2, prefixes: [{ prefix: FOREIGN }] }));
  const view = (): unknown[] => w.mn.snapshot(w.now).routers.map((r) =>
    [r.source, r.state, r.unusableSince, r.defaultUntil, r.heardAt]);
  assert.deepEqual(view(), [['fe80::2', 'lifetime-0', 20_000, undefined, 20_000],
    [ROUTER6, 'usable', undefined, 22_000, 20_000]]);
  w.advance(2000);
  assert.deepEqual(view()[1], [ROUTER6, 'expired', 22_000, undefined, 20_000]);
  assert.equal(w.mn.snapshot(w.now).careOf, undefined, 'no default router left on eth0');
  const back = w.feed(ra('eth0', { prefixes: [{ prefix: FOREIGN }] }));
  assert.deepEqual(eventsOf(back, 'care-of-changed').map((e) => e.careOfAddress), [COA6]);
  assert.deepEqual(view()[1], [ROUTER6, 'usable', undefined, w.now + 1800_000, w.now]);
});
