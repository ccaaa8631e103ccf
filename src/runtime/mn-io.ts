/**
 * The mobile node's / mobile router's packet paths over the OS ports: home-address (and MNP)
 * traffic from the TUN is reverse-tunnelled to the home agent; packets from the home agent's
 * tunnel go to the TUN after the ingress check; BAs with a Type 2 Routing Header (raw6/43),
 * plain MH (raw6/135) and MH inside UDP go to the engine.
 */
import { MnForwarding, type MnTunnel } from '../dataplane/mn-forwarding.js';
import { ipVersion, ipv6UpperProtocol } from '../dataplane/packet.js';
import { u32At } from '../dataplane/addr-table.js';
import type { ReceivedMh } from '../engine/types.js';
import { IpProto } from '../wire/ip-protocols.js';
import type { DatagramBatch, DatagramPort, PacketBatch, TunPort } from '../os/ports.js';
import { Batcher } from './batcher.js';
import { rebuildIpv6, udpVia } from './mh-io.js';

export interface MnPorts {
  readonly tun: TunPort;
  readonly udp: DatagramPort;
  readonly raw6InIpv6: DatagramPort;
  readonly raw4InIpv6: DatagramPort;
  readonly raw6InIpv4: DatagramPort;
  readonly raw4InIpv4: DatagramPort;
  readonly mhWithRh2: DatagramPort;
  readonly mhPlain: DatagramPort;
  readonly rawSender: DatagramPort;
}

export class MnIo {
  private readonly out = new Batcher();

  constructor(
    private readonly ports: MnPorts,
    readonly fwd: MnForwarding,
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
    p.mhWithRh2.onBatch((b) => this.signalling(b, IpProto.ROUTING));
    p.mhPlain.onBatch((b) => this.signalling(b, IpProto.MOBILITY));
  }

  private tunnelPort(t: MnTunnel, innerVersion: 4 | 6): DatagramPort {
    const p = this.ports;
    switch (t.endpoint.encapsulation) {
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
      this.out.enqueue(this.tunnelPort(t, v), batch.data, off, len, t.remoteSlot, t.remotePort);
    }
    this.out.flush();
  }

  fromUdp(batch: DatagramBatch): void {
    for (let i = 0; i < batch.count; i++) {
      const off = batch.offset(i);
      const len = batch.length(i);
      const v6 = ipVersion(batch.data, off, len) === 6;
      if (v6 && ipv6UpperProtocol(batch.data, off, len) === IpProto.MOBILITY) {
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
      if (ipv6UpperProtocol(bytes, 0, bytes.length) !== IpProto.MOBILITY) continue;
      this.onMh({ kind: 'mh', via: { kind: 'ipv6' }, bytes });
    }
  }
}
