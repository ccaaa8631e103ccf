/**
 * RTM_NEWRULE / DELRULE / GETRULE bodies: `struct fib_rule_hdr` then FRA_* attributes.
 *
 *    0       1       2       3       4       5       6       7       8
 *   +-------+-------+-------+-------+-------+-------+-------+-------+
 *   |family |dst_len|src_len| tos   | table | res1  | res2  |action |
 *   +-------+-------+-------+-------+-------+-------+-------+-------+
 *   | flags (FIB_RULE_*)            |                                  12 bytes
 *   +-------------------------------+
 *
 * `from PREFIX lookup TABLE priority N` is action FR_ACT_TO_TBL with FRA_SRC + src_len,
 * FRA_TABLE (u32, any id) and FRA_PRIORITY. Interpreted: FRA_DST, FRA_SRC, FRA_PRIORITY,
 * FRA_TABLE; the rest (FRA_PROTOCOL, marks, ports, ...) stays in `unknown`.
 */
import type { WireResult } from '../../wire/result.js';
import type { RtAttr } from './attr.js';
import { FRA_DST, FRA_PRIORITY, FRA_SRC, FRA_TABLE } from './constants.js';
import { bodyLength, decodeBody, encodeBody, type BodySpec } from './struct.js';

export interface RuleMessage {
  readonly family: number;
  readonly dstLength: number;
  readonly srcLength: number;
  readonly tos: number;
  /** The 8-bit table; see `tableId`. */
  readonly table: number;
  /** FR_ACT_*. */
  readonly action: number;
  readonly flags: number;
  readonly dst?: string;
  readonly src?: string;
  /** FRA_PRIORITY: the rule's preference (lower is consulted first). */
  readonly priority?: number;
  /** FRA_TABLE: the full 32-bit table id. */
  readonly tableId?: number;
  readonly unknown: readonly RtAttr[];
}

export const FIB_RULE_HDR_LENGTH = 12;

export const RULE_SPEC: BodySpec = {
  name: 'fib_rule_hdr',
  structLength: FIB_RULE_HDR_LENGTH,
  fields: [
    { key: 'family', offset: 0, size: 1 },
    { key: 'dstLength', offset: 1, size: 1 },
    { key: 'srcLength', offset: 2, size: 1 },
    { key: 'tos', offset: 3, size: 1 },
    { key: 'table', offset: 4, size: 1 },
    { key: 'action', offset: 7, size: 1 },
    { key: 'flags', offset: 8, size: 4 },
  ],
  attrs: [
    { type: FRA_DST, key: 'dst', kind: 'address' },
    { type: FRA_SRC, key: 'src', kind: 'address' },
    { type: FRA_TABLE, key: 'tableId', kind: 'u32' },
    { type: FRA_PRIORITY, key: 'priority', kind: 'u32' },
  ],
};

export function decodeRule(b: Uint8Array, off: number, end: number): WireResult<RuleMessage> {
  return decodeBody<RuleMessage>(RULE_SPEC, b, off, end);
}

export function encodedLengthRule(m: RuleMessage): number {
  return bodyLength(RULE_SPEC, m);
}

export function encodeRule(m: RuleMessage, out: Uint8Array, off: number): number {
  return encodeBody(RULE_SPEC, m, out, off);
}
