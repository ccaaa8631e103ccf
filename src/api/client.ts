/**
 * One request over the control socket: connect, send a line, read one response line. Failures
 * are values that say what the operator can do about them (daemon not running, permission
 * denied, no answer in time, an answer that is not the protocol).
 */
import net from 'node:net';
import { LineSplitter } from './lines.js';
import { decodeResponse, encodeLine, type Request, type Response } from './protocol.js';

/** Default control socket path (the daemon's configuration may name another). */
export const DEFAULT_SOCKET_PATH = '/run/dsmip6/dsmip6.sock'; // the ControlSocket default
export const CLIENT_TIMEOUT_MS_DEFAULT = 10_000;
/** A `bc` page of BC_LIMIT_MAX bindings is a few megabytes; allow far more, not unbounded. */
export const RESPONSE_BYTES_MAX = 256 * 1024 * 1024;

export type ClientFailureKind = 'not-running' | 'permission-denied' | 'timeout' | 'protocol' | 'io';

export type ClientResult =
  | { readonly ok: true; readonly response: Response }
  | { readonly ok: false; readonly kind: ClientFailureKind; readonly message: string };

const fail = (kind: ClientFailureKind, message: string): ClientResult => ({ ok: false, kind, message });

function connectFailure(path: string, e: NodeJS.ErrnoException): ClientResult {
  switch (e.code) {
    case 'ENOENT': return fail('not-running', `no control socket at ${path}: is dsmip6d running?`);
    case 'ECONNREFUSED':
      return fail('not-running', `nothing answers on ${path}: dsmip6d is not running (stale socket)`);
    case 'EACCES': case 'EPERM':
      return fail('permission-denied', `permission denied on ${path}: run as root (the socket is root-only)`);
    case 'ENOTSOCK': return fail('not-running', `${path} is not a socket`);
    default: return fail('io', `${path}: ${e.message}`);
  }
}

export interface ClientOptions {
  readonly timeoutMs?: number;
  readonly responseBytesMax?: number;
}

export function sendRequest(path: string, req: Request, opts: ClientOptions = {}): Promise<ClientResult> {
  return new Promise((resolve) => {
    const lines = new LineSplitter(opts.responseBytesMax ?? RESPONSE_BYTES_MAX);
    const s = net.createConnection({ path });
    let connected = false;
    let settled = false;
    const done = (r: ClientResult): void => {
      if (settled) return;
      settled = true;
      s.destroy();
      resolve(r);
    };
    const timeoutMs = opts.timeoutMs ?? CLIENT_TIMEOUT_MS_DEFAULT;
    s.setTimeout(timeoutMs, () => done(fail('timeout', `no answer on ${path} within ${timeoutMs} ms`)));
    s.once('connect', () => {
      connected = true;
      s.write(encodeLine(req));
    });
    s.on('data', (chunk: Buffer) => {
      lines.push(chunk);
      const item = lines.next();
      if (item === undefined) return;
      if (item.kind === 'oversized') return done(fail('protocol', 'response too large'));
      const d = decodeResponse(item.text);
      done(d.ok ? { ok: true, response: d.value } : fail('protocol', d.message));
    });
    s.on('end', () => done(fail('protocol', `${path} closed the connection without an answer`)));
    s.on('error', (e: NodeJS.ErrnoException) => {
      done(connected ? fail('io', `${path}: ${e.message}`) : connectFailure(path, e));
    });
  });
}
