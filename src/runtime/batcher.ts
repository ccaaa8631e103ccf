/**
 * One reusable TxBatch per output port: packets are copied in while a receive batch is handled,
 * and `flush()` sends each port's batch with one call. No allocation per packet beyond the
 * subarray view used for the copy.
 */
import { TxBatch, type DatagramPort, type TunPort } from '../os/ports.js';

export type OutPort = DatagramPort | TunPort;

export class Batcher {
  private readonly out = new Map<OutPort, TxBatch>();

  private batch(port: OutPort): TxBatch {
    let b = this.out.get(port);
    if (!b) { b = new TxBatch(); this.out.set(port, b); }
    return b;
  }

  /** Copies data[off, off+len) into `port`'s batch (flushing first when full). */
  enqueue(port: OutPort, data: Uint8Array, off: number, len: number, to?: Uint8Array, toPort = 0): void {
    let b = this.batch(port);
    let at = b.reserve(len, to, toPort);
    if (at < 0) {
      this.flush();
      b = this.batch(port);
      at = b.reserve(len, to, toPort);
    }
    if (at >= 0) b.data.set(data.subarray(off, off + len), at);
  }

  flush(): void {
    for (const [port, b] of this.out) {
      if (b.count === 0) continue;
      if ('writeBatch' in port) port.writeBatch(b); else port.sendBatch(b);
      b.clear();
    }
  }
}
