/**
 * Statement helpers shared by the parsers: keyword lookup with scope checks, the plain
 * `KEYWORD value ';'` statement, and recording entries (with the repeated-keyword warning).
 */
import { expected, type Pos } from './diagnostics.js';
import { caseMatch, keyword, SCOPE_NAMES, type KeywordSpec, type Scope } from './keywords.js';
import { describeToken, type Token } from './lexer.js';
import type { Entry, Settings, Value } from './model.js';
import { readValue } from './parse-value.js';
import type { TokenReader } from './values.js';

/** Adds an entry; a repeated single-valued keyword warns (the last one wins, as in UMIP). */
export function addEntry(r: TokenReader, settings: Settings, spec: KeywordSpec, entry: Entry): void {
  const list = settings.get(spec.name);
  if (list === undefined) {
    settings.set(spec.name, [entry]);
    return;
  }
  if (!spec.repeat) {
    const first = list[0].pos;
    const again = `${spec.name} is set again (first at ${first.file}:${first.line})`;
    r.warn(entry.pos, `${again}; the last value is used`);
  }
  list.push(entry);
}

/** The keyword a word token names, checked against the scope; stops on anything else. */
export function lookupKeyword(t: Token, scope: Scope): KeywordSpec {
  const where = SCOPE_NAMES[scope];
  if (t.kind !== 'word') expected(t, `a keyword ${where}`, describeToken(t));
  const spec = keyword(t.text);
  if (spec === undefined) {
    const near = caseMatch(t.text);
    const hint = near ? `; keywords are case-sensitive: ${near}` : '';
    return expected(t, `a keyword ${where}`, `${t.text} (unknown keyword${hint})`);
  }
  if (spec.support === 'reserved') {
    return expected(t, `a keyword ${where}`, `${t.text} (a reserved word that no statement uses)`);
  }
  if (!spec.scopes.includes(scope)) {
    const allowed = spec.scopes.map((s) => SCOPE_NAMES[s]).join(' or ');
    return expected(t, `a keyword ${where}`, `${t.text} (allowed only ${allowed})`);
  }
  return spec;
}

export function warnIgnored(r: TokenReader, spec: KeywordSpec, pos: Pos): void {
  if (spec.support === 'ignored') r.warn(pos, `${spec.name}: accepted but not implemented (${spec.note})`);
}

/** `KEYWORD value ';'` for a keyword with a plain value; returns the entry. */
export function simpleStatement(r: TokenReader, spec: KeywordSpec, t: Token): Entry {
  r.record();
  const value: Value = readValue(r, spec);
  const text = r.recordedText();
  r.punct(';', `';' after ${spec.name} ${text}`);
  return { keyword: spec.name, value, text, pos: { file: t.file, line: t.line } };
}
