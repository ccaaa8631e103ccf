/**
 * RTM_NEWLINK / DELLINK / GETLINK / SETLINK bodies: `struct ifinfomsg` then IFLA_* attributes.
 *
 *    0       1       2               4                               8
 *   +-------+-------+---------------+-------------------------------+
 *   |family | pad   | ifi_type      | ifi_index                     |
 *   +-------+-------+---------------+-------------------------------+
 *   | ifi_flags (IFF_*)             | ifi_change (mask of flags)    |  16 bytes
 *   +-------------------------------+-------------------------------+
 *
 * Interpreted: IFLA_ADDRESS (link-layer address), IFLA_IFNAME, IFLA_MTU, IFLA_LINK,
 * IFLA_OPERSTATE. Everything else (stats, link info, af_spec, ...) stays in `unknown`.
 */
import type { WireResult } from '../../wire/result.js';
import type { RtAttr } from './attr.js';
import {
  IFLA_ADDRESS, IFLA_IFNAME, IFLA_LINK, IFLA_MTU, IFLA_OPERSTATE, IFNAME_BYTES_MAX,
} from './constants.js';
import { bodyLength, decodeBody, encodeBody, type BodySpec } from './struct.js';

export interface LinkMessage {
  readonly family: number;
  /** ARPHRD_* (1 ethernet, 772 loopback, 65534 none/TUN). */
  readonly type: number;
  readonly index: number;
  /** IFF_* flags. */
  readonly flags: number;
  /** Which IFF_* bits a request changes (0 in kernel replies). */
  readonly change: number;
  readonly address?: string;
  readonly name?: string;
  readonly mtu?: number;
  readonly link?: number;
  /** IF_OPER_* (RFC 2863 operational state). */
  readonly operstate?: number;
  readonly unknown: readonly RtAttr[];
}

export const IFINFOMSG_LENGTH = 16;

export const LINK_SPEC: BodySpec = {
  name: 'ifinfomsg',
  structLength: IFINFOMSG_LENGTH,
  fields: [
    { key: 'family', offset: 0, size: 1 },
    { key: 'type', offset: 2, size: 2 },
    { key: 'index', offset: 4, size: 4 },
    { key: 'flags', offset: 8, size: 4 },
    { key: 'change', offset: 12, size: 4 },
  ],
  attrs: [
    { type: IFLA_ADDRESS, key: 'address', kind: 'lladdr' },
    { type: IFLA_IFNAME, key: 'name', kind: 'string', bytesMax: IFNAME_BYTES_MAX },
    { type: IFLA_MTU, key: 'mtu', kind: 'u32' },
    { type: IFLA_LINK, key: 'link', kind: 'u32' },
    { type: IFLA_OPERSTATE, key: 'operstate', kind: 'u8' },
  ],
};

export function decodeLink(b: Uint8Array, off: number, end: number): WireResult<LinkMessage> {
  return decodeBody<LinkMessage>(LINK_SPEC, b, off, end);
}

export function encodedLengthLink(m: LinkMessage): number {
  return bodyLength(LINK_SPEC, m);
}

export function encodeLink(m: LinkMessage, out: Uint8Array, off: number): number {
  return encodeBody(LINK_SPEC, m, out, off);
}
