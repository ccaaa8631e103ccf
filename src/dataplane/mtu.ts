/**
 * Path MTU of the tunnels (RFC 2473 §7, RFC 4459, RFC 8201, RFC 1191). The usable inner MTU of a
 * tunnel is its outer path MTU less the encapsulation overhead (IPv6 outer 40, IPv4 outer 20,
 * UDP over IPv4 28: 1472 on a 1500 link), capped by the TUN MTU. The path MTU starts from the
 * kernel's answer for the remote end (route exception, else the link MTU) when the runtime can
 * ask, else from the assumed link MTU; it is lowered when a send fails with EMSGSIZE, and kept
 * `expiresMs` (10 min, RFC 8201 §5.3) before it is asked for or assumed again.
 *
 * Entries are shared per remote address (the kernel keeps its path MTU per destination too) and
 * cached per route object, so the per-packet lookup is a WeakMap hit and two compares.
 * ICMP errors and fragments are built in mtu-icmp.ts.
 */
import type { TunnelEndpoint } from '../engine/types.js';
import { toHex } from '../wire/bytes.js';

export const IPV6_MIN_MTU = 1280;
export const IPV4_MIN_MTU = 68;

export type Encapsulation = TunnelEndpoint['encapsulation'];

/** Outer header octets each encapsulation adds. */
export function encapsulationOverhead(e: Encapsulation): number {
  return e === 'ipv6' ? 40 : e === 'ipv4' ? 20 : 28;
}

/** The largest inner packet a path MTU leaves room for (1472 for UDP on a 1500 link). */
export function innerMtu(pathMtu: number, e: Encapsulation): number {
  return pathMtu - encapsulationOverhead(e);
}

/** RFC 1191 §7 plateaus, with 9000, 1480, 1472, 1450, 1400, 1380 and 1280 added. */
const PLATEAUS = [
  65535, 32000, 17914, 9000, 8166, 4352, 2002, 1500, 1492, 1480, 1472, 1450, 1400, 1380, 1280,
  1006, 576, 508, 296, 68,
] as const;

/** The largest plateau below `size` (68 at least): the guess when the kernel cannot be asked. */
export function plateauBelow(size: number): number {
  for (const p of PLATEAUS) if (p < size) return p;
  return IPV4_MIN_MTU;
}

/** Where a path MTU came from: assumed link MTU, the kernel, a plateau guess, an ICMP error. */
export type PathMtuSource = 'assumed' | 'kernel' | 'guess' | 'icmp';

/** The path MTU towards one remote address (mutable; shared by the tunnels to it). */
export interface PathEntry {
  readonly remote: Uint8Array;
  readonly family: 4 | 6;
  mtu: number;
  source: PathMtuSource;
  /** When to ask or assume again (ms, the runtime's clock); Infinity: never. */
  until: number;
  /** Bumped on every change, so the tunnel states recompute. */
  version: number;
}

/** A tunnel's view of its path: what the forwarding tables return for a TUN packet. */
export interface MtuRoute {
  readonly tunnel: TunnelEndpoint;
  /** The remote end as a 16-byte send address (IPv4 as ::ffff:a.b.c.d). */
  readonly remoteSlot: Uint8Array;
}

export interface TunnelMtuState {
  readonly path: PathEntry;
  readonly encapsulation: Encapsulation;
  readonly overhead: number;
  version: number;
  /** Largest inner IPv6 / IPv4 packet sent as is. IPv6 never goes below 1280 (RFC 8200 §5). */
  usable6: number;
  usable4: number;
}

export interface PathMtuOptions {
  /** The TUN device's MTU (TunnelMtu): the cap on the inner MTU. Default 65535 (no cap). */
  readonly tunnelMtu?: number;
  /** Outer MTU assumed when nothing better is known. Default 1500. */
  readonly linkMtu?: number;
  /** How long a learned or lowered path MTU is kept (ms). Default 600000 (RFC 8201 §5.3). */
  readonly expiresMs?: number;
  /** The kernel's path MTU towards `remote` (16-byte slot), or undefined when it cannot say. */
  readonly query?: (remote: Uint8Array, family: 4 | 6) => number | undefined;
}

