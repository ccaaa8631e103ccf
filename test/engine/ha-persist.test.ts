/** Home Agent engine: exporting the Binding Cache and restoring it after a restart. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HomeAgent } from '../../src/engine/ha/home-agent.js';
import { exportBinding, type PersistedBinding } from '../../src/engine/ha/persist.js';
import type { HomeAgentConfig } from '../../src/engine/ha/types.js';
import { BaStatus } from '../../src/wire/mh/constants.js';
import { BuFlag, HA, HOA, HOA2, HOME, NAT4, bu4, bu6, config, events, ops, theBa } from './ha-fixture.js';

const v4hoa = (address: string, prefixLength = 32, requestPrefix = false) =>
  ({ type: 'ipv4-home-address' as const, prefixLength, requestPrefix, address });
const mnp = (prefix: string, prefixLength: number) => ({ type: 'mobile-network-prefix' as const, prefixLength, prefix });

const nemoCfg = (over: Partial<HomeAgentConfig> = {}) => config({
  acl: [{ homeAddress: HOA2, prefixes: ['2001:db8:ff::/48'], action: 'allow' }], acceptMobileRouter: true,
  ipv4HomeAddressPool: '10.9.0.0/24', ipv4PrefixPool: { range: '10.128.0.0/16', prefixLength: 28 }, ...over,
});

/** A home agent with an IPv6-CoA MN (dynamic IPv4 HoA) and a NATed UDP mobile router. */
function populated(cfg = nemoCfg()): HomeAgent {
  const ha = new HomeAgent(cfg);
  assert.equal(theBa(ha.handle(0, bu6({ seq: 5, lifetime: 400, flags: HOME | BuFlag.L, options: [v4hoa('0.0.0.0')] }))).ba.status, 0);
  const mr = HOME | BuFlag.R;
  const out = ha.handle(1000, bu4({
    seq: 9, hoa: HOA2, flags: mr, lifetime: 200, outerSource: NAT4, outerPort: 40001,
    options: [mnp('2001:db8:ff:1::', 64), v4hoa('0.0.0.0', 28, true)],
  }));
  assert.equal(theBa(out).ba.status, 0);
  return ha;
}

const exported = (ha: HomeAgent): PersistedBinding[] => [...ha.cache.entries()].map((e) => exportBinding(e));
const viaJson = (rs: readonly PersistedBinding[]): unknown[] => JSON.parse(JSON.stringify(rs)) as unknown[];

test('restore: bindings come back with their remaining lifetime, indexes, pools and OS state; no DAD, no BA', () => {
  const before = populated();
  const ha = new HomeAgent(nemoCfg({ dad: true }));
  const r = ha.restore(100_000, viaJson(exported(before)));
  assert.deepStrictEqual([r.restored, r.expired, r.skipped], [2, 0, []]);
  assert.equal(ha.cache.get(HOA)?.expiresAt, 400_000, 'absolute expiry kept');
  assert.equal(ha.cache.get(HOA)?.sequence, 5);
  assert.equal(ha.cache.homeAddressForUdp(NAT4, 40001), HOA2);
  assert.equal(ha.cache.homeAddressForIpv4('10.9.0.1'), HOA);
  assert.equal(ha.nextDeadline(), 201_000, 'the router binding expires first');
  const kinds = ops(r.outputs).map((o) => o.op);
  assert.ok(!kinds.includes('dad-start'), 'no DAD for restored home addresses');
  assert.ok(r.outputs.every((o) => o.kind === 'os'), 'nothing sent to the mobile nodes');
  assert.deepStrictEqual(ops(r.outputs).filter((o) => o.op === 'proxy-nd-set').map((o) => 'address' in o && o.address),
    [HOA, 'fe80::100', HOA2]);
  const set = ops(r.outputs).find((o) => o.op === 'binding-set' && o.homeAddress === HOA2);
  assert.deepStrictEqual(set?.op === 'binding-set' && set.prefixes, ['2001:db8:ff:1::/64', '10.128.0.0/28']);
  // Pools rebuilt: a new node gets the next free entries, and the sequence window still holds.
  const other = ha.handle(100_001, bu6({ seq: 1, hoa: '2001:db8:1::300', options: [v4hoa('0.0.0.0')] }));
  assert.ok(ops(other).some((o) => o.op === 'dad-start'), 'a new home address still gets DAD');
  const old = theBa(ha.handle(100_002, bu6({ seq: 5, options: [v4hoa('0.0.0.0')] })));
  assert.equal(old.ba.status, BaStatus.SEQUENCE_NUMBER_OUT_OF_WINDOW);
  assert.equal(old.ba.sequence, 5, 'the restored sequence number answers 135');
  const refresh = ha.handle(100_003, bu6({ seq: 6, flags: HOME | BuFlag.L, options: [v4hoa('0.0.0.0')] }));
  assert.equal(theBa(refresh).ba.status, 0);
  assert.deepStrictEqual(ops(refresh), [], 'a refresh of a restored binding changes no OS state');
  assert.equal(ha.cache.get(HOA)?.ipv4HomeAddress, '10.9.0.1');
});

