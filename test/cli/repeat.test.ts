/**
 * `testbed run --repeat`: the aggregation of handovers over repeated runs (no root needed):
 * nearest-rank percentiles, null measurements counted as failures rather than samples, pairs in
 * the order they first occur, the address column only when measured, and splitting the results
 * of one long run back into runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateHandovers, formatPairs, pairOf, percentile, summarize } from '../../src/testbed/repeat.js';
import { splitRuns } from '../../src/testbed/repeat-run.js';
import type { Handover, ScenarioResult } from '../../src/testbed/run.js';

function h(from: string | null, to: string, ms: number | null, lost: number | null, addressMs: number | null = null,
  node = 'mr'): Handover {
  return {
    node, from, to, linkDownMs: 0, careOfAddress: null, encapsulation: null, natDetected: false, addressMs,
    coaMs: ms === null ? null : ms - 5, baMs: ms, firstDataMs: ms === null ? null : ms + 1,
    lost, probeReplies: 10, tcpKept: null, buFlags: null,
  };
}

test('percentile: nearest rank', () => {
  assert.equal(percentile([7], 50), 7);
  assert.equal(percentile([7], 95), 7);
  assert.equal(percentile([1, 2, 3], 50), 2);
  assert.equal(percentile([1, 2, 3], 95), 3);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.equal(percentile(twenty, 95), 19);
  assert.equal(percentile(twenty, 50), 10);
  assert.equal(percentile(twenty, 100), 20);
});

test('summarize: sorts, skips null and non-finite values, all null when empty', () => {
  assert.deepEqual(summarize([30, null, 10, 20, undefined, Number.NaN]), { n: 3, p50: 20, p95: 30, max: 30 });
  assert.deepEqual(summarize([]), { n: 0, p50: null, p95: null, max: null });
  assert.deepEqual(summarize([null, null]), { n: 0, p50: null, p95: null, max: null });
  assert.deepEqual(summarize([0, 0]), { n: 2, p50: 0, p95: 0, max: 0 });
});

test('aggregateHandovers: by pair (and node) in first-seen order, failures counted apart from samples', () => {
  const pairs = aggregateHandovers([
    h(null, 'home', 19, null), h('home', 'fn2', 530, 50), h('fn2', 'fn1', 26, 4),
    h('fn2', 'fn1', 40, 6), h('home', 'fn2', null, null), h('fn2', 'fn1', 30, 5),
  ]);
  assert.deepEqual(pairs.map((p) => [p.pair, p.n, p.failures]),
    [['(none)->home', 1, 0], ['home->fn2', 2, 1], ['fn2->fn1', 3, 0]]);
  const fn1 = pairs[2];
  assert.deepEqual(fn1.baMs, { n: 3, p50: 30, p95: 40, max: 40 });
  assert.deepEqual(fn1.coaMs, { n: 3, p50: 25, p95: 35, max: 35 });
  assert.deepEqual(fn1.firstDataMs, { n: 3, p50: 31, p95: 41, max: 41 });
  assert.deepEqual(fn1.lost, { n: 3, p50: 5, p95: 6, max: 6 });
  assert.equal(fn1.addressMs.n, 0, 'not measured');
  const mn2 = aggregateHandovers([h('fn2', 'fn1', 30, 3, 12), h('fn2', 'fn1', 30, 3, 14, 'mn2')]);
  assert.deepEqual(mn2.map((p) => [p.pair, p.n, p.addressMs.p50]), [['fn2->fn1', 1, 12], ['mn2 fn2->fn1', 1, 14]]);
  assert.deepEqual(pairs[1].baMs, { n: 1, p50: 530, p95: 530, max: 530 });
  assert.equal(pairs[0].lost.n, 0, 'no path before: no loss sample');
  assert.equal(pairOf(h(null, 'fn2', 1, 0)), '(none)->fn2');
  assert.equal(pairOf(h('fn2', 'fn1/eth1', 1, 0)), 'fn2->fn1/eth1');
  assert.equal(pairOf(h(null, 'fn1', 1, 0, null, 'mn2')), 'mn2 (none)->fn1');
});

test('formatPairs: one row per pair, the address column only when some run measured it', () => {
  const without = formatPairs(aggregateHandovers([h('fn2', 'fn1', 26, 4), h('fn2', 'fn1', null, null)]), 'T');
  const lines = without.split('\n');
  assert.equal(lines[0], 'T');
  assert.match(lines[1], /^handover\s+n\s+fail\s+coa ms\s+BA ms\s+data ms\s+lost$/);
  assert.match(lines[2], /^fn2->fn1\s+2\s+1\s+21\/21\/21\s+26\/26\/26\s+27\/27\/27\s+4\/4\/4$/);
  const withAddr = formatPairs(aggregateHandovers([h('fn1', 'nat', 30, 3, 12), h('fn1', 'nat', 40, 4)]), 'T');
  assert.match(withAddr.split('\n')[1], /address ms/);
  assert.match(withAddr.split('\n')[2], /^fn1->nat\s+2\s+0\s+12\/12\/12\s/);
});

test('splitRuns: N runs of k scenarios each', () => {
  const r = (name: string): ScenarioResult =>
    ({ name, description: '', pass: true, ms: 1, checks: [], handovers: [], restarts: [] });
  const runs = splitRuns(['a', 'b', 'a', 'b', 'a', 'b'].map(r), 2);
  assert.deepEqual(runs.map((x) => x.map((s) => s.name)), [['a', 'b'], ['a', 'b'], ['a', 'b']]);
});