/** Remote addresses kept before expired entries are pruned. */
const PRUNE_ABOVE = 1024;

export class PathMtuTable {
  readonly tunnelMtu: number;
  readonly linkMtu: number;
  readonly expiresMs: number;
  private readonly byRoute = new WeakMap<object, TunnelMtuState>();
  private readonly paths = new Map<string, PathEntry>();

  constructor(private readonly options: PathMtuOptions = {}) {
    this.tunnelMtu = options.tunnelMtu ?? 65535;
    this.linkMtu = options.linkMtu ?? 1500;
    this.expiresMs = options.expiresMs ?? 600_000;
  }

  /** True when the kernel can be asked for path MTUs. */
  get canAsk(): boolean {
    return this.options.query !== undefined;
  }

  /** Remote addresses with an entry. */
  get size(): number {
    return this.paths.size;
  }

  /** The largest inner packet of IP `version` `route` sends as is. No allocation once attached. */
  usable(route: MtuRoute, version: 4 | 6, now: number): number {
    const s = this.state(route, now);
    return version === 6 ? s.usable6 : s.usable4;
  }

  /** The route's state, attached on first use and refreshed once its path entry expires. */
  state(route: MtuRoute, now: number): TunnelMtuState {
    let s = this.byRoute.get(route);
    if (s === undefined) s = this.attach(route, now);
    else if (now >= s.path.until) this.learn(s.path, now);
    if (s.version !== s.path.version) recompute(s, this.tunnelMtu);
    return s;
  }

  /**
   * A send towards `route` failed with EMSGSIZE: the kernel knows a smaller path MTU. Asks it,
   * else guesses the plateau below the failed outer size. Returns the new path MTU.
   */
  lowered(route: MtuRoute, failedInnerLength: number, now: number): number {
    const s = this.state(route, now);
    const p = s.path;
    const asked = this.options.query?.(p.remote, p.family);
    if (asked !== undefined) {
      set(p, asked, 'kernel', now + this.expiresMs);
    } else {
      const guess = plateauBelow(failedInnerLength + s.overhead);
      set(p, Math.min(p.mtu, guess), 'guess', now + this.expiresMs);
    }
    recompute(s, this.tunnelMtu);
    return p.mtu;
  }

  /**
   * An ICMP error said the path towards the address at b[off] (16 octets; IPv4 as ::ffff:a.b.c.d)
   * takes only `mtu`. Lowers an entry in use; ignores unknown remotes and MTUs below the family's
   * minimum (RFC 8201 §4, RFC 1191 §3). True when lowered.
   */
  reported(b: Uint8Array, off: number, family: 4 | 6, mtu: number, now: number): boolean {
    const p = this.paths.get(`${family}/${toHex(b.subarray(off, off + 16))}`);
    if (!p || mtu >= p.mtu || mtu < (family === 6 ? IPV6_MIN_MTU : IPV4_MIN_MTU)) return false;
    set(p, mtu, 'icmp', now + this.expiresMs);
    return true;
  }

  /** The entry for a remote address, if any (for statistics and tests). */
  entry(remoteSlot: Uint8Array, family: 4 | 6): PathEntry | undefined {
    return this.paths.get(`${family}/${toHex(remoteSlot)}`);
  }

  private attach(route: MtuRoute, now: number): TunnelMtuState {
    const e = route.tunnel.encapsulation;
    const family = e === 'ipv6' ? 6 : 4;
    const key = `${family}/${toHex(route.remoteSlot)}`;
    let path = this.paths.get(key);
    if (path === undefined) {
      if (this.paths.size >= PRUNE_ABOVE) this.prune(now);
      path = {
        remote: route.remoteSlot.slice(0, 16), family, mtu: this.linkMtu, source: 'assumed',
        until: -Infinity, version: 0,
      };
      this.paths.set(key, path);
    }
    if (now >= path.until) this.learn(path, now);
    const s: TunnelMtuState = {
      path, encapsulation: e, overhead: encapsulationOverhead(e), version: -1, usable6: 0, usable4: 0,
    };
    recompute(s, this.tunnelMtu);
    this.byRoute.set(route, s);
    return s;
  }

