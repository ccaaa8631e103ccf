/**
 * RTM_NEWROUTE / DELROUTE / GETROUTE bodies: `struct rtmsg` then RTA_* attributes.
 *
 *    0       1       2       3       4       5       6       7       8
 *   +-------+-------+-------+-------+-------+-------+-------+-------+
 *   |family |dst_len|src_len| tos   | table |protocl| scope | type  |
 *   +-------+-------+-------+-------+-------+-------+-------+-------+
 *   | rtm_flags                     |                                  12 bytes
 *   +-------------------------------+
 *
 * rtm_table is 8 bits; table ids above 255 travel in RTA_TABLE (u32), which the kernel always
 * adds to its replies (with rtm_table = RT_TABLE_COMPAT for large ids). `routeTable` gives the
 * effective id. Interpreted: RTA_DST, RTA_SRC, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY (the metric),
 * RTA_PREFSRC, RTA_TABLE.
 */
import type { WireResult } from '../../wire/result.js';
import type { RtAttr } from './attr.js';
import {
  RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PREFSRC, RTA_PRIORITY, RTA_SRC, RTA_TABLE,
} from './constants.js';
import { bodyLength, decodeBody, encodeBody, type BodySpec } from './struct.js';

export interface RouteMessage {
  readonly family: number;
  readonly dstLength: number;
  readonly srcLength: number;
  readonly tos: number;
  /** rtm_table (8 bits); see `tableId`. */
  readonly table: number;
  /** RTPROT_*. */
  readonly protocol: number;
  /** RT_SCOPE_*. */
  readonly scope: number;
  /** RTN_*. */
  readonly type: number;
  readonly flags: number;
  readonly dst?: string;
  readonly src?: string;
  readonly oif?: number;
  readonly gateway?: string;
  /** RTA_PRIORITY: the route metric. */
  readonly priority?: number;
  readonly prefsrc?: string;
  /** RTA_TABLE: the full 32-bit table id. */
  readonly tableId?: number;
  readonly unknown: readonly RtAttr[];
}

export const RTMSG_LENGTH = 12;

export const ROUTE_SPEC: BodySpec = {
  name: 'rtmsg',
  structLength: RTMSG_LENGTH,
  fields: [
    { key: 'family', offset: 0, size: 1 },
    { key: 'dstLength', offset: 1, size: 1 },
    { key: 'srcLength', offset: 2, size: 1 },
    { key: 'tos', offset: 3, size: 1 },
    { key: 'table', offset: 4, size: 1 },
    { key: 'protocol', offset: 5, size: 1 },
    { key: 'scope', offset: 6, size: 1 },
    { key: 'type', offset: 7, size: 1 },
    { key: 'flags', offset: 8, size: 4 },
  ],
  attrs: [
    { type: RTA_DST, key: 'dst', kind: 'address' },
    { type: RTA_SRC, key: 'src', kind: 'address' },
    { type: RTA_OIF, key: 'oif', kind: 'u32' },
    { type: RTA_GATEWAY, key: 'gateway', kind: 'address' },
    { type: RTA_PRIORITY, key: 'priority', kind: 'u32' },
    { type: RTA_PREFSRC, key: 'prefsrc', kind: 'address' },
    { type: RTA_TABLE, key: 'tableId', kind: 'u32' },
  ],
};

export function decodeRoute(b: Uint8Array, off: number, end: number): WireResult<RouteMessage> {
  return decodeBody<RouteMessage>(ROUTE_SPEC, b, off, end);
}

export function encodedLengthRoute(m: RouteMessage): number {
  return bodyLength(ROUTE_SPEC, m);
}

export function encodeRoute(m: RouteMessage, out: Uint8Array, off: number): number {
  return encodeBody(ROUTE_SPEC, m, out, off);
}

/** The effective table id: RTA_TABLE when present, else rtm_table. */
export function routeTable(m: { readonly table: number; readonly tableId?: number }): number {
  return m.tableId ?? m.table;
}

/** rtm_table for a table id: the id itself when it fits 8 bits, else RT_TABLE_UNSPEC (0). */
export function tableByte(tableId: number): number {
  return tableId < 256 ? tableId : 0;
}
