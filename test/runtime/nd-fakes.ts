/** Home-link port doubles for the neighbour tests: an ND socket and a link listener. */
import {
  RxBatch, newPortStats, type BatchHandler, type NdListenPort, type NdMessage, type NdPort,
  type PacketBatch,
} from '../../src/os/ports.js';

/** Keeps every packet sent (a copy, or with `copy` false the array it is given), counts group joins. */
export class FakeNd implements NdPort {
  readonly ifindex = 2;
  readonly stats = newPortStats();
  readonly sent: Uint8Array[] = [];
  joins = 0;
  handler: ((m: NdMessage) => void) | undefined;
  constructor(private readonly copy = true) {}
  onMessage(h: (m: NdMessage) => void): void { this.handler = h; }
  send(p: Uint8Array): void { this.sent.push(this.copy ? p.slice() : p); }
  joinGroup(): void { this.joins++; }
  leaveGroup(): void { /* counted by joins */ }
  close(): void { /* nothing */ }
}

/** Hands the packets given to `deliver` to the listener as one batch. */
export class FakeListener implements NdListenPort {
  readonly ifindex = 2;
  readonly stats = newPortStats();
  private handler: BatchHandler<PacketBatch> | undefined;
  private readonly batch = new RxBatch(2048, false);
  closed = false;
  onBatch(h: BatchHandler<PacketBatch>): void { this.handler = h; }
  deliver(...packets: Uint8Array[]): void {
    packets.forEach((p, i) => { this.batch.data.set(p, i * 2048); this.batch.lengths[i] = p.length; });
    this.batch.count = packets.length;
    this.handler?.(this.batch);
  }
  close(): void { this.closed = true; }
}
