/**
 * The home agent's forwarding table (RFC 6275 §10.4.1–10.4.5, RFC 3963 §6.5, RFC 5555 §4.3):
 * packets for a home address or mobile network prefix are tunnelled to the binding's care-of
 * endpoint; packets from a tunnel are accepted only from the registered endpoint (address, and
 * port for UDP) with an inner source inside the binding's home addresses and prefixes (ingress
 * filtering). Built from the engine's `binding-set`/`binding-clear` OS operations; lookups are
 * allocation-free.
 */
import { parseIpv6, writeIpv6 } from '../wire/addr.js';
import { parsePrefix, type Prefix } from '../proto/prefix.js';
import type { HaOsOp } from '../engine/ha/types.js';
import type { TunnelEndpoint } from '../engine/types.js';
import { Ipv6Table, PrefixTable, equal16, u32At } from './addr-table.js';
import { ForwardingBinding, NO_PREFIXES, read4, type TunnelKind } from './ha-forwarding-binding.js';
import { IPV4_DESTINATION, IPV4_SOURCE, IPV6_DESTINATION, IPV6_SOURCE, ipVersion } from './packet.js';
import { DropCounters, type DataplaneDrop } from './counters.js';

export { ForwardingBinding, slotOf, type TunnelKind } from './ha-forwarding-binding.js';

const NO_ADDRESSES: readonly string[] = [];

/**
 * Where binding changes read address text into bytes (one change at a time, nothing kept): the
 * tables copy what they keep, so a registration parses its addresses without allocating.
 */
const TEXT6 = new Uint8Array(16);
/** Where `HaForwarding` reads a binding's home address (TEXT6 may be in use meanwhile). */
const HOME6 = new Uint8Array(16);

/** `text` as IPv6 bytes in TEXT6; false when it is not IPv6 text. */
const read6 = (text: string): boolean => writeIpv6(TEXT6, 0, text);

/**
 * [home address] or [home address, IPv4 address] (what the engine sends for every binding): the
 * IPv4 address as a number, or -1 for the home address alone; -2 when `a` is anything else.
 * `read`: the home address is IPv6 text (the caller read it into HOME6).
 */
function usualAddresses(homeAddress: string, read: boolean, a: readonly string[]): number {
  if (a[0] !== homeAddress || !read) return -2;
  if (a.length === 1) return -1;
  const v4 = a.length === 2 ? read4(a[1]) : -1;
  return v4 >= 0 ? v4 : -2;
}

/** The prefixes of `texts` that parse (none: the shared empty list). */
function parsedPrefixes(texts: readonly string[]): readonly Prefix[] {
  const parsed = texts.map((t) => parsePrefix(t)).filter((x) => x !== undefined);
  return parsed.length > 0 ? parsed : NO_PREFIXES;
}

function v4num(text: string): number {
  const v = read4(text);
  return v >= 0 ? v : 0;
}

/** An IPv4 address as a Map key: the int32 with its bits (a small integer, never a boxed number). */
const key4 = (address: number): number => address | 0;

export class HaForwarding {
  readonly drops = new DropCounters();
  /**
   * The bindings that cannot be found under their home address in `byAddress6` (another binding
   * listed that address later, or their addresses leave it out): none from the engine, which
   * gives every binding its own home address first; a map of all bindings would cost ~37 bytes
   * a binding.
   */
  private readonly unlisted = new Map<string, ForwardingBinding>();
  private count = 0;
  private readonly byAddress6 = new Ipv6Table<ForwardingBinding>();
  private readonly byAddress4 = new Map<number, ForwardingBinding>();
  private readonly byPrefix = new PrefixTable<ForwardingBinding>();
  private readonly byEndpoint6 = new Ipv6Table<ForwardingBinding>();
  private readonly byEndpoint4 = new Map<number, ForwardingBinding>();
  private readonly byUdp = new Map<number, ForwardingBinding>();

  get size(): number {
    return this.count;
  }

  apply(op: HaOsOp): void {
    if (op.op === 'binding-set') this.set(op.homeAddress, op.tunnel, op.addresses, op.prefixes);
    else if (op.op === 'binding-clear') this.clear(op.homeAddress);
  }

