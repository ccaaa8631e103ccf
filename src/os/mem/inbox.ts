/**
 * The delivery machinery of the mem doubles: every mem port has an `Inbox` (its "socket
 * buffer"); a `MemScheduler` decides when inboxes hand their packets to handlers.
 *
 * - mode 'manual' (tests, the simulator): nothing moves until `flush()`, which delivers until
 *   every inbox is empty (handlers that send cause more deliveries in the same flush).
 * - mode 'immediate' (runtime tests on a live event loop): a flush is scheduled with
 *   setImmediate whenever a packet is queued, like readiness from a real fd.
 *
 * Handlers get the same reused RxBatch contract as the Linux ports: up to 64 packets per call.
 */
import {
  ADDRESS_LENGTH, BATCH_MAX, RxBatch, type PortStats,
} from '../ports.js';

export type DeliveryMode = 'manual' | 'immediate';

/** One queued packet (its bytes are a private copy). */
interface Queued {
  readonly bytes: Uint8Array;
  readonly peer?: Uint8Array;
  readonly port: number;
  readonly local?: Uint8Array;
  readonly ifindex: number;
}

export class MemScheduler {
  private readonly pending = new Set<Inbox>();
  private scheduled = false;

  constructor(readonly mode: DeliveryMode = 'manual') {}

  /** Called by an inbox that received a packet. */
  wake(inbox: Inbox): void {
    this.pending.add(inbox);
    if (this.mode === 'immediate' && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Delivers until quiet (or `maxRounds` passes); returns the packets handed to handlers. */
  flush(maxRounds = 10_000): number {
    let delivered = 0;
    for (let round = 0; round < maxRounds && this.pending.size > 0; round++) {
      const now = [...this.pending];
      this.pending.clear();
      for (const inbox of now) delivered += inbox.deliver();
    }
    return delivered;
  }
}

/** Queued packets of one port, handed over in batches of up to 64. */
export class Inbox {
  private queue: Queued[] = [];
  private handler: ((batch: RxBatch) => void) | undefined;
  private readonly batch: RxBatch;
  closed = false;

  constructor(
    private readonly scheduler: MemScheduler, slotSize: number, datagram: boolean,
    private readonly stats: PortStats, private readonly capacity = 4096,
  ) {
    this.batch = new RxBatch(slotSize, datagram);
  }

  setHandler(handler: (batch: RxBatch) => void): void {
    this.handler = handler;
    if (this.queue.length > 0) this.scheduler.wake(this);
  }

  /** Queues a copy of `bytes`; a full inbox drops it, as a full socket buffer would. */
  push(bytes: Uint8Array, peer?: Uint8Array, port = 0, local?: Uint8Array, ifindex = 0): void {
    if (this.closed) return;
    if (this.queue.length >= this.capacity) {
      this.stats.rxErrors++;
      this.stats.lastError = 'ENOBUFS';
      return;
    }
    this.queue.push({ bytes: bytes.slice(), peer, port, local, ifindex });
    if (this.handler !== undefined) this.scheduler.wake(this);
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Hands everything queued to the handler, 64 at a time; returns how many packets. */
  deliver(): number {
    const handler = this.handler;
    if (handler === undefined || this.closed) return 0;
    let total = 0;
    while (this.queue.length > 0 && !this.closed) {
      const take = this.queue.splice(0, BATCH_MAX);
      const n = this.fill(take);
      this.stats.rxBatches++;
      this.stats.rxPackets += n;
      total += n;
      if (n > 0) handler(this.batch);
    }
    return total;
  }

  private fill(take: Queued[]): number {
    const b = this.batch;
    let n = 0;
    for (const q of take) {
      if (q.bytes.length > b.slotSize) {
        this.stats.rxTruncated++;
        continue;
      }
      b.data.set(q.bytes, n * b.slotSize);
      b.lengths[n] = q.bytes.length;
      if (b.ports.length > 0) {
        writeSlot(b.addresses, n, q.peer);
        writeSlot(b.localAddresses, n, q.local);
        b.ports[n] = q.port;
        b.ifindexes[n] = q.ifindex;
      }
      n++;
    }
    b.count = n;
    return n;
  }

  close(): void {
    this.closed = true;
    this.queue = [];
  }
}

function writeSlot(into: Uint8Array, i: number, address: Uint8Array | undefined): void {
  if (address === undefined) into.fill(0, i * ADDRESS_LENGTH, (i + 1) * ADDRESS_LENGTH);
  else into.set(address, i * ADDRESS_LENGTH);
}
