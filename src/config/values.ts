/**
 * Reading values from the token stream, one grammar element at a time. Each reader either
 * returns the value or stops the parse with `FILE:LINE: expected <what>, found <token>`.
 */
import { expected, type Warn } from './diagnostics.js';
import { BOOL_WORDS } from './keywords.js';
import { describeToken, type Token } from './lexer.js';
import type { PrefixVal } from './model.js';
import type { TokenSource } from './source.js';

const U32_MAX = 0xffff_ffff;

/** Re-joins value tokens as configuration text: `2001:db8::1/64 (2001:db8:2::/64)`. */
export function renderTokens(tokens: readonly Token[]): string {
  let out = '';
  let prev: Token | undefined;
  for (const t of tokens) {
    const text = t.kind === 'string' ? `"${t.text}"` : t.text;
    const glue = prev === undefined || t.text === '/' || prev.text === '/' || prev.text === '('
      || t.text === ')' || t.text === ',';
    out += (glue ? '' : ' ') + text;
    prev = t;
  }
  return out;
}

export class TokenReader {
  private look: Token;
  /** Tokens taken since `record()`, for rendering a value. */
  private recorded: Token[] | undefined;

  constructor(private readonly src: TokenSource, readonly warn: Warn) {
    this.look = src.next();
  }

  peek(): Token {
    return this.look;
  }

  take(): Token {
    const t = this.look;
    this.recorded?.push(t);
    this.look = this.src.next();
    return t;
  }

  record(): void {
    this.recorded = [];
  }

  /** Stops recording and returns the text of what was recorded. */
  recordedText(): string {
    const text = renderTokens(this.recorded ?? []);
    this.recorded = undefined;
    return text;
  }

  /** Stops the parse at the next token. */
  fail(what: string): never {
    return expected(this.look, what, describeToken(this.look));
  }

  isPunct(c: string): boolean {
    return this.look.kind === 'punct' && this.look.text === c;
  }

  isWord(words?: ReadonlySet<string> | ReadonlyMap<string, unknown>): boolean {
    return this.look.kind === 'word' && (words === undefined || words.has(this.look.text));
  }

  punct(c: string, what = `'${c}'`): Token {
    if (!this.isPunct(c)) this.fail(what);
    return this.take();
  }

  bool(): boolean {
    if (!this.isWord(BOOL_WORDS)) this.fail('enabled or disabled (a BOOL)');
    return BOOL_WORDS.get(this.take().text)!;
  }

  /** One of `words`; `what` names them in the error. */
  word(words: readonly string[], what = words.join(', ')): string {
    if (!this.isWord(new Set(words))) this.fail(what);
    return this.take().text;
  }

  number(min = 0, max = U32_MAX, what = 'a number'): number {
    const t = this.look;
    const range = `${what} in ${min}..${max}`;
    if (t.kind === 'decimal') this.fail(`${what.replace(/^an? /, 'a whole ')}`);
    if (t.kind !== 'number') this.fail(what);
    if (t.num! < min || t.num! > max) this.fail(range);
    return this.take().num!;
  }

  /** An octal number (`0660` or `660`), as chmod(1) reads a mode. */
  octal(min: number, max: number): number {
    const t = this.look;
    if (t.kind !== 'number' || !/^[0-7]+$/.test(t.text)) this.fail('an octal mode such as 0660');
    const v = parseInt(t.text, 8);
    const low = min === 0 ? '0' : `0${min.toString(8)}`;
    if (v < min || v > max) this.fail(`an octal mode in ${low}..0${max.toString(8)}`);
    this.take();
    return v;
  }

  /**
   * A DECIMAL. UMIP rejects an integer here (`2` must be written `2.0`); dsmip6 accepts it and
   * warns, so a file that works with dsmip6 can be made to work with UMIP.
   */
  decimal(keyword: string): number {
    const t = this.look;
    if (t.kind === 'number') {
      this.warn(t, `${keyword} ${t.text}: UMIP requires a decimal number here (write ${t.text}.0); accepted`);
      return this.take().num!;
    }
    if (t.kind !== 'decimal') this.fail('a decimal number such as 1.5');
    return this.take().num!;
  }

  string(what = 'a quoted string'): string {
    if (this.look.kind !== 'string') this.fail(what);
    return this.take().text;
  }

  addr6(): string {
    if (this.look.kind !== 'addr6') this.fail('an IPv6 address');
    return this.take().addr!;
  }

  addr4(): string {
    if (this.look.kind !== 'addr4') this.fail('an IPv4 address');
    return this.take().addr!;
  }

  prefix(family: 4 | 6): PrefixVal {
    const address = family === 6 ? this.addr6() : this.addr4();
    this.punct('/', `'/' and a prefix length after ${address}`);
    const max = family === 6 ? 128 : 32;
    const length = this.number(0, max, 'a prefix length');
    return { family, address, length };
  }

  /** `'(' prefix (',' prefix)* ')'` when the next token is `(`; otherwise no prefixes. */
  prefixList(family: 4 | 6): PrefixVal[] {
    if (!this.isPunct('(')) return [];
    this.take();
    const list = [this.prefix(family)];
    while (this.isPunct(',')) {
      this.take();
      list.push(this.prefix(family));
    }
    this.punct(')', `',' or ')'`);
    return list;
  }
}
