/**
 * What the mobile node has learned from Router Advertisements on each configured interface
 * during the current attachment (RFC 6275 §11.5.1, RFC 4861 §6.3.4). A link going down ends the
 * attachment and forgets everything learned on it.
 *
 * Per router (its link-local source):
 * - default router while its Router Lifetime runs; Router Lifetime 0 makes it unusable at once
 *   (RFC 4861 §6.3.4), even while the kernel still lists its route;
 * - lost when it sends an Advertisement Interval (RFC 6275 §7.3) and nothing more is heard from it
 *   for LOST_AFTER_INTERVALS intervals (by default): at least two advertisements it promised were missed
 *   (unsolicited RAs are at most one interval apart), so one lost RA on a lossy link is not
 *   movement. A lost router is forgotten with its prefixes and stays unusable until heard again;
 * - its prefixes accumulate as RFC 4861 says: each Prefix Information option sets that prefix's
 *   valid lifetime (0 withdraws it); an RA that omits a prefix does not withdraw it. But an RA
 *   whose prefixes are all new to that router comes from another router with the same link-local
 *   address (a move the link did not report): the old router is forgotten, the new one is new;
 * Per interface, every prefix advertised during the attachment is remembered (`seen`). An IPv6
 * address is then
 * - `advertised` when a live router's prefix covers it; its freshness is the time the newest
 *   such router was first heard (a router heard for the first time is a movement hint: its
 *   prefixes win the care-of selection on that interface);
 * - `withdrawn` when a prefix seen during the attachment covers it but no live router advertises
 *   one any more (the router was lost, or the prefix lifetime ran out): such an address is gone
 *   for the mobile node's purposes, even while the kernel keeps it;
 * - `unknown` otherwise (no RA ever spoke of it: static, DHCPv6, or RAs not received).
 * Tables are bounded: ROUTERS_PER_LINK_MAX routers, PREFIXES_PER_ROUTER_MAX prefixes per router
 * and SEEN_PREFIXES_MAX remembered prefixes per interface; further ones are ignored. At most
 * UNUSABLE_ROUTERS_MAX unusable routers are remembered per interface (oldest forgotten first).
 */
import { formatIpv6 } from '../../wire/addr.js';
import { bytesEqual, toHex } from '../../wire/bytes.js';
import { earliest, type Instant } from '../../proto/time.js';
import { INFINITE_LIFETIME, covers, type ObservedRouterAdvertisement } from './ra.js';

/** Intervals of silence after which a router is lost (module comment); MnRouterLostIntervals sets it. */
export const LOST_AFTER_INTERVALS = 3;
export const ROUTER_LOST_INTERVALS_MIN = 2;
export const ROUTER_LOST_INTERVALS_MAX = 100;
export const ROUTERS_PER_LINK_MAX = 8;
export const PREFIXES_PER_ROUTER_MAX = 16;
export const SEEN_PREFIXES_MAX = 32;
export const UNUSABLE_ROUTERS_MAX = 64; // unusable routers remembered per interface (oldest forgotten)

interface Prefix {
  readonly prefix: Uint8Array;
  readonly prefixLength: number;
  onLink: boolean;
  /** The router's own address (R flag, RFC 6275 §7.2), if it sent one. */
  routerAddress: Uint8Array | undefined;
  validUntil: Instant;
}

interface Router {
  readonly firstHeardAt: Instant;
  heardAt: Instant;
  /** Default router until then; undefined: not a default router (lifetime 0 or run out). */
  defaultUntil: Instant | undefined;
  advertisementIntervalMs: number | undefined;
  homeAgent: boolean;
  readonly prefixes: Map<string, Prefix>;
}

/** Why RAs made a router unusable: Router Lifetime 0, the lifetime ran out, or it fell silent. */
export type UnusableReason = 'lifetime-0' | 'expired' | 'lost';

interface Link {
  readonly routers: Map<string, Router>;
  /** Routers whose route must not be used, with why and since when (insertion order: oldest first). */
  readonly unusable: Map<string, { readonly reason: UnusableReason; readonly since: Instant }>;
  readonly seen: Map<string, { readonly prefix: Uint8Array; readonly prefixLength: number }>;
}

export type AddressStanding =
  | { readonly kind: 'advertised'; readonly freshness: Instant }
  | { readonly kind: 'withdrawn' }
  | { readonly kind: 'unknown' };

/**
 * What the management views show of one router: one RAs still speak of (`heardAt` set), or one
 * only remembered as unusable (lost routers are forgotten with their prefixes).
 */
