/**
 * `dsmip6 testbed run` end to end (root only), in namespaces named dst-<pid>-* with a temporary
 * state directory. First on no testbed: `run all --json` brings the testbed up, starts the
 * daemons, passes every scenario (each handover checked by traffic, by tshark on its captured
 * BU/BA and by a TCP connection kept across it; all 30 ordered pairs of networks), and takes
 * everything down again. Then on a testbed that is up without daemons and with mr unplugged:
 * `run fn2` passes and leaves it so (up, no daemon running, mr detached). No timing is
 * asserted beyond the measurements existing and being finite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NETWORKS } from '../../src/testbed/plan.js';
import type { RunReport } from '../../src/testbed/run-report.js';
import type { Handover, ScenarioResult } from '../../src/testbed/run.js';
import { SETS } from '../../src/testbed/scenario-sets.js';
import { assertLeftAsFound, assertTakenDown, canRunTestbed, testbed as tb, withStateDir } from './testbed-harness.js';

const finite = (v: number | null): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function one(rep: RunReport, name: string): ScenarioResult {
  const s = rep.scenarios.find((x) => x.name === name);
  assert.ok(s, `scenario ${name} ran`);
  return s;
}

const first = (rep: RunReport, name: string): Handover => one(rep, name).handovers[0];

/** Every handover measured, its signalling checked by tshark, its TCP connection kept. */
function assertHandover(s: ScenarioResult, h: Handover): void {
  const what = `${s.name} ${JSON.stringify(h)}`;
  assert.ok(finite(h.addressMs) && finite(h.coaMs) && finite(h.baMs) && finite(h.firstDataMs),
    `measurements: ${what}`);
  assert.ok(h.probeReplies > 0, what);
  if (h.from !== null) {
    assert.ok(finite(h.lost), `probe loss: ${what}`);
    assert.equal(h.tcpKept, true, `long-lived TCP: ${what}`);
  }
  if (h.buFlags !== null) assert.match(h.buFlags, h.node === 'mr' ? /^AHR$/ : /^AHF?$/, what);
  assert.ok(s.checks.some((c) => c.name.startsWith('tshark: no malformed') && c.ok), what);
}

test('testbed run all: brings the testbed up, passes every scenario, takes it down', async (t) => {
  if (!canRunTestbed(t)) return;
  await withStateDir('tbrun', async (dir) => {
    const r = await tb(dir, 'run', 'all', '--json');
    const rep = JSON.parse(r.out) as RunReport;
    const failed: string[] = [];
    for (const s of rep.scenarios) {
      const bad = s.checks.filter((c) => !c.ok).map((c) => `${c.name} (${c.detail ?? ''})`);
      if (!s.pass) failed.push(`${s.name}: ${bad.join('; ')} ${JSON.stringify(s.handovers)}`);
      t.diagnostic(`${s.name}: ${s.pass ? 'pass' : `FAIL ${bad.join('; ')}`} ${JSON.stringify(s.handovers)}`);
    }
    t.diagnostic(`run all: ${rep.ms} ms`);
    // The failures go in the assertion's message too: a CI log may keep only the error block.
    assert.equal(r.code, 0, `every scenario passed; failed: ${failed.join(' | ') || 'none'}`);
    assert.equal(rep.pass, true);
    assert.equal(rep.broughtUp, true);
    assert.deepEqual(rep.scenarios.map((s) => [s.name, s.pass]), SETS.all.map((s) => [s.name, true]));
    for (const s of rep.scenarios) for (const h of s.handovers) assertHandover(s, h);

    const fn2 = first(rep, 'fn2');
    assert.equal(fn2.careOfAddress, '2001:db8:2::ff:fe00:100');
    assert.equal(fn2.encapsulation, 'ipv6');
    assert.match(first(rep, 'fn1').careOfAddress ?? '', /^198\.51\.100\./);
    assert.equal(first(rep, 'fn1').encapsulation, 'ipv4');
    assert.equal(first(rep, 'fn3').encapsulation, 'ipv6');
    assert.deepEqual([first(rep, 'nat').encapsulation, first(rep, 'nat').natDetected], ['udp4', true]);
    const mn2 = first(rep, 'mn2-forced-udp');
    assert.deepEqual([mn2.node, mn2.encapsulation, mn2.natDetected, mn2.buFlags], ['mn2', 'udp4', false, 'AHF']);
    assert.equal(first(rep, 'returning-home').careOfAddress, null, 'at home');
    assert.deepEqual(one(rep, 'vertical').handovers.map((h) => [h.from, h.to]),
      [['fn2', 'fn1/eth1'], ['fn1/eth1', 'fn2']]);
    for (const r of ['ha-restart', 'mr-restart']) {
      const rs = one(rep, r).restarts;
      assert.ok(rs.length === 1 && rs.every((x) => finite(x.outageMs)), `${r}: ${JSON.stringify(rs)}`);
    }
    for (const c of ['tcp 198.51.100.130', 'tcp 2001:db8:100:1::10', 'tcp 192.0.2.100']) {
      assert.ok(one(rep, 'fn1').checks.some((x) => x.name === c && x.ok), `fn1: ${c}`);
    }
    assert.ok(one(rep, 'mn2-forced-udp').checks.some((c) => /^tcp 192\.0\.2\.1(2[89]|[3-9]\d)$/.test(c.name) && c.ok),
      'mn2 reachable over TCP at an IPv4 home address from the pool');
    assert.ok(one(rep, 'two-behind-nat').checks.some((c) => c.name.startsWith('distinct NAT ports') && c.ok));
    assert.ok(one(rep, 'nat-keepalive').checks.some((c) => /mapping kept/.test(c.name) && c.ok));
    // The home agent behind NAT (the runner rebuilt the testbed in that mode).
    assert.deepEqual([first(rep, 'ha-nat-fn1').encapsulation, first(rep, 'ha-nat-fn1').natDetected], ['udp4', false]);
    assert.deepEqual([first(rep, 'ha-nat-nat').encapsulation, first(rep, 'ha-nat-nat').natDetected], ['udp4', true]);
    assert.ok(one(rep, 'ha-nat-fn1').checks.some((c) => c.name === 'tcp 10.0.2.2 from ha' && c.ok));

    // Every ordered pair of networks, each handover starting where the one before ended.
    const pairs = rep.scenarios.filter((s) => s.name.startsWith('ho-')).map((s) => s.handovers[0]);
    const want = NETWORKS.flatMap((a) => NETWORKS.filter((b) => b !== a).map((b) => `${a}->${b}`));
    assert.deepEqual(pairs.map((h) => `${h.from}->${h.to}`).sort(), want.sort());
    assert.equal(pairs[0].from, 'home');
    assert.ok(pairs.every((h, i) => i === 0 || h.from === pairs[i - 1].to), 'a circuit');

    assertTakenDown(dir);
  });
});

test('testbed run on a testbed that is up: leaves it up, without daemons, mr detached', async (t) => {
  if (!canRunTestbed(t)) return;
  await withStateDir('tbrun', async (dir) => {
    assert.equal((await tb(dir, 'up')).code, 0);
    const r = await tb(dir, 'run', 'fn2');
    t.diagnostic(r.out);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out,
      /^fn2 +pass +\(none\)->fn2 +2001:db8:2::ff:fe00:100 +ipv6 +no +AHR +\d+ +\d+ +\d+ +\d+ +- +- *$/m);
    assert.match(r.out, /1\/1 scenarios passed/);
    assertLeftAsFound(dir);
    assert.equal((await tb(dir, 'run', 'nope')).code, 1, 'unknown scenario');
  });
});
