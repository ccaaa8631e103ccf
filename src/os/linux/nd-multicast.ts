/**
 * The multicast half of an NdPort's batch send (packet.ts), on an Ethernet link: DAD probes to
 * solicited-node groups and unsolicited NAs to all-nodes leave as link-layer frames through one
 * send-only AF_PACKET socket, with the destination MAC mapped from the IPv6 group (RFC 2464 §7:
 * 33:33 and the group's last four octets), instead of through the IPv6 output path. Measured on a
 * home agent registering 100k mobile nodes: IPPROTO_RAW looked up a route per packet, cloned a
 * route-cache entry and created a neighbour entry for each of 100k distinct solicited-node groups
 * (pushing the neighbour table into forced garbage collection); the raw socket's sendmsg was
 * about a sixth of the daemon's CPU. The frames are the same IPv6 packets; the kernel writes the
 * Ethernet header with the interface's own address as source. Unicast packets (answers to a
 * unicast solicitation) still go through IPPROTO_RAW: they need the neighbour's address.
 * Addon call: packetSendBatch (docs/native.md, "Link-layer additions").
 */
import { BATCH_MAX, type PortStats, type TxBatch } from '../ports.js';
import { sendAll } from './io.js';
import type { LinkAddon } from './packet.js';
import { SendRing, type RingPort } from './send-ring.js';

/** Octets of one link-layer destination slot in packetSendBatch (six used: an Ethernet MAC). */
const DST_SLOT = 8;
const ETHER_ALEN = 6;

/** One batch's packets sorted by destination: indexes into the batch's `data`. */
export class MulticastSplit {
  /** The multicast packets, each with its link-layer destination (8-octet slots). */
  readonly multicast = {
    count: 0, offsets: new Uint32Array(BATCH_MAX), lengths: new Uint32Array(BATCH_MAX),
    destinations: new Uint8Array(BATCH_MAX * DST_SLOT),
  };
  /** The others (unicast), with their IPv6 destinations as TxBatch holds them. */
  readonly rest = {
    count: 0, offsets: new Uint32Array(BATCH_MAX), lengths: new Uint32Array(BATCH_MAX),
    addresses: new Uint8Array(BATCH_MAX * 16), ports: new Uint16Array(BATCH_MAX),
  };

  /** Sorts `batch` by its destinations (IPv6, 16 octets a packet in `batch.addresses`). */
  split(batch: TxBatch): void {
    const m = this.multicast;
    const r = this.rest;
    m.count = 0;
    r.count = 0;
    const a = batch.addresses;
    for (let i = 0; i < batch.count; i++) {
      const at = i * 16;
      if (a[at] !== 0xff) {
        const k = r.count++;
        r.offsets[k] = batch.offsets[i];
        r.lengths[k] = batch.lengths[i];
        r.ports[k] = batch.ports[i];
        for (let j = 0; j < 16; j++) r.addresses[k * 16 + j] = a[at + j];
        continue;
      }
      const k = m.count++;
      m.offsets[k] = batch.offsets[i];
      m.lengths[k] = batch.lengths[i];
      const d = k * DST_SLOT;
      m.destinations[d] = 0x33;
      m.destinations[d + 1] = 0x33;
      for (let j = 0; j < 4; j++) m.destinations[d + 2 + j] = a[at + 12 + j];
    }
  }
}

/** The send-only AF_PACKET socket of one link. */
export class LinkMulticast {
  readonly split = new MulticastSplit();
  /** The send thread the frames go through, when asked for (NdOptions.sendRing). */
  private ring: { readonly ring: SendRing; readonly port: RingPort } | undefined;

  constructor(
    private readonly n: LinkAddon, private fd: number, private readonly ifindex: number,
  ) {}

  /** Frames leave through the process's send ring from now on (when it has room for a port). */
  useSendRing(stats: PortStats): void {
    this.ring = SendRing.attach(stats);
  }

  /** Sends the multicast packets `split` found in `batch`; counts into `stats`. */
  send(batch: TxBatch, stats: PortStats): number {
    const s = this.split.multicast;
    const { n, fd, ifindex } = this;
    const protocol = n.constants.ETH_P_IPV6;
    const r = this.ring;
    if (r !== undefined) {
      r.ring.reap(r.port);
      if (r.ring.submitOrWait(() => r.ring.submitPacket(r.port, fd, ifindex, protocol, ETHER_ALEN,
        batch.data, batch.used, s.count, s.offsets, s.lengths, s.destinations))) return s.count;
    }
    return sendAll(s, (start, count) => (start === 0
      ? n.packetSendBatch(fd, ifindex, protocol, batch.data, count, s.offsets, s.lengths, s.destinations,
        ETHER_ALEN)
      : n.packetSendBatch(fd, ifindex, protocol, batch.data, count, s.offsets.subarray(start),
        s.lengths.subarray(start), s.destinations.subarray(start * DST_SLOT), ETHER_ALEN)), stats);
  }

  close(): void {
    if (this.fd < 0) return;
    const n = this.n; // the thread may still send on fd: the ring closes it when done
    if (this.ring !== undefined) this.ring.ring.release(this.ring.port, this.fd, (fd) => n.close(fd));
    else n.close(this.fd);
    this.ring = undefined;
    this.fd = -1;
  }
}
