import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
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