  binding(homeAddress: string): ForwardingBinding | undefined {
    return this.find(homeAddress, writeIpv6(HOME6, 0, homeAddress));
  }

  /** The binding of `homeAddress`, whose bytes are in HOME6 when `read`. */
  private find(homeAddress: string, read: boolean): ForwardingBinding | undefined {
    const b = read ? this.byAddress6.get(HOME6, 0) : undefined;
    return b !== undefined && b.homeAddress === homeAddress ? b
      : this.unlisted.size > 0 ? this.unlisted.get(homeAddress) : undefined;
  }

  set(
    homeAddress: string, tunnel: TunnelEndpoint, addresses: readonly string[], prefixes: readonly string[],
  ): void {
    const read = writeIpv6(HOME6, 0, homeAddress);
    this.clearRead(homeAddress, read);
    const parsed = prefixes.length > 0 ? parsedPrefixes(prefixes) : NO_PREFIXES;
    const own = parsed.length > 0 ? new PrefixTable<true>() : undefined;
    const usual = usualAddresses(homeAddress, read, addresses); // the home address is in HOME6 if usual
    const b = new ForwardingBinding(
      homeAddress, tunnel, usual >= 0 ? key4(usual) : undefined,
      // An exact-size copy: an array built by spreading, as the engine's is, has room for 19.
      usual >= -1 ? NO_ADDRESSES : addresses.slice(),
      tunnel.encapsulation === 'ipv6' ? parseIpv6(tunnel.remote) : undefined,
      tunnel.encapsulation === 'ipv6' ? 0 : v4num(tunnel.remote),
      tunnel.encapsulation === 'udp4' ? tunnel.remotePort : 0,
      own, parsed,
    );
    this.count++;
    if (usual >= -1) {
      this.setAddress6(HOME6, b);
      if (usual >= 0) this.byAddress4.set(key4(usual), b);
    } else {
      for (const a of addresses) {
        if (read6(a)) { this.setAddress6(TEXT6, b); continue; }
        const v4 = read4(a);
        if (v4 >= 0) this.byAddress4.set(key4(v4), b);
      }
    }
    for (const p of b.prefixList) {
      if (p.family === 6) { this.byPrefix.set6(p.bytes, p.length, b); own!.set6(p.bytes, p.length, true); }
      else {
        this.byPrefix.set4(u32At(p.bytes, 0), p.length, b);
        own!.set4(u32At(p.bytes, 0), p.length, true);
      }
    }
    // The usual addresses put `b` under its home address in byAddress6.
    if (usual < -1 && this.binding(homeAddress) !== b) this.unlisted.set(homeAddress, b);
    if (b.remote6) this.byEndpoint6.set(b.remote6, b);
    else if (tunnel.encapsulation === 'ipv4') this.byEndpoint4.set(key4(b.remote4), b);
    else this.byUdp.set(b.remote4 * 65536 + b.remotePort, b);
  }

  clear(homeAddress: string): void {
    this.clearRead(homeAddress, writeIpv6(HOME6, 0, homeAddress));
  }

  /** `clear` with the home address in HOME6 when `read` (left there). */
  private clearRead(homeAddress: string, read: boolean): void {
    const b = this.find(homeAddress, read);
    if (!b) return;
    if (this.unlisted.size > 0) this.unlisted.delete(homeAddress);
    this.count--;
    if (b.otherAddresses.length === 0) {
      if (read) this.clearAddress6(HOME6, b);
      const k = b.address4;
      if (k !== undefined && this.byAddress4.get(k) === b) this.byAddress4.delete(k);
    }
    for (const a of b.otherAddresses) {
      if (read6(a)) { this.clearAddress6(TEXT6, b); continue; }
      const v4 = read4(a);
      const k = v4 >= 0 ? key4(v4) : undefined;
      if (k !== undefined && this.byAddress4.get(k) === b) this.byAddress4.delete(k);
    }
    for (const p of b.prefixList) {
      if (p.family === 6) this.byPrefix.delete6(p.bytes, p.length, b);
      else this.byPrefix.delete4(u32At(p.bytes, 0), p.length, b);
    }
    if (b.remote6) { if (this.byEndpoint6.get(b.remote6, 0) === b) this.byEndpoint6.delete(b.remote6); }
    else if (b.tunnel.encapsulation === 'ipv4') {
      const k = key4(b.remote4);
      if (this.byEndpoint4.get(k) === b) this.byEndpoint4.delete(k);
    }
    else {
      const k = b.remote4 * 65536 + b.remotePort;
      if (this.byUdp.get(k) === b) this.byUdp.delete(k);
    }
  }

