/**
 * The ICMPv6 messages Mobile IPv6 defines (RFC 6275 §6.5–6.8, with the NEMO R bit of
 * RFC 3963 §7.1–7.2) or modifies (the Router Advertisement H flag, RFC 6275 §7.1), with
 * the Router Solicitation (RFC 4861 §4.1) that asks for RAs in movement detection (RFC 6275
 * §11.5.1), and the Mobile IPv6 Home-Agents anycast address a HAAD Request goes to (RFC 2526).
 * Offsets are from the message start; icmpv6.ts handles Type, Code and Checksum.
 *
 *  133 Router Solicitation:  | Reserved (32) | options ... |
 *  134 Router Advertisement: | Cur Hop Limit | M|O|H|other (5) | Router Lifetime (16, s) |
 *                            | Reachable Time (32, ms) | Retrans Timer (32, ms) | options |
 *  144 HAAD Request:         | Identifier (16) | R|Reserved (15) |
 *  145 HAAD Reply:           | Identifier (16) | R|Reserved (15) | Home Agent Addresses (16 each) |
 *  146 Mobile Prefix Solicitation:  | Identifier (16) | Reserved (16) |
 *  147 Mobile Prefix Advertisement: | Identifier (16) | M|O|Reserved (14) | options |
 *
 * RA flags: M 0x80, O 0x40, H 0x20 (a home agent); the low 5 bits (RFC 4191 Prf, RFC 4389 P, ...)
 * are kept as `otherFlags`. R 0x8000: in a HAAD Request the sender is a mobile router; in a Reply
 * the listed home agents support mobile routers. MPA M 0x8000 / O 0x4000 copy the home link's RA
 * M and O flags (RFC 6275 §6.8). Bits beside flags are kept as `reserved`; the Solicitation's
 * Reserved is ignored on receipt and sent as zero. Layouts also checked against scapy's
 * ICMPv6HAADRequest/Reply, ICMPv6MPSol and ICMPv6MPAdv classes (search tool).
 */
import { formatIpv6, isIpv6Text, maskBytes, parseIpv6, writeIpv6 } from './addr.js';
import { readU16, readU32, writeU16, writeU32 } from './bytes.js';
import type { Icmpv6BodyCodec } from './icmpv6.js';
import { ndMessageBody, type NdOption } from './nd-options.js';
import {
  EncodeError, checkUint, encodeCheck, fail, needBytes, ok, type WireResult,
} from './result.js';

export const MOBILE_ICMPV6_TYPE = {
  routerSolicitation: 133, routerAdvertisement: 134,
  haadRequest: 144, haadReply: 145, mobilePrefixSolicitation: 146, mobilePrefixAdvertisement: 147,
} as const;

/** Offsets from the message start (smoltcp's `mod field`), and flag masks. */
const RS_OPTIONS = 8;
const RA = {
  curHopLimit: 4, flags: 5, routerLifetime: 6, reachableTime: 8, retransTimer: 12, options: 16,
} as const;
const RA_FLAG = { m: 0x80, o: 0x40, h: 0x20, otherMask: 0x1f } as const;
const IDENTIFIER = 4;
const FLAGS = 6;
const FIXED_LENGTH = 8; // 144-147: header, Identifier, flags/Reserved
const ADDRESS_LENGTH = 16;
const HAAD_FLAG = { r: 0x8000, reservedMask: 0x7fff } as const;
const MPA_FLAG = { m: 0x8000, o: 0x4000, reservedMask: 0x3fff } as const;
const U32 = 0xffffffff;

export interface Icmpv6RouterSolicitation {
  readonly type: 'router-solicitation';
  readonly code: number;
  readonly options: readonly NdOption[];
}

export interface Icmpv6RouterAdvertisement {
  readonly type: 'router-advertisement';
  readonly code: number;
  readonly curHopLimit: number;
  readonly managed: boolean; // M 0x80
  readonly otherConfig: boolean; // O 0x40
  readonly homeAgent: boolean; // H 0x20: the router is a home agent on this link
  readonly otherFlags: number; // the low 5 bits of the flags byte, 0..0x1f
  readonly routerLifetimeSeconds: number;
  readonly reachableTimeMs: number;
  readonly retransTimerMs: number;
  readonly options: readonly NdOption[];
}

export interface HaadRequest {
  readonly type: 'haad-request';
  readonly code: number;
  readonly identifier: number;
  /** R 0x8000 (RFC 3963 §7.1). */
  readonly mobileRouterSupport: boolean;
  /** The other 15 bits of the Reserved field, 0..0x7fff. */
  readonly reserved: number;
}

export interface HaadReply {
  readonly type: 'haad-reply';
  readonly code: number;
  readonly identifier: number;
  /** R 0x8000 (RFC 3963 §7.2). */
  readonly mobileRouterSupport: boolean;
  readonly reserved: number;
  /** In order of preference (RFC 6275 §10.5.1). */
  readonly homeAgentAddresses: readonly string[];
}

export interface MobilePrefixSolicitation {
  readonly type: 'mobile-prefix-solicitation';
  readonly code: number;
  readonly identifier: number;
}

