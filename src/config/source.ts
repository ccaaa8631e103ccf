/**
 * The token stream the parser reads: the main file's tokens with `include "pattern"` expanded in
 * place, as UMIP's lexer does (an include may appear anywhere, even inside a statement).
 *
 * - A relative pattern is resolved against the directory of the including file (UMIP passes
 *   it to glob(3) as is, that is relative to the daemon's working directory).
 * - The files a pattern matches are read one after the other, in sorted order.
 * - Nesting: the main file is level 0, and includes may go 5 levels deep (UMIP's
 *   MAX_INCLUDE_DEPTH); a deeper include is an error, and so is a file that includes itself,
 *   directly or not (reported as a loop before the depth limit is reached).
 * - A pattern with wildcards that matches nothing is a warning (as UMIP); a pattern without
 *   wildcards naming a file that does not exist is an error (UMIP only warns, which hides typos).
 * File access goes through a `ConfigReader`, so this module stays pure.
 */
import { expected, type Warn } from './diagnostics.js';
import { hasMagic, resolveInclude } from './glob.js';
import { Lexer, type Token } from './lexer.js';

export const INCLUDE_DEPTH_MAX = 5;

export type ReadResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: string };

export type GlobResult =
  | { readonly ok: true; readonly paths: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** How the parser reaches files: reading one, and expanding a (resolved) glob pattern. */
export interface ConfigReader {
  read(path: string): ReadResult;
  glob(pattern: string): GlobResult;
}

interface Frame {
  readonly lexer: Lexer;
  readonly path: string;
  /** Files of the same include pattern still to read after this one. */
  readonly rest: readonly string[];
  /** The include statement that opened this file (undefined for the main file). */
  readonly via?: Token;
}

export class TokenSource {
  private readonly stack: Frame[] = [];
  /** Every file read, in the order they were opened. */
  readonly files: string[] = [];

  constructor(
    file: string, text: string,
    private readonly reader: ConfigReader | undefined, private readonly warn: Warn,
  ) {
    this.open(file, text, [], undefined);
  }

  private open(path: string, text: string, rest: readonly string[], via: Token | undefined): void {
    this.stack.push({ lexer: new Lexer(path, text, this.warn), path, rest, via });
    this.files.push(path);
  }

  /** The next token, with includes expanded; `eof` only at the end of the main file. */
  next(): Token {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      const t = top.lexer.next();
      if (t.kind === 'include') { this.include(t); continue; }
      if (t.kind !== 'eof' || this.stack.length === 1) return t;
      this.stack.pop();
      if (top.rest.length > 0) this.openIncluded(top.via ?? t, top.rest[0], top.rest.slice(1));
    }
  }

  private include(t: Token): void {
    const found = `include "${t.text}"`;
    const level = this.stack.length;
    if (!this.reader) expected(t, 'no include (this configuration is read from a string)', found);
    const pattern = resolveInclude(t.text, t.file);
    const g = this.reader.glob(pattern);
    if (!g.ok) expected(t, 'a readable include pattern', `${found} (${g.reason})`);
    if (g.paths.length === 0) {
      if (!hasMagic(t.text)) expected(t, 'an existing file', `${found} (no such file: ${pattern})`);
      this.warn(t, `include "${t.text}" matches no file (${pattern})`);
      return;
    }
    if (level > INCLUDE_DEPTH_MAX) {
      expected(t, `at most ${INCLUDE_DEPTH_MAX} nested include levels`, `${found} at level ${level}`);
    }
    this.openIncluded(t, g.paths[0], g.paths.slice(1));
  }

  private openIncluded(at: Token, path: string, rest: readonly string[]): void {
    const found = `include of ${path}`;
    const chain = this.stack.map((f) => f.path);
    if (chain.includes(path)) {
      expected(at, 'an include that does not loop', `${found} (${[...chain, path].join(' -> ')})`);
    }
    const r = this.reader!.read(path);
    if (!r.ok) expected(at, 'a readable included file', `${found} (${r.reason})`);
    this.open(path, r.text, rest, at);
  }
}