  /** Maps `v6` to `b`; a binding found there under its home address until now moves to `unlisted`. */
  private setAddress6(v6: Uint8Array, b: ForwardingBinding): void {
    const cur = this.byAddress6.get(v6, 0);
    if (cur !== undefined && cur !== b) {
      const home = parseIpv6(cur.homeAddress);
      if (home && equal16(home, 0, v6, 0)) this.unlisted.set(cur.homeAddress, cur);
    }
    this.byAddress6.set(v6, b);
  }

  private clearAddress6(v6: Uint8Array, b: ForwardingBinding): void {
    if (this.byAddress6.get(v6, 0) === b) this.byAddress6.delete(v6);
  }

  /** The binding a packet from the TUN (to a home address or MNP) is tunnelled through. */
  route(p: Uint8Array, off: number, len: number): ForwardingBinding | undefined {
    const v = ipVersion(p, off, len);
    let b: ForwardingBinding | undefined;
    if (v === 6) {
      b = this.byAddress6.get(p, off + IPV6_DESTINATION) ?? this.byPrefix.match6(p, off + IPV6_DESTINATION);
    }
    else if (v === 4) {
      const dst = u32At(p, off + IPV4_DESTINATION);
      b = this.byAddress4.get(key4(dst)) ?? this.byPrefix.match4(dst);
    } else {
      this.drops.count('malformed');
      return undefined;
    }
    if (!b) { this.drops.count('no-binding'); return undefined; }
    return b;
  }

  /**
   * Counts packets tunnelled through `b` (negative: taken back when the socket refused them).
   * Not done by `route`: a packet too big for its tunnel is routed but never sent.
   */
  txCount(b: ForwardingBinding, packets: number, bytes: number): void {
    b.txPackets += packets;
    b.txBytes += bytes;
  }

  /**
   * Ingress from a tunnel: the binding registered for this outer source (IPv6 bytes at
   * `outer6[outerOff]`, or IPv4 `outer4` and `port` for UDP), if the inner source is its own.
   */
  ingress(
    kind: TunnelKind, outer6: Uint8Array | undefined, outerOff: number, outer4: number, port: number,
    p: Uint8Array, off: number, len: number,
  ): ForwardingBinding | undefined {
    const b = kind === 'ipv6' ? this.byEndpoint6.get(outer6!, outerOff)
      : kind === 'ipv4' ? this.byEndpoint4.get(key4(outer4)) : this.byUdp.get(outer4 * 65536 + port);
    if (!b) { this.drops.count('unknown-endpoint'); return undefined; }
    if (!this.innerSourceAllowed(b, p, off, len)) return undefined;
    b.rxPackets++;
    b.rxBytes += len;
    return b;
  }

  /** The inner source is one of `b`'s addresses (the address table maps it to `b`) or prefixes. */
  private innerSourceAllowed(b: ForwardingBinding, p: Uint8Array, off: number, len: number): boolean {
    const v = ipVersion(p, off, len);
    let why: DataplaneDrop = 'ingress-source';
    if (v === 6) {
      if (this.byAddress6.get(p, off + IPV6_SOURCE) === b) return true;
      if (b.prefixes?.match6(p, off + IPV6_SOURCE)) return true;
    } else if (v === 4) {
      const src = u32At(p, off + IPV4_SOURCE);
      if (this.byAddress4.get(key4(src)) === b || b.prefixes?.match4(src)) return true;
    } else {
      why = 'malformed';
    }
    this.drops.count(why);
    return false;
  }
}
