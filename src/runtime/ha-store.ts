/**
 * The home agent's durable Binding Cache: a file in the state directory (`bindings-ha`, next to
 * the cleanup journal) so a restart — SIGTERM, crash, SIGKILL — keeps every binding it accepted.
 *
 * The file is an append-only log, one JSON object per line: `{"set":{…record…}}` when a binding
 * is created or refreshed (persist-record.ts; `expiresAt` in wall-clock milliseconds since the
 * epoch), `{"del":"<home address>"}` when it ends (deregistration, expiry, displacement). A
 * record's text is what JSON.stringify writes for it (bindingJson writes it from the entry's
 * fields, without the record object), and a batch goes through one reused buffer (LineBuffer).
 * Changes are batched: the daemon marks home addresses dirty as the engine reports them, and
 * once per event-loop turn (setImmediate) each dirty binding's current state is written once —
 * many refreshes of one binding in a turn cost one line, and a crash or SIGKILL loses nothing
 * written — and fdatasync follows within `flushMs` (a power loss loses at most that). When the
 * log has grown past twice the live count it is compacted: the live bindings are written to a
 * new file that replaces the old one (rename). Expiry is stored as wall-clock time, so the time
 * spent stopped counts. A stop with no bindings removes the file; a stop with bindings leaves
 * it, compacted, for the next start.
 *
 * Reading tolerates a torn last line (crash mid-write) and hand edits: a line that is not JSON,
 * or not a `set`/`del` object, is counted and skipped; the records are checked by the engine.
 */
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PersistedBinding } from '../engine/ha/persist.js';
import { LineBuffer, replaceLines } from './append-log.js';

export const BINDINGS_FILE = 'bindings-ha';

/** Engine time (monotonic) and wall-clock time, both in milliseconds. */
export interface StoreClock {
  mono(): number;
  wall(): number;
}

export interface LoadResult {
  /** Records with `expiresAt` converted to engine time, in file order (last write wins). */
  readonly records: unknown[];
  /** Lines that were not a readable change. */
  readonly badLines: number;
}


export interface StoreOptions {
  readonly flushMs?: number;
  /** Compact when the log holds more lines than this and more than twice the live bindings. */
  readonly compactMinLines?: number;
  /** false (HaKeepBindings disabled): nothing is loaded or written, and the file is deleted. */
  readonly enabled?: boolean;
  /** A write that failed in the background (disk full, say): reported, never thrown. */
  readonly onError?: (what: string, error: unknown) => void;
}

export class HaBindingStore {
  readonly path: string;
  private readonly dirty = new Set<string>();
  private fd: number | undefined;
  private readonly out = new LineBuffer();
  private lines = 0;
  /** The write of this event-loop turn's changes, and the fdatasync of the last `flushMs`. */
  private pending: ReturnType<typeof setImmediate> | undefined;
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly flushMs: number;
  private readonly compactMinLines: number;
  private readonly enabled: boolean;
  private readonly onError: (what: string, error: unknown) => void;
  /** Batches written and compactions made (for tests and the log). */
  readonly stats = { flushes: 0, compactions: 0, linesWritten: 0 };

  constructor(
    stateDirectory: string,
    private readonly clock: StoreClock,
    /**
     * The binding's current state as its record's JSON text (persist-record.ts), or undefined when
     * it is gone; `expiresAt` moved by `offset` (engine time + offset = wall-clock time).
     */
    private readonly current: (homeAddress: string, offset: number) => string | undefined,
    /** Every live binding's record text (for compaction, `expiresAt` moved by `offset`), and how many. */
    private readonly live: (offset: number) => Iterable<string>,
    private readonly liveCount: () => number,
    opts: StoreOptions = {},
  ) {
    this.path = join(stateDirectory, BINDINGS_FILE);
    this.flushMs = opts.flushMs ?? 200;
    this.compactMinLines = opts.compactMinLines ?? 4096;
    this.enabled = opts.enabled ?? true;
    this.onError = opts.onError ?? (() => undefined);
  }

