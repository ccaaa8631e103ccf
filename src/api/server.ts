/**
 * The control socket: a Unix stream socket serving the line protocol of `protocol.ts`, one
 * response line per request line, in order.
 *
 * Guarantees:
 * - the socket file is created with `mode` (0600 by default: only its owner, the daemon's user
 *   (root), may connect): the umask is narrowed around bind(2) and the mode set again after it;
 * - `start()` refuses a path that is not a socket, and a socket a live daemon answers on; a
 *   socket nobody answers on (a daemon that died) is removed first;
 * - `stop()` closes every connection and removes the socket file (libuv unlinks the bound path
 *   when the listening handle closes, whatever file is there by then);
 * - bounded: request lines (REQUEST_BYTES_MAX), connections (`connectionsMax`; one more is told
 *   `busy` and closed), idle connections (`idleTimeoutMs`), and queued output (reading pauses
 *   while a slow reader leaves more than OUTPUT_BYTES_HIGH unsent).
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { LineSplitter } from './lines.js';
import {
  REQUEST_BYTES_MAX, decodeRequest, encodeLine, errorResponse, type Request, type Response,
} from './protocol.js';

export const SOCKET_MODE_DEFAULT = 0o600;
export const CONNECTIONS_MAX_DEFAULT = 16;
export const IDLE_TIMEOUT_MS_DEFAULT = 30_000;
const OUTPUT_BYTES_HIGH = 4 * 1024 * 1024;
const PROBE_TIMEOUT_MS = 1000;
const BUSY_LINGER_MS = 1000;

export interface ControlServerOptions {
  readonly path: string;
  readonly answer: (request: Request) => Response;
  readonly mode?: number;
  readonly connectionsMax?: number;
  readonly idleTimeoutMs?: number;
  readonly requestBytesMax?: number;
  /** Where failures that only the daemon should hear about go (a broken provider, a socket error). */
  readonly log?: (message: string) => void;
}

/** Whether something accepts connections on the socket at `path`. */
export function probeSocket(path: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<'live' | 'dead' | 'denied'> {
  return new Promise((resolve) => {
    const s = net.createConnection({ path });
    const done = (r: 'live' | 'dead' | 'denied'): void => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(timeoutMs, () => done('live')); // accepting but slow: someone is there
    s.once('connect', () => done('live'));
    s.once('error', (e: NodeJS.ErrnoException) => {
      done(e.code === 'EACCES' || e.code === 'EPERM' ? 'denied' : 'dead');
    });
  });
}

export class ControlServer {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  /** Connections over the limit, told `busy`, until they close. */
  private readonly refused = new Set<net.Socket>();

  constructor(private readonly opts: ControlServerOptions) {}

  get connections(): number {
    return this.sockets.size;
  }

  /** Binds the socket; rejects with a message naming the path when it cannot. */
  async start(): Promise<void> {
    if (this.server) throw new Error('control server already started');
    const { path } = this.opts;
    await this.clearStale(path);
    const server = net.createServer({ allowHalfOpen: true }, (s) => this.accept(s));
    await listenPrivately(server, path, this.opts.mode ?? SOCKET_MODE_DEFAULT);
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of [...this.sockets, ...this.refused]) s.destroy();
    await closed; // libuv has unlinked the socket path
  }

  private async clearStale(path: string): Promise<void> {
    let st;
    try {
      st = lstatSync(path);
    } catch {
      return; // nothing there
    }
    if (!st.isSocket()) throw new Error(`${path} exists and is not a socket; not touching it`);
    const probe = await probeSocket(path);
    if (probe === 'live') throw new Error(`a daemon is already answering on ${path}`);
    if (probe === 'denied') throw new Error(`${path}: permission denied (cannot tell whether a daemon runs)`);
    unlinkSync(path);
  }

  private accept(s: net.Socket): void {
    if (this.sockets.size >= (this.opts.connectionsMax ?? CONNECTIONS_MAX_DEFAULT)) {
      // Read and discard until the peer closes (a socket never read never sees its EOF).
      this.refused.add(s);
      s.on('close', () => this.refused.delete(s));
      s.on('error', () => s.destroy());
      s.on('end', () => s.destroy());
      s.setTimeout(BUSY_LINGER_MS, () => s.destroy());
      s.resume();
      s.end(encodeLine(errorResponse(null, 'busy', 'too many control connections')));
      return;
    }
    this.sockets.add(s);
    new Connection(s, this.opts).run(() => this.sockets.delete(s));
  }
}

/** bind(2) with a narrow umask so the socket never exists with wider permissions than `mode`. */
function listenPrivately(server: net.Server, path: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    let old: number | undefined;
    try {
      old = process.umask(0o777 & ~mode);
    } catch { /* worker threads cannot change the umask: chmod below still applies */ }
    try {
      server.listen(path, () => {
        server.off('error', reject);
        try {
          chmodSync(path, mode);
          resolve();
        } catch (e) {
          server.close();
          reject(e as Error);
        }
      });
    } finally {
      if (old !== undefined) process.umask(old);
    }
  });
}

/** One client: lines in, responses out, with backpressure. */
class Connection {
  private readonly lines: LineSplitter;
  private ended = false;
  private blocked = false;

  constructor(private readonly s: net.Socket, private readonly opts: ControlServerOptions) {
    this.lines = new LineSplitter(opts.requestBytesMax ?? REQUEST_BYTES_MAX);
  }

  run(onClose: () => void): void {
    const { s } = this;
    s.setTimeout(this.opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS_DEFAULT, () => s.destroy());
    s.on('data', (chunk: Buffer) => {
      this.lines.push(chunk);
      this.pump();
    });
    s.on('end', () => {
      this.ended = true;
      this.pump();
    });
    s.on('drain', () => {
      this.blocked = false;
      s.resume();
      this.pump();
    });
    s.on('error', (e) => this.opts.log?.(`control connection: ${e.message}`));
    s.on('close', onClose);
  }

  private pump(): void {
    const { s } = this;
    while (!this.blocked && !s.destroyed) {
      const item = this.lines.next() ?? (this.ended ? this.lines.finish() : undefined);
      if (item === undefined) break;
      if (item.kind === 'line' && item.text.trim() === '') continue;
      const reply = item.kind === 'oversized' ? this.tooLarge() : this.respond(item.text);
      s.write(encodeLine(reply));
      if (s.writableLength > OUTPUT_BYTES_HIGH) {
        this.blocked = true;
        s.pause();
      }
    }
    if (this.ended && !this.blocked && !s.destroyed && !s.writableEnded) s.end();
  }

  private tooLarge(): Response {
    const max = this.opts.requestBytesMax ?? REQUEST_BYTES_MAX;
    return errorResponse(null, 'too-large', `request line longer than ${max} octets`);
  }

  private respond(text: string): Response {
    const d = decodeRequest(text);
    if (!d.ok) return d.error;
    try {
      return this.opts.answer(d.value);
    } catch (e) {
      this.opts.log?.(`control ${d.value.command}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return errorResponse(d.value.id, 'internal', `${d.value.command} failed`);
    }
  }
}
