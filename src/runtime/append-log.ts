/**
 * What the two append-only line logs of the state directory share (journal.ts, the cleanup
 * journal; ha-store.ts, the durable Binding Cache): writing a whole text to a file descriptor,
 * and compaction, which writes the live lines to `<path>.new` and renames it over the log so a
 * crash leaves either the old file or the new one.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

/** Writes all of `text` at the descriptor's position (looping over short writes). */
export function writeAll(fd: number, text: string): void {
  const b = Buffer.from(text, 'utf8');
  for (let off = 0; off < b.length;) off += writeSync(fd, b, off, b.length - off);
}

/**
 * Replaces `path` with `lines` (each written with a newline, in chunks of about 1 MB), fsync'ed
 * before the rename when `sync`. Returns how many lines were written.
 */
export function replaceLines(path: string, lines: Iterable<string>, sync: boolean): number {
  const tmp = `${path}.new`;
  const fd = openSync(tmp, 'w', 0o600);
  let n = 0;
  try {
    let text = '';
    for (const line of lines) {
      text += `${line}\n`;
      n++;
      if (text.length > 1 << 20) { writeAll(fd, text); text = ''; }
    }
    writeAll(fd, text);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return n;
}