  /** Reads what a previous run left; call before `open`. */
  load(): LoadResult {
    if (!this.enabled) rmSync(this.path, { force: true });
    if (!existsSync(this.path)) return { records: [], badLines: 0 };
    const byHome = new Map<string, unknown>();
    let badLines = 0;
    const monoNow = this.clock.mono();
    const wallNow = this.clock.wall();
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const change = parseLine(line);
      if (change === undefined) {
        badLines++;
      } else if ('del' in change) {
        byHome.delete(change.del);
      } else {
        byHome.set(change.key, { ...change.set, expiresAt: monoNow + (change.set.expiresAt - wallNow) });
      }
    }
    return { records: [...byHome.values()], badLines };
  }

  /** Starts a fresh log holding the bindings in force now (after the engine restored them). */
  open(): void {
    if (!this.enabled) return;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.compact();
  }

  /** The binding of `homeAddress` changed (created, refreshed, moved, ended). */
  touch(homeAddress: string): void {
    if (this.fd === undefined) return;
    this.dirty.add(homeAddress);
    this.pending ??= setImmediate(() => {
      this.pending = undefined;
      this.guarded('write', () => this.flush());
    });
  }

  /** Writes every dirty binding's current state in one batch (synced to disk within `flushMs`). */
  flush(): void {
    if (this.fd === undefined || this.dirty.size === 0) return;
    const offset = this.offset();
    const fd = this.fd;
    try {
      for (const hoa of this.dirty) {
        const r = this.current(hoa, offset);
        this.out.add(fd, r === undefined ? `{"del":${JSON.stringify(hoa)}}` : `{"set":${r}}`);
      }
    } catch (e) {
      this.out.discard();
      throw e;
    }
    this.lines += this.dirty.size;
    this.stats.linesWritten += this.dirty.size;
    this.dirty.clear();
    this.out.write(fd);
    this.stats.flushes++;
    this.syncTimer ??= setTimeout(() => {
      this.syncTimer = undefined;
      this.guarded('fdatasync', () => { if (this.fd !== undefined) fdatasyncSync(this.fd); });
    }, this.flushMs);
    if (this.lines > this.compactMinLines && this.lines > 2 * this.liveCount()) this.compact();
  }

  /** Final flush at stop; the file stays only when it holds bindings. */
  close(): void {
    if (this.pending) clearImmediate(this.pending);
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.pending = undefined;
    this.syncTimer = undefined;
    if (this.fd === undefined) return;
    this.dirty.clear();
    this.compact();
    closeSync(this.fd);
    this.fd = undefined;
    if (this.lines === 0) rmSync(this.path, { force: true });
  }

  /** Rewrites the log as the live bindings (new file, fsync, rename over the old one). */
  private compact(): void {
    const records = mapIterable(this.live(this.offset()), (r) => `{"set":${r}}`);
    const n = replaceLines(this.path, records, true);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(this.path, 'a', 0o600);
    this.lines = n;
    this.stats.compactions++;
  }

  private guarded(what: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.onError(what, e);
    }
  }

  /** Engine time to wall-clock time (whole milliseconds). */
  private offset(): number {
    return Math.round(this.clock.wall() - this.clock.mono());
  }
}

function* mapIterable<T, U>(xs: Iterable<T>, f: (x: T) => U): Iterable<U> {
  for (const x of xs) yield f(x);
}

type Change = { readonly del: string } | { readonly key: string; readonly set: PersistedBinding };

function parseLine(line: string): Change | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as { del?: unknown; set?: unknown };
  if (typeof o.del === 'string') return { del: o.del };
  if (typeof o.set !== 'object' || o.set === null) return undefined;
  const s = o.set as { homeAddress?: unknown; expiresAt?: unknown };
  if (typeof s.homeAddress !== 'string' || typeof s.expiresAt !== 'number') return undefined;
  return { key: s.homeAddress, set: o.set as PersistedBinding };
}
