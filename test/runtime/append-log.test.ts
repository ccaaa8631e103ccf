/** The line buffer of the append-only logs (append-log.ts): whole lines, UTF-8, any line length. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { LineBuffer, replaceLines } from '../../src/runtime/append-log.js';

test('line buffer: lines leave whole and in order, whatever their length and characters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dps-lines-'));
  try {
    const path = join(dir, 'log');
    const fd = openSync(path, 'a');
    const out = new LineBuffer(16);
    const lines = ['short', 'a line longer than the whole buffer', 'é ü \u2028 \ud83d\ude00', '', 'x'.repeat(40)];
    for (const l of lines) out.add(fd, l);
    out.write(fd);
    out.add(fd, 'dropped');
    out.discard();
    out.write(fd);
    out.add(fd, 'last');
    out.write(fd);
    closeSync(fd);
    assert.equal(readFileSync(path, 'utf8'), `${[...lines, 'last'].join('\n')}\n`);
    const n = replaceLines(path, lines.map((l) => `${l}!`), true);
    assert.equal(n, lines.length);
    assert.equal(readFileSync(path, 'utf8'), `${lines.map((l) => `${l}!`).join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('line buffer: a write that fails drops its lines; they are not written again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dps-lines-'));
  try {
    const path = join(dir, 'log');
    closeSync(openSync(path, 'w'));
    const readOnly = openSync(path, 'r');
    const out = new LineBuffer();
    out.add(readOnly, 'lost');
    assert.throws(() => out.write(readOnly), /EBADF/);
    closeSync(readOnly);
    const fd = openSync(path, 'a');
    out.add(fd, 'kept');
    out.write(fd);
    closeSync(fd);
    assert.equal(readFileSync(path, 'utf8'), 'kept\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
