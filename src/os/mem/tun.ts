/**
 * A TUN pair in memory: two TunPorts back to back. What one side writes, the other receives
 * in a batch. One side is the daemon's device; the other stands for the kernel (a test writes
 * "routed" packets into it and reads what the daemon injected).
 *
 * Like the kernel, a write of something that is not an IPv4 or IPv6 packet (version nibble)
 * fails with EINVAL, and a packet longer than the receiver's slot is counted and dropped.
 */
import {
  OsError, newPortStats, type BatchHandler, type ErrorHandler, type PacketBatch, type TunPort,
  type TxBatch,
} from '../ports.js';
import { Inbox, MemScheduler } from './inbox.js';

let nextIfindex = 100;

/** A fresh interface index for a mem device (unique within the process). */
export function memIfindex(): number {
  return nextIfindex++;
}

export class MemTun implements TunPort {
  readonly stats = newPortStats();
  readonly ifindex = memIfindex();
  /** Packets this side wrote, in order (a tracer for tests). Cleared by the test if needed. */
  readonly written: Uint8Array[] = [];
  /** Set false to make writes fail with EIO, as on a device that is down. */
  up = true;
  peer: MemTun | undefined;
  readonly inbox: Inbox;
  private closed = false;

  constructor(readonly name: string, scheduler: MemScheduler, slotSize = 2048) {
    this.inbox = new Inbox(scheduler, slotSize, false, this.stats);
  }

  onBatch(handler: BatchHandler<PacketBatch>, _onError?: ErrorHandler): void {
    this.check('onBatch');
    this.inbox.setHandler(handler);
  }

  write(packet: Uint8Array): void {
    this.check('write');
    const err = this.refuse(packet);
    if (err !== undefined) {
      this.stats.txErrors++;
      this.stats.lastError = err;
      throw new OsError(err, 'write');
    }
    this.stats.txPackets++;
    this.written.push(packet.slice());
    this.peer?.inbox.push(packet);
  }

  writeBatch(batch: TxBatch): number {
    this.check('writeBatch');
    let ok = 0;
    for (let i = 0; i < batch.count; i++) {
      const p = batch.data.subarray(batch.offsets[i], batch.offsets[i] + batch.lengths[i]);
      try {
        this.write(p);
        ok++;
      } catch { /* counted by write */ }
    }
    return ok;
  }

  close(): void {
    this.closed = true;
    this.inbox.close();
  }

  private refuse(packet: Uint8Array): string | undefined {
    if (!this.up) return 'EIO';
    const version = packet.length > 0 ? packet[0] >> 4 : 0;
    return version === 4 || version === 6 ? undefined : 'EINVAL';
  }

  private check(what: string): void {
    if (this.closed) throw new OsError('EBADF', `tun ${what}`, `${this.name} is closed`);
  }
}

/** Two connected devices sharing `scheduler` (default: a new manual one). */
export function memTunPair(
  nameA = 'tun0', nameB = 'kernel0', scheduler = new MemScheduler(), slotSize = 2048,
): [MemTun, MemTun] {
  const a = new MemTun(nameA, scheduler, slotSize);
  const b = new MemTun(nameB, scheduler, slotSize);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
