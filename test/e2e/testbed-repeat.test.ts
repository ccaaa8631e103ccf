/**
 * `dsmip6 testbed run --repeat` end to end (root only), in namespaces named dst-<pid>-* with a
 * temporary state directory: `run fn2,fn1 --repeat 2 --json` brings the testbed up, runs the
 * pair of scenarios twice on the same daemons, reports both runs and the handovers by pair
 * ((none)->fn2 once, fn2->fn1 twice, fn1->fn2 once) with finite summaries, and takes everything
 * down. No timing is asserted beyond the measurements existing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runTestbed } from '../../src/cli/testbed.js';
import { linuxTestBlocker } from '../../src/os/linux/netns.js';
import type { RepeatReport } from '../../src/testbed/repeat-run.js';
import { listNetns } from '../../src/testbed/sh.js';
import { NS_PREFIX, needRoot } from '../runtime/netns.js';

test('testbed run --repeat 2: both runs on one testbed, handovers summarised by pair', async (t) => {
  if (!needRoot(t, ['nft', 'dnsmasq', 'radvd', 'ping', 'sysctl', 'tshark', 'dumpcap'])) return;
  const blocker = linuxTestBlocker();
  if (blocker) { t.skip(blocker); return; }
  const parent = mkdtempSync(join(tmpdir(), 'dsmip6-tbrep-'));
  const dir = join(parent, 'state');
  const run = async (...args: string[]): Promise<{ code: number; out: string }> => {
    const out: string[] = [];
    const code = await runTestbed(['--state', dir, '--prefix', NS_PREFIX, ...args], (s) => { out.push(s); });
    return { code, out: out.join('\n') };
  };
  try {
    const r = await run('run', 'fn2,fn1', '--repeat', '2', '--json');
    const rep = JSON.parse(r.out) as RepeatReport;
    t.diagnostic(JSON.stringify(rep.pairs));
    assert.equal(r.code, 0, r.out);
    assert.equal(rep.pass, true);
    assert.equal(rep.repeat, 2);
    assert.deepEqual(rep.runs.map((run) => run.map((s) => [s.name, s.pass])),
      [[['fn2', true], ['fn1', true]], [['fn2', true], ['fn1', true]]]);
    assert.deepEqual(rep.pairs.map((p) => [p.pair, p.n, p.failures]),
      [['(none)->fn2', 1, 0], ['fn2->fn1', 2, 0], ['fn1->fn2', 1, 0]]);
    for (const p of rep.pairs) {
      for (const s of [p.coaMs, p.baMs, p.firstDataMs]) {
        assert.equal(s.n, p.n, `${p.pair}: every handover measured`);
        assert.ok(s.p50 !== null && s.p95 !== null && s.max !== null && s.p50 <= s.p95 && s.p95 <= s.max,
          `${p.pair}: ${JSON.stringify(s)}`);
      }
    }
    assert.equal(rep.pairs[1].lost.n, 2, 'loss counted where there was a path before');
    assert.equal((await run('run', 'fn2', '--repeat', '0')).code, 2, 'usage error');
    assert.deepEqual(listNetns().filter((n) => n.startsWith(NS_PREFIX)), [], 'taken down');
    assert.equal(existsSync(dir), false);
  } finally {
    await run('down');
    rmSync(parent, { recursive: true, force: true });
  }
});
