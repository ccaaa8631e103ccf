/**
 * NetlinkPort over AF_NETLINK / NETLINK_ROUTE: raw bytes in, raw messages out (the codec lives
 * in src/os/netlink). Requests are synchronous: rtnetlink handles a request inside sendmsg and
 * queues the reply before it returns, and continues a dump inside each recvmsg, so a request
 * costs two or a few syscalls (platform.md §3: about 15 µs). A reply that does not come within
 * REPLY_WAIT_MS raises ETIMEDOUT instead of blocking the daemon forever. A batch of changes
 * (`requestBatch`) is one sendmsg of many requests without NLM_F_ACK: the kernel answers only the
 * ones that fail, one datagram each, all queued when sendmsg returns; they are read a recvmmsg of
 * 64 at a time without waiting, and every request with no answer succeeded (the socket's receive
 * buffer is enlarged on the first batch so that a batch of failures fits). Asking for an ACK per
 * request cost the kernel a datagram each and the daemon their reading: ~1.5% of a home agent's
 * CPU per new binding.
 *
 * Events use a second socket per subscription, non-blocking and watched by uv_poll. When the
 * kernel drops notifications because the socket buffer is full, the next read fails with
 * ENOBUFS: the subscription calls `onOverflow` (re-dump the state) and keeps listening — the
 * process never aborts (the `netlink` npm package does, platform.md §3).
 */
import { BatchAnswers } from '../netlink/batch.js';
import {
  BATCH_MAX, OsError, RxBatch, newPortStats, type NetlinkEvents, type NetlinkPort,
  type NetlinkSubscription, type PortStats,
} from '../ports.js';
import { setReceiveBuffer } from './datagram.js';
import { checkOpen, Watcher } from './io.js';
import { native, sys, toOsError } from './native.js';

const NLMSG_HDRLEN = 16;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
/** Longest wait for the next reply datagram of a request. */
export const REPLY_WAIT_MS = 1000;
/** Reply datagrams: the kernel's dump chunks are at most 32 KiB; keep a margin. */
const REQUEST_SLOT = 65536;
/** Event datagrams hold one notification, a few KiB at most. */
const EVENT_SLOT = 16384;
const EVENT_BATCH = 16;
/**
 * Answer datagrams of a batch: an ACK is 36 bytes; an error echoes the request (a route is
 * under 100 bytes) and adds the kernel's text. A longer one is read cut short (its first 20
 * bytes, seq and error, are what counts).
 */
const ANSWER_SLOT = 1024;
/**
 * SO_RCVBUF of the request socket once it sends batches: the kernel queues every error answer of
 * a batch (up to NETLINK_BATCH_MAX datagrams of about 1 KiB of buffer each) before sendmsg returns.
 */
export const BATCH_RECEIVE_BUFFER = 1 << 20;
/** Default event socket buffer: room for bursts of thousands of route changes. */
export const EVENT_BUFFER_DEFAULT = 4 << 20;

export interface SubscribeOptions {
  /** SO_RCVBUF(FORCE) of the event socket in bytes (tests shrink it to provoke ENOBUFS). */
  readonly receiveBuffer?: number;
}

/**
 * Splits one datagram into messages (copies). A message whose length field is impossible ends
 * the split: the rest goes out as one final element, for the codec to reject with a typed
 * error (kernel bytes are decoded, never trusted).
 */
export function splitMessages(data: Uint8Array, start: number, end: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = start;
  while (at < end) {
    const len = end - at >= 4 ? view.getUint32(at, true) : 0;
    if (len < NLMSG_HDRLEN || at + len > end) {
      out.push(data.slice(at, end));
      break;
    }
    out.push(data.slice(at, at + len));
    at += (len + 3) & ~3;
  }
  return out;
}

/**
 * Reads the datagrams queued on netlink socket `fd` without waiting, a recvmmsg of 64 at a time,
 * each to `each(data, start, end)` (cut to the slot), while `more()`: 'end' when the queue was
 * read to its end (or `more()` said stop), 'overrun' when the kernel dropped some (the read failed
 * with ENOBUFS, then what was queued was read), 'error' when a read failed otherwise or twice.
 */