  /** Asks the kernel (when it can be asked), else assumes the link MTU again. */
  private learn(p: PathEntry, now: number): void {
    const asked = this.options.query?.(p.remote, p.family);
    if (asked !== undefined) set(p, asked, 'kernel', now + this.expiresMs);
    else if (this.options.query) set(p, this.linkMtu, 'assumed', now + this.expiresMs);
    else set(p, this.linkMtu, 'assumed', Infinity);
  }

  private prune(now: number): void {
    for (const [k, p] of this.paths) if (now >= p.until) this.paths.delete(k);
  }
}

function set(p: PathEntry, mtu: number, source: PathMtuSource, until: number): void {
  const m = Math.max(IPV4_MIN_MTU, Math.min(65535, Math.floor(mtu)));
  if (p.mtu !== m || p.source !== source) p.version++;
  p.mtu = m;
  p.source = source;
  p.until = until;
}

function recompute(s: TunnelMtuState, tunnelMtu: number): void {
  const inner = Math.min(tunnelMtu, s.path.mtu - s.overhead);
  s.usable6 = Math.max(IPV6_MIN_MTU, inner);
  s.usable4 = Math.max(IPV4_MIN_MTU, inner);
  s.version = s.path.version;
}

/**
 * Token buckets for ICMP errors: one per destination of the error (the source of the packet
 * that was too big) and one for all. The error path may allocate; the table is bounded.
 */
export class IcmpRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly all: { tokens: number; at: number };

  constructor(
    /** Errors per second and burst towards one address (Linux sends about 1/s, burst 6). */
    readonly perSecond = 10, readonly burst = 10,
    /** Errors per second and burst in total (Linux: icmp_msgs_per_sec 1000, burst 50). */
    readonly totalPerSecond = 1000, readonly totalBurst = 50,
    readonly maxAddresses = 4096,
  ) {
    this.all = { tokens: totalBurst, at: -Infinity };
  }

  /** Takes a token for an error to `address` at `now` (ms); false when over the rate. */
  allow(address: string, now: number): boolean {
    let b = this.buckets.get(address);
    if (b === undefined) {
      if (this.buckets.size >= this.maxAddresses) this.buckets.clear();
      b = { tokens: this.burst, at: now };
      this.buckets.set(address, b);
    }
    refill(b, now, this.perSecond, this.burst);
    refill(this.all, now, this.totalPerSecond, this.totalBurst);
    if (b.tokens < 1 || this.all.tokens < 1) return false;
    b.tokens--;
    this.all.tokens--;
    return true;
  }
}

function refill(b: { tokens: number; at: number }, now: number, rate: number, burst: number): void {
  if (b.at === -Infinity) { b.at = now; return; }
  const t = b.tokens + ((now - b.at) * rate) / 1000;
  b.tokens = t > burst ? burst : t;
  b.at = now;
}

/** What the MTU handling did (shown with the data-plane counters). */
export interface MtuCounters {
  /** Packets from the TUN larger than their tunnel's usable MTU (dropped or fragmented). */
  tooBig: number;
  /** ICMPv6 Packet Too Big / ICMPv4 Fragmentation Needed written into the TUN. */
  icmpSent: number;
  icmpRateLimited: number;
  /** Too-big packets about which no error may be sent (ICMP errors, fragments, bad sources). */
  icmpNotAllowed: number;
  /** IPv4 packets without DF fragmented before encapsulation, and the fragments sent. */
  fragmented: number;
  fragments: number;
  /** Tunnel sends that failed with EMSGSIZE, and path MTUs lowered after them. */
  sendTooBig: number;
  pathLowered: number;
}

export function newMtuCounters(): MtuCounters {
  return {
    tooBig: 0, icmpSent: 0, icmpRateLimited: 0, icmpNotAllowed: 0, fragmented: 0, fragments: 0,
    sendTooBig: 0, pathLowered: 0,
  };
}
