/**
 * Framing of a request batch (NetlinkPort.requestBatch): several change requests laid end to
 * end in one datagram, which rtnetlink handles in order, one by one, acknowledging each with its
 * own NLMSG_ERROR datagram. `BatchAnswers.frame` checks the requests' framing and reads their
 * sequence numbers; `read` matches the answers of a received datagram to them. Shared by the
 * Linux port and the mem double. The kernel answers in order, so matching is a walk, not a
 * search; an answer out of order is still placed by its sequence number, and one that matches
 * no request of the batch (a late answer to an earlier exchange) is ignored.
 */
import { NETLINK_BATCH_MAX, NETLINK_UNANSWERED } from '../netlink-ports.js';
import { NLMSG_ERROR, NLMSG_HDRLEN, NLM_F_ACK, NLM_F_DUMP } from './constants.js';
import { align4, getI32, getU16, getU32, setU16, viewOf } from './endian.js';

/** The sequence numbers of one batch and how many of its requests are still unanswered. */
export class BatchAnswers {
  private readonly seqs = new Uint32Array(NETLINK_BATCH_MAX);
  private results: Int32Array = new Int32Array(0);
  private count = 0;
  private next = 0;
  /** Requests not answered yet. */
  open = 0;

  /**
   * Checks that `messages[0, length)` holds exactly `count` requests, each with a sane
   * nlmsg_len and not a dump; sets NLM_F_ACK on each (in place), or clears it when `ack` is
   * false (the kernel then answers errors only), notes their sequence numbers and sets
   * results[0, count) to NETLINK_UNANSWERED. Throws RangeError otherwise (the caller's bug: these
   * bytes are built, not received).
   */
  frame(messages: Uint8Array, length: number, count: number, results: Int32Array, ack = true): void {
    if (count < 1 || count > NETLINK_BATCH_MAX || length > messages.length || results.length < count) {
      throw new RangeError(`netlink batch: ${count} requests in ${length} bytes, ${results.length} results`
        + ` (at most ${NETLINK_BATCH_MAX} requests)`);
    }
    const v = viewOf(messages);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const len = at + NLMSG_HDRLEN <= length ? getU32(v, at) : 0;
      if (len < NLMSG_HDRLEN || at + len > length) {
        throw new RangeError(`netlink batch: request ${i} at byte ${at} does not frame (nlmsg_len ${len})`);
      }
      const type = getU16(v, at + 4);
      const flags = getU16(v, at + 6);
      if ((type & 3) === 2 && (flags & NLM_F_DUMP) !== 0) {
        throw new RangeError(`netlink batch: request ${i} is a dump`);
      }
      setU16(v, at + 6, ack ? flags | NLM_F_ACK : flags & ~NLM_F_ACK);
      this.seqs[i] = getU32(v, at + 8);
      at += align4(len);
    }
    if (at !== length) throw new RangeError(`netlink batch: ${length - at} bytes after ${count} requests`);
    results.fill(NETLINK_UNANSWERED, 0, count);
    this.results = results;
    this.count = count;
    this.open = count;
    this.next = 0;
  }

  /**
   * Reads the NLMSG_ERROR answers in `data[start, end)`, one received datagram (forEachAnswer):
   * the request with the answer's sequence number gets its error (0 for the ACK), unless it was
   * answered already.
   */
  read(data: Uint8Array, start: number, end: number): void {
    forEachAnswer(data, start, end, this.place);
  }

  private readonly place = (seq: number, error: number): void => {
    const i = this.indexOf(seq);
    if (i >= 0 && this.results[i] === NETLINK_UNANSWERED) {
      this.results[i] = error;
      this.open--;
      this.next = i + 1;
    }
  };

  /**
   * Every request still open succeeded (result 0): for a batch framed without ACKs, once every
   * error the kernel queued has been read. rtnetlink handles each request inside sendmsg and
   * answers only failures then.
   */
  settle(): void {
    for (let i = 0; i < this.count; i++) if (this.results[i] === NETLINK_UNANSWERED) this.results[i] = 0;
    this.open = 0;
  }

  /** The index of `seq` in the batch, looked for from where the walk is first; -1 if absent. */
  private indexOf(seq: number): number {
    const { seqs, count, next } = this;
    for (let i = next; i < count; i++) if (seqs[i] === seq) return i;
    for (let i = 0; i < next && i < count; i++) if (seqs[i] === seq) return i;
    return -1;
  }
}

/**
 * Each NLMSG_ERROR answer in `data[start, end)`, one received datagram (cut short, it still yields
 * the answers whose first 20 bytes it holds): `each(seq, error, at, messageEnd)`, error 0 being
 * the ACK; the request the kernel echoes (a refusal's) is data[at + 20, messageEnd).
 */
export function forEachAnswer(
  data: Uint8Array, start: number, end: number,
  each: (seq: number, error: number, at: number, messageEnd: number) => void,
): void {
  const v = viewOf(data);
  let at = start;
  while (at + NLMSG_HDRLEN <= end) {
    const len = getU32(v, at);
    if (getU16(v, at + 4) === NLMSG_ERROR && at + NLMSG_HDRLEN + 4 <= end) {
      each(getU32(v, at + 8), getI32(v, at + NLMSG_HDRLEN), at, Math.min(end, at + len));
    }
    if (len < NLMSG_HDRLEN) break;
    at += align4(len);
  }
}
