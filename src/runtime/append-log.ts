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
 * Lines gathered in one reused buffer and written with one write(2) per buffer-full: no text of
 * the whole batch is built and no Buffer is allocated per write. A line is written whole (it is
 * cut only by a crash during the write).
 */
export class LineBuffer {
  private buf: Buffer;
  private used = 0;

  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Adds `line` and a newline; writes what the buffer holds to `fd` first when it is full. */
  add(fd: number, line: string): void {
    const most = 3 * line.length + 1; // UTF-8: at most 3 bytes per UTF-16 unit
    if (this.buf.length - this.used < most) {
      this.write(fd);
      if (this.buf.length < most) this.buf = Buffer.allocUnsafe(most);
    }
    this.used += this.buf.write(line, this.used, 'utf8');
    this.buf[this.used++] = 0x0a;
  }

  /** Writes what the buffer holds to `fd` (all of it, looping over short writes). */
  write(fd: number): void {
    const n = this.used;
    this.used = 0; // after a failed write the lines are dropped, never written twice
    for (let off = 0; off < n;) off += writeSync(fd, this.buf, off, n - off);
  }

  /** Drops what was added and not written. */
  discard(): void {
    this.used = 0;
  }
}

/**
 * Replaces `path` with `lines` (each written with a newline, about 1 MB per write), fsync'ed
 * before the rename when `sync`. Returns how many lines were written.
 */
export function replaceLines(path: string, lines: Iterable<string>, sync: boolean): number {
  const tmp = `${path}.new`;
  const fd = openSync(tmp, 'w', 0o600);
  let n = 0;
  try {
    const out = new LineBuffer(1 << 20);
    for (const line of lines) {
      out.add(fd, line);
      n++;
    }
    out.write(fd);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return n;
}
