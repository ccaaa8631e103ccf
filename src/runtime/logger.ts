/**
 * Logging: human-readable lines by default, JSON lines with `LogFormat json`; levels; and a
 * per-key rate limit so a flood of rejected or malformed packets logs a line per key now and
 * then with the count of what was suppressed (every rejected BU is logged once per key and
 * interval with its reason and status).
 *
 * A text line is `<ISO time> <level> <message> key=value ...`: strings as they are, other values
 * as JSON writes them; a `type` field equal to the message (an engine event logged under its own
 * type) is not repeated. A JSON line holds every field.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const PADDED: Record<LogLevel, string> = { error: 'error', warn: 'warn ', info: 'info ', debug: 'debug' };

export interface LogSink {
  write(line: string): void;
}

/** What a BatchedSink keeps between bursts for its pending lines (a burst's larger one is let go). */
const PENDING_BYTES = 1 << 16;

/**
 * A sink that collects the lines logged during one I/O callback and writes them with one call
 * when it is done (a microtask): a burst of registrations logs a line each without a write(2)
 * each. `flush` writes what is pending at once (the daemon calls it on exit, which also runs
 * after an uncaught exception). Lines of the current callback are lost only when the process
 * is killed outright (SIGKILL, a crash in native code). A write that fails goes to `fallback`.
 *
 * A pending line is kept as its UTF-8 bytes, not as a string: a callback that logs thousands of
 * lines (a burst of registrations read in one go) would otherwise keep thousands of strings alive
 * through the young-generation collections of the burst, each copied and promoted, then joined.
 */
export class BatchedSink implements LogSink {
  /** Writes `out` refused (the log file full or gone); their lines went to `fallback` instead. */
  failedWrites = 0;
  private pending = Buffer.allocUnsafe(PENDING_BYTES);
  private used = 0;
  private scheduled = false;

  constructor(
    private readonly out: (text: string) => void,
    private readonly fallback: (text: string) => void = () => undefined,
  ) {}

  write(line: string): void {
    const most = 3 * line.length + 1; // UTF-8: at most 3 bytes per UTF-16 unit, and the newline
    if (this.pending.length - this.used < most) {
      const more = Buffer.allocUnsafe(Math.max(2 * this.pending.length, this.used + most));
      this.pending.copy(more, 0, 0, this.used);
      this.pending = more;
    }
    this.used += this.pending.write(line, this.used, 'utf8');
    this.pending[this.used++] = 0x0a;
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.used === 0) return;
    const text = this.pending.toString('utf8', 0, this.used);
    this.used = 0;
    if (this.pending.length > PENDING_BYTES) this.pending = Buffer.allocUnsafe(PENDING_BYTES);
    try {
      this.out(text);
    } catch (e) {
      // Never thrown from a microtask (that would stop the daemon without its clean-up).
      this.failedWrites++;
      this.fallback(`log write failed (${String(e)}); the lines follow\n${text}`);
    }
  }
}

/** A field's value in a text line: as JSON writes it (numbers, booleans, arrays, objects). */
function valueText(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? `${v}` : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v) && v.length === 0) return '[]';
  return `${JSON.stringify(v)}`; // undefined: "undefined"
}

export class Logger {
  private readonly lastAt = new Map<string, { at: number; suppressed: number }>();
  private lastMs = Number.NaN;
  private lastTime = '';

  constructor(
    private readonly sink: LogSink,
    readonly level: LogLevel = 'info',
    readonly format: 'text' | 'json' = 'text',
    private readonly now: () => number = () => Date.now(),
    readonly rateLimitMs = 10_000,
  ) {}

  enabled(level: LogLevel): boolean {
    return ORDER[level] <= ORDER[this.level];
  }

  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (!this.enabled(level)) return;
    const time = this.timeText(this.now());
    if (this.format === 'json') {
      this.sink.write(JSON.stringify({ time, level, msg, ...fields }));
      return;
    }
    let line = `${time} ${PADDED[level]} ${msg}`;
    for (const k in fields) {
      const v = fields[k];
      if (typeof v !== 'string') {
        line += ` ${k}=${valueText(v)}`;
      } else if (k !== 'type' || v !== msg) { // an event's type is already the message
        line += ` ${k}=${v}`;
      }
    }
    this.sink.write(line);
  }

  /** The ISO time of `ms`, formatted once per millisecond (a burst of lines shares it). */
  private timeText(ms: number): string {
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastTime = new Date(ms).toISOString();
    }
    return this.lastTime;
  }

  /** Logs at most once per `rateLimitMs` for `key`; reports how many were suppressed. */
  limited(key: string, level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    const t = this.now();
    const seen = this.lastAt.get(key);
    if (seen && t - seen.at < this.rateLimitMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.lastAt.set(key, { at: t, suppressed: 0 });
    if (this.lastAt.size > 10_000) this.lastAt.clear();
    this.log(level, msg, suppressed > 0 ? { ...fields, suppressed } : fields);
  }

  error(msg: string, f?: Record<string, unknown>): void { this.log('error', msg, f); }
  warn(msg: string, f?: Record<string, unknown>): void { this.log('warn', msg, f); }
  info(msg: string, f?: Record<string, unknown>): void { this.log('info', msg, f); }
  debug(msg: string, f?: Record<string, unknown>): void { this.log('debug', msg, f); }
}
