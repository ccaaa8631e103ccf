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

test('HeapTrim: collects once, idleMs after the last change of a burst', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const lines: string[] = [];
  let collections = 0;
  const trim = new HeapTrim({ minChanges: 100, idleMs: 1000, log: logger(lines), collect: () => { collections++; } });
  t.after(() => trim.close());
  for (let ms = 0; ms < 5000; ms += 100) {
    for (let i = 0; i < 10; i++) trim.changed();
    t.mock.timers.tick(100);
  }
  assert.equal(collections, 0, 'not while changes go on (every check period saw changes)');
  t.mock.timers.tick(999);
  assert.equal(collections, 0);
  t.mock.timers.tick(1);
  assert.equal(collections, 1, 'one collection at the first check period without changes');
  assert.equal(trim.stats.trims, 1);
  assert.ok(lines.some((l) => /heap trimmed.*changes=500/.test(l)), lines.join('\n'));
  const wait = (ms: number): void => { for (let i = 0; i < ms; i += 100) t.mock.timers.tick(100); };
  wait(10_000);
  assert.equal(collections, 1, 'nothing more until the next burst');
  for (let i = 0; i < 99; i++) trim.changed();
  wait(5000);
  assert.equal(collections, 1, 'a burst smaller than minChanges is forgotten');
  for (let i = 0; i < 100; i++) trim.changed();
  wait(5000);
  assert.equal(collections, 2);
});

test('HeapTrim: a failing collector is logged, close stops it', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const lines: string[] = [];
  const trim = new HeapTrim({ minChanges: 1, idleMs: 10, log: logger(lines), collect: () => { throw new Error('no'); } });
  trim.changed();
  t.mock.timers.tick(100);
  assert.equal(trim.stats.trims, 0);
  assert.ok(lines.some((l) => /heap trim failed/.test(l)));
  let calls = 0;
  const closed = new HeapTrim({ minChanges: 1, idleMs: 10, log: logger(lines), collect: () => { calls++; } });
  closed.changed();
  closed.close();
  t.mock.timers.tick(100);
  assert.equal(calls, 0);
});

test('HeapTrim: V8\'s collector is enabled at run time and frees what is unreachable', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const lines: string[] = [];
  const trim = new HeapTrim({ minChanges: 1, idleMs: 10, log: logger(lines) });
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
