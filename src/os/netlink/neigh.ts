/**
 * RTM_NEWNEIGH / DELNEIGH / GETNEIGH bodies: `struct ndmsg` then NDA_* attributes.
 *
 *    0       1       2               4                               8
 *   +-------+-------+---------------+-------------------------------+
 *   |family | pad1  | pad2          | ndm_ifindex                   |
 *   +-------+-------+---------------+-------------------------------+
 *   | ndm_state     | flags | type  |                                  12 bytes
 *   +---------------+-------+-------+
 *
 * A proxy neighbour (the kernel answers Neighbour Solicitations for NDA_DST on ndm_ifindex, the
 * Home Agent's proxy ND of RFC 6275 §10.4.1) is ndm_flags NTF_PROXY. A GETNEIGH dump whose
 * ndm_flags is exactly NTF_PROXY lists the proxy table. The kernel sends no notification when a
 * proxy entry changes, so the daemon keeps its own record of the entries it installs.
 */
import type { WireResult } from '../../wire/result.js';
import type { RtAttr } from './attr.js';
import { NDA_DST, NDA_LLADDR } from './constants.js';
import { bodyLength, decodeBody, encodeBody, type BodySpec } from './struct.js';

export interface NeighMessage {
  readonly family: number;
  readonly index: number;
  /** NUD_* state bits. */
  readonly state: number;
  /** NTF_* flags. */
  readonly flags: number;
  /** ndm_type (an RTN_* value). */
  readonly type: number;
  readonly dst?: string;
  readonly lladdr?: string;
  readonly unknown: readonly RtAttr[];
}

export const NDMSG_LENGTH = 12;

export const NEIGH_SPEC: BodySpec = {
  name: 'ndmsg',
  structLength: NDMSG_LENGTH,
  fields: [
    { key: 'family', offset: 0, size: 1 },
    { key: 'index', offset: 4, size: 4 },
    { key: 'state', offset: 8, size: 2 },
    { key: 'flags', offset: 10, size: 1 },
    { key: 'type', offset: 11, size: 1 },
  ],
  attrs: [
    { type: NDA_DST, key: 'dst', kind: 'address' },
    { type: NDA_LLADDR, key: 'lladdr', kind: 'lladdr' },
  ],
};

export function decodeNeigh(b: Uint8Array, off: number, end: number): WireResult<NeighMessage> {
  return decodeBody<NeighMessage>(NEIGH_SPEC, b, off, end);
}

export function encodedLengthNeigh(m: NeighMessage): number {
  return bodyLength(NEIGH_SPEC, m);
}

export function encodeNeigh(m: NeighMessage, out: Uint8Array, off: number): number {
  return encodeBody(NEIGH_SPEC, m, out, off);
}