export interface RouterView {
  readonly ifname: string;
  readonly source: string;
  /** `usable`: a default router now; otherwise why it is not. */
  readonly state: 'usable' | UnusableReason;
  /** Since when it is unusable (undefined while usable). */
  readonly unusableSince: Instant | undefined;
  readonly defaultRouter: boolean;
  /** When its Router Lifetime runs out (undefined: not a default router). */
  readonly defaultUntil: Instant | undefined;
  readonly homeAgent: boolean;
  readonly heardAt: Instant | undefined;
  readonly advertisementIntervalMs: number | undefined;
  readonly lostAt: Instant | undefined;
  readonly prefixes: readonly string[];
}

/** Prefixes advertised on an interface during this attachment that no live router advertises now. */
export interface WithdrawnView {
  readonly ifname: string;
  readonly prefixes: readonly string[];
}

const prefixKey = (p: Uint8Array, len: number): string => `${toHex(p)}/${len}`;

function until(now: Instant, seconds: number): Instant {
  return seconds === INFINITE_LIFETIME ? Infinity : now + seconds * 1000;
}

/**
 * An RA from a known source none of whose prefixes that router advertised before: another router
 * with the same link-local address (fe80::1 is common), after a move the link did not report.
 * A router advertises all its prefixes in every RA (RFC 4861 §6.2.3 splits them only when they do
 * not fit in one), so this is not an ordinary RA.
 */
function renumbered(r: Router, ra: ObservedRouterAdvertisement): boolean {
  const live = ra.prefixes.filter((p) => p.validLifetimeSeconds > 0);
  if (live.length === 0 || r.prefixes.size === 0) return false;
  return !live.some((p) => r.prefixes.has(prefixKey(p.prefix, p.prefixLength)));
}

function markUnusable(l: Link, source: string, reason: UnusableReason, since: Instant): void {
  const had = l.unusable.get(source);
  if (had?.reason === reason) return;
  l.unusable.delete(source);
  if (l.unusable.size >= UNUSABLE_ROUTERS_MAX) l.unusable.delete(l.unusable.keys().next().value!);
  l.unusable.set(source, { reason, since });
}

const text = (p: { prefix: Uint8Array; prefixLength: number }): string =>
  `${formatIpv6(p.prefix)}/${p.prefixLength}`;

export class RouterTable {
  private readonly links = new Map<string, Link>();
  routersLost = 0; // routers declared lost so far (a counter for the views)

  /** `lostAfterIntervals`: Advertisement Intervals of silence after which a router is lost. */
  constructor(private readonly lostAfterIntervals = LOST_AFTER_INTERVALS) {}

  private lostAt(r: Router): Instant | undefined {
    return r.advertisementIntervalMs === undefined ? undefined
      : r.heardAt + this.lostAfterIntervals * r.advertisementIntervalMs;
  }

  private link(ifname: string): Link {
    let l = this.links.get(ifname);
    if (l === undefined) {
      l = { routers: new Map(), unusable: new Map(), seen: new Map() };
      this.links.set(ifname, l);
    }
    return l;
  }

  /** The attachment on `ifname` ended (link down): forget what was learned there. */
  linkDown(ifname: string): boolean {
    return this.links.delete(ifname);
  }

  /** Applies a valid RA heard on `ifname` at `now`. */
  observe(now: Instant, ifname: string, ra: ObservedRouterAdvertisement): void {
    const l = this.link(ifname);
    const had = l.routers.get(ra.source);
    if (had !== undefined && renumbered(had, ra)) l.routers.delete(ra.source);
    let r = l.routers.get(ra.source);
    if (r === undefined) {
      if (l.routers.size >= ROUTERS_PER_LINK_MAX) return;
      r = {
        firstHeardAt: now, heardAt: now, defaultUntil: undefined, advertisementIntervalMs: undefined,
        homeAgent: false, prefixes: new Map(),
      };
      l.routers.set(ra.source, r);
    }
    r.heardAt = now;
    r.homeAgent = ra.homeAgent;
    r.advertisementIntervalMs = ra.advertisementIntervalMs;
    r.defaultUntil = ra.routerLifetimeSeconds > 0 ? now + ra.routerLifetimeSeconds * 1000 : undefined;
    if (r.defaultUntil === undefined) markUnusable(l, ra.source, 'lifetime-0', now);
    else l.unusable.delete(ra.source);
    for (const p of ra.prefixes) {
      const key = prefixKey(p.prefix, p.prefixLength);
      if (p.validLifetimeSeconds === 0) {
        r.prefixes.delete(key);
        continue;
      }
      const had = r.prefixes.get(key);
      if (had === undefined && r.prefixes.size >= PREFIXES_PER_ROUTER_MAX) continue;
      r.prefixes.set(key, {
        prefix: p.prefix, prefixLength: p.prefixLength, onLink: p.onLink,
        routerAddress: p.routerAddress, validUntil: until(now, p.validLifetimeSeconds),
      });
      if (!l.seen.has(key) && l.seen.size < SEEN_PREFIXES_MAX) {
        l.seen.set(key, { prefix: p.prefix, prefixLength: p.prefixLength });
      }
    }
  }

