import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Journal, recoverLeftovers, type JournalEntry } from '../../src/runtime/journal.js';

function tempPath(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-journal-'));
  return { dir, path: join(dir, 'state', 'journal') };
}

const A: JournalEntry = { kind: 'address', ifname: 'dsmip6', address: '2001:db8:1::100', prefixLength: 128 };
const R: JournalEntry = { kind: 'route', prefix: '2001:db8:ff::/48', ifname: 'dsmip6' };
const S: JournalEntry = { kind: 'sysctl', path: '/proc/sys/net/ipv6/conf/all/forwarding', previous: '0' };

test('journal: undo runs in reverse order, then the file is gone', async () => {
  const { dir, path } = tempPath();
  try {
    const j = new Journal(path);
    [S, A, R].forEach((e) => j.record(e));
    assert.equal(j.size, 3);
    const undone: string[] = [];
    const errors = await j.undoAll((e) => { undone.push(e.kind); });
    assert.deepStrictEqual(undone, ['route', 'address', 'sysctl']);
    assert.deepStrictEqual(errors, []);
    assert.equal(existsSync(path), false);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('journal: a killed daemon leaves the file; the next start undoes it, torn line ignored', async () => {
  const { dir, path } = tempPath();
  try {
    const j = new Journal(path);
    [S, A, R].forEach((e) => j.record(e));
    j.forget((e) => e.kind === 'address');
    appendFileSync(path, '{"kind":"rou'); // crash in the middle of a write
    const undone: JournalEntry[] = [];
    const r = await recoverLeftovers(path, (e) => { undone.push(e); });
    assert.deepStrictEqual(undone, [R, S]);
    assert.deepStrictEqual(r, { undone: 2, errors: [] });
    assert.equal(existsSync(path), false);
    assert.deepStrictEqual(await recoverLeftovers(path, () => assert.fail('nothing to undo')), { undone: 0, errors: [] });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('journal: an undo that fails is reported and the rest still run', async () => {
  const { dir, path } = tempPath();
  try {
    const j = new Journal(path);
    [S, A, R].forEach((e) => j.record(e));
    const done: string[] = [];
    const errors = await j.undoAll((e) => {
      if (e.kind === 'address') throw new Error('EPERM');
      done.push(e.kind);
    });
    assert.deepStrictEqual(done, ['route', 'sysctl']);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /address.*EPERM/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('journal: a change recorded again is listed once; forgetting appends a line, no rewrite', async () => {
  const { dir, path } = tempPath();
  try {
    const j = new Journal(path);
    [S, A, R, A].forEach((e) => j.record(e));
    assert.equal(j.size, 3);
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 3);
    const ino = statSync(path).ino;
    assert.equal(j.forgetEntry(A), true);
    assert.equal(j.forgetEntry(A), false);
    assert.equal(statSync(path).ino, ino, 'appended to, not rewritten');
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 4);
    assert.deepStrictEqual(Journal.leftovers(path), [S, R]);
    j.record(A); // recorded again after being forgotten: listed again, last
    assert.deepStrictEqual(Journal.leftovers(path), [S, R, A]);
    const undone: JournalEntry[] = [];
    await j.undoAll((e) => { undone.push(e); });
    assert.deepStrictEqual(undone, [A, R, S]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('journal: mass removal compacts the file now and then; what it lists stays exact', () => {
  const { dir, path } = tempPath();
  try {
    const j = new Journal(path);
    const route = (i: number): JournalEntry => ({ kind: 'route', prefix: `2001:db8::${i.toString(16)}/128`, ifname: 't' });
    for (let i = 0; i < 5000; i++) j.record(route(i));
    for (let i = 0; i < 4990; i++) j.forgetEntry(route(i));
    const lines = readFileSync(path, 'utf8').trim().split('\n').length;
    assert.ok(lines < 5000 + 4990, `compacted (${lines} lines)`);
    assert.deepStrictEqual(Journal.leftovers(path), Array.from({ length: 10 }, (_, k) => route(4990 + k)));
    assert.equal(existsSync(`${path}.new`), false);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('journal: undo passes announce themselves (startPass) once per run', async () => {
  const { dir, path } = tempPath();
  try {
    const j = new Journal(path);
    [S, A, R].forEach((e) => j.record(e));
    let passes = 0;
    const seen: string[] = [];
    const undo = Object.assign((e: JournalEntry) => { seen.push(`${passes}:${e.kind}`); }, {
      startPass: () => { passes++; },
    });
    await j.undoAll(undo);
    assert.deepStrictEqual(seen, ['1:route', '1:address', '1:sysctl']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('journal: a compaction a crash interrupted leaves no file behind after recovery', async () => {
  const { dir, path } = tempPath();
  try {
    const j = new Journal(path);
    j.record(R);
    writeFileSync(`${path}.new`, '{"kind":"sysc'); // killed while compacting: the old file is intact
    const undone: JournalEntry[] = [];
    assert.deepStrictEqual(await recoverLeftovers(path, (e) => { undone.push(e); }), { undone: 1, errors: [] });
    assert.deepStrictEqual(undone, [R]);
    assert.equal(existsSync(`${path}.new`), false);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