export function readQueued(
  fd: number, rx: RxBatch, stats: PortStats, each: (data: Uint8Array, start: number, end: number) => void,
  more: () => boolean = () => true,
): 'end' | 'overrun' | 'error' {
  const n = native();
  let overrun = false;
  while (more()) {
    let got: number;
    try {
      got = n.recvBatch(fd, rx.data, rx.slotSize, BATCH_MAX, rx.lengths, null, null, null, null, 0);
    } catch (e) {
      const err = toOsError(e);
      stats.rxErrors++;
      stats.lastError = err.code;
      if (err.code !== 'ENOBUFS' || overrun) return 'error';
      overrun = true;
      continue;
    }
    if (got === 0) return overrun ? 'overrun' : 'end';
    for (let i = 0; i < got; i++) {
      stats.rxPackets++;
      const at = rx.offset(i);
      each(rx.data, at, at + Math.min(rx.lengths[i], rx.slotSize));
    }
  }
  return overrun ? 'overrun' : 'end';
}

export class LinuxNetlink implements NetlinkPort {
  readonly stats: PortStats = newPortStats();
  private fd: number;
  /** The port id the kernel gave this socket (nl_pid). */
  readonly portId: number;
  private rx: RxBatch | undefined;
  private answerRx: RxBatch | undefined;
  private readonly answers = new BatchAnswers();
  private readonly oneOffset = new Uint32Array(1);
  private readonly oneLength = new Uint32Array(1);
  private readonly subscriptions = new Set<LinuxSubscription>();

  constructor() {
    const n = native();
    const c = n.constants;
    const fd = sys(() => n.socket(c.AF_NETLINK, c.SOCK_RAW, c.NETLINK_ROUTE));
    try {
      this.portId = sys(() => n.bindNetlink(fd, 0));
      try {
        n.setsockopt(fd, c.SOL_NETLINK, c.NETLINK_EXT_ACK, 1); // error text in NLMSG_ERROR
      } catch { /* older kernels: plain error codes */ }
    } catch (e) {
      n.close(fd);
      throw e;
    }
    this.fd = fd;
  }

  request(message: Uint8Array): Uint8Array[] {
    checkOpen(this.fd, 'netlink request');
    if (message.length < NLMSG_HDRLEN) throw new RangeError('netlink request shorter than 16 bytes');
    const req = message.slice();
    const view = new DataView(req.buffer);
    const type = view.getUint16(4, true);
    const flags = view.getUint16(6, true);
    const dump = (type & 3) === 2 && (flags & NLM_F_DUMP) !== 0; // RTM_GET* with NLM_F_DUMP
    if (!dump) view.setUint16(6, flags | NLM_F_ACK, true);
    const seq = view.getUint32(8, true);
    const n = native();
    const offsets = new Uint32Array(1);
    const lengths = Uint32Array.of(req.length);
    sys(() => n.sendBatch(this.fd, n.constants.AF_NETLINK, req, 1, offsets, lengths, null, null));
    this.stats.txPackets++;
    return this.collect(seq);
  }

  requestBatch(messages: Uint8Array, length: number, count: number, results: Int32Array): void {
    checkOpen(this.fd, 'netlink batch');
    // No ACK per request: the kernel handles them all inside sendmsg and queues only the errors.
    this.answers.frame(messages, length, count, results, false);
    const n = native();
    if (this.answerRx === undefined) {
      setReceiveBuffer(this.fd, BATCH_RECEIVE_BUFFER, n.constants);
      this.answerRx = new RxBatch(ANSWER_SLOT, false);
    }
    this.oneLength[0] = length;
    sys(() => n.sendBatch(this.fd, n.constants.AF_NETLINK, messages, 1, this.oneOffset, this.oneLength,
      null, null));
    this.stats.txPackets++;
    if (this.collectErrors(this.answerRx)) this.answers.settle();
  }

  /**
   * Reads the error answers the kernel queued inside sendmsg (without waiting: they are all there
   * when it returns). True when the queue was read to its end; false when some answers did not
   * fit the receive buffer (the read fails with ENOBUFS: which requests failed is then unknown,
   * and those without an answer stay unanswered) or a read failed.
   */
  private collectErrors(rx: RxBatch): boolean {
    const read = (data: Uint8Array, start: number, end: number): void => this.answers.read(data, start, end);
    return readQueued(this.fd, rx, this.stats, read, () => this.answers.open > 0) === 'end';
  }

