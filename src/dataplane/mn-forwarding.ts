/**
 * The mobile node's / mobile router's forwarding state (RFC 6275 §11.3.1 reverse tunnelling,
 * RFC 3963 §5.5, RFC 5555 §4.1): packets from a home address or a mobile network prefix go
 * through the tunnel to the home agent; packets from the tunnel are accepted only from the home
 * agent's endpoint and only for our home addresses and prefixes. Built from the engine's
 * `tunnel-set`/`tunnel-clear` OS operations; lookups are allocation-free.
 */
import { parseIpv4, parseIpv6 } from '../wire/addr.js';
import { parsePrefix } from '../proto/prefix.js';
import type { MnOsOp } from '../engine/mn/types.js';
import type { TunnelEndpoint } from '../engine/types.js';
import { PrefixTable, equal16, u32At } from './addr-table.js';
import { DropCounters } from './counters.js';
import { IPV4_DESTINATION, IPV4_SOURCE, IPV6_DESTINATION, IPV6_SOURCE, ipVersion } from './packet.js';
import { slotOf, type TunnelKind } from './ha-forwarding.js';

export interface MnTunnel {
  readonly tunnel: TunnelEndpoint;
  readonly remote6: Uint8Array | undefined;
  readonly remote4: number;
  readonly remotePort: number;
  /** The home agent's end as a 16-byte send address (IPv4 as ::ffff:a.b.c.d). */
  readonly remoteSlot: Uint8Array;
  readonly addresses6: readonly Uint8Array[];
  readonly addresses4: readonly number[];
  readonly prefixes: PrefixTable<true>;
}

export class MnForwarding {
  readonly drops = new DropCounters();
  tunnel: MnTunnel | undefined;
  txPackets = 0;
  txBytes = 0;
  rxPackets = 0;
  rxBytes = 0;

  apply(op: MnOsOp): void {
    if (op.op === 'tunnel-clear') { this.tunnel = undefined; return; }
    if (op.op !== 'tunnel-set') return;
    const e = op.endpoint;
    const prefixes = new PrefixTable<true>();
    for (const t of op.prefixes) {
      const p = parsePrefix(t);
      if (p?.family === 6) prefixes.set6(p.bytes, p.length, true);
      else if (p) prefixes.set4(u32At(p.bytes, 0), p.length, true);
    }
    const v4 = (a: string): number => { const b = parseIpv4(a); return b ? u32At(b, 0) : 0; };
    this.tunnel = {
      tunnel: e,
      remote6: e.encapsulation === 'ipv6' ? parseIpv6(e.remote) : undefined,
      remote4: e.encapsulation === 'ipv6' ? 0 : v4(e.remote),
      remotePort: e.encapsulation === 'udp4' ? e.remotePort : 0,
      remoteSlot: slotOf(e.remote),
      addresses6: op.homeAddresses.map((a) => parseIpv6(a)).filter((x): x is Uint8Array => x !== undefined),
      addresses4: op.homeAddresses.filter((a) => parseIpv4(a) !== undefined).map(v4),
      prefixes,
    };
  }

  /** A packet from the TUN: the tunnel to send it through, if its source is ours. */
  route(p: Uint8Array, off: number, len: number): MnTunnel | undefined {
    const t = this.tunnel;
    if (!t) { this.drops.count('no-tunnel'); return undefined; }
    if (!ours(t, p, off, len, IPV6_SOURCE, IPV4_SOURCE)) {
      this.drops.count('not-from-home-address');
      return undefined;
    }
    return t;
  }

  /** Counts packets tunnelled (negative: taken back); `route` does not count (see HaForwarding). */
  txCount(_t: MnTunnel, packets: number, bytes: number): void {
    this.txPackets += packets;
    this.txBytes += bytes;
  }

  /** A packet from a tunnel socket: accepted when it comes from the HA and is for us. */
  ingress(
    kind: TunnelKind, outer6: Uint8Array | undefined, outerOff: number, outer4: number, port: number,
    p: Uint8Array, off: number, len: number,
  ): boolean {
    const t = this.tunnel;
    const fromHa = t !== undefined && t.tunnel.encapsulation === kind && (kind === 'ipv6'
      ? equal16(t.remote6!, 0, outer6!, outerOff)
      : t.remote4 === outer4 && (kind !== 'udp4' || t.remotePort === port));
    if (!fromHa) { this.drops.count('unknown-endpoint'); return false; }
    if (!ours(t, p, off, len, IPV6_DESTINATION, IPV4_DESTINATION)) {
      this.drops.count('not-for-home-address');
      return false;
    }
    this.rxPackets++;
    this.rxBytes += len;
    return true;
  }
}

/** Is the address at `field6`/`field4` one of our home addresses or inside our prefixes? */
function ours(t: MnTunnel, p: Uint8Array, off: number, len: number, field6: number, field4: number): boolean {
  const v = ipVersion(p, off, len);
  if (v === 6) {
    for (const a of t.addresses6) if (equal16(a, 0, p, off + field6)) return true;
    return t.prefixes.match6(p, off + field6) === true;
  }
  if (v === 4) {
    const a = u32At(p, off + field4);
    return t.addresses4.includes(a) || t.prefixes.match4(a) === true;
  }
  return false;
}
