/**
 * The handover benchmark's arithmetic (no root): address acquisition apart from the dsmip6 part
 * (BA and first data counted from the address, not the link change), failures (no handover
 * recorded, no BA or no first data) counted and not sampled, and the loss bound from the p50
 * link-change-to-first-data time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairResult } from '../../src/bench/handover.js';
import type { Handover } from '../../src/testbed/run.js';

const h = (addressMs: number | null, baMs: number | null, firstDataMs: number | null,
  lost: number | null, linkDownMs = 0): Handover => ({
  node: 'mr', from: 'fn2', to: 'fn1', linkDownMs, careOfAddress: '198.51.100.33', encapsulation: 'ipv4', natDetected: false,
  addressMs, coaMs: baMs, baMs, firstDataMs, lost, probeReplies: 100, tcpKept: true, buFlags: 'AHR',
});

test('pairResult: BA and first data from the address, failures apart, loss bound at p50', () => {
  const r = pairResult('fn2->fn1', [
    h(20, 26, 27, 3), h(15, 40, 41, 5), h(25, 30, 33, 4), h(30, null, null, null), undefined,
  ], 100);
  assert.equal(r.pair, 'fn2->fn1');
  assert.equal(r.samples, 5);
  assert.equal(r.failures, 2, 'no BA, and no handover recorded');
  assert.deepEqual(r.addressMs, { n: 4, p50: 20, p95: 30, max: 30 });
  assert.deepEqual(r.baMs, { n: 3, p50: 6, p95: 25, max: 25 });
  assert.deepEqual(r.firstDataMs, { n: 3, p50: 8, p95: 26, max: 26 });
  assert.deepEqual(r.lost, { n: 3, p50: 4, p95: 5, max: 5 });
  // link change -> first data: 27, 33, 41 -> p50 33 ms -> 3.3 probes at 100 pps -> 4 + 2.
  assert.equal(r.lossBound, 6);
});

test('pairResult: without an address time the dsmip6 part is not measured (null, not a guess)', () => {
  const r = pairResult('nat->nat2', [h(null, 30, 31, 4)], 100);
  assert.equal(r.addressMs.n, 0);
  assert.deepEqual(r.baMs, { n: 0, p50: null, p95: null, max: null });
  assert.deepEqual(r.firstDataMs, { n: 0, p50: null, p95: null, max: null });
  assert.equal(r.lossBound, 6, 'the bound only needs the link change -> first data time');
  assert.equal(pairResult('x->y', [undefined], 100).lossBound, null);
});

test('pairResult: the loss bound counts the time the old link was already down', () => {
  // down 40 ms before the link change, first data 31 ms after it: a 71 ms outage -> 8 + 2.
  assert.equal(pairResult('fn1->nat', [h(10, 30, 31, 9, 40)], 100).lossBound, 10);
});