test('restore: expired records are dropped; the lifetime runs out on the engine timer', () => {
  const ha = new HomeAgent(nemoCfg());
  const r = ha.restore(300_000, viaJson(exported(populated())));
  assert.deepStrictEqual([r.restored, r.expired], [1, 1]);
  assert.equal(ha.cache.get(HOA2), undefined);
  const out = ha.onTimeout(400_000);
  assert.ok(events(out).some((e) => e.type === 'binding-expired' && e.homeAddress === HOA));
  assert.ok(ops(out).some((o) => o.op === 'proxy-nd-clear' && o.address === HOA));
  assert.equal(ha.cache.size, 0);
});

test('restore: corrupt and hand-edited records are skipped with a reason, never thrown', () => {
  const good = viaJson(exported(populated()));
  const g = good[0] as Record<string, unknown>;
  const hostile: unknown[] = [
    null, 7, 'x', [], {}, { ...g, homeAddress: 'not-an-address' }, { ...g, homeAddress: 'ff02::1' },
    { ...g, sequence: 70000 }, { ...g, flags: 0 }, { ...g, expiresAt: 'soon' }, { ...g, tunnel: null },
    { ...g, tunnel: { encapsulation: 'gre', local: HA, remote: HA } }, { ...g, prefixes: ['bogus'] },
    { ...g, nemoMode: 'explicit' }, { ...g, linkLocal: null }, { ...g, ipv4HomeAddress: '300.1.1.1' },
    { ...g, via: { kind: 'udp4' } }, { ...g, natDetected: 'yes' }, { ...g, careOfAddress: '2001:db8::99' },
    { ...g, homeAddress: '2001:db8:77::1', linkLocal: 'fe80::1' }, { ...g, ipv4HomeAddress: '10.77.0.1' },
    { ...g, tunnel: { encapsulation: 'ipv6', local: '2001:db8:1::2', remote: '2001:db8:2::5' } },
    good[1], good[1], ...good.slice(0, 1),
  ];
  const ha = new HomeAgent(nemoCfg());
  const r = ha.restore(0, hostile);
  assert.equal(r.restored, 2, 'the two good records (given once each) are restored');
  assert.equal(r.skipped.length, hostile.length - 2);
  assert.ok(r.skipped.every((s) => s.reason.length > 0));
  assert.match(r.skipped.find((s) => s.homeAddress === '2001:db8:77::1')!.reason, /home prefix/);
  assert.ok(r.skipped.some((s) => /restored twice/.test(s.reason)));
  fc.assert(fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), (junk, patch) => {
    const h = new HomeAgent(nemoCfg());
    const res = h.restore(0, [junk, { ...g, ...patch }]);
    return res.restored + res.expired + res.skipped.length === 2 && h.cache.size === res.restored;
  }), { numRuns: 300 });
});

