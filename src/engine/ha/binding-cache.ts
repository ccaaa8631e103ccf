/**
 * The home agent's Binding Cache (RFC 6275 §9.1, §10.1): one entry per home address, with two
 * extra indexes — NATed UDP bindings by (public IPv4 address, UDP port), so several mobile nodes
 * behind one NAT never collide (protocol.md §3.4), and bindings by IPv4 home address.
 */
import type { Instant } from '../../proto/time.js';
import { ipv4MappedIpv6, writeIpv4 } from '../../wire/addr.js';
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

/** What an entry is made of: the fields a home agent cannot work out from the others. */
export type EntryFields = Omit<BindingCacheEntry, 'mobileRouter' | 'natDetected'>;

const VIA_IPV6: Via = Object.freeze({ kind: 'ipv6' });

/** The via of signalling when it follows from the tunnel: native IPv6, or the UDP tunnel reversed. */
function viaOfTunnel(t: TunnelEndpoint): Via | undefined {
  if (t.encapsulation === 'ipv6') return VIA_IPV6;
  if (t.encapsulation === 'ipv4') return undefined;
  const { local: source, localPort: sourcePort, remote: destination, remotePort: destinationPort } = t;
  return { kind: 'udp4', source, sourcePort, destination, destinationPort };
}

/** viaOfTunnel(t) equals `v` (without building it). */
function followsTunnel(v: Via, t: TunnelEndpoint): boolean {
  if (t.encapsulation === 'ipv6') return v.kind === 'ipv6';
  return t.encapsulation === 'udp4' && v.kind === 'udp4' && v.source === t.local && v.destination === t.remote
    && v.sourcePort === t.localPort && v.destinationPort === t.remotePort;
}

/**
 * An IPv4 tunnel signalled over UDP between its own ends: the via is the tunnel's addresses and
 * these two ports, kept as one number (source port × 65536 + destination port).
 */
function viaPorts(v: Via, t: TunnelEndpoint): number | undefined {
  return t.encapsulation === 'ipv4' && v.kind === 'udp4' && v.source === t.local && v.destination === t.remote
    ? v.sourcePort * 65536 + v.destinationPort : undefined;
}

const MAPPED = '::ffff:';
const NO_PREFIXES: readonly PrefixText[] = Object.freeze([]);
/** CachedBinding.flagBits: a Binding Refresh Request was sent (above the 16 BU flag bits). */
const BRR_SENT = 0x10000;

/** The fields most bindings leave empty, kept together (one field of the entry, not five). */
interface RareFields {
  readonly ownSignalling: string | undefined;
  readonly nemoMode: 'explicit' | 'implicit' | undefined;
  readonly prefixes: readonly PrefixText[];
  readonly linkLocal: string | undefined;
  readonly ipv4Prefix: PrefixText | undefined;
}

/** The signalling address unless the BU said otherwise: the CoA, IPv4 as ::ffff:a.b.c.d. */
function usualSignalling(careOfAddress: string, t: TunnelEndpoint): string {
  return t.encapsulation === 'ipv6' ? careOfAddress : ipv4MappedIpv6(careOfAddress);
}

/** `s` is usualSignalling(careOfAddress, t) (without building it). */
function isUsualSignalling(s: string, careOfAddress: string, t: TunnelEndpoint): boolean {
  if (t.encapsulation === 'ipv6') return s === careOfAddress;
  const n = MAPPED.length + careOfAddress.length;
  return s.length === n && s.startsWith(MAPPED) && s.endsWith(careOfAddress);
}

/**
 * The Binding Cache entry as the home agent keeps it: one per mobile node, so it holds only what
 * the other fields do not give. Of the via, what the tunnel does not say (the ports of an IPv4
 * tunnel's UDP signalling); the signalling address only when it is not the care-of address; no
 * NAT or mobile router flag (the tunnel and the NEMO mode give them). The engine gives it whole
 * milliseconds, which V8 keeps as small integers (a fraction would cost a boxed number a field).
 */
