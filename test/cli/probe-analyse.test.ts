/**
 * The testbed's probe stream analysis (src/testbed/run-probe.ts): what counts as the first data
 * through the new path, and how lost probes are counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, parseReplies } from '../../src/testbed/run-probe.js';

test('probe replies: parsed with their send and receive times; other lines ignored', () => {
  const r = parseReplies('R 1 1000 1004\nnoise\nR 2 1010 1013\nR x 1 2\n');
  assert.deepEqual(r, [{ seq: 1, sentAt: 1000, at: 1004 }, { seq: 2, sentAt: 1010, at: 1013 }]);
});

test('probe analysis: a reply already in flight at the link change is not data through the new path', () => {
  const change = 10_000;
  const replies = [
    { seq: 1, sentAt: 9_980, at: 9_984 },
    { seq: 2, sentAt: 9_990, at: 9_994 },
    // sent before the change, delivered after it (queued on the way): not the new path
    { seq: 3, sentAt: 9_996, at: 10_030 },
    { seq: 8, sentAt: 10_050, at: 10_056 },
    { seq: 9, sentAt: 10_060, at: 10_064 },
  ];
  const p = analyse(replies, change);
  assert.equal(p.firstDataMs, 56);
  assert.equal(p.replies, 5);
  assert.equal(p.lost, 4, 'probes 4..7 got no reply');
});

test('probe analysis: no reply after the change means no first data; none before means no loss count', () => {
  assert.deepEqual(analyse([{ seq: 1, sentAt: 5, at: 9 }], 10),
    { replies: 1, firstDataMs: null, lost: null });
  assert.deepEqual(analyse([{ seq: 4, sentAt: 20, at: 24 }], 10),
    { replies: 1, firstDataMs: 14, lost: null });
});
