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

/**
 * A refused request of a queued batch: the kernel's errno and the request as the kernel echoed it
 * (a view, valid during the call), or undefined when only the count is known (answers lost to a
 * full receive buffer, or the whole datagram refused).
 */
export type NetlinkRefused = (errno: number, request: Uint8Array | undefined) => void;

/**
 * Batches of rtnetlink changes nobody waits for, handed to the send thread (src/os/linux/
 * send-ring.ts) on a socket of their own: the kernel applies them in the order they were handed
 * over, after whatever was handed to the thread before (a home agent's routes before the Binding
 * Acknowledgements that announce them), and answers only the requests it refuses.
 */
export interface NetlinkQueuePort {
  /**
   * Hands over `count` requests framed as for NetlinkPort.requestBatch; false when the thread
   * cannot take them (send them with requestBatch). Refusals of earlier batches are reported
   * to `refused` first.
   */
  queueBatch(messages: Uint8Array, length: number, count: number, refused: NetlinkRefused): boolean;
  /** Waits for the thread to send what it holds for this port and reports the refusals still unread. */
  settle(refused: NetlinkRefused): void;
  close(): void;
}

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
