/**
 * The packet paths of both daemons over the OS ports (design.md "What runs where"):
 * - TUN → tunnel: packets the kernel routes into the TUN (to home addresses and MNPs at the home
 *   agent; from them at the mobile node) are tunnelled to the other end: raw IPv6/IPv4 sockets
 *   for IP-in-IP, the UDP socket for RFC 5555;
 * - tunnel → TUN: decapsulated packets pass the ingress check and go to the kernel;
 * - signalling: Mobility Header packets (raw6/60 BUs with a Home Address option at the home
 *   agent, raw6/43 BAs with a Type 2 Routing Header at the mobile node, raw6/135 plain MH, and
 *   MH inside UDP) go to the engine as whole IPv6 packets.
 * One TxBatch per output port, filled per receive batch and flushed once: a batch of packets in,
 * one system call per output port out, no allocation per data packet.
 *
 * Path MTU (dataplane/mtu.ts, mtu-icmp.ts; the sockets never fragment, platform.md §5.4): a TUN
 * packet over its tunnel's usable MTU is not sent. IPv6 and IPv4 with DF get an ICMPv6 Packet
 * Too Big / ICMPv4 Fragmentation Needed written back into the TUN (rate-limited); IPv4 without
 * DF is fragmented before encapsulation. A send failing with EMSGSIZE lowers the path MTU (asking
 * the kernel over rtnetlink when given `netlink`), and the failed packets get their errors too.
 * The kernel ignores Packet Too Big for unconnected raw IPv6 sockets without IPV6_RECVERR
 * (measured), so IPv6-outer tunnels learn mid-path MTUs from a raw ICMPv6 socket (`icmp6`).
 * Error sources: `icmpSource6`, else the tunnel's local end when IPv6 (the entry point, RFC 2473
 * §7.1), else the packet's destination; `icmpSource4`, else the packet's destination: our own
 * IPv4 addresses are martians when they come back in through the TUN (measured: dropped); the
 * destination routes through the TUN at both ends and passes strict rp_filter.
 */
import { ipTotalLength, ipVersion, ipv6UpperProtocol } from '../dataplane/packet.js';
import { u32At } from '../dataplane/addr-table.js';
import { IcmpRateLimiter, PathMtuTable, newMtuCounters, type PathEntry } from '../dataplane/mtu.js';
import {
  PTB_REMOTE_OFFSET, copiedOptions, fragmentDataSize, fragmentationNeeded, icmpv4ErrorAllowed,
  icmpv6ErrorAllowed, ipv4DontFragment, packetTooBig, tunnelPacketTooBig, writeIpv4Fragment,
} from '../dataplane/mtu-icmp.js';
import type { ReceivedMh, TunnelEndpoint } from '../engine/types.js';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../wire/addr.js';
import { IpProto } from '../wire/ip-protocols.js';
import type { DatagramBatch, DatagramPort, PacketBatch, TxBatch } from '../os/ports.js';
import { Batcher, type OutPort } from './batcher.js';
import { kernelPathMtu } from './path-mtu-query.js';
import { packetCopy, rebuildIpv6, udpVia } from './mh-io.js';
import type { Forwarder, TunnelIoOptions, TunnelPorts, TunnelRoute } from './tunnel-types.js';

export type { Forwarder, TunnelIoOptions, TunnelPorts, TunnelRoute } from './tunnel-types.js';

export class TunnelIo {
  private readonly out = new Batcher((port, b, tags, failed) => this.sendFailed(port, b, tags, failed));
  readonly mtu: PathMtuTable;
  readonly mtuCounters = newMtuCounters();
  private readonly limiter: IcmpRateLimiter;
  private readonly now: () => number;
  private readonly source6: Uint8Array | undefined;
  private readonly source4: Uint8Array | undefined;
  private readonly icmp6: DatagramPort | undefined;

  constructor(
    private readonly ports: TunnelPorts,
    readonly fwd: Forwarder,
    /** The first next header of what `mhWithExtension` delivers: 60 or 43. */
    private readonly extensionHeader: number,
    private readonly onMh: (mh: ReceivedMh) => void,
    options: TunnelIoOptions = {},
  ) {
    this.mtu = new PathMtuTable({
      ...options, ...(options.netlink ? { query: kernelPathMtu(options.netlink) } : {}),
    });
    this.limiter = options.limiter ?? new IcmpRateLimiter();
    this.now = options.now ?? (() => performance.now());
    this.source6 = options.icmpSource6 !== undefined ? parseIpv6(options.icmpSource6) : undefined;
    this.source4 = options.icmpSource4 !== undefined ? parseIpv4(options.icmpSource4) : undefined;
    this.icmp6 = options.icmp6;
  }