  /** Reads reply datagrams until the message that ends request `seq`. */
  private collect(seq: number): Uint8Array[] {
    const rx = (this.rx ??= new RxBatch(REQUEST_SLOT, false));
    const n = native();
    const out: Uint8Array[] = [];
    for (;;) {
      const got = sys(() => n.recvBatch(this.fd, rx.data, rx.slotSize, 1, rx.lengths,
        null, null, null, null, REPLY_WAIT_MS));
      if (got === 0) throw new OsError('ETIMEDOUT', 'netlink request', `no reply to seq ${seq}`);
      const len = rx.lengths[0];
      if (len > rx.slotSize) throw new OsError('EMSGSIZE', 'netlink request', `reply of ${len} B`);
      this.stats.rxPackets++;
      for (const m of splitMessages(rx.data, 0, len)) {
        if (m.length < NLMSG_HDRLEN) return [...out, m]; // malformed: hand it over, stop
        const v = new DataView(m.buffer);
        if (v.getUint32(8, true) !== seq) continue; // a late reply to an earlier request
        out.push(m);
        const t = v.getUint16(4, true);
        if (t === NLMSG_DONE || t === NLMSG_ERROR) return out;
      }
    }
  }

  subscribe(
    groups: readonly number[], events: NetlinkEvents, options: SubscribeOptions = {},
  ): NetlinkSubscription {
    checkOpen(this.fd, 'netlink subscribe');
    const s = new LinuxSubscription(groups, events, options, () => this.subscriptions.delete(s));
    this.subscriptions.add(s);
    return s;
  }

  close(): void {
    if (this.fd < 0) return;
    for (const s of [...this.subscriptions]) s.close();
    native().close(this.fd);
    this.fd = -1;
  }
}

/** One event socket joined to `groups`, watched by uv_poll. */
export class LinuxSubscription implements NetlinkSubscription {
  readonly stats: PortStats = newPortStats();
  private fd: number;
  private readonly watcher: Watcher;
  private readonly rx = new RxBatch(EVENT_SLOT, false);

  constructor(
    groups: readonly number[], private readonly events: NetlinkEvents,
    options: SubscribeOptions, private readonly onClose: () => void,
  ) {
    const n = native();
    const c = n.constants;
    const fd = sys(() => n.socket(c.AF_NETLINK, c.SOCK_RAW, c.NETLINK_ROUTE));
    try {
      setReceiveBuffer(fd, options.receiveBuffer ?? EVENT_BUFFER_DEFAULT, c);
      sys(() => n.bindNetlink(fd, 0));
      for (const g of groups) sys(() => n.setsockopt(fd, c.SOL_NETLINK, c.NETLINK_ADD_MEMBERSHIP, g));
      this.watcher = new Watcher(fd, () => this.drain());
    } catch (e) {
      n.close(fd);
      throw e;
    }
    this.fd = fd;
  }

  /** Reads what is queued (bounded per wakeup); ENOBUFS or any failure means "re-dump". */
  private drain(): void {
    const n = native();
    const rx = this.rx;
    for (let round = 0; round < BATCH_MAX && this.fd >= 0; round++) {
      let got: number;
      try {
        got = n.recvBatch(this.fd, rx.data, rx.slotSize, EVENT_BATCH, rx.lengths,
          null, null, null, null, 0);
      } catch (e) {
        const err = toOsError(e);
        this.stats.rxErrors++;
        this.stats.lastError = err.code;
        this.events.onOverflow();
        continue;
      }
      if (got === 0) return;
      this.deliver(got);
      if (got < EVENT_BATCH) return;
    }
  }

  private deliver(got: number): void {
    const rx = this.rx;
    let lost = false;
    for (let i = 0; i < got && this.fd >= 0; i++) {
      const len = rx.lengths[i];
      this.stats.rxPackets++;
      if (len > rx.slotSize) {
        this.stats.rxTruncated++;
        lost = true; // a notification we cannot read is a lost one
        continue;
      }
      this.events.onMessages(splitMessages(rx.data, rx.offset(i), rx.offset(i) + len));
    }
    if (lost) this.events.onOverflow();
  }

  get fileDescriptor(): number {
    return this.fd;
  }

  close(): void {
    if (this.fd < 0) return;
    this.watcher.close();
    native().close(this.fd);
    this.fd = -1;
    this.onClose();
  }
}
