/**
 * Netlink framing (linux/netlink.h) and the rtnetlink message union.
 *
 *    0                               4               6               8
 *   +-------------------------------+---------------+---------------+
 *   | nlmsg_len (header + payload)  | nlmsg_type    | nlmsg_flags   |
 *   +-------------------------------+---------------+---------------+
 *   | nlmsg_seq                     | nlmsg_pid                     |  16 bytes, little-endian
 *   +-------------------------------+-------------------------------+
 *
 * A datagram holds one or more messages, each starting on a 4-byte boundary. Dumps answer with
 * NLM_F_MULTI messages ended by NLMSG_DONE; other requests end with NLMSG_ERROR, whose error 0 is
 * the ACK. NLMSG_ERROR carries a negative errno, the request's header, then (unless
 * NLM_F_CAPPED) the rest of the request and (if NLM_F_ACK_TLVS) extended-ACK attributes; those
 * bytes are kept raw in `trailer` and read by `extendedAck`.
 *
 * The body kind follows from nlmsg_type; types this codec does not model decode to `raw`.
 */
import { copyBytes } from '../../wire/bytes.js';
import { EncodeError, checkRoom, checkUint, fail, ok, type WireResult } from '../../wire/result.js';
import { decodeAttrs, findAttr, type RtAttr } from './attr.js';
import {
  NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
} from './constants.js';
import { align4, getI32, getU16, getU32, setI32, setU16, setU32, viewOf } from './endian.js';
import { ADDRESS_SPEC, type AddressMessage } from './address.js';
import { LINK_SPEC, type LinkMessage } from './link.js';
import { NEIGH_SPEC, type NeighMessage } from './neigh.js';
import { ROUTE_SPEC, type RouteMessage } from './route.js';
import { RULE_SPEC, type RuleMessage } from './rule.js';
import { bodyAttrs, bodyLength, decodeBody, encodeBody, type BodySpec } from './struct.js';

export interface NlHeader {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
}

/** The request header echoed in NLMSG_ERROR, with its original length. */
export interface EchoedHeader extends NlHeader {
  readonly length: number;
}

export type RtnlBody =
  | { readonly kind: 'link'; readonly link: LinkMessage }
  | { readonly kind: 'address'; readonly address: AddressMessage }
  | { readonly kind: 'route'; readonly route: RouteMessage }
  | { readonly kind: 'rule'; readonly rule: RuleMessage }
  | { readonly kind: 'neigh'; readonly neigh: NeighMessage }
  | {
    readonly kind: 'error'; readonly error: number; readonly request: EchoedHeader;
    readonly trailer: Uint8Array;
  }
  | { readonly kind: 'done'; readonly error: number; readonly trailer: Uint8Array }
  | { readonly kind: 'raw'; readonly payload: Uint8Array };

export type RtnlBodyKind = RtnlBody['kind'];

export interface RtnlMessage {
  readonly header: NlHeader;
  readonly body: RtnlBody;
}

type StructKind = 'link' | 'address' | 'route' | 'rule' | 'neigh';
const SPECS: Record<StructKind, BodySpec> = {
  link: LINK_SPEC, address: ADDRESS_SPEC, route: ROUTE_SPEC, rule: RULE_SPEC, neigh: NEIGH_SPEC,
};

/** The body kind of a message type (RTM_* ranges from linux/rtnetlink.h). */
export function bodyKindOf(type: number): RtnlBodyKind {
  if (type === NLMSG_ERROR) return 'error';
  if (type === NLMSG_DONE) return 'done';
  if (type >= 16 && type <= 19) return 'link';
  if (type >= 20 && type <= 22) return 'address';
  if (type >= 24 && type <= 26) return 'route';
  if (type >= 28 && type <= 30) return 'neigh';
  if (type >= 32 && type <= 34) return 'rule';
  return 'raw';
}

/** Where one message lies in a datagram. */
export interface NlFrame {
  readonly header: NlHeader;
  readonly length: number;
  readonly bodyStart: number;
  /** End of the payload (start + nlmsg_len). */
  readonly bodyEnd: number;
  /** Where the next message starts (after alignment padding, at most the datagram end). */
  readonly next: number;
}

