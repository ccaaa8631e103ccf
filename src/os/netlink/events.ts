/**
 * rtnetlink notifications, as a socket bound to RTMGRP_* groups (or joined to RTNLGRP_* groups)
 * receives them: link, address, route, rule and neighbour changes, turned into typed events.
 *
 * `parseEvents` never throws. A message whose body is malformed is reported in `errors` and
 * skipped; a broken nlmsghdr ends the datagram (framing is lost) with one error. Proxy neighbour
 * changes produce no notification at all (measured), so there is no event for them.
 * When the event socket overflows (recv fails with ENOBUFS) notifications were lost: the reader
 * should re-dump links, addresses and routes rather than trust its picture.
 */
import type { WireError } from '../../wire/result.js';
import {
  RTM_DELADDR, RTM_DELLINK, RTM_DELNEIGH, RTM_DELROUTE, RTM_DELRULE, RTM_NEWADDR, RTM_NEWLINK,
  RTM_NEWNEIGH, RTM_NEWROUTE, RTM_NEWRULE,
} from './constants.js';
import { decodeFrame, decodeRtnlBody, type RtnlMessage } from './message.js';
import {
  addressInfo, linkInfo, neighInfo, routeInfo, ruleInfo, type AddressInfo, type LinkInfo,
  type NeighInfo, type RouteInfo, type RuleInfo,
} from './views.js';

export type EventOp = 'new' | 'del';

export type RtnlEvent =
  | { readonly kind: 'link'; readonly op: EventOp; readonly link: LinkInfo }
  | { readonly kind: 'address'; readonly op: EventOp; readonly address: AddressInfo }
  | { readonly kind: 'route'; readonly op: EventOp; readonly route: RouteInfo }
  | { readonly kind: 'rule'; readonly op: EventOp; readonly rule: RuleInfo }
  | { readonly kind: 'neigh'; readonly op: EventOp; readonly neigh: NeighInfo }
  /** A message of another type or family (kept so callers can count it). */
  | { readonly kind: 'other'; readonly type: number };

export interface ParsedEvents {
  readonly events: RtnlEvent[];
  readonly errors: WireError[];
}

/** Turns one event datagram into events. Never throws. */
export function parseEvents(datagram: Uint8Array): ParsedEvents {
  const events: RtnlEvent[] = [];
  const errors: WireError[] = [];
  let p = 0;
  while (p < datagram.length) {
    const f = decodeFrame(datagram, p, datagram.length);
    if (!f.ok) {
      errors.push(f.error);
      break;
    }
    const body = decodeRtnlBody(f.value.header.type, datagram, f.value.bodyStart, f.value.bodyEnd);
    if (body.ok) events.push(eventOf({ header: f.value.header, body: body.value }));
    else errors.push(body.error);
    p = f.value.next;
  }
  return { events, errors };
}

/** The event a decoded notification stands for. */
export function eventOf(m: RtnlMessage): RtnlEvent {
  const type = m.header.type;
  const b = m.body;
  const op: EventOp | undefined = isNew(type) ? 'new' : isDel(type) ? 'del' : undefined;
  if (op !== undefined) {
    if (b.kind === 'link') return { kind: 'link', op, link: linkInfo(b.link) };
    const address = b.kind === 'address' ? addressInfo(b.address) : undefined;
    if (address) return { kind: 'address', op, address };
    const route = b.kind === 'route' ? routeInfo(b.route) : undefined;
    if (route) return { kind: 'route', op, route };
    const rule = b.kind === 'rule' ? ruleInfo(b.rule) : undefined;
    if (rule) return { kind: 'rule', op, rule };
    const neigh = b.kind === 'neigh' ? neighInfo(b.neigh) : undefined;
    if (neigh) return { kind: 'neigh', op, neigh };
  }
  return { kind: 'other', type };
}

function isNew(type: number): boolean {
  return type === RTM_NEWLINK || type === RTM_NEWADDR || type === RTM_NEWROUTE ||
    type === RTM_NEWRULE || type === RTM_NEWNEIGH;
}

function isDel(type: number): boolean {
  return type === RTM_DELLINK || type === RTM_DELADDR || type === RTM_DELROUTE ||
    type === RTM_DELRULE || type === RTM_DELNEIGH;
}
