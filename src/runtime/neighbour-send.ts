/**
 * What the home link sends through its ND port (DAD probes, unsolicited and proxy NAs), queued
 * and sent together when the current I/O callback is done (a microtask) or the batch is full:
 * the announcements and probes a burst of registrations causes leave in one sendmmsg instead of
 * one sendmsg each. Ports without `sendBatch` (test doubles) are sent to one packet at a time.
 * Packets a batch send did not get out are reported to `onLost` (counted, logged by the caller).
 */
import { BATCH_MAX, TxBatch, type NdPort } from '../os/ports.js';

/** ND packets are small (72 bytes for an NA with a TLLA or a probe with a nonce). */
const SLOT_BYTES = 256;

export class NdSendQueue {
  private readonly batch = new TxBatch(BATCH_MAX * SLOT_BYTES);
  private port: NdPort | undefined;
  private scheduled = false;

  constructor(private readonly onLost: (lost: number, error: string) => void) {}

  /** Sends `packet` (a whole IPv6 packet) on `port`: now, or with the rest of this batch. */
  send(port: NdPort, packet: Uint8Array): void {
    if (port.sendBatch === undefined || packet.length > SLOT_BYTES || packet.length < 40) {
      port.send(packet);
      return;
    }
    if (this.port !== port) this.flush();
    this.port = port;
    if (!this.batch.push(packet, packet.subarray(24, 40))) {
      this.flush();
      this.port = port;
      this.batch.push(packet, packet.subarray(24, 40));
    }
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Sends what is queued now. */
  flush(): void {
    this.scheduled = false;
    const port = this.port;
    const n = this.batch.count;
    if (port === undefined || n === 0 || port.sendBatch === undefined) return;
    let sent = 0;
    try {
      sent = port.sendBatch(this.batch);
    } finally {
      this.batch.clear();
      if (sent < n) this.onLost(n - sent, port.stats.lastError);
    }
  }
}
