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
 */
import type { TunnelKind } from '../dataplane/ha-forwarding.js';
import { ipVersion, ipv6UpperProtocol } from '../dataplane/packet.js';
import { u32At } from '../dataplane/addr-table.js';
import type { ReceivedMh, TunnelEndpoint } from '../engine/types.js';
import { IpProto } from '../wire/ip-protocols.js';
import type { DatagramBatch, DatagramPort, PacketBatch, TunPort } from '../os/ports.js';
import { Batcher } from './batcher.js';
import { rebuildIpv6, udpVia } from './mh-io.js';

export interface TunnelPorts {
  readonly tun: TunPort;
  readonly udp: DatagramPort;
  readonly raw6InIpv6: DatagramPort;
  readonly raw4InIpv6: DatagramPort;
  readonly raw6InIpv4: DatagramPort;
  readonly raw4InIpv4: DatagramPort;
  /** raw6/60 (home agent: BU with HAO) or raw6/43 (mobile node: BA with RH2). */
  readonly mhWithExtension: DatagramPort;
  readonly mhPlain: DatagramPort;
  readonly rawSender: DatagramPort;
}

/** Where a packet from the TUN goes. */
export interface TunnelRoute {
  readonly tunnel: TunnelEndpoint;
  readonly remoteSlot: Uint8Array;
  readonly remotePort: number;
}

/** What the forwarding tables of both roles offer (HaForwarding, MnForwarding). */
export interface Forwarder {
  route(p: Uint8Array, off: number, len: number): TunnelRoute | undefined;
  ingress(
    kind: TunnelKind, outer6: Uint8Array | undefined, outerOff: number, outer4: number, port: number,
    p: Uint8Array, off: number, len: number,
  ): unknown;
}

export class TunnelIo {
  private readonly out = new Batcher();

  constructor(
    private readonly ports: TunnelPorts,
    readonly fwd: Forwarder,
    /** The first next header of what `mhWithExtension` delivers: 60 or 43. */
    private readonly extensionHeader: number,
    private readonly onMh: (mh: ReceivedMh) => void,
  ) {}

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
    for (let i = 0; i < batch.count; i++) {
      const off = batch.offset(i);
      const len = batch.length(i);
      const t = this.fwd.route(batch.data, off, len);
      if (!t) continue;
      const v = ipVersion(batch.data, off, len) as 4 | 6;
      this.out.enqueue(this.tunnelPort(t.tunnel, v), batch.data, off, len, t.remoteSlot, t.remotePort);
    }
    this.out.flush();
  }

  fromUdp(batch: DatagramBatch): void {
    for (let i = 0; i < batch.count; i++) {
      const off = batch.offset(i);
      const len = batch.length(i);
      const v = ipVersion(batch.data, off, len);
      if (v === 6 && ipv6UpperProtocol(batch.data, off, len) === IpProto.MOBILITY) {
        const via = udpVia(batch, i, this.ports.udp.localPort);
        this.onMh({ kind: 'mh', via, bytes: batch.packet(i).slice() });
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
