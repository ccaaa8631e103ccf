/**
 * HeapTrim (heap-trim.ts): one full collection after a burst of binding changes, once quiet;
 * none for a small burst, none while changes go on; V8's own collector can be enabled here.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { HeapTrim } from '../../src/runtime/heap-trim.js';
import { Logger } from '../../src/runtime/logger.js';

const logger = (lines: string[]): Logger => new Logger({ write: (l) => lines.push(l) }, 'debug', 'text', () => 0);

test('HeapTrim: collects once, at the first quiet period after a burst; a trickle never adds up', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const lines: string[] = [];
  let collections = 0;
  const trim = new HeapTrim({
    minChanges: 400, idleMs: 1000, quietChanges: 50, log: logger(lines), collect: () => { collections++; },
  });
  t.after(() => trim.close());
  /** `perSecond` changes a second for `seconds`, spread over 100 ms steps. */
  const run = (perSecond: number, seconds: number): void => {
    for (let step = 0; step < seconds * 10; step++) {
      for (let i = 0; i < perSecond / 10; i++) trim.changed();
      t.mock.timers.tick(100);
    }
  };
  run(100, 5); // 500 changes, every period busy
  assert.equal(collections, 0, 'not while the burst goes on');
  run(20, 1); // a quiet period: fewer than quietChanges
  assert.equal(collections, 1, 'one collection when a quiet period follows the burst');
  assert.ok(lines.some((l) => /heap trimmed.*changes=500/.test(l)), lines.join('\n'));
  run(20, 600); // a trickle of refreshes for ten minutes: 12,000 changes, never a burst
  assert.equal(collections, 1, 'a trickle neither holds a trim back nor adds up to one');
  run(100, 3); // 300 in busy periods: smaller than minChanges
  run(0, 2);
  assert.equal(collections, 1, 'a burst smaller than minChanges is forgotten');
  run(100, 5);
  run(0, 2);
  assert.equal(collections, 2);
  assert.equal(trim.stats.trims, 2);
});

test('HeapTrim: a failing collector is logged, close stops it', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const lines: string[] = [];
  const trim = new HeapTrim({
    minChanges: 1, idleMs: 10, quietChanges: 1, log: logger(lines), collect: () => { throw new Error('no'); },
  });
  trim.changed();
  t.mock.timers.tick(10);
  t.mock.timers.tick(10);
  assert.equal(trim.stats.trims, 0);
  assert.ok(lines.some((l) => /heap trim failed/.test(l)));
  let calls = 0;
  const closed = new HeapTrim({ minChanges: 1, idleMs: 10, quietChanges: 1, log: logger(lines), collect: () => { calls++; } });
  closed.changed();
  closed.close();
  t.mock.timers.tick(100);
  assert.equal(calls, 0);
});

test('HeapTrim: V8\'s collector is enabled at run time and frees what is unreachable', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const lines: string[] = [];
  const trim = new HeapTrim({ minChanges: 1, idleMs: 10, quietChanges: 1, log: logger(lines) });
  t.after(() => trim.close());
  let garbage: object | undefined = { big: new Array(1000).fill('x') };
  const ref = new WeakRef(garbage);
  garbage = undefined;
  await new Promise((r) => setImmediate(r)); // a WeakRef keeps its target until the job ends
  trim.changed();
  t.mock.timers.tick(10);
  t.mock.timers.tick(10);
  assert.equal(trim.stats.trims, 1, lines.join('\n'));
  assert.equal(ref.deref(), undefined, 'the full collection freed the unreachable object');
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') { // not under node --expose-gc
    assert.equal(runInNewContext('typeof gc'), 'undefined', 'later contexts do not get the gc extension');
  }
});
