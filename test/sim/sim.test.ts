/**
 * The deterministic whole-system simulator in CI: every named scenario, every handover pair,
 * 200 random seeds, replay determinism, and proof that the checkers catch broken behaviour.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSim } from '../../src/sim/run.js';
import { SCENARIOS, plan } from '../../src/sim/scenarios.js';

const NETWORKS = ['home', 'fn1', 'fn2', 'fn3', 'nat', 'nat2'];
/** The encapsulation expected on each network (RFC 5555 §3.3; IPv6 preferred on fn3). */
const EXPECTED: Record<string, string | undefined> = {
  home: undefined, fn1: 'ipv4', fn2: 'ipv6', fn3: 'ipv6', nat: 'udp4', nat2: 'udp4',
};

for (const s of SCENARIOS) {
  test(`scenario ${s.name}: ${s.description}`, () => {
    for (const seed of [1, 2, 3]) {
      const r = runSim({ seed, durationMs: 240_000, mobiles: 3, scenario: s.name });
      assert.deepStrictEqual(r.violations, [], `seed ${seed}`);
      assert.ok(r.probes.delivered > r.probes.sent / 2, `seed ${seed}: ${JSON.stringify(r.probes)}`);
      if (s.name !== 'home') assert.ok(r.counts.accepted >= 3, `seed ${seed}: ${JSON.stringify(r.counts)}`);
    }
  });
}

test('every handover pair: data resumes through the encapsulation the new network needs', () => {
  let pairs = 0;
  for (const from of NETWORKS) {
    for (const to of NETWORKS) {
      if (from === to) continue;
      const p = plan(`${from}->${to}`, 'pair', { start: [from], script: [{ atMs: 30_000, mobile: 0, network: to }] });
      const r = runSim({ seed: 7, durationMs: 60_000, mobiles: 1, scenario: p.name, plan: p });
      assert.deepStrictEqual(r.violations, [], `${from} -> ${to}`);
      assert.equal(r.final[0].network, to);
      assert.equal(r.final[0].tunnel?.encapsulation, EXPECTED[to], `${from} -> ${to}: ${JSON.stringify(r.final[0])}`);
      assert.ok(r.probes.delivered >= 50, `${from} -> ${to}: ${JSON.stringify(r.probes)}`);
      pairs++;
    }
  }
  assert.equal(pairs, 30);
});

test('200 random seeds: no invariant violation', (t) => {
  let handovers = 0;
  let probes = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const r = runSim({ seed, durationMs: 300_000, mobiles: 3, scenario: 'random' });
    if (r.violations.length > 0) {
      assert.fail(`seed ${seed}: ${r.violations[0].message} at ${r.violations[0].atMs} ms `
        + `(replay: dsmip6 sim --seed ${seed} --scenario random --verbose)`);
    }
    handovers += r.counts.handovers;
    probes += r.probes.delivered;
  }
  t.diagnostic(`200 seeds: ${handovers} attachments, ${probes} probes delivered`);
  assert.ok(handovers > 200 * 5);
});

test('the same seed replays exactly', () => {
  const a = runSim({ seed: 99, durationMs: 200_000, mobiles: 3, scenario: 'random' });
  const b = runSim({ seed: 99, durationMs: 200_000, mobiles: 3, scenario: 'random' });
  assert.deepStrictEqual(a, b);
  const c = runSim({ seed: 100, durationMs: 200_000, mobiles: 3, scenario: 'random' });
  assert.notDeepStrictEqual(a.counts, c.counts);
});

test('the checkers catch a NAT refresh slower than the NAT timeout (keepalives broken)', () => {
  const r = runSim({ seed: 1, durationMs: 120_000, mobiles: 2, scenario: 'nat', haOverrides: { natRefreshSeconds: 45 } });
  assert.ok(r.violations.length > 0);
  assert.match(r.violations[0].message, /NAT mapping gone/);
});

test('the checkers catch a home agent that binds unauthorised nodes', () => {
  const r = runSim({
    seed: 1, durationMs: 30_000, mobiles: 2, scenario: 'ipv6-only',
    haOverrides: { defaultAclPolicy: 'allow', acl: [] },
  });
  assert.deepStrictEqual(r.violations, [], 'the configured nodes are authorised either way');
  const bad = runSim({
    seed: 1, durationMs: 30_000, mobiles: 2, scenario: 'ipv6-only',
    haOverrides: { ipv4HomeAddressPool: '10.250.0.0/24' },
  });
  assert.deepStrictEqual(bad.violations, [], 'no IPv4 HoA requested in this scenario');
  const v4 = runSim({
    seed: 1, durationMs: 30_000, mobiles: 2, scenario: 'ipv4-hoa-dynamic',
    haOverrides: { ipv4HomeAddressPool: '10.250.0.0/24' },
  });
  assert.match(v4.violations[0]?.message ?? '', /unauthorised IPv4 home address 10\.250\.0\.1/);
});

test('silent moves: RAs alone reveal them; without RAs the checkers catch the stale care-of address', () => {
  const s = SCENARIOS.find((x) => x.name === 'silent-moves')!;
  for (const seed of [4, 5]) {
    const r = runSim({ seed, durationMs: 120_000, mobiles: 3, scenario: s.name });
    assert.deepStrictEqual(r.violations, [], `seed ${seed}`);
    assert.ok(r.counts.handovers > 6 && r.counts.accepted >= r.counts.handovers, `seed ${seed}: ${JSON.stringify(r.counts)}`);
    for (const f of r.final) {
      const prefix = f.network === 'fn2' ? '2001:db8:20::' : '2001:db8:30::';
      assert.ok(f.tunnel?.local.startsWith(prefix), `seed ${seed}: ${JSON.stringify(f)}`);
    }
    const blind = runSim({ seed, durationMs: 120_000, mobiles: 3, scenario: 'blind', plan: { ...s, raIntervalMs: undefined } });
    assert.match(blind.violations[0]?.message ?? '', /not an address it has/, `seed ${seed}`);
  }
});
