/**
 * The link ports on Linux (src/os/link-ports.ts): NdPort over a raw ICMPv6 socket and an
 * IPPROTO_RAW socket bound to one link, and LinkLayerPort over a send-only AF_PACKET socket.
 *
 * NdPort receive: ICMP6_FILTER passes only the types asked for; IPV6_RECVPKTINFO and
 * IPV6_RECVHOPLIMIT come with each message through the addon's `recvMessage` (one recvmsg per
 * message: Neighbor Discovery is low-rate, and recvBatch does not report the hop limit).
 * NdPort send: hand-built IPv6 packets on IPPROTO_RAW, bound to the link so that link-scope
 * multicast leaves through it, with IPV6_MULTICAST_LOOP off so this host never hears its own
 * solicitations (a DAD probe that came back would otherwise look like another node's). With
 * `ethernetMulticast`, a batch's multicast packets leave instead as Ethernet frames through a
 * third, send-only AF_PACKET socket (nd-multicast.ts), which never loops back either.
 *
 * LinkLayerPort: socket(AF_PACKET, SOCK_DGRAM, 0) receives nothing; `packetSend` is a sendto
 * with a sockaddr_ll naming the interface, the EtherType and the destination address.
 */
import type { LinkLayerOptions, LinkLayerPort, NdMessage, NdOptions, NdPort } from '../link-ports.js';
import { OsError, addressBytes, newPortStats, type ErrorHandler, type TxBatch } from '../ports.js';
import { checkOne, checkOpen, sendAll, tail, Watcher, type BatchIndex } from './io.js';
import { LinkMulticast } from './nd-multicast.js';
import { native, sys, toOsError, type NativeAddon, type NativeConstants } from './native.js';

/** The addon's link additions (docs/native.md, "Link-layer additions"). */
export interface LinkAddon extends NativeAddon {
  readonly constants: NativeConstants & {
    readonly AF_PACKET: number; readonly ETH_P_ARP: number; readonly ETH_P_IPV6: number;
    readonly IPPROTO_ICMPV6: number; readonly ICMP6_FILTER: number;
    readonly IPV6_JOIN_GROUP: number; readonly IPV6_LEAVE_GROUP: number;
    readonly IPV6_MULTICAST_LOOP: number; readonly IPV6_RECVHOPLIMIT: number;
  };
  recvMessage(fd: number, data: Uint8Array, info8: Uint8Array, info32: Uint32Array): number;
  packetSend(fd: number, ifindex: number, protocol: number, destination: Uint8Array,
    data: Uint8Array): number;
  packetSendBatch(fd: number, ifindex: number, protocol: number, data: Uint8Array, count: number,
    offsets: Uint32Array, lengths: Uint32Array, destinations: Uint8Array, halen: number): number;
}

/** The addon with its link additions; a readable error when the built addon predates them. */
export function linkAddon(): LinkAddon {
  const n = native() as LinkAddon;
  if (typeof n.recvMessage !== 'function' || typeof n.packetSendBatch !== 'function') {
    throw new Error('dsmip6: the native addon has no recvMessage/packetSendBatch; rebuild it (npm install)');
  }
  return n;
}

const NO_HOP_LIMIT = 256;
/** Messages read per wakeup before yielding to other fds (the fd stays readable). */
const MESSAGES_PER_WAKEUP = 64;

/** ICMP6_FILTER bytes passing only `types` (Linux: a set bit blocks; 8 host-order u32 words). */
export function icmp6Filter(types: readonly number[]): Uint8Array {
  const words = new Uint32Array(8).fill(0xffffffff);
  for (const t of types) words[t >> 5] &= ~(1 << (t & 31));
  return new Uint8Array(words.buffer);
}

/** struct ipv6_mreq: the group (16 bytes), then the ifindex (a host-order int). */
function mreq(group: string, ifindex: number): Uint8Array {
  const out = new Uint8Array(20);
  out.set(addressBytes(group), 0);
  new Uint32Array(out.buffer, 16, 1)[0] = ifindex;
  return out;
}

