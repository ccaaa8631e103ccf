/**
 * A small synchronous rtnetlink client over the codec in this folder.
 *
 * Each operation builds one request (requests.ts), hands its bytes to a `NetlinkTransport`, and
 * reads the reply datagrams. Kernel errors (NLMSG_ERROR with a negative errno) come back as
 * typed results naming the operation and the errno (EEXIST, ENOENT, ...), never as exceptions;
 * `alreadyExists` / `doesNotExist` let idempotent callers ignore the expected ones. Malformed
 * replies and transport failures are typed results too. Only an invalid spec (a bug of the
 * caller: bad address text, out-of-range number) throws EncodeError.
 *
 * Synchronous calls are fine here: rtnetlink handles a request inside sendmsg, so the reply is
 * queued before send returns (platform.md §3: about 15 µs per operation).
 */
import type { WireError } from '../../wire/result.js';
import { formatWireError } from '../../wire/result.js';
import { errnoCondition, errnoName, errnoText, type ErrnoCondition } from './errno.js';
import { NLMSG_DONE, NLMSG_ERROR, NLM_F_DUMP_INTR } from './constants.js';
import { decodeDatagram, encodeRtnlMessageBytes, extendedAck, type RtnlMessage } from './message.js';
import * as rq from './requests.js';
import {
  addressInfo, linkInfo, neighInfo, routeInfo, ruleInfo, type AddressInfo, type IpFamily,
  type LinkInfo, type NeighInfo, type RouteInfo, type RuleInfo,
} from './views.js';

/**
 * The native side: sends one request on a NETLINK_ROUTE socket and returns every reply datagram
 * up to and including the one that holds the request's NLMSG_ERROR (the ACK) or NLMSG_DONE,
 * synchronously. It may throw on a socket error; the client turns that into a 'transport' result.
 * Setting NETLINK_EXT_ACK on the socket adds the kernel's error text to results.
 */
export interface NetlinkTransport {
  request(message: Uint8Array): Uint8Array[];
}

export type RtnlError =
  | {
    readonly kind: 'kernel'; readonly op: string; readonly text: string;
    /** Positive errno (17 for EEXIST). */
    readonly errno: number; readonly name: string; readonly condition: ErrnoCondition;
    /** The kernel's extended-ACK message, when the socket asked for it. */
    readonly extack?: string;
  }
  | { readonly kind: 'malformed'; readonly op: string; readonly text: string; readonly wire: WireError }
  /** The dump changed while it was read (NLM_F_DUMP_INTR): read it again. */
  | { readonly kind: 'interrupted'; readonly op: string; readonly text: string }
  | { readonly kind: 'no-reply'; readonly op: string; readonly text: string }
  | { readonly kind: 'transport'; readonly op: string; readonly text: string };

export type RtnlResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: RtnlError };

/** True for a kernel EEXIST: adding what is already there. */
export function alreadyExists(e: RtnlError): boolean {
  return e.kind === 'kernel' && e.condition === 'exists';
}

/** True for a kernel "not there" errno (ENOENT, ESRCH, EADDRNOTAVAIL, ENODEV). */
export function doesNotExist(e: RtnlError): boolean {
  return e.kind === 'kernel' && e.condition === 'absent';
}

export interface RtnlClientOptions {
  /** The first sequence number (default 1). */
  readonly initialSeq?: number;
}

export class RtnlClient {
  private seq: number;

  constructor(private readonly transport: NetlinkTransport, options: RtnlClientOptions = {}) {
    this.seq = (options.initialSeq ?? 1) >>> 0 || 1;
  }

  /** The sequence number the next request will carry. */
  get nextSeq(): number {
    return this.seq;
  }

  /**
   * Reserves `count` consecutive sequence numbers for requests sent past the client (a batch,
   * NetlinkPort.requestBatch) and returns the first; they never wrap within one reservation.
   */
  takeSequences(count: number): number {
    if (this.seq + count > 0xffffffff) this.seq = 1;
    const first = this.seq;
    this.seq = (this.seq + count) >>> 0 || 1;
    return first;
  }

  getLinks(): RtnlResult<LinkInfo[]> {
    return this.dump('getLinks', '', (s) => rq.getLinksRequest(s),
      (m) => (m.body.kind === 'link' ? linkInfo(m.body.link) : undefined));
  }

  /** One link by name or index; a missing one is a kernel ENODEV (`doesNotExist`). */
  getLink(ref: rq.LinkRef): RtnlResult<LinkInfo> {
    const r = this.dump('getLink', String(ref), (s) => rq.getLinkRequest(s, ref),
      (m) => (m.body.kind === 'link' ? linkInfo(m.body.link) : undefined));
    if (!r.ok) return r;
    if (r.value.length === 0) return noReply('getLink', `getLink ${ref}: no RTM_NEWLINK in the reply`);
    return { ok: true, value: r.value[0] };
  }

