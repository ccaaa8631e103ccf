/**
 * What the home link sends through its ND port (DAD probes, unsolicited and proxy NAs), queued
 * (send-queue.ts) and sent together when the current I/O callback is done or the batch is full:
 * the announcements and probes a burst of registrations causes leave in one sendmmsg instead of
 * one sendmsg each. Ports without `sendBatch` (test doubles) are sent to one packet at a time.
 * Packets a batch send did not get out are reported to `onLost` (counted, logged by the caller).
 */
import { BATCH_MAX, type NdPort } from '../os/ports.js';
import { SendQueue, type BatchTarget } from './send-queue.js';

/** ND packets are small (72 bytes for an NA with a TLLA or a probe with a nonce). */
const SLOT_BYTES = 256;

export class NdSendQueue {
  private readonly queue: SendQueue;

  constructor(onLost: (lost: number, error: string) => void) {
    this.queue = new SendQueue(onLost, BATCH_MAX * SLOT_BYTES);
  }

  /** Sends `packet` (a whole IPv6 packet) on `port`: now, or with the rest of this batch (copied). */
  send(port: NdPort, packet: Uint8Array): void {
    const fits = packet.length <= SLOT_BYTES && packet.length >= 40;
    // The destination is the packet's own (IPv6 header octets 24..40).
    if (fits && batches(port) && this.queue.push(port, packet, packet, 0, 24)) return;
    // A copy: callers may reuse `packet` (a template's buffer), and a port may keep what it is given.
    port.send(packet.slice());
  }

  /** Sends what is queued now. */
  flush(): void {
    this.queue.flush();
  }
}

function batches(port: NdPort): port is NdPort & BatchTarget {
  return port.sendBatch !== undefined;
}
