/**
 * `dsmip6 testbed run` end to end (root only), in namespaces named dst-<pid>-* with a temporary
 * state directory. First on no testbed: `run fn2,fn1,returning-home --json` brings the testbed
 * up, starts the daemons, passes the three scenarios with a finite measurement for every
 * handover, and takes everything down again. Then on a testbed that is up without daemons and
 * with mr unplugged: `run fn2` passes and leaves it so (up, no daemon running, mr detached).
 * No timing is asserted beyond the measurements existing and being finite.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runTestbed } from '../../src/cli/testbed.js';
import { linuxTestBlocker } from '../../src/os/linux/netns.js';
import { DAEMON_NODES, daemonPid } from '../../src/testbed/daemons.js';
import type { RunReport } from '../../src/testbed/run-report.js';
import { listNetns } from '../../src/testbed/sh.js';
import { Testbed } from '../../src/testbed/state.js';
import { NS_PREFIX, needRoot } from '../runtime/netns.js';

function canRun(t: TestContext): boolean {
  if (!needRoot(t, ['nft', 'dnsmasq', 'radvd', 'ping', 'sysctl'])) return false;
  const blocker = linuxTestBlocker();
  if (blocker) { t.skip(blocker); return false; }
  return true;
}

async function tb(dir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await runTestbed(['--state', dir, '--prefix', NS_PREFIX, ...args], (s) => { out.push(s); });
  return { code, out: out.join('\n') };
}

const finite = (v: number | null): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function assertHandovers(rep: RunReport, want: [string, string][]): void {
  const got = rep.scenarios.flatMap((s) => s.handovers.map((h) => [h.from ?? '', h.to]));
  assert.deepEqual(got, want);
  for (const s of rep.scenarios) {
    for (const h of s.handovers) {
      const what = `${s.name} ${JSON.stringify(h)}`;
      assert.ok(finite(h.coaMs) && finite(h.baMs) && finite(h.firstDataMs), `measurements: ${what}`);
      assert.ok(finite(h.lost), `probe loss: ${what}`);
      assert.ok(h.probeReplies > 0, what);
    }
  }
}

test('testbed run: brings the testbed up, passes fn2, fn1, returning-home with measurements, takes it down',
  async (t) => {
    if (!canRun(t)) return;
    const parent = mkdtempSync(join(tmpdir(), 'dsmip6-tbrun-'));
    const dir = join(parent, 'state');
    try {
      const r = await tb(dir, 'run', 'fn2,fn1,returning-home', '--json');
      const rep = JSON.parse(r.out) as RunReport;
      for (const s of rep.scenarios) {
        t.diagnostic(`${s.name}: ${s.pass ? 'pass' : 'FAIL'} ${JSON.stringify(s.handovers)}`);
      }
      assert.equal(r.code, 0, r.out);
      assert.equal(rep.pass, true);
      assert.equal(rep.broughtUp, true);
      assert.deepEqual(rep.scenarios.map((s) => [s.name, s.pass]),
        [['fn2', true], ['fn1', true], ['returning-home', true]]);
      const fn2 = rep.scenarios[0].handovers[0];
      assert.equal(fn2.careOfAddress, '2001:db8:2::ff:fe00:100');
      assert.equal(fn2.encapsulation, 'ipv6');
      const fn1 = rep.scenarios[1].handovers[0];
      assert.match(fn1.careOfAddress ?? '', /^198\.51\.100\./);
      assert.equal(fn1.encapsulation, 'ipv4');
      assert.equal(rep.scenarios[2].handovers[0].careOfAddress, null, 'at home');
      for (const s of rep.scenarios) {
        assert.ok(s.checks.some((c) => c.name === 'tcp 198.51.100.130' && c.ok), `${s.name}: TCP to mnn`);
      }
      // fn2 from the parked interface (first registration: no path before, no loss to count).
      assert.equal(fn2.from, null);
      assert.ok(finite(fn2.coaMs) && finite(fn2.baMs) && finite(fn2.firstDataMs), JSON.stringify(fn2));
      assertHandovers({ ...rep, scenarios: rep.scenarios.slice(1) }, [['fn2', 'fn1'], ['fn1', 'home']]);
      assert.deepEqual(listNetns().filter((n) => n.startsWith(NS_PREFIX)), [], 'taken down');
      assert.equal(existsSync(dir), false);
    } finally {
      await tb(dir, 'down');
      rmSync(parent, { recursive: true, force: true });
    }
  });

test('testbed run on a testbed that is up: leaves it up, without daemons, mr detached', async (t) => {
  if (!canRun(t)) return;
  const parent = mkdtempSync(join(tmpdir(), 'dsmip6-tbrun-'));
  const dir = join(parent, 'state');
  try {
    assert.equal((await tb(dir, 'up')).code, 0);
    const r = await tb(dir, 'run', 'fn2');
    t.diagnostic(r.out);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^fn2 +pass +\(none\)->fn2 +2001:db8:2::ff:fe00:100 +ipv6 +no +\d+ +\d+ +\d+ +- *$/m);
    assert.match(r.out, /1\/1 scenarios passed/);
    const after = Testbed.load(dir);
    assert.ok(after?.state.ready, 'still up');
    assert.equal(after.state.attachments['mr/eth0'], undefined, 'mr detached again');
    for (const n of DAEMON_NODES) assert.equal(daemonPid(after, n), undefined, `${n} daemon stopped`);
    assert.equal((await tb(dir, 'run', 'nope')).code, 1, 'unknown scenario');
  } finally {
    await tb(dir, 'down');
    rmSync(parent, { recursive: true, force: true });
  }
});
