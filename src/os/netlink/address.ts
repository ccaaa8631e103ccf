/**
 * RTM_NEWADDR / DELADDR / GETADDR bodies: `struct ifaddrmsg` then IFA_* attributes.
 *
 *    0       1       2       3       4                               8
 *   +-------+-------+-------+-------+-------------------------------+
 *   |family |prefix | flags | scope | ifa_index                     |
 *   |       |  len  |(u8)   |       |                               |
 *   +-------+-------+-------+-------+-------------------------------+
 *
 * ifa_flags holds only the low 8 IFA_F_* bits; IFA_FLAGS (u32) carries all of them and wins when
 * present (`addressFlags`). For IPv6, IFA_ADDRESS is the address; for IPv4, IFA_LOCAL is the
 * address and IFA_ADDRESS the peer (equal unless point-to-point).
 */
import type { WireResult } from '../../wire/result.js';
import type { RtAttr } from './attr.js';
import {
  IFA_ADDRESS, IFA_CACHEINFO, IFA_FLAGS, IFA_F_NAMES, IFA_LABEL, IFA_LOCAL, IFNAME_BYTES_MAX,
} from './constants.js';
import { bodyLength, decodeBody, encodeBody, type BodySpec, type CacheInfo } from './struct.js';

export interface AddressMessage {
  readonly family: number;
  readonly prefixLength: number;
  /** The low 8 bits of IFA_F_*. */
  readonly flags: number;
  readonly scope: number;
  readonly index: number;
  readonly address?: string;
  readonly local?: string;
  readonly label?: string;
  readonly cacheInfo?: CacheInfo;
  /** IFA_FLAGS: every IFA_F_* bit. */
  readonly extFlags?: number;
  readonly unknown: readonly RtAttr[];
}

export const IFADDRMSG_LENGTH = 8;

export const ADDRESS_SPEC: BodySpec = {
  name: 'ifaddrmsg',
  structLength: IFADDRMSG_LENGTH,
  fields: [
    { key: 'family', offset: 0, size: 1 },
    { key: 'prefixLength', offset: 1, size: 1 },
    { key: 'flags', offset: 2, size: 1 },
    { key: 'scope', offset: 3, size: 1 },
    { key: 'index', offset: 4, size: 4 },
  ],
  attrs: [
    { type: IFA_ADDRESS, key: 'address', kind: 'address' },
    { type: IFA_LOCAL, key: 'local', kind: 'address' },
    { type: IFA_LABEL, key: 'label', kind: 'string', bytesMax: IFNAME_BYTES_MAX },
    { type: IFA_CACHEINFO, key: 'cacheInfo', kind: 'cacheinfo' },
    { type: IFA_FLAGS, key: 'extFlags', kind: 'u32' },
  ],
};

export function decodeAddress(b: Uint8Array, off: number, end: number): WireResult<AddressMessage> {
  return decodeBody<AddressMessage>(ADDRESS_SPEC, b, off, end);
}

export function encodedLengthAddress(m: AddressMessage): number {
  return bodyLength(ADDRESS_SPEC, m);
}

export function encodeAddress(m: AddressMessage, out: Uint8Array, off: number): number {
  return encodeBody(ADDRESS_SPEC, m, out, off);
}

/** All IFA_F_* bits of the address: IFA_FLAGS when present, else ifa_flags. */
export function addressFlags(m: AddressMessage): number {
  return m.extFlags ?? m.flags;
}

/** The names `ip addr` prints for the set IFA_F_* bits, lowest bit first. */
export function addressFlagNames(flags: number): string[] {
  return IFA_F_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}
