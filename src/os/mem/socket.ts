/**
 * A DatagramPort in memory: a UDP or raw socket of a MemHost on a MemNetwork. What it sends
 * goes through the network (fault injector, tracer) to the sockets of the destination host.
 */
import {
  ADDRESS_LENGTH, OsError, addressBytes, addressText, newPortStats, type BatchHandler, type DatagramBatch,
  type DatagramKind, type DatagramPort, type ErrorHandler, type TxBatch,
} from '../ports.js';
import { Inbox, type MemScheduler } from './inbox.js';

/** A datagram crossing the mem network (what filters and tracers see). */
export interface MemDatagram {
  readonly kind: DatagramKind;
  /** IP protocol: 17 for UDP; the raw socket's protocol, or the IPv6 Next Header for 255. */
  readonly protocol: number;
  /** Canonical address text (IPv4 dotted). */
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
  /** UDP payload; raw payload without IP header (the receiving side adds one for raw IPv4). */
  readonly bytes: Uint8Array;
}

/** The part of the network a socket needs. */
export interface MemRouter {
  /** Source address for a socket bound to a wildcard (or EADDRNOTAVAIL). */
  sourceFor(family: 4 | 6): string;
  send(d: MemDatagram): void;
  unbind(s: MemSocket): void;
}

export class MemSocket implements DatagramPort {
  readonly stats = newPortStats();
  readonly inbox: Inbox;
  private closed = false;

  constructor(
    readonly kind: DatagramKind, readonly protocol: number,
    /** Canonical bound address ('0.0.0.0' / '::' for any). */
    readonly address: string, readonly localPort: number,
    private readonly router: MemRouter, scheduler: MemScheduler, slotSize = 2048,
  ) {
    this.inbox = new Inbox(scheduler, slotSize, true, this.stats);
  }

  get family(): 4 | 6 {
    return this.kind === 'udp6' || this.kind === 'raw6' ? 6 : 4;
  }

  onBatch(handler: BatchHandler<DatagramBatch>, _onError?: ErrorHandler): void {
    this.check('onBatch');
    this.inbox.setHandler(handler);
  }

  send(address: string | Uint8Array, port: number, bytes: Uint8Array): void {
    this.check('send');
    const dst = typeof address === 'string' ? addressBytes(address) : address;
    const mapped = isMapped(dst);
    if (this.family === 4 && !mapped) return this.fail('EINVAL', 'not an IPv4 destination');
    if (this.family === 6 && mapped) return this.fail('ENETUNREACH', 'IPv4 destination on IPv6');
    if (bytes.length > 65507) return this.fail('EMSGSIZE', `${bytes.length} bytes`);
    let source = this.address === '0.0.0.0' || this.address === '::' ? '' : this.address;
    let protocol = this.protocol;
    let destination = textOf(dst);
    let payload = bytes;
    if (this.kind === 'raw6' && this.protocol === 255) { // hand-built IPv6 packet
      if (bytes.length < 40 || bytes[0] >> 4 !== 6) return this.fail('EINVAL', 'not IPv6');
      source = textOf(bytes.subarray(8, 24));
      destination = textOf(bytes.subarray(24, 40));
      protocol = bytes[6];
      payload = bytes.subarray(40);
    }
    if (source === '') source = this.router.sourceFor(this.family);
    this.stats.txPackets++;
    this.router.send({
      kind: this.kind, protocol, source, sourcePort: this.localPort,
      destination, destinationPort: this.kind.startsWith('udp') ? port : 0, bytes: payload.slice(),
    });
  }

  sendBatch(batch: TxBatch): number {
    this.check('sendBatch');
    let ok = 0;
    for (let i = 0; i < batch.count; i++) {
      const p = batch.data.subarray(batch.offsets[i], batch.offsets[i] + batch.lengths[i]);
      const a = batch.addresses.subarray(i * ADDRESS_LENGTH, (i + 1) * ADDRESS_LENGTH);
      try {
        this.send(a, batch.ports[i], p);
        ok++;
      } catch { /* counted by send */ }
    }
    return ok;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox.close();
    this.router.unbind(this);
  }

  private fail(code: string, why: string): never {
    this.stats.txErrors++;
    this.stats.lastError = code;
    throw new OsError(code, 'sendmmsg', `sendmmsg: ${code} (${why})`);
  }

  private check(what: string): void {
    if (this.closed) throw new OsError('EBADF', what, `${what}: socket is closed`);
  }
}

function isMapped(a: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}

/** Canonical text of 16 address bytes (IPv4 dotted for ::ffff:a.b.c.d). */
function textOf(a: Uint8Array): string {
  return addressText(a, 0);
}