export class CachedBinding implements BindingCacheEntry {
  readonly homeAddress: string;
  readonly careOfAddress: string;
  readonly tunnel: TunnelEndpoint;
  /** The via when the tunnel does not give it: its UDP ports (viaPorts), or the whole via. */
  private readonly ownVia: Via | number | undefined;
  readonly sequence: number;
  /** The BU flags (16 bits), and bit 16 set once a Binding Refresh Request has been sent. */
  private readonly flagBits: number;
  readonly lifetimeSeconds: number;
  readonly registeredAt: Instant;
  readonly expiresAt: Instant;
  readonly ipv4HomeAddress: string | undefined;
  /** What few bindings have (a mobile router's prefixes, a link-local address, ...), or nothing. */
  private readonly rare: RareFields | undefined;

  /** `previous` (the entry this one replaces) lends its objects when they are equal. */
  constructor(f: EntryFields, previous?: BindingCacheEntry) {
    this.homeAddress = f.homeAddress;
    const coa = f.careOfAddress;
    this.careOfAddress = previous?.careOfAddress === coa ? previous.careOfAddress : coa;
    const t = f.tunnel;
    this.tunnel = previous !== undefined && sameTunnel(previous.tunnel, t) ? previous.tunnel : t;
    this.ownVia = followsTunnel(f.via, this.tunnel) ? undefined : viaPorts(f.via, this.tunnel) ?? f.via;
    const sig = f.signallingAddress;
    const ownSignalling = isUsualSignalling(sig, coa, this.tunnel) ? undefined : sig;
    this.sequence = f.sequence;
    this.flagBits = (f.flags & 0xffff) | (f.refreshRequestSent ? BRR_SENT : 0);
    this.lifetimeSeconds = f.lifetimeSeconds;
    this.registeredAt = f.registeredAt;
    this.expiresAt = f.expiresAt;
    this.ipv4HomeAddress = f.ipv4HomeAddress;
    const rare = ownSignalling !== undefined || f.nemoMode !== undefined || f.prefixes.length > 0
      || f.linkLocal !== undefined || f.ipv4Prefix !== undefined;
    this.rare = rare ? {
      ownSignalling, nemoMode: f.nemoMode, prefixes: f.prefixes, linkLocal: f.linkLocal,
      ipv4Prefix: f.ipv4Prefix,
    } : undefined;
  }

  get flags(): number {
    return this.flagBits & 0xffff;
  }

  get refreshRequestSent(): boolean {
    return (this.flagBits & BRR_SENT) !== 0;
  }

  get nemoMode(): 'explicit' | 'implicit' | undefined {
    return this.rare?.nemoMode;
  }

  get prefixes(): readonly PrefixText[] {
    return this.rare?.prefixes ?? NO_PREFIXES;
  }

  get linkLocal(): string | undefined {
    return this.rare?.linkLocal;
  }

  get ipv4Prefix(): PrefixText | undefined {
    return this.rare?.ipv4Prefix;
  }

  get via(): Via {
    const v = this.ownVia;
    if (typeof v !== 'number') return v ?? viaOfTunnel(this.tunnel)!;
    const { local: source, remote: destination } = this.tunnel;
    const sourcePort = Math.floor(v / 65536);
    return { kind: 'udp4', source, sourcePort, destination, destinationPort: v % 65536 };
  }

  get signallingAddress(): string {
    return this.rare?.ownSignalling ?? usualSignalling(this.careOfAddress, this.tunnel);
  }

  /** RFC 5555: the IPv4 care-of address differs from the outer source (the UDP tunnel's remote end). */
  get natDetected(): boolean {
    return this.tunnel.encapsulation === 'udp4' && this.careOfAddress !== this.tunnel.remote;
  }

  get mobileRouter(): boolean {
    return this.nemoMode !== undefined;
  }
}

/** The fields of any entry (a plain object or a CachedBinding). */
export function fieldsOf(e: BindingCacheEntry): EntryFields {
  return {
    homeAddress: e.homeAddress, careOfAddress: e.careOfAddress, tunnel: e.tunnel, via: e.via,
    signallingAddress: e.signallingAddress, sequence: e.sequence, flags: e.flags,
    lifetimeSeconds: e.lifetimeSeconds, registeredAt: e.registeredAt, expiresAt: e.expiresAt,
    nemoMode: e.nemoMode, prefixes: e.prefixes, linkLocal: e.linkLocal, ipv4HomeAddress: e.ipv4HomeAddress,
    ipv4Prefix: e.ipv4Prefix, refreshRequestSent: e.refreshRequestSent,
  };
}