class Message implements NdMessage {
  bytes: Uint8Array = new Uint8Array(0);
  ifindex = 0;
  hopLimit = NO_HOP_LIMIT;
  constructor(readonly source: Uint8Array, readonly destination: Uint8Array) {}
}

export class LinuxNd implements NdPort {
  readonly stats = newPortStats();
  private watcher: Watcher | undefined;
  private readonly destination = new Uint8Array(16);
  private readonly one = {
    offsets: new Uint32Array(1), lengths: new Uint32Array(1), ports: new Uint16Array(1),
  };

  constructor(
    private rx: number, private tx: number, readonly ifindex: number, private readonly slot: number,
    /** Multicast as link-layer frames (nd-multicast.ts); absent: every packet through `tx`. */
    private readonly multicast?: LinkMulticast,
  ) {}

  onMessage(handler: (m: NdMessage) => void, onError?: ErrorHandler): void {
    checkOpen(this.rx, 'onMessage');
    if (this.watcher !== undefined) throw new Error('nd: onMessage already set');
    const n = linkAddon();
    const data = new Uint8Array(this.slot);
    const info8 = new Uint8Array(32);
    const info32 = new Uint32Array(2);
    const m = new Message(info8.subarray(0, 16), info8.subarray(16, 32));
    this.watcher = new Watcher(this.rx, () => {
      for (let i = 0; i < MESSAGES_PER_WAKEUP && this.rx >= 0; i++) {
        let len: number;
        try {
          len = n.recvMessage(this.rx, data, info8, info32);
        } catch (e) {
          const err = toOsError(e);
          this.stats.rxErrors++;
          this.stats.lastError = err.code;
          onError?.(err);
          continue;
        }
        if (len < 0) return;
        if (len > data.length) { this.stats.rxTruncated++; continue; }
        this.stats.rxPackets++;
        m.bytes = data.subarray(0, len);
        m.ifindex = info32[0];
        m.hopLimit = info32[1];
        handler(m);
      }
    });
  }

  send(packet: Uint8Array): void {
    checkOpen(this.tx, 'send');
    if (packet.length < 40 || packet[0] >> 4 !== 6) {
      throw new OsError('EINVAL', 'send', 'nd send: not an IPv6 packet');
    }
    this.destination.set(packet.subarray(24, 40));
    const o = this.one;
    o.lengths[0] = packet.length;
    const c = native().constants;
    checkOne(this.stats, () => native().sendBatch(this.tx, c.AF_INET6, packet, 1, o.offsets, o.lengths,
      this.destination, o.ports));
  }

  sendBatch(batch: TxBatch): number {
    checkOpen(this.tx, 'sendBatch');
    const m = this.multicast;
    if (m === undefined) return this.sendRaw(batch, batch);
    m.split.split(batch);
    const sent = m.split.multicast.count > 0 ? m.send(batch, this.stats) : 0;
    return m.split.rest.count > 0 ? sent + this.sendRaw(batch, m.split.rest) : sent;
  }

  /** Sends the packets of `batch` that `index` lists through the IPPROTO_RAW socket. */
  private sendRaw(batch: TxBatch, index: BatchIndex): number {
    const n = native();
    return sendAll(index, (start, count) => {
      const t = tail(index, start);
      return n.sendBatch(this.tx, n.constants.AF_INET6, batch.data, count, t.offsets, t.lengths, t.addresses,
        t.ports);
    }, this.stats);
  }

  joinGroup(group: string): void {
    this.membership(group, true);
  }

  leaveGroup(group: string): void {
    this.membership(group, false);
  }

  private membership(group: string, join: boolean): void {
    checkOpen(this.rx, join ? 'joinGroup' : 'leaveGroup');
    const n = linkAddon();
    const c = n.constants;
    sys(() => n.setsockopt(this.rx, c.IPPROTO_IPV6, join ? c.IPV6_JOIN_GROUP : c.IPV6_LEAVE_GROUP,
      mreq(group, this.ifindex)));
  }

