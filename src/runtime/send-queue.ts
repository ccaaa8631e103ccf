/**
 * Packets queued into one TxBatch and sent with one call when the current I/O callback is done
 * (a microtask) or the batch is full: what one received batch causes to be sent (Binding
 * Acknowledgements, proxy NAs, DAD probes) leaves in one sendmmsg instead of one sendmsg each.
 * The queue holds packets for one target at a time (a packet for another target sends what is
 * queued first). A batch send does not throw per packet: what it did not get out is reported to
 * `onLost` with the target's last error (the caller counts and logs it).
 */
import { TxBatch, type PortStats } from '../os/ports.js';

/** Where a batch goes: a port's `sendBatch` and its stats. */
export interface BatchTarget {
  sendBatch(batch: TxBatch): number;
  readonly stats: PortStats;
}

export class SendQueue {
  private readonly batch: TxBatch;
  private target: BatchTarget | undefined;
  private scheduled = false;

  /** `beforeFlush` runs before each flush that sends (what must happen before these packets leave). */
  constructor(
    private readonly onLost: (lost: number, error: string) => void, capacityBytes?: number,
    private readonly beforeFlush?: () => void,
  ) {
    this.batch = new TxBatch(capacityBytes);
  }

  /** Queues `bytes` for `target`; false when it cannot fit even an empty batch (send it alone). */
  push(
    target: BatchTarget, bytes: Uint8Array, address?: Uint8Array | string, port = 0, addressOffset = 0,
  ): boolean {
    if (this.target !== target) this.flush();
    this.target = target;
    if (!this.batch.push(bytes, address, port, addressOffset)) {
      this.flush();
      this.target = target;
      if (!this.batch.push(bytes, address, port, addressOffset)) return false;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
    return true;
  }

  /** Sends what is queued now. */
  flush(): void {
    this.scheduled = false;
    const target = this.target;
    const n = this.batch.count;
    if (target === undefined || n === 0) return;
    this.beforeFlush?.();
    let sent = 0;
    const refusedBefore = target.stats.txErrors;
    try {
      sent = target.sendBatch(this.batch);
    } finally {
      this.batch.clear();
      // A target with a send thread takes the batch and counts the kernel's refusals in its stats
      // later: those of earlier batches show here, as the growth of txErrors during this call.
      const lost = Math.max(n - sent, target.stats.txErrors - refusedBefore);
      if (lost > 0) this.onLost(lost, target.stats.lastError);
    }
  }
}
