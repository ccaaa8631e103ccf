/**
 * Configuration diagnostics: every problem is reported as `FILE:LINE: message`, where a syntax
 * error reads `expected <what>, found <token>`. The first error stops the parse (as UMIP's
 * parser, which does no error recovery); warnings are collected separately, each with its
 * file and line. Nothing here throws to a caller: `ConfigStop` only unwinds the parser to the
 * entry point, which turns it into a result value.
 */

/** Where a token or statement comes from. `line` 0 means the file as a whole. */
export interface Pos {
  readonly file: string;
  readonly line: number;
}

export interface ConfigDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** `FILE:LINE: message` (or `FILE: message` when the problem is the file as a whole). */
export function formatDiagnostic(d: ConfigDiagnostic): string {
  return d.line > 0 ? `${d.file}:${d.line}: ${d.message}` : `${d.file}: ${d.message}`;
}

export function diagnostic(pos: Pos, message: string): ConfigDiagnostic {
  return { file: pos.file, line: pos.line, message };
}

/** Unwinds the parser at the first error. Caught by the entry points, never seen by callers. */
export class ConfigStop extends Error {
  constructor(readonly diagnostic: ConfigDiagnostic) {
    super(formatDiagnostic(diagnostic));
  }
}

export function stop(pos: Pos, message: string): never {
  throw new ConfigStop(diagnostic(pos, message));
}

/** The syntax-error form: `expected <what>, found <found>`. */
export function expected(pos: Pos, what: string, found: string): never {
  return stop(pos, `expected ${what}, found ${found}`);
}

/** A sink for warnings; the parser and the builder push into one list. */
export type Warn = (pos: Pos, message: string) => void;

export type ConfigResult<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly ConfigDiagnostic[] }
  | { readonly ok: false; readonly error: ConfigDiagnostic; readonly warnings: readonly ConfigDiagnostic[] };

/**
 * Runs `f` and turns a ConfigStop into an error result. Any other exception is a bug in this
 * module; it is reported as an error diagnostic too, so a hostile file can never crash a caller.
 */
export function runGuarded<T>(
  fallback: Pos, warnings: ConfigDiagnostic[], f: () => T,
): ConfigResult<T> {
  try {
    return { ok: true, value: f(), warnings };
  } catch (e) {
    if (e instanceof ConfigStop) return { ok: false, error: e.diagnostic, warnings };
    const text = e instanceof Error ? e.message : String(e);
    const error = diagnostic(fallback, `internal error while reading the configuration: ${text}`);
    return { ok: false, error, warnings };
  }
}
