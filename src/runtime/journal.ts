/**
 * The cleanup journal: every change the daemon makes to the system (addresses, routes, rules,
 * proxy neighbours, sysctls, the nftables table, devices) is appended to a file *before* it is
 * made, and undone in reverse order at shutdown. A daemon killed by SIGKILL leaves the file
 * behind; the next start undoes what it lists before doing anything else. This is what keeps
 * dsmip6 from leaving the stale addresses, routes and XFRM state UMIP was known for.
 *
 * The journal is a set of changes in the order they were first made: recording a change that is
 * already listed (a route re-asserted by every re-registration) writes nothing. The file holds
 * one JSON line per event: an entry (`{"kind":...}`, a change to undo) or `{"forget":{...}}` (a
 * change already undone during normal operation). Replaying the lines gives the set; a torn last
 * line (crash mid-write) is ignored. Forgetting costs one appended line, not a rewrite of the
 * file: the file is compacted (rewritten, then renamed over the old one) only when forgotten
 * lines outnumber live entries, so mass removal is O(N) overall, not O(N²).
 *
 * Lines are written (write(2), into the page cache) before each change, but not fsync'ed:
 * what they describe is kernel state that a power loss or kernel crash wipes as well, while a
 * killed daemon's writes survive in the page cache. An fsync per entry cost a home agent several
 * milliseconds per binding.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { replaceLines, writeAll } from './append-log.js';

export type JournalEntry =
  | {
    readonly kind: 'address'; readonly ifname: string; readonly address: string;
    readonly prefixLength: number;
  }
  | {
    readonly kind: 'route'; readonly prefix: string; readonly ifname?: string; readonly gateway?: string;
    readonly table?: number; readonly metric?: number; readonly throw?: boolean;
  }
  | {
    readonly kind: 'rule'; readonly family: 4 | 6; readonly from: string; readonly table: number;
    readonly priority: number;
  }
  | { readonly kind: 'proxy-neighbour'; readonly ifname: string; readonly address: string }
  | { readonly kind: 'sysctl'; readonly path: string; readonly previous: string }
  | { readonly kind: 'nft-table'; readonly family: string; readonly name: string }
  | { readonly kind: 'link'; readonly ifname: string };

/**
 * Undoes one entry; must be idempotent (the thing may already be gone). `startPass`, when
 * present, is called before each run over a list of entries: the undoer may cache what it looks
 * up (which links exist) for the rest of that run.
 */
export type Undo = ((e: JournalEntry) => Promise<void> | void) & { readonly startPass?: () => void };

/** Forgotten lines kept in the file before it is compacted (and at least as many as live ones). */
const COMPACT_SLACK = 1024;

/** The identity of an entry: its JSON text (entries are built and parsed with stable key order). */
const keyOf = (e: JournalEntry): string => JSON.stringify(e);
const parse = (key: string): JournalEntry => JSON.parse(key) as JournalEntry;

export class Journal {
  /** Live entries as their keys (JSON text, parsed back only to undo), in the order first recorded. */
  private readonly live = new Set<string>();
  /** The file, open for appending while entries are being recorded. */
  private fd: number | undefined;
  /** `forget` lines in the file. */
  private forgotten = 0;

  constructor(readonly path: string) {}

  /** Entries left by a previous run that did not stop cleanly (empty when none), oldest first. */
  static leftovers(path: string): JournalEntry[] {
    if (!existsSync(path)) return [];
    const set = new Map<string, JournalEntry>();
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let v: JournalEntry | { forget: JournalEntry };
      try {
        v = JSON.parse(line) as JournalEntry | { forget: JournalEntry };
      } catch {
        break; // a torn last line: the change it describes was never started
      }
      if ('forget' in v) set.delete(keyOf(v.forget)); else set.set(keyOf(v), v);
    }
    return [...set.values()];
  }

  /** Records `e` durably; call before making the change. Nothing is written if it is listed. */
  record(e: JournalEntry): void {
    const key = keyOf(e);
    if (this.live.has(key)) return;
    this.append(key);
    this.live.add(key);
  }

  /** Forgets `e` (its change was undone during normal operation); false when it was not listed. */
  forgetEntry(e: JournalEntry): boolean {
    const key = keyOf(e);
    if (!this.live.delete(key)) return false;
    this.append(`{"forget":${key}}`);
    this.forgotten++;
    if (this.forgotten > this.live.size + COMPACT_SLACK) this.compact();
    return true;
  }

  /** Forgets the most recent entry that `match` accepts (a scan: for rare, by-pattern removals). */
  forget(match: (e: JournalEntry) => boolean): void {
    const all = [...this.live].map(parse);
    for (let i = all.length - 1; i >= 0; i--) {
      if (match(all[i])) { this.forgetEntry(all[i]); return; }
    }
  }

  get size(): number {
    return this.live.size;
  }

  /** Undoes everything in reverse order, then removes the file. Errors are collected, not thrown. */
  async undoAll(undo: Undo): Promise<string[]> {
    const errors = await undoEntries([...this.live].reverse().map(parse), undo);
    this.live.clear();
    this.forgotten = 0;
    this.closeFile();
    rmSync(this.path, { force: true });
    rmSync(`${this.path}.new`, { force: true }); // a compaction a crash interrupted
    return errors;
  }

  private append(line: string): void {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      this.fd = openSync(this.path, 'a', 0o600);
    }
    writeAll(this.fd, `${line}\n`);
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Rewrites the file with the live entries only; a rename makes the switch atomic. */
  private compact(): void {
    this.closeFile();
    replaceLines(this.path, this.live, false);
    this.forgotten = 0;
  }
}

/** Undoes `entries` in the order given; returns one message per failure. */
export async function undoEntries(entries: readonly JournalEntry[], undo: Undo): Promise<string[]> {
  const errors: string[] = [];
  undo.startPass?.();
  for (const e of entries) {
    try {
      await undo(e);
    } catch (err) {
      errors.push(`${JSON.stringify(e)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return errors;
}

/** Cleans up after a previous run that died; returns what it undid and what failed. */
export async function recoverLeftovers(
  path: string, undo: Undo,
): Promise<{ undone: number; errors: string[] }> {
  const left = Journal.leftovers(path);
  const errors = await undoEntries([...left].reverse(), undo);
  rmSync(path, { force: true });
  rmSync(`${path}.new`, { force: true }); // a compaction a crash interrupted
  return { undone: left.length, errors };
}
