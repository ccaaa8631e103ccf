/**
 * The lexer of UMIP's mip6d.conf language (UMIP `scan.l`, plus UMIP-DSMIP's IPv4 addresses).
 *
 * - White space is blanks and tabs (a carriage return is white space too, so CRLF files read);
 *   a newline counts a line; `#` starts a comment that runs to the end of the line.
 * - QSTRING is `"` ... `"` on one line, with no escapes. An unterminated string ends at the end of
 *   the line with a warning (as UMIP).
 * - NUMBER is `[0-9]+`; DECIMAL is `[0-9]+.[0-9]+`; ADDR4 is a dotted quad (no leading zeros).
 * - ADDR is IPv6 text (hex digits and colons). IPv4-embedded forms (`::ffff:1.2.3.4`), zones and
 *   brackets are not addresses here, as in UMIP. Unlike UMIP's regular expressions, a leading
 *   `::` form such as `::1` is one address.
 * - Words are `[A-Za-z_][A-Za-z0-9_]*`: keywords (case-sensitive), BOOL words and other words the
 *   grammar names (`internal`, `UseESP`...). The parser decides what a word means.
 * - Punctuation: `{ } ; / = ( ) ,`. Any other character is an invalid token.
 * - `include "pattern"` (no `;`) is returned as an `include` token for the token source.
 * The lexer never throws: malformed text becomes a `bad` token that the parser reports.
 */
import { canonicalIpv6, parseIpv4, parseIpv6 } from '../wire/addr.js';
import type { Pos, Warn } from './diagnostics.js';

export type TokenKind =
  | 'word' | 'string' | 'number' | 'decimal' | 'addr6' | 'addr4' | 'punct' | 'include' | 'bad' | 'eof';

export interface Token extends Pos {
  readonly kind: TokenKind;
  /** The text as written (a string's content without quotes; an address as written). */
  readonly text: string;
  /** NUMBER/DECIMAL value. */
  readonly num?: number;
  /** Canonical address text (addr6: RFC 5952; addr4: dotted quad). */
  readonly addr?: string;
  /** Why a `bad` token is bad. */
  readonly problem?: string;
}

const PUNCT = '{};/=(),';

/** A token with every field present (one object shape: object spread was the lexer's main cost). */
function tok(pos: Pos, kind: TokenKind, text: string, num?: number, addr?: string, problem?: string): Token {
  return { file: pos.file, line: pos.line, kind, text, num, addr, problem };
}
const RUN = /[0-9A-Za-z_.:]/;
const WORD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How a token reads in `found <token>`. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'end of file';
    case 'punct': return `'${t.text}'`;
    case 'string': return `"${t.text}"`;
    case 'include': return `include "${t.text}"`;
    case 'bad': return `${t.text} (${t.problem ?? 'invalid token'})`;
    default: return t.text;
  }
}

function printable(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code >= 0x20 && code < 0x7f ? `'${c}'` : `\\x${code.toString(16).padStart(2, '0')}`;
}

/** Classifies a run of `[0-9A-Za-z_.:]` characters: address, number, decimal or word. */
function classifyRun(run: string, pos: Pos): Token {
  const bad = (problem: string): Token => tok(pos, 'bad', run, undefined, undefined, problem);
  if (run.includes(':')) {
    if (run.includes('.')) return bad('IPv4-embedded IPv6 addresses are not accepted');
    if (!/^[0-9A-Fa-f:]+$/.test(run) || !parseIpv6(run)) return bad('invalid IPv6 address');
    return tok(pos, 'addr6', run, undefined, canonicalIpv6(run));
  }
  if (/^[0-9]/.test(run)) {
    if (/^[0-9]+$/.test(run)) return tok(pos, 'number', run, Number(run));
    if (/^[0-9]+\.[0-9]+$/.test(run)) return tok(pos, 'decimal', run, Number(run));
    if (/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(run)) {
      return parseIpv4(run) ? tok(pos, 'addr4', run, undefined, run) : bad('invalid IPv4 address');
    }
    return bad('invalid number or address');
  }
  return WORD.test(run) ? tok(pos, 'word', run) : bad('invalid word');
}

/** Lexes one file's text; `next()` returns tokens until `eof` (and `eof` forever after). */
export class Lexer {
  private at = 0;
  private line = 1;

  constructor(readonly file: string, private readonly text: string, private readonly warn: Warn) {}

  private pos(): Pos {
    return { file: this.file, line: this.line };
  }

  /** Skips blanks, newlines and comments. */
  private skip(): void {
    const s = this.text;
    while (this.at < s.length) {
      const c = s[this.at];
      if (c === ' ' || c === '\t' || c === '\r') this.at++;
      else if (c === '\n') { this.at++; this.line++; }
      else if (c === '#') { while (this.at < s.length && s[this.at] !== '\n') this.at++; }
      else return;
    }
  }

  next(): Token {
    this.skip();
    const s = this.text;
    if (this.at >= s.length) return tok(this.pos(), 'eof', '');
    const c = s[this.at];
    if (c === '"') return this.quoted();
    if (PUNCT.includes(c)) { this.at++; return tok(this.pos(), 'punct', c); }
    if (!RUN.test(c)) {
      const ch = String.fromCodePoint(s.codePointAt(this.at) ?? 0);
      this.at += ch.length;
      return tok(this.pos(), 'bad', printable(ch), undefined, undefined, 'unexpected character');
    }
    const start = this.at;
    while (this.at < s.length && RUN.test(s[this.at])) this.at++;
    const t = classifyRun(s.slice(start, this.at), this.pos());
    return t.kind === 'word' && t.text === 'include' ? this.include(t) : t;
  }

  /** A QSTRING; an unterminated one ends at the end of the line, with a warning. */
  private quoted(): Token {
    const s = this.text;
    const pos = this.pos();
    let end = this.at + 1;
    while (end < s.length && s[end] !== '"' && s[end] !== '\n') end++;
    const text = s.slice(this.at + 1, end);
    if (s[end] === '"') {
      this.at = end + 1;
    } else {
      this.warn(pos, `unterminated string "${text}: it ends at the end of the line`);
      this.at = end;
    }
    return tok(pos, 'string', text);
  }

  /** `include` is followed, on the same line, by the quoted pattern and no `;`. */
  private include(word: Token): Token {
    const s = this.text;
    while (this.at < s.length && (s[this.at] === ' ' || s[this.at] === '\t')) this.at++;
    if (s[this.at] !== '"') {
      const problem = 'include needs a quoted file pattern on the same line';
      return tok(word, 'bad', 'include', undefined, undefined, problem);
    }
    const q = this.quoted();
    return tok(word, 'include', q.text);
  }
}
