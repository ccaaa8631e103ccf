/**
 * TunPort over /dev/net/tun (IFF_TUN | IFF_NO_PI). Receiving is a read() loop of up to 64
 * packets per batch into fixed slots; sending is a write() loop. MTU and link state are set over
 * netlink by the caller (the device starts down, with MTU 1500).
 */
import {
  BATCH_MAX, RxBatch, TxBatch, newPortStats, type BatchHandler, type ErrorHandler,
  type PacketBatch, type TunOptions, type TunPort,
} from '../ports.js';
import { checkOne, checkOpen, pump, sendAll, tail, Watcher } from './io.js';
import { native, sys } from './native.js';

/**
 * Default receive slot. A packet longer than its slot is counted in `stats.rxTruncated` and
 * dropped, so the slot must be at least the device MTU (2048 covers MTU 1500 and below).
 */
export const TUN_SLOT_DEFAULT = 2048;

export class LinuxTun implements TunPort {
  readonly stats = newPortStats();
  private fd: number;
  private watcher: Watcher | undefined;
  private readonly batch: RxBatch;
  private readonly one = new TxBatch(0);

  private constructor(fd: number, readonly name: string, readonly ifindex: number, slot: number) {
    this.fd = fd;
    this.batch = new RxBatch(slot, false);
  }

  /** Creates the device in the calling thread's network namespace. Throws OsError. */
  static open(options: TunOptions = {}): LinuxTun {
    const slot = options.slotSize ?? TUN_SLOT_DEFAULT;
    if (!Number.isInteger(slot) || slot < 1280 || slot > 65536) {
      throw new RangeError(`TUN slot size ${slot}: expected 1280..65536`);
    }
    const t = sys(() => native().tunOpen(options.name ?? null, options.multiQueue ?? false));
    return new LinuxTun(t.fd, t.name, t.ifindex, slot);
  }

  /** The raw fd (tests and diagnostics). */
  get fileDescriptor(): number {
    return this.fd;
  }

  onBatch(handler: BatchHandler<PacketBatch>, onError?: ErrorHandler): void {
    checkOpen(this.fd, 'tun onBatch');
    if (this.watcher !== undefined) throw new Error(`${this.name}: onBatch already set`);
    const n = native();
    const { batch } = this;
    const receive = (): number => (this.fd < 0 ? 0  // closed by the handler
      : n.readBatch(this.fd, batch.data, batch.slotSize, BATCH_MAX, batch.lengths));
    const deliver = (): void => handler(batch);
    this.watcher = new Watcher(this.fd, () => pump(batch, receive, deliver, this.stats, onError));
  }

  write(packet: Uint8Array): void {
    checkOpen(this.fd, 'tun write');
    this.one.offsets[0] = 0;
    this.one.lengths[0] = packet.length;
    checkOne(this.stats, () => native().writeBatch(this.fd, packet, 1, this.one.offsets,
      this.one.lengths));
  }

  writeBatch(batch: TxBatch): number {
    checkOpen(this.fd, 'tun writeBatch');
    const n = native();
    return sendAll(batch, (start, count) => {
      const t = tail(batch, start);
      return n.writeBatch(this.fd, batch.data, count, t.offsets, t.lengths);
    }, this.stats);
  }

  close(): void {
    if (this.fd < 0) return;
    this.watcher?.close();
    this.watcher = undefined;
    native().close(this.fd);
    this.fd = -1;
  }
}
