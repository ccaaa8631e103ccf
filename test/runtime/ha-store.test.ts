/** The home agent's durable Binding Cache file (ha-store.ts) over a real engine and a fake clock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { HomeAgent } from '../../src/engine/ha/home-agent.js';
import { exportBinding } from '../../src/engine/ha/persist.js';
import type { HaOutput } from '../../src/engine/ha/types.js';
import { BINDINGS_FILE } from '../../src/runtime/ha-store.js';
import { restoreBindingStore, storeEvent } from '../../src/runtime/ha-store-daemon.js';
import { Logger } from '../../src/runtime/logger.js';
import { HOA, HOA2, NAT4, bu4, bu6, config } from '../engine/ha-fixture.js';

/** A restartable "daemon": engine + store, with a clock whose monotonic origin moves per run. */
function run(dir: string, clock: { mono: number; wall: number }, lines: string[] = [], keep = true) {
  const engine = new HomeAgent(config({ ipv4HomeAddressPool: '10.9.0.0/24' }));
  const log = new Logger({ write: (l) => lines.push(l) }, 'debug', 'text', () => 0);
  const kept = restoreBindingStore(dir, engine, log, keep, { mono: () => clock.mono, wall: () => clock.wall },
    { compactMinLines: 64 });
  const feed = (out: HaOutput[]) => {
    for (const o of out) if (o.kind === 'event') storeEvent(kept.store, o.event);
  };
  return {
    engine, store: kept.store, restoredOps: kept.outputs, lines,
    bu: (input: Parameters<HomeAgent['handle']>[1]) => feed(engine.handle(clock.mono, input)),
    tick: () => feed(engine.onTimeout(clock.mono)),
  };
}

