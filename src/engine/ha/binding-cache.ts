/**
 * The home agent's Binding Cache (RFC 6275 §9.1, §10.1): one entry per home address, with two
 * extra indexes — NATed UDP bindings by (public IPv4 address, UDP port), so several mobile nodes
 * behind one NAT never collide (protocol.md §3.4), and bindings by IPv4 home address.
 */
import type { Instant } from '../../proto/time.js';
import { parseIpv4 } from '../../wire/addr.js';
import type { PrefixText, TunnelEndpoint, Via } from '../types.js';

export interface BindingCacheEntry {
  readonly homeAddress: string;
  readonly careOfAddress: string;
  readonly tunnel: TunnelEndpoint;
  /** How signalling reaches the mobile node (BA, BRR, BE). */
  readonly via: Via;
  /** IPv6 destination of signalling: the CoA, or ::ffff:<IPv4 CoA> over UDP. */
  readonly signallingAddress: string;
  readonly sequence: number;
  readonly flags: number;
  readonly lifetimeSeconds: number;
  readonly registeredAt: Instant;
  readonly expiresAt: Instant;
  readonly mobileRouter: boolean;
  readonly nemoMode: 'explicit' | 'implicit' | undefined;
  readonly prefixes: readonly PrefixText[];
  readonly linkLocal: string | undefined;
  readonly ipv4HomeAddress: string | undefined;
  readonly ipv4Prefix: PrefixText | undefined;
  readonly natDetected: boolean;
  readonly refreshRequestSent: boolean;
}

/**
 * The key of a UDP tunnel end: IPv4 address × 65536 + port, a number (a text key cost each NATed
 * binding a rope and two strings); -1 for text that is not IPv4 (never a key of the index).
 */
export function udpKey(address: string, port: number): number {
  const b = parseIpv4(address);
  return b ? (((b[0] << 24) >>> 0) + ((b[1] << 16) | (b[2] << 8) | b[3])) * 65536 + port : -1;
}

export class BindingCache {
  private readonly byHome = new Map<string, BindingCacheEntry>();
  private readonly byUdp = new Map<number, string>();
  private readonly byIpv4Home = new Map<string, string>();

  get size(): number {
    return this.byHome.size;
  }

  get(homeAddress: string): BindingCacheEntry | undefined {
    return this.byHome.get(homeAddress);
  }

  /** The home address whose UDP tunnel ends at (address, port), if any. */
  homeAddressForUdp(address: string, port: number): string | undefined {
    const k = udpKey(address, port);
    return k >= 0 ? this.byUdp.get(k) : undefined;
  }

  homeAddressForIpv4(ipv4HomeAddress: string): string | undefined {
    return this.byIpv4Home.get(ipv4HomeAddress);
  }

  /** Inserts or replaces the entry for its home address, keeping the indexes in step. */
  set(e: BindingCacheEntry): void {
    this.delete(e.homeAddress);
    this.byHome.set(e.homeAddress, e);
    if (e.tunnel.encapsulation === 'udp4') {
      const k = udpKey(e.tunnel.remote, e.tunnel.remotePort);
      if (k >= 0) this.byUdp.set(k, e.homeAddress);
    }
    if (e.ipv4HomeAddress !== undefined) this.byIpv4Home.set(e.ipv4HomeAddress, e.homeAddress);
  }

  delete(homeAddress: string): BindingCacheEntry | undefined {
    const e = this.byHome.get(homeAddress);
    if (!e) return undefined;
    this.byHome.delete(homeAddress);
    if (e.tunnel.encapsulation === 'udp4') {
      const k = udpKey(e.tunnel.remote, e.tunnel.remotePort);
      if (this.byUdp.get(k) === homeAddress) this.byUdp.delete(k);
    }
    if (e.ipv4HomeAddress !== undefined && this.byIpv4Home.get(e.ipv4HomeAddress) === homeAddress) {
      this.byIpv4Home.delete(e.ipv4HomeAddress);
    }
    return e;
  }

  entries(): IterableIterator<BindingCacheEntry> {
    return this.byHome.values();
  }
}