  /** Applies every lifetime and interval that ran out by `now`; true when anything changed. */
  expire(now: Instant): boolean {
    let changed = false;
    for (const l of this.links.values()) {
      for (const [source, r] of l.routers) {
        const lost = this.lostAt(r);
        if (lost !== undefined && lost <= now) {
          l.routers.delete(source);
          markUnusable(l, source, 'lost', lost);
          this.routersLost++;
          changed = true;
          continue;
        }
        if (r.defaultUntil !== undefined && r.defaultUntil <= now) {
          markUnusable(l, source, 'expired', r.defaultUntil);
          r.defaultUntil = undefined;
          changed = true;
        }
        for (const [key, p] of r.prefixes) {
          if (p.validUntil <= now) { r.prefixes.delete(key); changed = true; }
        }
        if (r.defaultUntil === undefined && r.prefixes.size === 0 && lost === undefined) {
          l.routers.delete(source);
        }
      }
    }
    return changed;
  }

  nextDeadline(): Instant | undefined {
    let next: Instant | undefined;
    for (const l of this.links.values()) {
      for (const r of l.routers.values()) {
        next = earliest(next, this.lostAt(r), r.defaultUntil);
        for (const p of r.prefixes.values()) {
          if (p.validUntil !== Infinity) next = earliest(next, p.validUntil);
        }
      }
    }
    return next;
  }

  /** True when RAs said the router at `address` on `ifname` must not be used. */
  unusable(ifname: string, address: string): boolean {
    return this.links.get(ifname)?.unusable.has(address) ?? false;
  }

  /**
   * True when a live router on `ifname` advertises the home prefix on-link, or (with the H flag)
   * names the home agent's own address in a Prefix Information option with the R flag.
   */
  homeAdvertised(
    ifname: string, homePrefix: Uint8Array, homePrefixLength: number, homeAgent: Uint8Array,
  ): boolean {
    const l = this.links.get(ifname);
    if (l === undefined) return false;
    for (const r of l.routers.values()) {
      for (const p of r.prefixes.values()) {
        if (p.onLink && p.prefixLength === homePrefixLength && bytesEqual(p.prefix, homePrefix)) return true;
        const ha = p.routerAddress !== undefined && bytesEqual(p.routerAddress, homeAgent);
        if (r.homeAgent && ha) return true;
      }
    }
    return false;
  }

  /** How the RAs heard on `ifname` stand on `address` (see the module comment). */
  standing(ifname: string, address: Uint8Array): AddressStanding {
    const l = this.links.get(ifname);
    if (l === undefined) return { kind: 'unknown' };
    let freshness: Instant | undefined;
    for (const r of l.routers.values()) {
      for (const p of r.prefixes.values()) {
        if (covers(p.prefix, p.prefixLength, address)) {
          freshness = Math.max(freshness ?? -Infinity, r.firstHeardAt);
        }
      }
    }
    if (freshness !== undefined) return { kind: 'advertised', freshness };
    for (const p of l.seen.values()) {
      if (covers(p.prefix, p.prefixLength, address)) return { kind: 'withdrawn' };
    }
    return { kind: 'unknown' };
  }

  views(): RouterView[] { // the routers heard during each attachment, then unusable ones no longer heard
    const out: RouterView[] = [];
    for (const [ifname, l] of this.links) {
      for (const [source, r] of l.routers) {
        const u = l.unusable.get(source);
        out.push({
          ifname, source, state: u?.reason ?? 'usable', unusableSince: u?.since,
          defaultRouter: r.defaultUntil !== undefined, defaultUntil: r.defaultUntil, homeAgent: r.homeAgent,
          heardAt: r.heardAt, advertisementIntervalMs: r.advertisementIntervalMs, lostAt: this.lostAt(r),
          prefixes: [...r.prefixes.values()].map(text),
        });
      }
      for (const [source, u] of l.unusable) {
        if (l.routers.has(source)) continue;
        out.push({
          ifname, source, state: u.reason, unusableSince: u.since, defaultRouter: false,
          defaultUntil: undefined, homeAgent: false, heardAt: undefined, advertisementIntervalMs: undefined,
          lostAt: undefined, prefixes: [],
        });
      }
    }
    return out;
  }

  /** Per interface, the prefixes seen during the attachment that no live router advertises. */
  withdrawn(): WithdrawnView[] {
    const out: WithdrawnView[] = [];
    for (const [ifname, l] of this.links) {
      const live = new Set<string>();
      for (const r of l.routers.values()) for (const key of r.prefixes.keys()) live.add(key);
      const prefixes = [...l.seen].filter(([key]) => !live.has(key)).map(([, p]) => text(p));
      if (prefixes.length > 0) out.push({ ifname, prefixes });
    }
    return out;
  }
}