export interface MobilePrefixAdvertisement {
  readonly type: 'mobile-prefix-advertisement';
  readonly code: number;
  readonly identifier: number;
  /** M 0x8000: Managed Address Configuration, as in the home link's RAs. */
  readonly managed: boolean;
  /** O 0x4000: Other Stateful Configuration. */
  readonly otherConfig: boolean;
  /** The other 14 bits, 0..0x3fff. */
  readonly reserved: number;
  readonly options: readonly NdOption[];
}

export type Icmpv6MobileMessage =
  | Icmpv6RouterSolicitation | Icmpv6RouterAdvertisement
  | HaadRequest | HaadReply | MobilePrefixSolicitation | MobilePrefixAdvertisement;

function checkIdentifier(identifier: number): void {
  checkUint(identifier, 0xffff, 'ICMPv6 identifier');
}

function needFixed(end: number, start: number, what: string): WireResult<never> | undefined {
  return needBytes(end, start, FIXED_LENGTH, what);
}

/** Decodes the Identifier and the R flag word shared by the two HAAD messages. */
function readHaad(b: Uint8Array, start: number): {
  identifier: number; mobileRouterSupport: boolean; reserved: number;
} {
  const flags = readU16(b, start + FLAGS);
  return {
    identifier: readU16(b, start + IDENTIFIER),
    mobileRouterSupport: (flags & HAAD_FLAG.r) !== 0,
    reserved: flags & HAAD_FLAG.reservedMask,
  };
}

function writeHaad(m: HaadRequest | HaadReply, out: Uint8Array, start: number): void {
  writeU16(out, start + IDENTIFIER, m.identifier);
  writeU16(out, start + FLAGS, (m.mobileRouterSupport ? HAAD_FLAG.r : 0) | m.reserved);
}

function checkHaad(m: HaadRequest | HaadReply): void {
  checkIdentifier(m.identifier);
  checkUint(m.reserved, HAAD_FLAG.reservedMask, 'HAAD reserved');
}

export const haadRequestBody: Icmpv6BodyCodec<HaadRequest> = {
  icmpType: MOBILE_ICMPV6_TYPE.haadRequest,
  length(m) { checkHaad(m); return FIXED_LENGTH; },
  write: writeHaad,
  read(b, start, end, code) {
    const short = needFixed(end, start, 'HAAD Request');
    if (short) return short;
    return ok({ type: 'haad-request', code, ...readHaad(b, start) }, end - start);
  },
};

export const haadReplyBody: Icmpv6BodyCodec<HaadReply> = {
  icmpType: MOBILE_ICMPV6_TYPE.haadReply,
  length(m) {
    checkHaad(m);
    for (const a of m.homeAgentAddresses) {
      encodeCheck(isIpv6Text(a), `bad home agent address text: ${a}`);
    }
    return FIXED_LENGTH + ADDRESS_LENGTH * m.homeAgentAddresses.length;
  },
  write(m, out, start) {
    writeHaad(m, out, start);
    m.homeAgentAddresses.forEach((a, i) => {
      const at = start + FIXED_LENGTH + ADDRESS_LENGTH * i;
      encodeCheck(writeIpv6(out, at, a), `bad home agent address text: ${a}`);
    });
  },
  read(b, start, end, code) {
    const short = needFixed(end, start, 'HAAD Reply');
    if (short) return short;
    const rest = end - start - FIXED_LENGTH;
    if (rest % ADDRESS_LENGTH !== 0) {
      return fail('bad-length', start + FIXED_LENGTH + rest - (rest % ADDRESS_LENGTH),
        `HAAD Reply Home Agent Addresses: ${rest} bytes is not a multiple of 16`);
    }
    const homeAgentAddresses: string[] = [];
    for (let off = start + FIXED_LENGTH; off < end; off += ADDRESS_LENGTH) {
      homeAgentAddresses.push(formatIpv6(b, off));
    }
    return ok({ type: 'haad-reply', code, ...readHaad(b, start), homeAgentAddresses }, end - start);
  },
};

export const mobilePrefixSolicitationBody: Icmpv6BodyCodec<MobilePrefixSolicitation> = {
  icmpType: MOBILE_ICMPV6_TYPE.mobilePrefixSolicitation,
  length(m) { checkIdentifier(m.identifier); return FIXED_LENGTH; },
  write(m, out, start) {
    writeU16(out, start + IDENTIFIER, m.identifier);
    writeU16(out, start + FLAGS, 0);
  },
  read(b, start, end, code) {
    const short = needFixed(end, start, 'Mobile Prefix Solicitation');
    if (short) return short;
    // RFC 6275 §6.7 defines nothing after Reserved; extra bytes are ignored, as for 144.
    return ok({
      type: 'mobile-prefix-solicitation', code, identifier: readU16(b, start + IDENTIFIER),
    }, end - start);
  },
};

