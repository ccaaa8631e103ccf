/**
 * A fake rtnetlink: records every request, answers through a replaceable `responder` (by
 * default an ACK for requests and an empty NLMSG_DONE for dumps, as the kernel would for a
 * request that succeeds), and lets a test push notifications (`emit`) or an overflow.
 */
import { BatchAnswers } from '../netlink/batch.js';
import {
  OsError, type NetlinkEvents, type NetlinkPort, type NetlinkSubscription,
} from '../ports.js';

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_ACK = 0x4;
const NLM_F_MULTI = 0x2;
const NLM_F_DUMP = 0x300;

/** True when `req` is an RTM_GET* with NLM_F_DUMP (answered by a dump, not an ACK). */
export function isDumpRequest(req: Uint8Array): boolean {
  const v = new DataView(req.buffer, req.byteOffset, req.byteLength);
  return (v.getUint16(4, true) & 3) === 2 && (v.getUint16(6, true) & NLM_F_DUMP) !== 0;
}

/** NLMSG_ERROR answering `req`: `error` 0 is the ACK, else a negative errno. */
export function nlAck(req: Uint8Array, error = 0): Uint8Array {
  const out = new Uint8Array(16 + 4 + 16);
  const v = new DataView(out.buffer);
  const r = new DataView(req.buffer, req.byteOffset, req.byteLength);
  v.setUint32(0, out.length, true);
  v.setUint16(4, NLMSG_ERROR, true);
  v.setUint16(6, 0x100, true); // NLM_F_CAPPED: only the request header is echoed
  v.setUint32(8, r.getUint32(8, true), true);
  v.setInt32(16, error, true);
  out.set(req.subarray(0, 16), 20);
  return out;
}

/** NLMSG_DONE ending a dump for `req`. */
export function nlDone(req: Uint8Array): Uint8Array {
  const out = new Uint8Array(20);
  const v = new DataView(out.buffer);
  v.setUint32(0, 20, true);
  v.setUint16(4, NLMSG_DONE, true);
  v.setUint16(6, NLM_F_MULTI, true);
  v.setUint32(8, new DataView(req.buffer, req.byteOffset).getUint32(8, true), true);
  return out;
}

interface FakeSubscription extends NetlinkSubscription {
  readonly groups: readonly number[];
  readonly events: NetlinkEvents;
  open: boolean;
}

export class FakeNetlink implements NetlinkPort {
  /** Every request, as sent (after NLM_F_ACK was added), in order. */
  readonly requests: Uint8Array[] = [];
  /** Produces the reply messages; the default ACKs requests and ends dumps empty. */
  responder: (request: Uint8Array) => Uint8Array[] = (req) =>
    [isDumpRequest(req) ? nlDone(req) : nlAck(req)];
  /** The number of requests of each `requestBatch` (each one datagram), in order. */
  readonly batches: number[] = [];
  private readonly subs: FakeSubscription[] = [];
  private readonly answers = new BatchAnswers();
  private closed = false;

  request(message: Uint8Array): Uint8Array[] {
    if (this.closed) throw new OsError('EBADF', 'netlink request', 'netlink port is closed');
    if (message.length < 16) throw new RangeError('netlink request shorter than 16 bytes');
    const req = message.slice();
    if (!isDumpRequest(req)) {
      const v = new DataView(req.buffer);
      v.setUint16(6, v.getUint16(6, true) | NLM_F_ACK, true);
    }
    this.requests.push(req);
    return this.responder(req);
  }

  /**
   * Each request of the batch goes to `responder` in order, as the kernel handles them; the
   * NLMSG_ERROR it answers with becomes the request's result (none: NETLINK_UNANSWERED).
   */
  requestBatch(messages: Uint8Array, length: number, count: number, results: Int32Array): void {
    if (this.closed) throw new OsError('EBADF', 'netlink batch', 'netlink port is closed');
    this.answers.frame(messages, length, count, results);
    this.batches.push(count);
    const v = new DataView(messages.buffer, messages.byteOffset, length);
    for (let at = 0; at < length; at += (v.getUint32(at, true) + 3) & ~3) {
      const req = messages.slice(at, at + v.getUint32(at, true));
      this.requests.push(req);
      for (const reply of this.responder(req)) this.answers.read(reply, 0, reply.length);
    }
  }

  subscribe(groups: readonly number[], events: NetlinkEvents): NetlinkSubscription {
    if (this.closed) throw new OsError('EBADF', 'netlink subscribe', 'netlink port is closed');
    const sub: FakeSubscription = {
      groups: [...groups], events, open: true,
      close: () => { sub.open = false; },
    };
    this.subs.push(sub);
    return sub;
  }

  /** Delivers `messages` (one datagram) to every open subscription joined to `group`. */
  emit(group: number, messages: Uint8Array[]): number {
    let n = 0;
    for (const s of this.subs) {
      if (!s.open || !s.groups.includes(group)) continue;
      s.events.onMessages(messages.map((m) => m.slice()));
      n++;
    }
    return n;
  }

  /** Tells every open subscription that notifications were lost (ENOBUFS). */
  overflow(): void {
    for (const s of this.subs) if (s.open) s.events.onOverflow();
  }

  /** Open subscriptions (tests check that the runtime closes them). */
  get subscriptions(): number {
    return this.subs.filter((s) => s.open).length;
  }

  close(): void {
    this.closed = true;
    for (const s of this.subs) s.open = false;
  }
}
