/**
 * Reading settings with their defaults while recording, for each one, the value in force and
 * where it came from (the file, the default, or a fact learned at run time). The record is what
 * `dsmip6d --check-config` prints.
 */
import type { AclAction } from '../engine/ha/types.js';
import { stop, type Pos, type Warn } from './diagnostics.js';
import { last, type Entry, type Settings } from './model.js';
import type { EffectiveSetting } from './types.js';

export function boolText(b: boolean): string {
  return b ? 'enabled' : 'disabled';
}

/** A DECIMAL as UMIP writes it: always with a fraction (`2.0`, `1.5`). */
export function decimalText(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

export function octalText(n: number): string {
  return `0${n.toString(8)}`;
}

export function aclText(a: AclAction): string {
  return typeof a === 'number' ? String(a) : a;
}

/** The reader of one scope's settings (global, or one block) that records what it reads. */
export class Effective {
  constructor(
    private readonly out: EffectiveSetting[], private readonly settings: Settings,
    readonly scope: string, readonly warn: Warn,
  ) {}

  /** A reader for another scope writing to the same record. */
  child(settings: Settings, scope: string): Effective {
    return new Effective(this.out, settings, scope, this.warn);
  }

  entry(keyword: string): Entry | undefined {
    return last(this.settings, keyword);
  }

  entries(keyword: string): readonly Entry[] {
    return this.settings.get(keyword) ?? [];
  }

  record(keyword: string, value: string, source: EffectiveSetting['source'], pos?: Pos, note?: string): void {
    this.out.push({ scope: this.scope, keyword, value, source, pos, note });
  }

  /** Records an entry from the file, or the default text when there is none. */
  private note(keyword: string, e: Entry | undefined, dflt: string): void {
    if (e) this.record(keyword, e.text, 'file', e.pos);
    else this.record(keyword, dflt, 'default');
  }

  bool(keyword: string, dflt: boolean): boolean {
    const e = this.entry(keyword);
    this.note(keyword, e, boolText(dflt));
    return e?.value.kind === 'bool' ? e.value.value : dflt;
  }

  number(keyword: string, dflt: number, render: (n: number) => string = String): number {
    const e = this.entry(keyword);
    this.note(keyword, e, render(dflt));
    return e?.value.kind === 'number' ? e.value.value : dflt;
  }

  decimal(keyword: string, dflt: number): number {
    return this.number(keyword, dflt, decimalText);
  }

  text<T extends string>(keyword: string, dflt: T, quoted = false): T {
    const e = this.entry(keyword);
    this.note(keyword, e, quoted ? `"${dflt}"` : dflt);
    return (e?.value.kind === 'text' ? e.value.value : dflt) as T;
  }

  /** An optional setting: the entry, or undefined recorded as `none` (or a run-time sentence). */
  optional(
    keyword: string, absent = 'none', source: EffectiveSetting['source'] = 'default',
  ): Entry | undefined {
    const e = this.entry(keyword);
    if (e) this.record(keyword, e.text, 'file', e.pos);
    else this.record(keyword, absent, source);
    return e;
  }

  /** A repeatable setting: every entry, or `none` recorded when there is none. */
  list(keyword: string, absent = 'none', source: EffectiveSetting['source'] = 'default'): readonly Entry[] {
    const list = this.entries(keyword);
    for (const e of list) this.record(keyword, e.text, 'file', e.pos);
    if (list.length === 0) this.record(keyword, absent, source);
    return list;
  }
}

/** Stops with `expected <what>, found <found>` at an entry. */
export function badEntry(e: Entry, what: string, found = e.text): never {
  return stop(e.pos, `expected ${what}, found ${found}`);
}
