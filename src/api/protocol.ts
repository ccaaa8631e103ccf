/**
 * The control protocol (conventions C15): one JSON object per line each way over a Unix socket.
 *
 *   request:  {"id": 1, "command": "bc", "offset": 0, "limit": 100}
 *   response: {"id": 1, "ok": true, "result": {...}}
 *             {"id": 1, "ok": false, "error": {"code": "unknown-command", "message": "..."}}
 *
 * Guarantees:
 * - `decodeRequest` never throws: any text (not JSON, not an object, unknown command, unknown or
 *   ill-typed fields) gives an error response to send back, echoing the request's `id` when one
 *   could be read;
 * - a request is at most REQUEST_BYTES_MAX octets (the line splitter enforces it before parsing);
 * - unknown fields are refused rather than ignored, so a newer client never mistakes an older
 *   daemon's silence about a parameter for compliance.
 * Field names of requests, responses and results are stable (PROTOCOL_VERSION 1).
 */

export const PROTOCOL_VERSION = 1;
/** The largest request line, newline excluded. */
export const REQUEST_BYTES_MAX = 64 * 1024;
/** Bindings per `bc` page when the request names no limit, and the most one page may hold. */
export const BC_LIMIT_DEFAULT = 1000;
export const BC_LIMIT_MAX = 10_000;
/** Request ids are echoed; longer string ids are refused. */
const ID_CHARS_MAX = 128;
const ADDRESS_CHARS_MAX = 64;

export const COMMANDS = ['status', 'bc', 'bul', 'stats', 'routers'] as const;
export type Command = (typeof COMMANDS)[number];

export type RequestId = number | string | null;

export type Request =
  | { readonly id: RequestId; readonly command: 'status' | 'bul' | 'stats' | 'routers' }
  | {
    readonly id: RequestId; readonly command: 'bc'; readonly offset: number; readonly limit: number;
    /** Only the binding of this home address. */
    readonly homeAddress?: string;
  };

export type ErrorCode =
  | 'bad-json' // the line is not JSON
  | 'bad-request' // JSON, but not a valid request
  | 'unknown-command'
  | 'too-large' // the line exceeds REQUEST_BYTES_MAX
  | 'wrong-role' // e.g. `bc` on a mobile node
  | 'busy' // too many connections
  | 'internal'; // a bug in the daemon (logged there)

export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
}

export type Response =
  | { readonly id: RequestId; readonly ok: true; readonly result: unknown }
  | { readonly id: RequestId; readonly ok: false; readonly error: ErrorBody };

export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Response };

export function errorResponse(id: RequestId, code: ErrorCode, message: string): Response {
  return { id, ok: false, error: { code, message } };
}

export function okResponse(id: RequestId, result: unknown): Response {
  return { id, ok: true, result };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readId(v: unknown): RequestId | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.length <= ID_CHARS_MAX) return v;
  return undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

const FIELDS: Readonly<Record<Command, readonly string[]>> = {
  status: ['id', 'command'], bul: ['id', 'command'], stats: ['id', 'command'], routers: ['id', 'command'],
  bc: ['id', 'command', 'offset', 'limit', 'homeAddress'],
};

function intField(o: Record<string, unknown>, name: string, dflt: number, min: number, max: number) {
  const v = o[name];
  if (v === undefined) return dflt;
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  return `'${name}' must be an integer in ${min}..${max}`;
}

function decodeBc(o: Record<string, unknown>, id: RequestId): Decoded<Request> {
  const offset = intField(o, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = intField(o, 'limit', BC_LIMIT_DEFAULT, 1, BC_LIMIT_MAX);
  const bad = [offset, limit].find((x) => typeof x === 'string');
  if (typeof bad === 'string') return { ok: false, error: errorResponse(id, 'bad-request', bad) };
  const h = o.homeAddress;
  if (h !== undefined && (typeof h !== 'string' || h.length > ADDRESS_CHARS_MAX)) {
    return { ok: false, error: errorResponse(id, 'bad-request', `'homeAddress' must be an address`) };
  }
  const value: Request = {
    id, command: 'bc', offset: offset as number, limit: limit as number,
    ...(h !== undefined ? { homeAddress: h } : {}),
  };
  return { ok: true, value };
}

/** Parses one request line (newline removed); never throws. */
export function decodeRequest(line: string): Decoded<Request> {
  const fail = (id: RequestId, code: ErrorCode, message: string): Decoded<Request> =>
    ({ ok: false, error: errorResponse(id, code, message) });
  const j = parseJson(line);
  if (!j.ok) return fail(null, 'bad-json', `not JSON: ${j.message}`);
  const o = j.value;
  if (!isObject(o)) return fail(null, 'bad-request', 'a request is a JSON object');
  const id = readId(o.id);
  if (id === undefined) return fail(null, 'bad-request', `'id' must be a number or a short string`);
  const command = o.command;
  if (typeof command !== 'string') return fail(id, 'bad-request', `'command' (a string) is missing`);
  if (!(COMMANDS as readonly string[]).includes(command)) {
    return fail(id, 'unknown-command', `unknown command '${command.slice(0, 40)}' (${COMMANDS.join(', ')})`);
  }
  const cmd = command as Command;
  const extra = Object.keys(o).find((k) => !FIELDS[cmd].includes(k));
  if (extra !== undefined) return fail(id, 'bad-request', `unknown field '${extra.slice(0, 40)}' for ${cmd}`);
  if (cmd === 'bc') return decodeBc(o, id);
  return { ok: true, value: { id, command: cmd } };
}

/** One line (newline included) carrying `value` as JSON. */
export function encodeLine(value: Request | Response): string {
  return `${JSON.stringify(value)}\n`;
}

/** Parses a response line (client side); never throws. */
export function decodeResponse(line: string): { ok: true; value: Response } | { ok: false; message: string } {
  const j = parseJson(line);
  if (!j.ok) return { ok: false, message: `response is not JSON: ${j.message}` };
  const o = j.value;
  if (!isObject(o) || typeof o.ok !== 'boolean') {
    return { ok: false, message: 'response is not an object with ok' };
  }
  const id = readId(o.id) ?? null;
  if (o.ok) return { ok: true, value: { id, ok: true, result: o.result } };
  const e = o.error;
  if (!isObject(e) || typeof e.code !== 'string' || typeof e.message !== 'string') {
    return { ok: false, message: 'error response without code and message' };
  }
  return { ok: true, value: { id, ok: false, error: { code: e.code as ErrorCode, message: e.message } } };
}