/** Same tunnel: same encapsulation, addresses and (UDP) ports. */
export function sameTunnel(a: TunnelEndpoint, b: TunnelEndpoint): boolean {
  if (a.encapsulation !== b.encapsulation || a.local !== b.local || a.remote !== b.remote) return false;
  return a.encapsulation !== 'udp4' || b.encapsulation !== 'udp4'
    || (a.localPort === b.localPort && a.remotePort === b.remotePort);
}

/**
 * The key of a UDP tunnel end: IPv4 address × 65536 + port, a number (a text key cost each NATed
 * binding a rope and two strings); -1 for text that is not IPv4 (never a key of the index).
 */
export function udpKey(address: string, port: number): number {
  const b = UDP_KEY_ADDRESS;
  if (!writeIpv4(b, 0, address)) return -1;
  return (((b[0] << 24) >>> 0) + ((b[1] << 16) | (b[2] << 8) | b[3])) * 65536 + port;
}

/** Where udpKey and ipv4Key read an IPv4 address. */
const UDP_KEY_ADDRESS = new Uint8Array(4);

/**
 * The key of an IPv4 home address: its value as an int32 (a number hashes without reading text,
 * where a new address's text would be hashed first); text that is not IPv4 is its own key.
 */
function ipv4Key(address: string): number | string {
  const b = UDP_KEY_ADDRESS;
  return writeIpv4(b, 0, address) ? (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3] : address;
}

const udpKeyOf = (t: TunnelEndpoint): number =>
  t.encapsulation === 'udp4' ? udpKey(t.remote, t.remotePort) : -1;

export class BindingCache {
  private readonly byHome = new Map<string, BindingCacheEntry>();
  private readonly byUdp = new Map<number, string>();
  private readonly byIpv4Home = new Map<number | string, string>();

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
    return this.byIpv4Home.size > 0 ? this.byIpv4Home.get(ipv4Key(ipv4HomeAddress)) : undefined;
  }

  /**
   * Inserts or replaces the entry for its home address, keeping the indexes in step. A key that
   * stays is overwritten in place: deleting and adding it again would leave a deleted slot in the
   * table each time, and the tables would grow with refreshes, not with bindings.
   */
  set(e: BindingCacheEntry): void {
    this.replace(e, this.byHome.get(e.homeAddress));
  }

  /** `set(e)` when the caller holds `old`, the entry now cached for e's home address (if any). */
  replace(e: BindingCacheEntry, old: BindingCacheEntry | undefined): void {
    const hoa = e.homeAddress;
    this.byHome.set(hoa, e);
    const k = udpKeyOf(e.tunnel);
    const oldK = old === undefined ? -1 : old.tunnel === e.tunnel ? k : udpKeyOf(old.tunnel);
    if (oldK >= 0 && oldK !== k && this.byUdp.get(oldK) === hoa) this.byUdp.delete(oldK);
    if (k >= 0) this.byUdp.set(k, hoa);
    const v4 = old?.ipv4HomeAddress;
    if (v4 !== undefined && v4 !== e.ipv4HomeAddress) {
      const k4 = ipv4Key(v4);
      if (this.byIpv4Home.get(k4) === hoa) this.byIpv4Home.delete(k4);
    }
    if (e.ipv4HomeAddress !== undefined) this.byIpv4Home.set(ipv4Key(e.ipv4HomeAddress), hoa);
  }

  delete(homeAddress: string): BindingCacheEntry | undefined {
    const e = this.byHome.get(homeAddress);
    if (!e) return undefined;
    this.byHome.delete(homeAddress);
    const k = udpKeyOf(e.tunnel);
    if (k >= 0 && this.byUdp.get(k) === homeAddress) this.byUdp.delete(k);
    const k4 = e.ipv4HomeAddress !== undefined ? ipv4Key(e.ipv4HomeAddress) : undefined;
    if (k4 !== undefined && this.byIpv4Home.get(k4) === homeAddress) this.byIpv4Home.delete(k4);
    return e;
  }

  entries(): IterableIterator<BindingCacheEntry> {
    return this.byHome.values();
  }
}
