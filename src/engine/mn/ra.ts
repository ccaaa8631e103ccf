/**
 * Router Advertisements the mobile node observes (RFC 6275 §11.5.1 movement detection): the
 * engine input that carries one, its validation (RFC 4861 §6.1.2) and what the engine keeps of it.
 * The bytes are hostile: nothing here throws, and every refusal is a DropEvent.
 *
 * Valid means: IPv6 Hop Limit 255 (not forwarded by a router), a link-local source, a correct
 * ICMPv6 checksum, Type 134, Code 0, at least 16 bytes, and options that decode (no zero-length
 * option, known options with their fixed lengths). Of a valid RA the engine keeps the Router
 * Lifetime, the H flag (RFC 6275 §7.1), each Prefix Information option that is not link-local
 * (RFC 4861 §6.3.4) with its L/A/R flags and lifetimes, the Advertisement Interval (RFC 6275
 * §7.3; a value of 0 is ignored).
 */
import { formatIpv6, maskBytes, parseIpv6 } from '../../wire/addr.js';
import { bytesEqual } from '../../wire/bytes.js';
import { decodeIcmpv6, verifyIcmpv6Checksum } from '../../wire/icmpv6.js';
import { formatWireError } from '../../wire/result.js';
import type { DropEvent } from '../types.js';

/** The engine input: one ICMPv6 message received on a configured interface. */
export interface ReceivedRouterAdvertisement {
  readonly kind: 'router-advertisement';
  readonly ifname: string;
  /** IPv6 source and destination of the packet that carried it (text). */
  readonly source: string;
  readonly destination: string;
  /** The Hop Limit it arrived with (256 or more: unknown, which is invalid). */
  readonly hopLimit: number;
  /** The ICMPv6 message from its Type byte on. */
  readonly bytes: Uint8Array;
}

/** RFC 4861 §6.1.2: the hop limit an RA must arrive with. */
export const RA_HOP_LIMIT = 255;
/** Prefix Information options kept per RA; further ones are ignored. */
export const PREFIXES_PER_RA_MAX = 16;
/** The all-ones lifetime: infinity (RFC 4861 §4.6.2). */
export const INFINITE_LIFETIME = 0xffffffff;

export interface AdvertisedPrefix {
  /** The prefix masked to its length, and the address bytes of the R flag (RFC 6275 §7.2). */
  readonly prefix: Uint8Array;
  readonly prefixLength: number;
  readonly onLink: boolean;
  readonly autonomous: boolean;
  readonly routerAddress: Uint8Array | undefined;
  readonly validLifetimeSeconds: number;
}

export interface ObservedRouterAdvertisement {
  readonly source: string;
  readonly routerLifetimeSeconds: number;
  readonly homeAgent: boolean;
  readonly prefixes: readonly AdvertisedPrefix[];
  readonly advertisementIntervalMs: number | undefined;
}

export type RaResult =
  | { readonly ok: true; readonly ra: ObservedRouterAdvertisement }
  | { readonly ok: false; readonly drop: DropEvent };

function drop(reason: 'malformed' | 'bad-checksum', detail: string): RaResult {
  return { ok: false, drop: { type: 'dropped', reason, detail: `router advertisement: ${detail}` } };
}

function isLinkLocal(b: Uint8Array): boolean {
  return b[0] === 0xfe && (b[1] & 0xc0) === 0x80;
}

/** Validates and decodes a received RA; returns what the engine keeps, or why it was dropped. */
export function validateRouterAdvertisement(rx: ReceivedRouterAdvertisement): RaResult {
  if (rx.hopLimit !== RA_HOP_LIMIT) return drop('malformed', `hop limit ${rx.hopLimit}, not 255`);
  const src = parseIpv6(rx.source);
  const dst = parseIpv6(rx.destination);
  if (src === undefined || dst === undefined) return drop('malformed', 'bad address text');
  if (!isLinkLocal(src)) return drop('malformed', `source ${rx.source} is not link-local`);
  if (!verifyIcmpv6Checksum(rx.bytes, 0, rx.bytes.length, rx.source, rx.destination)) {
    return drop('bad-checksum', `from ${rx.source}`);
  }
  const r = decodeIcmpv6(rx.bytes);
  if (!r.ok) return drop('malformed', formatWireError(r.error));
  const m = r.value.message;
  if (m.type !== 'router-advertisement') return drop('malformed', `ICMPv6 ${m.type}`);
  if (m.code !== 0) return drop('malformed', `code ${m.code}`);
  const prefixes: AdvertisedPrefix[] = [];
  let advertisementIntervalMs: number | undefined;
  for (const o of m.options) {
    if (o.type === 'advertisement-interval' && o.intervalMs > 0) advertisementIntervalMs = o.intervalMs;
    if (o.type !== 'prefix-information' || prefixes.length >= PREFIXES_PER_RA_MAX) continue;
    const bytes = parseIpv6(o.prefix)!;
    if (isLinkLocal(bytes)) continue;
    prefixes.push({
      prefix: maskBytes(bytes, o.prefixLength), prefixLength: o.prefixLength, onLink: o.onLink,
      autonomous: o.autonomous, routerAddress: o.routerAddress ? bytes : undefined,
      validLifetimeSeconds: o.validLifetimeSeconds,
    });
  }
  return {
    ok: true,
    ra: {
      source: formatIpv6(src), routerLifetimeSeconds: m.routerLifetimeSeconds, homeAgent: m.homeAgent,
      prefixes, advertisementIntervalMs,
    },
  };
}

/** True when `address` lies inside `prefix`/`prefixLength` (both 16 bytes). */
export function covers(prefix: Uint8Array, prefixLength: number, address: Uint8Array): boolean {
  return bytesEqual(maskBytes(address, prefixLength), prefix);
}
