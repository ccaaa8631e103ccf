/**
 * One reusable TxBatch per output port: packets are copied (or written in place) while a receive
 * batch is handled, and `flush()` sends each port's batch with one call. No allocation per
 * packet: the copy goes through a Buffer view of the source, made once per source buffer (the
 * ports' receive buffers are long-lived).
 *
 * Each packet may carry a tag (the tunnel it goes through). When a port reports failures for a
 * batch (its `stats.txErrors` grew), `onFailures` sees the batch, its tags and how many failed
 * before the batch is cleared: the port does not say which ones failed, so the handler works
 * that out (tunnel-io.ts: EMSGSIZE against the path MTU). The handler must not enqueue here.
 */
import { TxBatch, type DatagramPort, type TunPort } from '../os/ports.js';

export type OutPort = DatagramPort | TunPort;

export type SendFailures = (
  port: OutPort, batch: TxBatch, tags: readonly (object | undefined)[], failed: number,
) => void;

interface Slot {
  readonly port: OutPort;
  readonly batch: TxBatch;
  /** Tag of packet i of `batch`. */
  readonly tags: (object | undefined)[];
}

export class Batcher {
  private readonly slots: Slot[] = [];
  private readonly byPort = new Map<OutPort, Slot>();
  private source: Uint8Array | undefined;
  private sourceView: Buffer = Buffer.alloc(0);

  constructor(private readonly onFailures?: SendFailures) {}

  private slot(port: OutPort): Slot {
    let s = this.byPort.get(port);
    if (!s) {
      const batch = new TxBatch();
      s = { port, batch, tags: new Array<object | undefined>(batch.offsets.length).fill(undefined) };
      this.byPort.set(port, s);
      this.slots.push(s);
    }
    return s;
  }

  /** Copies data[off, off+len) into `port`'s batch (flushing first when full). */
  enqueue(
    port: OutPort, data: Uint8Array, off: number, len: number, to?: Uint8Array, toPort = 0,
    tag?: object,
  ): void {
    const s = this.slot(port);
    const at = this.place(s, len, to, toPort, tag);
    if (at < 0) return;
    if (data !== this.source) {
      this.source = data;
      this.sourceView = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    }
    this.sourceView.copy(s.batch.data, at, off, off + len);
  }

  /**
   * Room for a `len`-octet packet in `port`'s batch (flushing first when full): returns where to
   * write it in `buffer(port)`, or -1 when it cannot fit even an empty batch.
   */
  reserve(port: OutPort, len: number, to?: Uint8Array, toPort = 0, tag?: object): number {
    return this.place(this.slot(port), len, to, toPort, tag);
  }

  /** The buffer `reserve` offsets point into. */
  buffer(port: OutPort): Uint8Array {
    return this.slot(port).batch.data;
  }

  private place(s: Slot, len: number, to: Uint8Array | undefined, toPort: number, tag?: object): number {
    let at = s.batch.reserve(len, to, toPort);
    if (at < 0) {
      this.flush();
      at = s.batch.reserve(len, to, toPort);
    }
    if (at >= 0) s.tags[s.batch.count - 1] = tag;
    return at;
  }

  flush(): void {
    for (let i = 0; i < this.slots.length; i++) {
      const { port, batch, tags } = this.slots[i];
      if (batch.count === 0) continue;
      const errors = port.stats.txErrors;
      if ('writeBatch' in port) port.writeBatch(batch); else port.sendBatch(batch);
      const failed = port.stats.txErrors - errors;
      try {
        if (failed > 0 && this.onFailures) this.onFailures(port, batch, tags, failed);
      } finally {
        tags.fill(undefined, 0, batch.count);
        batch.clear();
      }
    }
  }
}
