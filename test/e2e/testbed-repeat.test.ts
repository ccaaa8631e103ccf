/**
 * `dsmip6 testbed run --repeat` end to end (root only), in namespaces named dst-<pid>-* with a
 * temporary state directory: `run fn2,fn1 --repeat 2 --json` brings the testbed up, runs the
 * pair of scenarios twice on the same daemons, reports both runs and the handovers by pair
 * ((none)->fn2 once, fn2->fn1 twice, fn1->fn2 once) with finite summaries, and takes everything
 * down. No timing is asserted beyond the measurements existing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RepeatReport } from '../../src/testbed/repeat-run.js';
import { assertTakenDown, canRunTestbed, testbed as run, withStateDir } from './testbed-harness.js';

test('testbed run --repeat 2: both runs on one testbed, handovers summarised by pair', async (t) => {
  if (!canRunTestbed(t)) return;
  await withStateDir('tbrep', async (dir) => {
    const r = await run(dir, 'run', 'fn2,fn1', '--repeat', '2', '--json');
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
    assert.equal((await run(dir, 'run', 'fn2', '--repeat', '0')).code, 2, 'usage error');
    assertTakenDown(dir);
  });
});
