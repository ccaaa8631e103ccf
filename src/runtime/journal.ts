/**
 * The cleanup journal: every change the daemon makes to the system (addresses, routes, rules,
 * proxy neighbours, sysctls, the nftables table, devices) is appended to a file *before* it is
 * made, and undone in reverse order at shutdown. A daemon killed by SIGKILL leaves the file
 * behind; the next start undoes what it lists before doing anything else. This is what keeps
 * dsmip6 from leaving the stale addresses, routes and XFRM state UMIP was known for.
 *
 * The file holds one JSON object per line; a torn last line (crash mid-write) is ignored.
 *
 * Entries are written (write(2), into the page cache) before each change, but not fsync'ed:
 * what they describe (addresses, routes, proxy neighbours, sysctls, nftables, devices) is kernel
 * state that a power loss or kernel crash wipes as well, while a killed daemon's writes survive
 * in the page cache. An fsync per entry cost a home agent several milliseconds per binding.
 */
import {
  appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

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

/** Undoes one entry; must be idempotent (the thing may already be gone). */
export type Undo = (e: JournalEntry) => Promise<void> | void;

export class Journal {
  private readonly entries: JournalEntry[] = [];
  /** The file, open for appending while entries are being recorded. */
  private fd: number | undefined;

  constructor(readonly path: string) {}

  /** Entries left by a previous run that did not stop cleanly (empty when none). */
  static leftovers(path: string): JournalEntry[] {
    if (!existsSync(path)) return [];
    const out: JournalEntry[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as JournalEntry);
      } catch {
        break; // a torn last line: the change it describes was never started
      }
    }
    return out;
  }

  /** Records `e` durably; call before making the change. */
  record(e: JournalEntry): void {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      this.fd = openSync(this.path, 'a', 0o600);
    }
    writeSync(this.fd, `${JSON.stringify(e)}\n`);
    this.entries.push(e);
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Forgets an entry whose change was undone during normal operation. */
  forget(match: (e: JournalEntry) => boolean): void {
    let i = this.entries.length - 1;
    while (i >= 0 && !match(this.entries[i])) i--;
    if (i >= 0) {
      this.entries.splice(i, 1);
      this.rewrite();
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** Undoes everything in reverse order, then removes the file. Errors are collected, not thrown. */
  async undoAll(undo: Undo): Promise<string[]> {
    const errors = await undoEntries([...this.entries].reverse(), undo);
    this.entries.length = 0;
    this.closeFile();
    rmSync(this.path, { force: true });
    return errors;
  }

  private rewrite(): void {
    const text = this.entries.map((e) => `${JSON.stringify(e)}\n`).join('');
    this.closeFile();
    rmSync(this.path, { force: true });
    if (text !== '') appendFileSync(this.path, text, { mode: 0o600 });
  }
}

/** Undoes `entries` in the order given; returns one message per failure. */
export async function undoEntries(entries: readonly JournalEntry[], undo: Undo): Promise<string[]> {
  const errors: string[] = [];
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
  return { undone: left.length, errors };
}
