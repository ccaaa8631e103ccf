/**
 * NetlinkQueuePort on Linux: a NETLINK_ROUTE socket of its own whose batches the send ring's
 * thread sends (send-ring.ts), without NLM_F_ACK. rtnetlink handles the requests inside that
 * sendmsg, so they take effect in ring order: a home agent's routes exist before the Binding
 * Acknowledgements handed over after them leave. The kernel queues an NLMSG_ERROR only for a
 * refused request, echoing it (NETLINK_EXT_ACK on, NETLINK_CAP_ACK off); those are read here
 * without waiting, on the next hand-over and on `settle`, so that the caller can say which route
 * failed. A datagram the thread could not send counts as refused without a request.
 */
import { constants as osConstants } from 'node:os';
import { BatchAnswers, forEachAnswer } from '../netlink/batch.js';
import { NLMSG_HDRLEN } from '../netlink/constants.js';
import {
  BATCH_MAX, NETLINK_BATCH_MAX, RxBatch, newPortStats, type NetlinkQueuePort, type NetlinkRefused,
} from '../ports.js';
import { setReceiveBuffer } from './datagram.js';
import { checkOpen } from './io.js';
import { native, sys } from './native.js';
import { BATCH_RECEIVE_BUFFER, readQueued } from './netlink.js';
import { SendRing, type RingPort } from './send-ring.js';

const ANSWER_SLOT = 1024;
/** How many times a full ring is waited for (each at most SendRing's drain limit, 1 s). */
const FULL_WAIT_ROUNDS = 10;
const ERRNO_ENOBUFS = osConstants.errno.ENOBUFS;

export class LinuxNetlinkQueue implements NetlinkQueuePort {
  readonly stats = newPortStats();
  private fd: number;
  private readonly answers = new BatchAnswers();
  private readonly scratch = new Int32Array(NETLINK_BATCH_MAX);
  private readonly rx = new RxBatch(ANSWER_SLOT, false);
  private readonly ring: SendRing;
  private port: RingPort | undefined;

  /** Undefined when there is no send ring (or no room in it for another port). */
  static open(): LinuxNetlinkQueue | undefined {
    const ring = SendRing.shared();
    return ring === undefined ? undefined : new LinuxNetlinkQueue(ring);
  }

  private constructor(ring: SendRing) {
    const n = native();
    const c = n.constants;
    const fd = sys(() => n.socket(c.AF_NETLINK, c.SOCK_RAW, c.NETLINK_ROUTE));
    try {
      sys(() => n.bindNetlink(fd, 0));
      try {
        n.setsockopt(fd, c.SOL_NETLINK, c.NETLINK_EXT_ACK, 1);
      } catch { /* older kernels: plain error codes, the request still echoed */ }
      setReceiveBuffer(fd, BATCH_RECEIVE_BUFFER, c);
    } catch (e) {
      n.close(fd);
      throw e;
    }
    this.fd = fd;
    this.ring = ring;
    this.port = ring.port(this.stats);
  }

  queueBatch(messages: Uint8Array, length: number, count: number, refused: NetlinkRefused): boolean {
    checkOpen(this.fd, 'netlink queue');
    if (this.port === undefined) return false;
    this.answers.frame(messages, length, count, this.scratch, false); // checks, clears NLM_F_ACK
    this.readRefusals(refused);
    const family = native().constants.AF_NETLINK;
    const port = this.port;
    // Full: wait for the thread. A batch sent some other way must not overtake one it holds (a
    // delete overtaken by the replace after it would remove the new route for good), so while
    // the thread is behind this waits on, as a requestBatch blocked on the same kernel lock would.
    // False after that: too large for a slot (nothing is ahead then), or the thread is stopped or
    // stuck (requestBatch, out of order).
    return this.ring.submitOrWait(() => this.ring.submitMessage(port, this.fd, family, messages, length),
      FULL_WAIT_ROUNDS);
  }

  settle(refused: NetlinkRefused): void {
    if (this.fd < 0) return;
    this.ring.drain();
    this.readRefusals(refused);
  }

  close(): void {
    if (this.fd < 0) return;
    const n = native(); // the thread may still send on fd: the ring closes it when done
    if (this.port !== undefined) this.ring.release(this.port, this.fd, (fd) => n.close(fd));
    else n.close(this.fd);
    this.port = undefined;
    this.fd = -1;
  }

  /** Datagrams the thread could not send, then every error answer queued now (no waiting). */
  private readRefusals(refused: NetlinkRefused): void {
    if (this.port !== undefined) {
      const lost = this.ring.reap(this.port);
      for (let i = 0; i < lost; i++) refused(errnoOf(this.stats.lastError), undefined);
    }
    const how = readQueued(this.fd, this.rx, this.stats,
      (data, start, end) => readErrors(data, start, end, refused));
    // Some answers were dropped: which is unknown, so one refusal without a request.
    if (how === 'overrun') refused(ERRNO_ENOBUFS, undefined);
  }
}

/** Each refusal (NLMSG_ERROR with a non-zero error) in data[start, end): its errno and echoed request. */
function readErrors(data: Uint8Array, start: number, end: number, refused: NetlinkRefused): void {
  forEachAnswer(data, start, end, (_seq, error, at, messageEnd) => {
    const echo = at + NLMSG_HDRLEN + 4;
    if (error !== 0) refused(-error, messageEnd > echo ? data.subarray(echo, messageEnd) : undefined);
  });
}

function errnoOf(code: string): number {
  return (osConstants.errno as Record<string, number>)[code] ?? 0;
}
