/**
 * The rtnetlink port (an addition to ports.ts, which re-exports it): synchronous requests, a
 * batch of requests in one datagram, and multicast subscriptions. Linux implements it over an
 * AF_NETLINK socket (src/os/linux/netlink.ts), the mem double fakes the kernel's answers
 * (src/os/mem/netlink.ts).
 */

/** Requests per `requestBatch`: their acknowledgements must all fit the receive buffer at once. */
export const NETLINK_BATCH_MAX = 256;
/** `requestBatch` result of a request no answer came for (kernel errors are negative). */
export const NETLINK_UNANSWERED = 1;

/** Handlers for a netlink multicast subscription. */
export interface NetlinkEvents {
  /** One call per datagram; each element is one netlink message (a copy: keep it if you like). */
  onMessages(messages: Uint8Array[]): void;
  /** The kernel dropped notifications (ENOBUFS): the state must be dumped again. */
  onOverflow(): void;
}

export interface NetlinkSubscription {
  close(): void;
}

/** rtnetlink (NETLINK_ROUTE). */
export interface NetlinkPort {
  /**
   * Sends one request and returns every response message with the request's sequence number,
   * up to and including the terminating NLMSG_DONE (dumps) or NLMSG_ERROR (the ACK, error 0,
   * or a failure). NLM_F_ACK is added to non-dump requests. Synchronous: rtnetlink answers
   * inside the send. Throws OsError for local errors (ETIMEDOUT if nothing terminates it).
   */
  request(message: Uint8Array): Uint8Array[];
  /**
   * Sends `count` (1..NETLINK_BATCH_MAX) requests laid end to end in `messages[0, length)` in
   * ONE datagram: each a complete change request (not a dump), its own sequence number and a
   * length padded to 4 bytes; the port sets or clears NLM_F_ACK itself. The kernel handles them
   * in order, each on its own: a failure does not stop the rest. `results[i]` receives the
   * outcome of the i-th request: 0 when it was applied, the kernel's negative errno, or
   * NETLINK_UNANSWERED when that is unknown (an answer lost to a full receive buffer, or none
   * within the reply wait). Synchronous like `request`.
   * Throws OsError when the send itself fails (nothing was applied then) and RangeError for
   * messages that do not frame as described.
   */
  requestBatch(messages: Uint8Array, length: number, count: number, results: Int32Array): void;
  /**
   * Joins rtnetlink multicast groups (RTNLGRP_* numbers) on a separate socket; `receiveBuffer`
   * sets its SO_RCVBUF in bytes.
   */
  subscribe(
    groups: readonly number[], events: NetlinkEvents, options?: { receiveBuffer?: number },
  ): NetlinkSubscription;
  close(): void;
}