  setLinkUp(ref: rq.LinkRef): RtnlResult<void> {
    return this.ack('setLinkUp', () => String(ref), (s) => rq.setLinkStateRequest(s, ref, true));
  }

  setLinkDown(ref: rq.LinkRef): RtnlResult<void> {
    return this.ack('setLinkDown', () => String(ref), (s) => rq.setLinkStateRequest(s, ref, false));
  }

  setMtu(ref: rq.LinkRef, mtu: number): RtnlResult<void> {
    return this.ack('setMtu', () => `${ref} mtu ${mtu}`, (s) => rq.setMtuRequest(s, ref, mtu));
  }

  addAddress(spec: rq.AddressSpec): RtnlResult<void> {
    return this.ack('addAddress', () => describeAddress(spec), (s) => rq.addressRequest(s, true, spec));
  }

  delAddress(spec: rq.AddressSpec): RtnlResult<void> {
    return this.ack('delAddress', () => describeAddress(spec), (s) => rq.addressRequest(s, false, spec));
  }

  /** Addresses of one family (both when undefined), optionally of one link only. */
  getAddresses(family?: IpFamily, index?: number): RtnlResult<AddressInfo[]> {
    return this.dump('getAddresses', '', (s) => rq.getAddressesRequest(s, family), (m) => {
      const a = m.body.kind === 'address' ? addressInfo(m.body.address) : undefined;
      return a && (index === undefined || a.index === index) ? a : undefined;
    });
  }

  addRoute(spec: rq.RouteSpec): RtnlResult<void> {
    return this.ack('addRoute', () => describeRoute(spec), (s) => rq.routeRequest(s, 'add', spec));
  }

  replaceRoute(spec: rq.RouteSpec): RtnlResult<void> {
    return this.ack('replaceRoute', () => describeRoute(spec), (s) => rq.routeRequest(s, 'replace', spec));
  }

  delRoute(spec: rq.RouteSpec): RtnlResult<void> {
    return this.ack('delRoute', () => describeRoute(spec), (s) => rq.routeRequest(s, 'delete', spec));
  }

  /** Routes of one table (every table when undefined) and family (both when undefined). */
  getRoutes(table?: number, family?: IpFamily): RtnlResult<RouteInfo[]> {
    return this.dump('getRoutes', table === undefined ? '' : `table ${table}`,
      (s) => rq.getRoutesRequest(s, family), (m) => {
        const r = m.body.kind === 'route' ? routeInfo(m.body.route) : undefined;
        return r && (table === undefined || r.table === table) ? r : undefined;
      });
  }

  addRule(spec: rq.RuleSpec): RtnlResult<void> {
    return this.ack('addRule', () => describeRule(spec), (s) => rq.ruleRequest(s, true, spec));
  }

  delRule(spec: rq.RuleSpec): RtnlResult<void> {
    return this.ack('delRule', () => describeRule(spec), (s) => rq.ruleRequest(s, false, spec));
  }

  getRules(family: IpFamily): RtnlResult<RuleInfo[]> {
    return this.dump('getRules', `ipv${family}`, (s) => rq.getRulesRequest(s, family),
      (m) => (m.body.kind === 'rule' ? ruleInfo(m.body.rule) : undefined));
  }

  /** Adding an entry that exists succeeds (the kernel only updates it); no event is sent. */
  addProxyNeighbour(spec: rq.ProxyNeighbourSpec): RtnlResult<void> {
    return this.ack('addProxyNeighbour', () => describeNeighbour(spec),
      (s) => rq.proxyNeighbourRequest(s, true, spec));
  }

  delProxyNeighbour(spec: rq.ProxyNeighbourSpec): RtnlResult<void> {
    return this.ack('delProxyNeighbour', () => describeNeighbour(spec),
      (s) => rq.proxyNeighbourRequest(s, false, spec));
  }

  getProxyNeighbours(family?: IpFamily): RtnlResult<NeighInfo[]> {
    return this.dump('getProxyNeighbours', '', (s) => rq.getProxyNeighboursRequest(s, family), (m) => {
      const n = m.body.kind === 'neigh' ? neighInfo(m.body.neigh) : undefined;
      return n && n.proxy ? n : undefined;
    });
  }

  /** A request answered by an ACK; `detail` (for error texts) is only built when it fails. */
  private ack(op: string, detail: () => string, build: (seq: number) => RtnlMessage): RtnlResult<void> {
    const r = this.exchange(op, detail, build, true);
    return r.ok ? ACKED : r;
  }