export const mobilePrefixAdvertisementBody = ndMessageBody<MobilePrefixAdvertisement>(
  MOBILE_ICMPV6_TYPE.mobilePrefixAdvertisement, FIXED_LENGTH, 'Mobile Prefix Advertisement',
  (m) => {
    checkIdentifier(m.identifier);
    checkUint(m.reserved, MPA_FLAG.reservedMask, 'Mobile Prefix Advertisement reserved');
  },
  (m, out, start) => {
    writeU16(out, start + IDENTIFIER, m.identifier);
    writeU16(out, start + FLAGS, (m.managed ? MPA_FLAG.m : 0) |
      (m.otherConfig ? MPA_FLAG.o : 0) | m.reserved);
  },
  (b, start, code, options) => {
    const flags = readU16(b, start + FLAGS);
    return {
      type: 'mobile-prefix-advertisement', code,
      identifier: readU16(b, start + IDENTIFIER),
      managed: (flags & MPA_FLAG.m) !== 0,
      otherConfig: (flags & MPA_FLAG.o) !== 0,
      reserved: flags & MPA_FLAG.reservedMask,
      options,
    };
  },
);

export const routerSolicitationBody = ndMessageBody<Icmpv6RouterSolicitation>(
  MOBILE_ICMPV6_TYPE.routerSolicitation, RS_OPTIONS, 'Router Solicitation', () => undefined,
  () => undefined, (_b, _s, code, options) => ({ type: 'router-solicitation', code, options }));

export const routerAdvertisementBody = ndMessageBody<Icmpv6RouterAdvertisement>(
  MOBILE_ICMPV6_TYPE.routerAdvertisement, RA.options, 'Router Advertisement',
  (m) => {
    checkUint(m.curHopLimit, 0xff, 'RA curHopLimit');
    checkUint(m.otherFlags, RA_FLAG.otherMask, 'RA otherFlags');
    checkUint(m.routerLifetimeSeconds, 0xffff, 'RA routerLifetimeSeconds');
    checkUint(m.reachableTimeMs, U32, 'RA reachableTimeMs');
    checkUint(m.retransTimerMs, U32, 'RA retransTimerMs');
  },
  (m, out, s) => {
    out[s + RA.curHopLimit] = m.curHopLimit;
    out[s + RA.flags] = (m.managed ? RA_FLAG.m : 0) | (m.otherConfig ? RA_FLAG.o : 0) |
      (m.homeAgent ? RA_FLAG.h : 0) | m.otherFlags;
    writeU16(out, s + RA.routerLifetime, m.routerLifetimeSeconds);
    writeU32(out, s + RA.reachableTime, m.reachableTimeMs);
    writeU32(out, s + RA.retransTimer, m.retransTimerMs);
  },
  (b, s, code, options) => {
    const flags = b[s + RA.flags];
    return {
      type: 'router-advertisement', code,
      curHopLimit: b[s + RA.curHopLimit],
      managed: (flags & RA_FLAG.m) !== 0,
      otherConfig: (flags & RA_FLAG.o) !== 0,
      homeAgent: (flags & RA_FLAG.h) !== 0,
      otherFlags: flags & RA_FLAG.otherMask,
      routerLifetimeSeconds: readU16(b, s + RA.routerLifetime),
      reachableTimeMs: readU32(b, s + RA.reachableTime),
      retransTimerMs: readU32(b, s + RA.retransTimer),
      options,
    };
  },
);

/** The reserved subnet anycast ID of the Mobile IPv6 Home-Agents anycast address (RFC 2526 §3). */
export const HOME_AGENTS_ANYCAST_ID = 126;
const ANYCAST_ID_BITS = 7;
const EUI64_PREFIX_LENGTH = 64;
/** Universal/local bit of an EUI-64 interface identifier: byte 8 of the address, 0x02. */
const UNIVERSAL_LOCAL_BYTE = 8;
const UNIVERSAL_LOCAL_BIT = 0x02;

/**
 * The Mobile IPv6 Home-Agents anycast address of `prefix`/`prefixLength` (RFC 2526 §2), where a
 * mobile node sends its HAAD Request (RFC 6275 §11.4.1). For a /64 (64-bit EUI-64 format
 * interface identifiers) the identifier is all ones with the universal/local bit cleared and the
 * 7-bit anycast ID last: prefix::fdff:ffff:ffff:fffe. For other lengths (at most 121) the bits
 * between prefix and ID are all ones. Bits of `prefix` past `prefixLength` are ignored. Throws
 * EncodeError on bad text or length (a local error).
 */
export function homeAgentsAnycastAddress(prefix: string, prefixLength: number): string {
  const bytes = parseIpv6(prefix);
  if (!bytes) throw new EncodeError(`bad IPv6 prefix text: ${prefix}`);
  checkUint(prefixLength, 128 - ANYCAST_ID_BITS, 'Home-Agents anycast prefixLength');
  const out = maskBytes(bytes, prefixLength);
  for (let bit = prefixLength; bit < 128 - ANYCAST_ID_BITS; bit++) {
    out[bit >> 3] |= 0x80 >> (bit & 7);
  }
  out[15] = (out[15] & 0x80) | HOME_AGENTS_ANYCAST_ID;
  if (prefixLength === EUI64_PREFIX_LENGTH) out[UNIVERSAL_LOCAL_BYTE] &= ~UNIVERSAL_LOCAL_BIT;
  return formatIpv6(out);
}