test('restore follows the configuration now in force (ACL, mobile routers, pools, addresses)', () => {
  const records = viaJson(exported(populated()));
  const denied = new HomeAgent(nemoCfg({ defaultAclPolicy: 'deny' }));
  assert.match(denied.restore(0, records).skipped[0].reason, /ACL/);
  const noMr = new HomeAgent(nemoCfg({ acceptMobileRouter: false }));
  const r = noMr.restore(0, records);
  assert.deepStrictEqual([r.restored, r.skipped[0]?.reason], [1, 'mobile routers not accepted']);
  const noPool = new HomeAgent(nemoCfg({ ipv4HomeAddressPool: undefined }));
  assert.match(noPool.restore(0, records).skipped[0].reason, /no longer configured/);
  const moved = new HomeAgent(nemoCfg({ ipv4Address: '203.0.113.9' }));
  assert.match(moved.restore(0, records).skipped[0].reason, /IPv4 address/);
  const small = new HomeAgent(nemoCfg({ bindingsMax: 1 }));
  assert.match(small.restore(0, records).skipped[0].reason, /full/);
  const shorter = new HomeAgent(nemoCfg({ maxBindingLifetimeSeconds: 60 }));
  shorter.restore(0, records);
  assert.equal(shorter.cache.get(HOA)?.expiresAt, 60_000, 'lifetime capped by HaMaxBindingLife');
});

const hoaArb = fc.integer({ min: 0x100, max: 0xfff }).map((n) => `2001:db8:1::${n.toString(16)}`);
const spec = fc.record({
  hoa: hoaArb, seq: fc.integer({ min: 0, max: 0xffff }), lifetime: fc.integer({ min: 1, max: 1000 }).map((n) => n * 4),
  at: fc.integer({ min: 0, max: 100_000 }), udp: fc.boolean(), port: fc.integer({ min: 1024, max: 1100 }),
  v4: fc.boolean(), ll: fc.boolean(), dereg: fc.boolean(),
});

test('property: export → JSON → restore round-trips every live binding (and rebuilds the indexes)', () => {
  fc.assert(fc.property(fc.array(spec, { maxLength: 25 }), fc.integer({ min: 0, max: 5_000_000 }), (bus, later) => {
    const cfg = config({ ipv4HomeAddressPool: '10.9.0.0/24' });
    const ha = new HomeAgent(cfg);
    let t = 0;
    for (const b of bus) {
      t += b.at;
      const s = { seq: b.seq, hoa: b.hoa, lifetime: b.dereg ? 0 : b.lifetime, flags: HOME | (b.ll ? BuFlag.L : 0),
        options: b.v4 ? [v4hoa('0.0.0.0')] : [] };
      ha.handle(t, b.udp ? bu4({ ...s, outerSource: NAT4, outerPort: b.port }) : bu6(s));
      ha.onTimeout(t);
    }
    const now = t + later;
    const records = viaJson(exported(ha));
    const back = new HomeAgent(cfg);
    const r = back.restore(now, records);
    const alive = exported(ha).filter((e) => e.expiresAt > now);
    assert.equal(r.skipped.length, 0, JSON.stringify(r.skipped));
    assert.deepStrictEqual([r.restored, r.expired], [alive.length, records.length - alive.length]);
    assert.deepStrictEqual(exported(back), alive);
    for (const e of alive) {
      if (e.ipv4HomeAddress !== null) assert.equal(back.cache.homeAddressForIpv4(e.ipv4HomeAddress), e.homeAddress);
      if (e.tunnel.encapsulation === 'udp4') {
        assert.equal(back.cache.homeAddressForUdp(e.tunnel.remote, e.tunnel.remotePort), e.homeAddress);
      }
    }
    assert.deepStrictEqual(viaJson(exported(back)), viaJson(alive), 'export again gives the same records');
  }), { numRuns: 200 });
});

test('restore is refused once a registration waits for DAD (such a home address has no binding)', () => {
  const ha = new HomeAgent(nemoCfg({ dad: true }));
  ha.handle(0, bu6({ seq: 1 }));
  assert.throws(() => ha.restore(1, viaJson(exported(populated()))), /waiting for DAD/);
  assert.equal(ha.cache.size, 0, 'nothing restored');
});