  close(): void {
    if (this.rx < 0) return;
    this.watcher?.close();
    this.watcher = undefined;
    native().close(this.rx);
    native().close(this.tx);
    this.multicast?.close();
    this.rx = -1;
    this.tx = -1;
  }
}

/** Opens both sockets of an NdPort on `o.device`. Throws OsError (EPERM without CAP_NET_RAW...). */
export function openNd(o: NdOptions): LinuxNd {
  const n = linkAddon();
  const c = n.constants;
  const ifindex = sys(() => n.ifIndex(o.device));
  const fds: number[] = [];
  try {
    const rx = sys(() => n.socket(c.AF_INET6, c.SOCK_RAW, c.IPPROTO_ICMPV6));
    fds.push(rx);
    sys(() => n.setsockopt(rx, c.SOL_SOCKET, c.SO_BINDTODEVICE, o.device));
    sys(() => n.setsockopt(rx, c.IPPROTO_ICMPV6, c.ICMP6_FILTER, icmp6Filter(o.icmpTypes)));
    sys(() => n.setsockopt(rx, c.IPPROTO_IPV6, c.IPV6_RECVPKTINFO, 1));
    sys(() => n.setsockopt(rx, c.IPPROTO_IPV6, c.IPV6_RECVHOPLIMIT, 1));
    const tx = sys(() => n.socket(c.AF_INET6, c.SOCK_RAW, c.IPPROTO_RAW));
    fds.push(tx);
    sys(() => n.setsockopt(tx, c.SOL_SOCKET, c.SO_BINDTODEVICE, o.device));
    sys(() => n.setsockopt(tx, c.IPPROTO_IPV6, c.IPV6_MULTICAST_LOOP, 0));
    let multicast: LinkMulticast | undefined;
    if (o.ethernetMulticast === true) {
      const link = sys(() => n.socket(c.AF_PACKET, c.SOCK_DGRAM, 0));
      fds.push(link);
      multicast = new LinkMulticast(n, link, ifindex);
    }
    const nd = new LinuxNd(rx, tx, ifindex, o.slotSize ?? 2048, multicast);
    if (o.sendRing === true) multicast?.useSendRing(nd.stats);
    return nd;
  } catch (e) {
    for (const fd of fds) n.close(fd);
    throw e;
  }
}

export class LinuxLinkLayer implements LinkLayerPort {
  readonly stats = newPortStats();

  constructor(private fd: number, readonly ifindex: number) {}

  send(protocol: number, destination: Uint8Array, payload: Uint8Array): void {
    checkOpen(this.fd, 'send');
    checkOne(this.stats, () => linkAddon().packetSend(this.fd, this.ifindex, protocol, destination, payload));
  }

  close(): void {
    if (this.fd < 0) return;
    native().close(this.fd);
    this.fd = -1;
  }
}

/**
 * socket(AF_PACKET, SOCK_DGRAM, 0) for `device` and its ifindex: protocol 0 receives nothing
 * until a bind names one. Throws OsError (EPERM without CAP_NET_RAW, ENODEV...).
 */
export function openPacketSocket(
  n: NativeAddon & { readonly constants: { readonly AF_PACKET: number } }, device: string,
): { fd: number; ifindex: number } {
  const ifindex = sys(() => n.ifIndex(device));
  const fd = sys(() => n.socket(n.constants.AF_PACKET, n.constants.SOCK_DGRAM, 0));
  return { fd, ifindex };
}

/** Opens a send-only AF_PACKET socket for `o.device`. Throws OsError (EPERM, ENODEV...). */
export function openLinkLayer(o: LinkLayerOptions): LinuxLinkLayer {
  const { fd, ifindex } = openPacketSocket(linkAddon(), o.device);
  return new LinuxLinkLayer(fd, ifindex);
}
