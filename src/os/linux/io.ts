/**
 * What every Linux port shares: the readiness watcher (uv_poll through the addon), the receive
 * pump (batches until the fd is drained or the per-wakeup budget is spent), the truncation
 * filter, and the send loop that skips a failing packet and carries on with the rest.
 */
import {
  ADDRESS_LENGTH, BATCH_MAX, OsError, type ErrorHandler, type PortStats, type RxBatch,
  type TxBatch,
} from '../ports.js';
import { native, sys, toOsError, type PollHandle } from './native.js';

/**
 * Every live watcher. Only `close()` removes one: a watcher never stops because the code that
 * created it dropped its last reference (platform.md: a koffi PollHandle nothing referenced
 * was garbage-collected and its socket went silently deaf). The addon also holds the callback
 * strongly; this set makes the rule visible on the JS side and lets tests count watchers.
 */
const LIVE = new Set<Watcher>();

export class Watcher {
  private handle: PollHandle | undefined;

  /** Calls `onReadable(status)` whenever `fd` is readable; status < 0 reports POLLERR. */
  constructor(readonly fd: number, onReadable: (status: number) => void) {
    this.handle = sys(() => native().pollStart(fd, onReadable));
    LIVE.add(this);
  }

  get active(): boolean {
    return this.handle !== undefined;
  }

  /** Stops watching at once; the fd may be closed right after. Idempotent. */
  close(): void {
    if (this.handle === undefined) return;
    native().pollClose(this.handle);
    this.handle = undefined;
    LIVE.delete(this);
  }
}

/** How many watchers are open in this process (tests check that ports clean up). */
export function liveWatchers(): number {
  return LIVE.size;
}

/** Batches handled per wakeup before yielding to other fds (the fd stays readable). */
const ROUNDS_PER_WAKEUP = 8;

/**
 * Receives up to ROUNDS_PER_WAKEUP batches: `receive()` fills `batch` and returns the count
 * (0 = drained, throws OsError-like errors). Truncated packets are counted and dropped.
 */
export function pump(
  batch: RxBatch, receive: () => number, deliver: () => void,
  stats: PortStats, onError: ErrorHandler | undefined,
): void {
  for (let round = 0; round < ROUNDS_PER_WAKEUP; round++) {
    let n: number;
    try {
      n = receive();
    } catch (e) {
      const err = toOsError(e);
      stats.rxErrors++;
      stats.lastError = err.code;
      onError?.(err);
      continue; // the error is cleared by reporting it; packets may follow
    }
    if (n === 0) return;
    n = dropTruncated(batch, n, stats);
    stats.rxBatches++;
    stats.rxPackets += n;
    if (n > 0) {
      batch.count = n;
      deliver();
    }
    if (n < BATCH_MAX) return;
  }
}

/** Removes packets longer than their slot from the first `n` entries; returns the new count. */
export function dropTruncated(batch: RxBatch, n: number, stats: PortStats): number {
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (batch.lengths[i] > batch.slotSize) {
      stats.rxTruncated++;
      continue;
    }
    if (kept !== i) moveEntry(batch, i, kept);
    kept++;
  }
  return kept;
}

/** Moves entry `from` to `to` (rare: only after a truncated packet). */
function moveEntry(b: RxBatch, from: number, to: number): void {
  const s = b.slotSize;
  b.data.copyWithin(to * s, from * s, from * s + b.lengths[from]);
  b.lengths[to] = b.lengths[from];
  if (b.ports.length === 0) return;
  const a = ADDRESS_LENGTH;
  b.addresses.copyWithin(to * a, from * a, from * a + a);
  b.localAddresses.copyWithin(to * a, from * a, from * a + a);
  b.ports[to] = b.ports[from];
  b.ifindexes[to] = b.ifindexes[from];
}

/** The index of a batch's packets: TxBatch, or a selection of one's packets (nd-multicast.ts). */
export interface BatchIndex {
  readonly count: number;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  readonly addresses: Uint8Array;
  readonly ports: Uint16Array;
}

/**
 * Sends packets [0, batch.count) with `send(start, count)` (one sendmmsg / write loop per
 * call). A packet that fails is counted and skipped; EAGAIN/ENOBUFS (queue full) drops the rest.
 * Returns how many the kernel accepted.
 */
export function sendAll(
  batch: { readonly count: number }, send: (start: number, count: number) => number, stats: PortStats,
): number {
  let i = 0;
  let sent = 0;
  while (i < batch.count) {
    try {
      const n = send(i, batch.count - i);
      if (n <= 0) break;
      sent += n;
      i += n;
    } catch (e) {
      const err = toOsError(e);
      stats.lastError = err.code;
      if (err.code === 'EAGAIN' || err.code === 'ENOBUFS') {
        stats.txErrors += batch.count - i;
        break;
      }
      stats.txErrors++;
      i++;
    }
  }
  stats.txPackets += sent;
  return sent;
}

/** The views of `batch` from entry `start` on (no allocation when start is 0). */
export function tail(batch: BatchIndex, start: number): BatchIndex {
  if (start === 0) return batch;
  return {
    count: batch.count - start,
    offsets: batch.offsets.subarray(start), lengths: batch.lengths.subarray(start),
    addresses: batch.addresses.subarray(start * ADDRESS_LENGTH), ports: batch.ports.subarray(start),
  };
}

/** Runs a single-packet send: counts it, or counts the failure and throws it as OsError. */
export function checkOne(stats: PortStats, send: () => number): void {
  try {
    send();
    stats.txPackets++;
  } catch (e) {
    const err = toOsError(e);
    stats.txErrors++;
    stats.lastError = err.code;
    throw err;
  }
}

/** Throws OsError('EBADF') when a port is used after close(). */
export function checkOpen(fd: number, what: string): void {
  if (fd < 0) throw new OsError('EBADF', what, `${what}: port is closed`);
}