  start(): void {
    const p = this.ports;
    p.tun.onBatch((b) => this.fromTun(b));
    p.udp.onBatch((b) => this.fromUdp(b));
    p.raw6InIpv6.onBatch((b) => this.fromRaw6(b));
    p.raw4InIpv6.onBatch((b) => this.fromRaw6(b));
    p.raw6InIpv4.onBatch((b) => this.fromRaw4(b));
    p.raw4InIpv4.onBatch((b) => this.fromRaw4(b));
    p.mhWithExtension.onBatch((b) => this.signalling(b, this.extensionHeader));
    p.mhPlain.onBatch((b) => this.signalling(b, IpProto.MOBILITY));
    this.icmp6?.onBatch((b) => this.fromIcmp6(b));
  }

  private tunnelPort(t: TunnelEndpoint, innerVersion: 4 | 6): DatagramPort {
    const p = this.ports;
    switch (t.encapsulation) {
      case 'ipv6': return innerVersion === 6 ? p.raw6InIpv6 : p.raw4InIpv6;
      case 'ipv4': return innerVersion === 6 ? p.raw6InIpv4 : p.raw4InIpv4;
      case 'udp4': return p.udp;
    }
  }

  fromTun(batch: PacketBatch): void {
    const now = this.now();
    for (let i = 0; i < batch.count; i++) {
      const off = batch.offset(i);
      const len = batch.length(i);
      const t = this.fwd.route(batch.data, off, len);
      if (!t) continue;
      const v = ipVersion(batch.data, off, len) as 4 | 6;
      const port = this.tunnelPort(t.tunnel, v);
      const mtu = this.mtu.usable(t, v, now);
      if (len > mtu) this.tooBig(t, v, port, batch.data, off, len, mtu, now);
      else {
        this.out.enqueue(port, batch.data, off, len, t.remoteSlot, t.remotePort, t);
        this.fwd.txCount(t, 1, len);
      }
    }
    this.out.flush();
  }

  /** A packet over the tunnel's MTU: fragmented (IPv4 without DF), else dropped with an error. */
  private tooBig(
    t: TunnelRoute, v: 4 | 6, port: DatagramPort, p: Uint8Array, off: number, len: number,
    mtu: number, now: number,
  ): void {
    this.mtuCounters.tooBig++;
    if (v === 4 && !ipv4DontFragment(p, off) && this.fragment(t, port, p, off, len, mtu)) {
      this.fwd.txCount(t, 1, len);
      return;
    }
    this.fwd.drops?.count('too-big');
    if (v === 6 || ipv4DontFragment(p, off)) this.icmpError(t, v, p, off, len, mtu, now);
  }

  /** RFC 4459 §3.2 inner fragmentation of an IPv4 packet into `port`'s batch. */
  private fragment(
    t: TunnelRoute, port: DatagramPort, p: Uint8Array, off: number, len: number, mtu: number,
  ): boolean {
    const ihl = (p[off] & 0x0f) * 4;
    const total = ipTotalLength(p, off, len, 4);
    const later = copiedOptions(p, off);
    if (later === undefined || total <= ihl || fragmentDataSize(mtu, Math.max(ihl, 20 + later.length)) < 8) {
      return false;
    }
    const data = total - ihl;
    for (let from = 0; from < data;) {
      const h = from === 0 ? ihl : 20 + later.length;
      const size = Math.min(data - from, fragmentDataSize(mtu, h));
      const at = this.out.reserve(port, h + size, t.remoteSlot, t.remotePort, t);
      if (at < 0) return true;
      writeIpv4Fragment(p, off, from, size, from + size >= data, later, this.out.buffer(port), at);
      this.mtuCounters.fragments++;
      from += size;
    }
    this.mtuCounters.fragmented++;
    return true;
  }

  /** Packet Too Big / Fragmentation Needed into the TUN, if allowed and within the rate. */
  private icmpError(
    t: TunnelRoute, v: 4 | 6, p: Uint8Array, off: number, len: number, mtu: number, now: number,
  ): void {
    const c = this.mtuCounters;
    if (!(v === 6 ? icmpv6ErrorAllowed(p, off, len) : icmpv4ErrorAllowed(p, off, len))) {
      c.icmpNotAllowed++;
      return;
    }
    if (!this.limiter.allow(v === 6 ? formatIpv6(p, off + 8) : formatIpv4(p, off + 12), now)) {
      c.icmpRateLimited++;
      return;
    }
    const local = t.tunnel.encapsulation === 'ipv6' ? parseIpv6(t.tunnel.local) : undefined;
    const error = v === 6
      ? packetTooBig(p, off, len, mtu, this.source6 ?? local ?? p.subarray(off + 24, off + 40))
      : fragmentationNeeded(p, off, len, mtu, this.source4 ?? p.subarray(off + 16, off + 20));
    try {
      this.ports.tun.write(error);
      c.icmpSent++;
    } catch { /* counted in the TUN's stats */ }
  }