function withDir(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'dps-store-'));
  try { f(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('ha store: bindings survive a stop; the time spent stopped counts (wall clock)', () => withDir((dir) => {
  const clock = { mono: 1_000, wall: 1_700_000_000_000 };
  const a = run(dir, clock);
  a.bu(bu6({ seq: 3, lifetime: 400 }));
  a.bu(bu4({ seq: 8, hoa: HOA2, lifetime: 100, outerSource: NAT4, outerPort: 40001 }));
  a.store.flush();
  assert.equal(readFileSync(join(dir, BINDINGS_FILE), 'utf8').trim().split('\n').length, 2);
  a.store.close();
  assert.ok(existsSync(join(dir, BINDINGS_FILE)), 'bindings kept across the stop');
  // Restart 150 s later (wall), on a monotonic clock that starts again near 0.
  const later = { mono: 50, wall: clock.wall + 150_000 };
  const b = run(dir, later);
  assert.equal(b.engine.cache.get(HOA2), undefined, 'the 100 s binding expired while stopped');
  assert.equal(b.engine.cache.get(HOA)?.expiresAt, 50 + 250_000, 'remaining lifetime: 400 - 150 s');
  assert.equal(b.engine.cache.get(HOA)?.sequence, 3);
  assert.ok(b.restoredOps.some((o) => o.kind === 'os' && o.op.op === 'binding-set'));
  assert.ok(b.lines.some((l) => /bindings restored/.test(l) && /restored=1/.test(l) && /expired=1/.test(l)), b.lines.join('\n'));
  b.store.close();
}));

test('ha store: deregistration and expiry remove the record; a stop with no bindings leaves no file', () => withDir((dir) => {
  const clock = { mono: 0, wall: 1_700_000_000_000 };
  const a = run(dir, clock);
  a.bu(bu6({ seq: 1, lifetime: 400 }));
  a.bu(bu6({ seq: 1, hoa: HOA2, lifetime: 40 }));
  a.store.flush();
  a.bu(bu6({ seq: 2, lifetime: 0 }));
  clock.mono = 41_000;
  a.tick();
  a.store.flush();
  const text = readFileSync(join(dir, BINDINGS_FILE), 'utf8');
  assert.match(text, /"del":"2001:db8:1::100"/);
  assert.match(text, /"del":"2001:db8:1::200"/);
  a.store.close();
  assert.equal(existsSync(join(dir, BINDINGS_FILE)), false);
  const b = run(dir, clock);
  assert.equal(b.engine.cache.size, 0);
  b.store.close();
}));

test('ha store: a crash leaves a log the next start replays; torn and hand-edited lines are skipped', () => withDir((dir) => {
  const clock = { mono: 0, wall: 1_700_000_000_000 };
  const a = run(dir, clock);
  a.bu(bu6({ seq: 1, lifetime: 400 }));
  a.store.flush();
  a.bu(bu6({ seq: 2, lifetime: 800 }));
  a.store.flush();
  // No close(): SIGKILL. Then damage: junk, a bad record, a torn last line.
  const path = join(dir, BINDINGS_FILE);
  appendFileSync(path, 'not json\n{"set":{"homeAddress":"2001:db8:1::300","expiresAt":1e15}}\n{"set":{"hom');
  const b = run(dir, clock);
  assert.equal(b.engine.cache.get(HOA)?.sequence, 2, 'the last write wins');
  assert.equal(b.engine.cache.get(HOA)?.expiresAt, 800_000);
  assert.equal(b.engine.cache.size, 1);
  assert.ok(b.lines.some((l) => /unreadable lines skipped/.test(l) && /lines=2/.test(l)), b.lines.join('\n'));
  assert.ok(b.lines.some((l) => /binding not restored/.test(l) && /corrupt record/.test(l)), b.lines.join('\n'));
  // The fresh start compacted the log: one good line.
  assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 1);
  b.store.close();
}));

test('ha store: batching coalesces refreshes; the log is compacted when it grows', () => withDir((dir) => {
  const clock = { mono: 0, wall: 1_700_000_000_000 };
  const a = run(dir, clock);
  for (let seq = 1; seq <= 50; seq++) a.bu(bu6({ seq, lifetime: 400 }));
  a.store.flush();
  assert.equal(a.store.stats.linesWritten, 1, '50 refreshes between two flushes cost one line');
  const before = a.store.stats.compactions;
  for (let round = 0; round < 300; round++) {
    a.bu(bu6({ seq: 51 + round, lifetime: 400 }));
    a.store.flush();
  }
  assert.ok(a.store.stats.compactions > before, 'compacted');
  assert.ok(readFileSync(join(dir, BINDINGS_FILE), 'utf8').trim().split('\n').length <= 65);
  a.store.close();
  const b = run(dir, clock);
  assert.equal(b.engine.cache.get(HOA)?.sequence, 350);
  b.store.close();
}));

test('ha store: HaKeepBindings disabled deletes the file and keeps nothing', () => withDir((dir) => {
  const clock = { mono: 0, wall: 1_700_000_000_000 };
  const a = run(dir, clock);
  a.bu(bu6({ seq: 1, lifetime: 400 }));
  a.store.close();
  assert.ok(existsSync(join(dir, BINDINGS_FILE)));
  const off = run(dir, clock, [], false);
  assert.equal(off.engine.cache.size, 0, 'nothing restored');
  assert.equal(existsSync(join(dir, BINDINGS_FILE)), false, 'the file is deleted');
  off.bu(bu6({ seq: 2, lifetime: 400 }));
  off.store.flush();
  off.store.close();
  assert.equal(existsSync(join(dir, BINDINGS_FILE)), false, 'nothing written');
}));

/** The lines the file held before records were written by hand: JSON.stringify of each record. */
const stringified = (engine: HomeAgent, offset: number): string[] =>
  [...engine.cache.entries()].map((e) => `{"set":${JSON.stringify(exportBinding(e, offset))}}`);

test('ha store: the file is byte for byte what JSON.stringify wrote, and such a file loads', () => withDir((dir) => {
  const clock = { mono: 5_000, wall: 1_700_000_000_000 };
  const a = run(dir, clock);
  a.bu(bu6({ seq: 3, lifetime: 400 }));
  a.bu(bu4({ seq: 8, hoa: HOA2, lifetime: 100, outerSource: NAT4, outerPort: 40001 }));
  a.bu(bu4({ seq: 2, hoa: '2001:db8:1::300', lifetime: 300 }));
  a.store.flush();
  const path = join(dir, BINDINGS_FILE);
  const old = stringified(a.engine, clock.wall - clock.mono);
  assert.equal(readFileSync(path, 'utf8'), `${old.join('\n')}\n`);
  a.store.close();
  // A file from before: the same lines (and a torn one), read by a new start.
  writeFileSync(path, `${old.join('\n')}\n{"set":{"homeAddress":"2001:db8:1::100","care`);
  const b = run(dir, clock);
  assert.deepEqual([...b.engine.cache.entries()].map((e) => exportBinding(e)),
    [...a.engine.cache.entries()].map((e) => exportBinding(e)));
  assert.ok(b.lines.some((l) => /unreadable lines skipped/.test(l) && /lines=1/.test(l)), b.lines.join('\n'));
  b.store.close();
}));

test('ha store: a flush larger than the write buffer writes every line whole', () => withDir((dir) => {
  const clock = { mono: 0, wall: 1_700_000_000_000 };
  const a = run(dir, clock);
  const hoas = Array.from({ length: 400 }, (_, i) => `2001:db8:1::${(i + 0x1000).toString(16)}`);
  for (const hoa of hoas) a.bu(bu6({ seq: 1, hoa, lifetime: 400 }));
  a.store.flush();
  assert.equal(a.store.stats.flushes, 1);
  const text = readFileSync(join(dir, BINDINGS_FILE), 'utf8');
  assert.ok(text.length > 1 << 16, `one batch of ${text.length} bytes spans several buffers`);
  assert.equal(text, `${stringified(a.engine, clock.wall - clock.mono).join('\n')}\n`);
  const b = run(dir, clock);
  assert.equal(b.engine.cache.size, hoas.length);
  b.store.close();
  a.store.close();
}));
