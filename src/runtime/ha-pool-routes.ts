/**
 * Routes for the home agent's IPv4 pools (HaIPv4HomeAddressPool, HaIPv4PrefixPool) as a whole.
 *
 * A pool that does not overlap the home link's IPv4 subnet is reachable only through the home
 * agent: nobody on the home link resolves its addresses, so they need no proxy ARP, and one
 * route for the whole pool into the TUN does the work of a /32 (or an IPv4 mobile network
 * prefix) route per binding. The home agent installs the pool routes at start (journaled like
 * every route) and leaves out the per-binding routes they cover: a new registration then costs
 * one route request (the IPv6 home address) instead of two. A packet for a pool address that no
 * binding holds reaches the forwarding table and is dropped there (counted as `no-binding`).
 *
 * A pool that overlaps the home subnet, another route of the main table or an address of the
 * home agent keeps per-binding routes: a route for the whole pool would take over traffic that
 * is not the mobile nodes' (the home link's other hosts, an upstream network, the home agent's
 * own packets to a care-of address inside that range) or replace an operator's route. The pool
 * should be a range that only the home agent serves.
 */
import {
  configuredPrefix, formatPrefix, prefixContains, prefixCovers, type Prefix,
} from '../proto/prefix.js';

export interface PoolFacts {
  readonly ipv4HomeSubnet?: string;
  readonly ipv4HomeAddressPool?: string;
  readonly ipv4PrefixPool?: { readonly range: string };
}

/** What else is routed here: IPv4 routes of the main table (not the default) and local addresses. */
export interface RoutedAlready {
  readonly routes: readonly string[];
  readonly addresses: readonly string[];
}

export class PoolRoutes {
  /** The pools routed whole, as prefix text (`172.16.0.0/14`). */
  readonly routes: readonly string[];
  private readonly pools: readonly Prefix[];

  /** Pools left to per-binding routes, and why. */
  readonly kept: readonly { readonly pool: string; readonly why: string }[];

  constructor(f: PoolFacts, already: RoutedAlready = { routes: [], addresses: [] }) {
    const taken: { text: string; p: Prefix }[] = [];
    for (const text of [...(f.ipv4HomeSubnet !== undefined ? [f.ipv4HomeSubnet] : []), ...already.routes,
      ...already.addresses.map((a) => `${a}/32`)]) {
      const p = configuredPrefix(text);
      if (p !== undefined && p.family === 4 && p.length > 0) taken.push({ text, p });
    }
    const pools: Prefix[] = [];
    const kept: { pool: string; why: string }[] = [];
    for (const text of [f.ipv4HomeAddressPool, f.ipv4PrefixPool?.range]) {
      const p = text !== undefined ? configuredPrefix(text) : undefined;
      if (p === undefined || p.family !== 4) continue;
      if (pools.some((q) => prefixCovers(q, p))) continue;
      const clash = taken.find((t) => prefixCovers(t.p, p) || prefixCovers(p, t.p));
      if (clash !== undefined) {
        kept.push({ pool: formatPrefix(p), why: `overlaps ${clash.text}` });
        continue;
      }
      pools.push(p);
    }
    this.pools = pools;
    this.kept = kept;
    this.routes = pools.map(formatPrefix);
  }

  /**
   * True when a pool route carries `route` (a host prefix `a/32` or a prefix `p/len`), so the
   * binding needs no route of its own.
   */
  covers(route: string): boolean {
    if (this.pools.length === 0 || route.includes(':')) return false;
    const slash = route.indexOf('/');
    if (slash < 0) return this.coversAddress(route);
    const address = route.slice(0, slash);
    const length = Number(route.slice(slash + 1));
    return this.pools.some((p) => p.length <= length && prefixContains(p, address));
  }

  /** covers(hostPrefix(address)), without building the route text: a pool holds `address`. */
  coversAddress(address: string): boolean {
    const pools = this.pools;
    for (let i = 0; i < pools.length; i++) if (prefixContains(pools[i], address)) return true;
    return false;
  }
}