/** Reads the nlmsghdr at b[off..end). Never throws. */
export function decodeFrame(b: Uint8Array, off: number, end: number): WireResult<NlFrame> {
  if (off + NLMSG_HDRLEN > end) {
    return fail('truncated', off, `nlmsghdr: need ${NLMSG_HDRLEN} bytes, have ${Math.max(0, end - off)}`);
  }
  const v = viewOf(b);
  const length = getU32(v, off);
  if (length < NLMSG_HDRLEN) return fail('bad-length', off, `nlmsg_len ${length} is below 16`);
  if (length > end - off) return fail('truncated', off, `nlmsg_len ${length}, have ${end - off}`);
  const header: NlHeader = {
    type: getU16(v, off + 4), flags: getU16(v, off + 6), seq: getU32(v, off + 8), pid: getU32(v, off + 12),
  };
  const next = Math.min(end, off + align4(length));
  return ok({ header, length, bodyStart: off + NLMSG_HDRLEN, bodyEnd: off + length, next }, next - off);
}

/** Decodes the payload b[off, end) of a message of `type`. Never throws. */
export function decodeRtnlBody(type: number, b: Uint8Array, off: number, end: number): WireResult<RtnlBody> {
  const kind = bodyKindOf(type);
  const v = viewOf(b);
  switch (kind) {
    case 'error': {
      if (off + 20 > end) return fail('truncated', off, `nlmsgerr: need 20 bytes, have ${end - off}`);
      const request: EchoedHeader = {
        length: getU32(v, off + 4), type: getU16(v, off + 8), flags: getU16(v, off + 10),
        seq: getU32(v, off + 12), pid: getU32(v, off + 16),
      };
      const body = { kind, error: getI32(v, off), request, trailer: copyBytes(b, off + 20, end) } as const;
      return ok(body, end - off);
    }
    case 'done': {
      if (off === end) return ok({ kind, error: 0, trailer: new Uint8Array(0) }, 0);
      if (off + 4 > end) return fail('truncated', off, `NLMSG_DONE error: need 4 bytes, have ${end - off}`);
      return ok({ kind, error: getI32(v, off), trailer: copyBytes(b, off + 4, end) }, end - off);
    }
    case 'raw':
      return ok({ kind, payload: copyBytes(b, off, end) }, end - off);
    default: {
      const r = decodeBody<never>(SPECS[kind], b, off, end);
      if (!r.ok) return r;
      return ok({ kind, [kind]: r.value } as unknown as RtnlBody, end - off);
    }
  }
}

/** Decodes the message at b[off..end); `consumed` includes its alignment padding. */
export function decodeRtnlMessage(b: Uint8Array, off: number, end: number): WireResult<RtnlMessage> {
  const f = decodeFrame(b, off, end);
  if (!f.ok) return f;
  const body = decodeRtnlBody(f.value.header.type, b, f.value.bodyStart, f.value.bodyEnd);
  if (!body.ok) return body;
  return ok({ header: f.value.header, body: body.value }, f.consumed);
}

/** Decodes every message of a datagram; fails on the first malformed one. Never throws. */
export function decodeDatagram(b: Uint8Array, off = 0, end = b.length): WireResult<RtnlMessage[]> {
  const out: RtnlMessage[] = [];
  let p = off;
  while (p < end) {
    const m = decodeRtnlMessage(b, p, end);
    if (!m.ok) return m;
    out.push(m.value);
    p += m.consumed;
  }
  return ok(out, end - off);
}

/** The payload length and, for struct bodies, the attributes to emit (computed once). */
interface Prepared {
  readonly payloadLength: number;
  readonly attrs?: RtAttr[];
}

function prepare(body: RtnlBody): Prepared {
  switch (body.kind) {
    case 'error': return { payloadLength: 20 + body.trailer.length };
    case 'done': return { payloadLength: 4 + body.trailer.length };
    case 'raw': return { payloadLength: body.payload.length };
    default: {
      const spec = SPECS[body.kind];
      const attrs = bodyAttrs(spec, structOf(body));
      return { payloadLength: bodyLength(spec, structOf(body), attrs), attrs };
    }
  }
}

function structOf(body: RtnlBody): object {
  return (body as unknown as Record<string, object>)[body.kind];
}

/** Bytes the message takes, alignment padding included. Throws EncodeError on invalid values. */
export function encodedLengthRtnlMessage(m: RtnlMessage): number {
  return align4(NLMSG_HDRLEN + prepare(m.body).payloadLength);
}