  /**
   * Some packets of a tunnel batch failed. The port does not say which, so after EMSGSIZE the
   * path MTU of every tunnel in the batch is asked again (with netlink), or, without it, the
   * tunnels holding the `failed` largest packets are lowered to the next plateau. The packets now
   * over their tunnel's MTU are the ones that failed: their sources get the error.
   */
  private sendFailed(port: OutPort, b: TxBatch, tags: readonly (object | undefined)[], failed: number): void {
    if (port === this.ports.tun || port.stats.lastError !== 'EMSGSIZE') return;
    const c = this.mtuCounters;
    c.sendTooBig += failed;
    const now = this.now();
    const sorted = Array.from(b.lengths.subarray(0, b.count)).sort((x, y) => y - x);
    const cut = this.mtu.canAsk ? 0 : sorted[Math.min(failed, b.count) - 1];
    const smallest = new Map<PathEntry, { route: TunnelRoute; len: number }>();
    for (let i = 0; i < b.count; i++) {
      const t = tags[i] as TunnelRoute | undefined;
      if (t === undefined || b.lengths[i] < cut) continue;
      const path = this.mtu.state(t, now).path;
      const seen = smallest.get(path);
      if (!seen || b.lengths[i] < seen.len) smallest.set(path, { route: t, len: b.lengths[i] });
    }
    for (const { route, len } of smallest.values()) {
      const before = this.mtu.state(route, now).path.mtu;
      if (this.mtu.lowered(route, len, now) < before) c.pathLowered++;
    }
    for (let i = 0; i < b.count; i++) {
      const t = tags[i] as TunnelRoute | undefined;
      const off = b.offsets[i];
      const len = b.lengths[i];
      const v = ipVersion(b.data, off, len);
      if (t === undefined || v === 0) continue;
      const mtu = this.mtu.usable(t, v, now);
      if (len <= mtu) continue;
      c.tooBig++;
      this.fwd.txCount(t, -1, -len);
      this.fwd.drops?.count('too-big');
      if (v === 6 || ipv4DontFragment(b.data, off)) this.icmpError(t, v, b.data, off, len, mtu, now);
    }
  }

  /** ICMPv6 from `icmp6`: a Packet Too Big about our tunnel packets lowers that path. */
  fromIcmp6(batch: DatagramBatch): void {
    const now = this.now();
    for (let i = 0; i < batch.count; i++) {
      const off = batch.offset(i);
      const mtu = tunnelPacketTooBig(batch.data, off, batch.length(i));
      if (mtu > 0 && this.mtu.reported(batch.data, off + PTB_REMOTE_OFFSET, 6, mtu, now)) {
        this.mtuCounters.pathLowered++;
      }
    }
  }

  fromUdp(batch: DatagramBatch): void {
    for (let i = 0; i < batch.count; i++) {
      const off = batch.offset(i);
      const len = batch.length(i);
      const v = ipVersion(batch.data, off, len);
      if (v === 6 && ipv6UpperProtocol(batch.data, off, len) === IpProto.MOBILITY) {
        const via = udpVia(batch, i, this.ports.udp.localPort);
        this.onMh({ kind: 'mh', via, bytes: packetCopy(batch, i) });
        continue;
      }
      const peer = u32At(batch.addresses, i * 16 + 12);
      if (this.fwd.ingress('udp4', undefined, 0, peer, batch.peerPort(i), batch.data, off, len)) {
        this.out.enqueue(this.ports.tun, batch.data, off, len);
      }
    }
    this.out.flush();
  }

  fromRaw6(batch: DatagramBatch): void {
    for (let i = 0; i < batch.count; i++) {
      const off = batch.offset(i);
      const len = batch.length(i);
      if (this.fwd.ingress('ipv6', batch.addresses, i * 16, 0, 0, batch.data, off, len)) {
        this.out.enqueue(this.ports.tun, batch.data, off, len);
      }
    }
    this.out.flush();
  }

  /** Raw IPv4 sockets include the outer IPv4 header. */
  fromRaw4(batch: DatagramBatch): void {
    for (let i = 0; i < batch.count; i++) {
      const off = batch.offset(i);
      const len = batch.length(i);
      const ihl = (batch.data[off] & 0x0f) * 4;
      if (ihl < 20 || ihl >= len) continue;
      const outer = u32At(batch.data, off + 12);
      if (this.fwd.ingress('ipv4', undefined, 0, outer, 0, batch.data, off + ihl, len - ihl)) {
        this.out.enqueue(this.ports.tun, batch.data, off + ihl, len - ihl);
      }
    }
    this.out.flush();
  }

  private signalling(batch: DatagramBatch, nextHeader: number): void {
    for (let i = 0; i < batch.count; i++) {
      const bytes = rebuildIpv6(batch, i, nextHeader);
      // Extension headers before something other than an MH are not signalling.
      if (ipv6UpperProtocol(bytes, 0, bytes.length) !== IpProto.MOBILITY) continue;
      this.onMh({ kind: 'mh', via: { kind: 'ipv6' }, bytes });
    }
  }
}