  private dump<T>(
    op: string, detail: string, build: (seq: number) => RtnlMessage,
    pick: (m: RtnlMessage) => T | undefined,
  ): RtnlResult<T[]> {
    const r = this.exchange(op, () => detail, build, false);
    if (!r.ok) return r;
    const out: T[] = [];
    for (const m of r.value) {
      if ((m.header.flags & NLM_F_DUMP_INTR) !== 0) {
        return fault({ kind: 'interrupted', op, text: `${op}: dump interrupted by a change; retry` });
      }
      const x = pick(m);
      if (x !== undefined) out.push(x);
    }
    return { ok: true, value: out };
  }

  /**
   * Sends the request and returns the replies that carry its sequence number, up to the ending
   * NLMSG_ERROR / NLMSG_DONE (which is checked, not returned).
   */
  private exchange(
    op: string, detail: () => string, build: (seq: number) => RtnlMessage, ackOnly: boolean,
  ): RtnlResult<RtnlMessage[]> {
    const seq = this.seq;
    this.seq = (this.seq + 1) >>> 0 || 1;
    const bytes = encodeRtnlMessageBytes(build(seq));
    let datagrams: Uint8Array[];
    try {
      datagrams = this.transport.request(bytes);
    } catch (e) {
      return fault({ kind: 'transport', op, text: `${labelOf(op, detail)}: transport failed: ${String(e)}` });
    }
    // The common answer to a change, one datagram holding just the ACK: no full decode.
    if (ackOnly && datagrams.length === 1 && isPlainAck(datagrams[0], seq)) return NO_REPLIES;
    const label = labelOf(op, detail);
    const replies: RtnlMessage[] = [];
    for (const d of datagrams) {
      const r = decodeDatagram(d);
      if (!r.ok) {
        return fault({ kind: 'malformed', op, wire: r.error, text: `${label}: ${formatWireError(r.error)}` });
      }
      for (const m of r.value) {
        if (m.header.seq !== seq) continue;
        if (m.header.type !== NLMSG_ERROR && m.header.type !== NLMSG_DONE) {
          replies.push(m);
          continue;
        }
        const code = m.body.kind === 'error' || m.body.kind === 'done' ? m.body.error : 0;
        if (code === 0) return { ok: true, value: replies };
        return fault(kernelError(op, label, code, extendedAck(m.header, m.body)?.message));
      }
    }
    return noReply(op, `${label}: no NLMSG_ERROR or NLMSG_DONE for sequence ${seq}`);
  }
}

const ACKED: RtnlResult<void> = { ok: true, value: undefined };
const NO_REPLIES: RtnlResult<RtnlMessage[]> = { ok: true, value: [] };

function labelOf(op: string, detail: () => string): string {
  const d = detail();
  return d === '' ? op : `${op} ${d}`;
}

/**
 * True when `d` is exactly one NLMSG_ERROR with error 0 (an ACK) for `seq`: nlmsghdr (16 bytes)
 * then nlmsgerr, the error and the echoed request header (20 bytes; more with the request
 * echoed or extended-ACK attributes, which an ACK of success does not carry by default).
 */
export function isPlainAck(d: Uint8Array, seq: number): boolean {
  if (d.length < 36) return false;
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const length = v.getUint32(0, true);
  return length === d.length && v.getUint16(4, true) === NLMSG_ERROR && v.getUint32(8, true) === seq
    && v.getInt32(16, true) === 0;
}

function kernelError(op: string, label: string, code: number, extack: string | undefined): RtnlError {
  const errno = Math.abs(code);
  const name = errnoName(errno);
  const text = `${label}: ${name} (${errnoText(errno)})${extack ? `: ${extack}` : ''}`;
  const base = { kind: 'kernel' as const, op, text, errno, name, condition: errnoCondition(errno) };
  return extack ? { ...base, extack } : base;
}

function fault<T>(error: RtnlError): RtnlResult<T> {
  return { ok: false, error };
}

function noReply<T>(op: string, text: string): RtnlResult<T> {
  return fault({ kind: 'no-reply', op, text });
}

function describeAddress(s: rq.AddressSpec): string {
  return `${s.address}/${s.prefixLength} dev ${s.index}${s.nodad ? ' nodad' : ''}`;
}

function describeRoute(s: rq.RouteSpec): string {
  const parts = [s.dst];
  if (s.gateway !== undefined) parts.push(`via ${s.gateway}`);
  if (s.oif !== undefined) parts.push(`dev ${s.oif}`);
  if (s.src !== undefined) parts.push(`src ${s.src}`);
  if (s.table !== undefined) parts.push(`table ${s.table}`);
  if (s.metric !== undefined) parts.push(`metric ${s.metric}`);
  return parts.join(' ');
}

function describeRule(s: rq.RuleSpec): string {
  return `from ${s.from} lookup ${s.table}${s.priority !== undefined ? ` priority ${s.priority}` : ''}`;
}

function describeNeighbour(s: rq.ProxyNeighbourSpec): string {
  return `proxy ${s.address} dev ${s.index}`;
}