/** Emits the message at out[off..]; returns the bytes written (padded to 4). */
export function encodeRtnlMessage(m: RtnlMessage, out: Uint8Array, off: number): number {
  return writeMessage(m, prepare(m.body), out, off);
}

/** The message as a fresh byte array. */
export function encodeRtnlMessageBytes(m: RtnlMessage): Uint8Array {
  const p = prepare(m.body);
  const out = new Uint8Array(align4(NLMSG_HDRLEN + p.payloadLength));
  writeMessage(m, p, out, 0);
  return out;
}

function writeMessage(m: RtnlMessage, p: Prepared, out: Uint8Array, off: number): number {
  const h = m.header;
  checkUint(h.type, 0xffff, 'nlmsg_type');
  checkUint(h.flags, 0xffff, 'nlmsg_flags');
  checkUint(h.seq, 0xffffffff, 'nlmsg_seq');
  checkUint(h.pid, 0xffffffff, 'nlmsg_pid');
  if (bodyKindOf(h.type) !== m.body.kind) {
    throw new EncodeError(`nlmsg_type ${h.type} carries a ${bodyKindOf(h.type)} body, not ${m.body.kind}`);
  }
  const length = NLMSG_HDRLEN + p.payloadLength;
  checkRoom(out, off, align4(length), 'netlink message');
  const v = viewOf(out);
  setU32(v, off, length);
  setU16(v, off + 4, h.type);
  setU16(v, off + 6, h.flags);
  setU32(v, off + 8, h.seq);
  setU32(v, off + 12, h.pid);
  encodePayload(m.body, p, out, off + NLMSG_HDRLEN);
  out.fill(0, off + length, off + align4(length));
  return align4(length);
}

function encodePayload(body: RtnlBody, p: Prepared, out: Uint8Array, off: number): void {
  const v = viewOf(out);
  switch (body.kind) {
    case 'error': {
      checkInt32(body.error);
      const r = body.request;
      checkUint(r.length, 0xffffffff, 'echoed nlmsg_len');
      checkUint(r.type, 0xffff, 'echoed nlmsg_type');
      checkUint(r.flags, 0xffff, 'echoed nlmsg_flags');
      checkUint(r.seq, 0xffffffff, 'echoed nlmsg_seq');
      checkUint(r.pid, 0xffffffff, 'echoed nlmsg_pid');
      setI32(v, off, body.error);
      setU32(v, off + 4, r.length);
      setU16(v, off + 8, r.type);
      setU16(v, off + 10, r.flags);
      setU32(v, off + 12, r.seq);
      setU32(v, off + 16, r.pid);
      out.set(body.trailer, off + 20);
      return;
    }
    case 'done':
      checkInt32(body.error);
      setI32(v, off, body.error);
      out.set(body.trailer, off + 4);
      return;
    case 'raw':
      out.set(body.payload, off);
      return;
    default:
      encodeBody(SPECS[body.kind], structOf(body), out, off, p.attrs);
  }
}

function checkInt32(n: number): void {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) {
    throw new EncodeError(`error code must be a 32-bit signed integer, got ${n}`);
  }
}

/** Extended ACK (NETLINK_EXT_ACK): the kernel's message text and the offending byte offset. */
export interface ExtendedAck {
  readonly message?: string;
  readonly offset?: number;
}

/** Reads the extended-ACK attributes of an NLMSG_ERROR or NLMSG_DONE; undefined if none. */
export function extendedAck(header: NlHeader, body: RtnlBody): ExtendedAck | undefined {
  if ((header.flags & NLM_F_ACK_TLVS) === 0) return undefined;
  if (body.kind !== 'error' && body.kind !== 'done') return undefined;
  let start = 0;
  if (body.kind === 'error' && (header.flags & NLM_F_CAPPED) === 0) {
    start = align4(Math.max(0, body.request.length - NLMSG_HDRLEN));
  }
  if (start > body.trailer.length) return undefined;
  const attrs = decodeAttrs(body.trailer, start, body.trailer.length);
  if (!attrs.ok) return undefined;
  const msg = findAttr(attrs.value, NLMSGERR_ATTR_MSG);
  const offs = findAttr(attrs.value, NLMSGERR_ATTR_OFFS);
  const out: { message?: string; offset?: number } = {};
  if (msg) out.message = new TextDecoder().decode(msg.data).replace(/\0+$/, '');
  if (offs && offs.data.length === 4) out.offset = getU32(viewOf(body.trailer), offs.offset + 4);
  return out;
}
