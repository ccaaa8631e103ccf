/**
 * Helpers for a NetlinkTransport implementation (rtnl.ts): which sequence number a request
 * carries, and whether a received datagram ends the request's exchange. A transport sends the
 * request, then receives datagrams until `endsExchange` says so. Both never throw on bytes.
 *
 * Receive buffers should hold at least 32 KiB: the kernel fills dump datagrams up to about that
 * size (a link message alone is about 1.5 KB), and a short buffer truncates them (MSG_TRUNC).
 */
import { NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN } from './constants.js';
import { align4, getU16, getU32, viewOf } from './endian.js';

/** nlmsg_seq of the (first) message in `request`; undefined when shorter than a header. */
export function requestSeq(request: Uint8Array): number | undefined {
  return request.length < NLMSG_HDRLEN ? undefined : getU32(viewOf(request), 8);
}

/**
 * True when `datagram` holds the NLMSG_ERROR (ACK or error) or NLMSG_DONE answering `seq`.
 * A datagram whose framing is broken also ends the exchange (true): nothing after it can be
 * trusted, and the client reports it as malformed.
 */
export function endsExchange(datagram: Uint8Array, seq: number): boolean {
  const v = viewOf(datagram);
  let p = 0;
  while (p < datagram.length) {
    if (p + NLMSG_HDRLEN > datagram.length) return true;
    const length = getU32(v, p);
    if (length < NLMSG_HDRLEN || p + length > datagram.length) return true;
    const type = getU16(v, p + 4);
    if ((type === NLMSG_ERROR || type === NLMSG_DONE) && getU32(v, p + 8) === seq) return true;
    p += align4(length);
  }
  return false;
}
