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
 * A pool inside or around the home subnet keeps per-binding routes: there the home link's own
 * route must keep carrying its other addresses.
 */
import {
  configuredPrefix, formatPrefix, prefixContains, prefixCovers, type Prefix,
} from '../proto/prefix.js';

export interface PoolFacts {
  readonly ipv4HomeSubnet?: string;
  readonly ipv4HomeAddressPool?: string;
  readonly ipv4PrefixPool?: { readonly range: string };
}

export class PoolRoutes {
  /** The pools routed whole, as prefix text (`172.16.0.0/14`). */
  readonly routes: readonly string[];
  private readonly pools: readonly Prefix[];

  constructor(f: PoolFacts) {
    const subnet = f.ipv4HomeSubnet !== undefined ? configuredPrefix(f.ipv4HomeSubnet) : undefined;
    const pools: Prefix[] = [];
    for (const text of [f.ipv4HomeAddressPool, f.ipv4PrefixPool?.range]) {
      const p = text !== undefined ? configuredPrefix(text) : undefined;
      if (p === undefined || p.family !== 4) continue;
      if (subnet !== undefined && (prefixCovers(subnet, p) || prefixCovers(p, subnet))) continue;
      if (pools.some((q) => prefixCovers(q, p))) continue;
      pools.push(p);
    }
    this.pools = pools;
    this.routes = pools.map(formatPrefix);
  }

  /**
   * True when a pool route carries `route` (a host prefix `a/32` or a prefix `p/len`), so the
   * binding needs no route of its own.
   */
  covers(route: string): boolean {
    if (this.pools.length === 0 || route.includes(':')) return false;
    const slash = route.indexOf('/');
    const address = slash < 0 ? route : route.slice(0, slash);
    const length = slash < 0 ? 32 : Number(route.slice(slash + 1));
    return this.pools.some((p) => p.length <= length && prefixContains(p, address));
  }
}
