/**
 * The home agent's routes into its own TUN, one per home address and mobile network prefix,
 * changed in batches: the routes one event-loop turn queues (a burst of Binding Updates or DAD
 * results) leave in ONE sendmsg carrying every request (NetlinkPort.requestBatch), encoded from
 * a template (route-template.ts), and their answers are read back together. Order is kept: the
 * kernel handles the requests of a batch, and the batches, in the order they were queued, so a
 * route cleared after it was set ends deleted.
 *
 * A queue flushes in a microtask (or when full, or on `flush()`: the Binding Acknowledgements'
 * send queue flushes it first, so a mobile node is acknowledged only once its routes exist,
 * as when each route was made synchronously). Failures never throw: a request the kernel
 * refuses is counted and logged (rate-limited, naming the route and the errno); removing a
 * route that is gone, or replacing one, is not a failure (System's idempotence).
 *
 * With the send thread (HaSendThread; `deps.queue`, NetlinkQueuePort) a batch is handed to it
 * instead: the thread sends it before the Binding Acknowledgements queued after it, and the
 * kernel's refusals come back with a later batch (or `settle`, `close`), named from the request
 * the kernel echoes.
 *
 * These routes are not journaled (System.ownLink): they go with the TUN when the daemon ends.
 */
import { errnoCondition, errnoName } from '../os/netlink/errno.js';
import { getU16, setU32, viewOf } from '../os/netlink/endian.js';
import {
  ROUTE_TEMPLATE_LENGTH_MAX, RouteTemplate, type TemplateAction,
} from '../os/netlink/route-template.js';
import {
  NETLINK_BATCH_MAX, NETLINK_UNANSWERED, OsError, type NetlinkPort, type NetlinkQueuePort,
} from '../os/ports.js';
import { RTM_DELROUTE } from '../os/netlink/constants.js';
import { decodeRoute } from '../os/netlink/route.js';
import type { Logger } from './logger.js';

export interface TunRouteCounters {
  /** Requests sent (each batch is one datagram). */
  requests: number;
  batches: number;
  /** Requests the kernel refused (other than the idempotent cases). */
  failed: number;
  /** Requests no answer came for (the receive buffer overflowed, or the reply wait ran out). */
  unanswered: number;
}

export interface TunRoutesDeps {
  readonly netlink: NetlinkPort;
  /**
   * Batches through the send thread when there is one (HaSendThread): handed over instead of
   * sent and answered in place; refusals come back with a later batch, or on `close`.
   */
  readonly queue?: NetlinkQueuePort;
  /** Reserves consecutive netlink sequence numbers (RtnlClient.takeSequences). */
  readonly takeSequences: (count: number) => number;
  readonly log: Logger;
  /** How a flush is deferred to the end of the turn (default queueMicrotask). */
  readonly schedule?: (flush: () => void) => void;
}

export class TunRoutes {
  readonly counters: TunRouteCounters = { requests: 0, batches: 0, failed: 0, unanswered: 0 };
  private readonly template: RouteTemplate;
  private readonly buffer = new Uint8Array(NETLINK_BATCH_MAX * ROUTE_TEMPLATE_LENGTH_MAX);
  private readonly view = viewOf(this.buffer);
  private readonly offsets = new Uint32Array(NETLINK_BATCH_MAX);
  private readonly results = new Int32Array(NETLINK_BATCH_MAX);
  /** What request i is, for logs. */
  private readonly prefixes: string[] = [];
  private readonly actions: TemplateAction[] = [];
  private count = 0;
  private used = 0;
  private scheduled = false;
  private closed = false;
  private readonly schedule: (flush: () => void) => void;

  constructor(oif: number, private readonly deps: TunRoutesDeps) {
    this.template = new RouteTemplate(oif);
    this.schedule = deps.schedule ?? queueMicrotask;
  }

  /** Routes `prefix` into the TUN (replace: whatever route it had). Throws EncodeError on bad text. */
  set(prefix: string): void {
    this.queue('replace', prefix);
  }

  /** Removes the route of `prefix` into the TUN. Throws EncodeError on bad text. */
  clear(prefix: string): void {
    this.queue('delete', prefix);
  }

  /** Requests queued and not sent yet. */
  get pending(): number {
    return this.count;
  }

  private queue(action: TemplateAction, prefix: string): void {
    if (this.closed) return; // the TUN is gone, and every route through it
    if (this.count === NETLINK_BATCH_MAX) this.flush();
    const i = this.count;
    const n = this.template.write(this.buffer, this.used, 0, action, prefix);
    this.offsets[i] = this.used;
    this.prefixes[i] = prefix;
    this.actions[i] = action;
    this.count = i + 1;
    this.used += n;
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  /** Sends what is queued, in one datagram, and reads the answers. Never throws. */
  flush(): void {
    this.scheduled = false;
    const count = this.count;
    if (count === 0) return;
    const length = this.used;
    this.count = 0;
    this.used = 0;
    const first = this.deps.takeSequences(count);
    for (let i = 0; i < count; i++) setU32(this.view, this.offsets[i] + 8, (first + i) >>> 0);
    if (this.deps.queue?.queueBatch(this.buffer, length, count, this.refused) === true) {
      this.counters.requests += count;
      this.counters.batches++;
      return;
    }
    try {
      this.deps.netlink.requestBatch(this.buffer, length, count, this.results);
    } catch (e) {
      this.counters.failed += count;
      this.deps.log.limited('tun-routes send', 'warn', 'cannot change routes into the TUN',
        { routes: count, first: this.prefixes[0], error: e instanceof OsError ? e.code : String(e) });
      return;
    }
    this.counters.requests += count;
    this.counters.batches++;
    for (let i = 0; i < count; i++) if (this.results[i] !== 0) this.failure(i, this.results[i]);
  }

  /** Sends what is queued and, with the send thread, waits for it and reports its refusals. */
  settle(): void {
    this.flush();
    this.deps.queue?.settle(this.refused);
  }

  /** Sends what is queued; later changes are ignored (the TUN closes next). */
  close(): void {
    this.settle();
    this.closed = true;
  }

  /** A request of a batch handed to the send thread was refused: the route from the kernel's echo. */
  private readonly refused = (errno: number, request: Uint8Array | undefined): void => {
    const echo = request !== undefined && request.length >= 16 ? request : undefined;
    const m = echo !== undefined ? decodeRoute(echo, 16, echo.length) : undefined;
    const dst = m?.ok === true ? m.value.dst : undefined;
    const route = dst !== undefined && m?.ok === true ? `${dst}/${m.value.dstLength}` : 'unknown';
    const type = echo !== undefined ? getU16(viewOf(echo), 4) : 0; // nlmsg_type
    this.report(route, type === RTM_DELROUTE ? 'delete' : 'replace', -errno);
  };

  private failure(i: number, result: number): void {
    this.report(this.prefixes[i], this.actions[i], result);
  }

  private report(route: string, action: TemplateAction, result: number): void {
    if (result === NETLINK_UNANSWERED) {
      this.counters.unanswered++;
      this.deps.log.limited('tun-routes unanswered', 'warn', 'no answer to a route change into the TUN',
        { route, action });
      return;
    }
    const errno = -result;
    const condition = errnoCondition(errno);
    if (action === 'delete' ? condition === 'absent' : condition === 'exists') return;
    this.counters.failed++;
    const name = errnoName(errno);
    this.deps.log.limited(`tun-routes ${action} ${name}`, 'warn', 'route change into the TUN failed',
      { route, action, errno: name });
  }
}
