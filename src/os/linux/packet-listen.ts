/**
 * NdListenPort on Linux (src/os/link-ports.ts): one AF_PACKET SOCK_DGRAM socket bound to the
 * link and to ETH_P_IPV6, in all-multicast mode (PACKET_ADD_MEMBERSHIP, PACKET_MR_ALLMULTI), so
 * it hears Neighbor Solicitations to any solicited-node group without the kernel joining one
 * group per address (the kernel's per-interface multicast list is linear: one join per home
 * address made registration O(N²)). A classic BPF program (`ndFilter`) keeps in the kernel only
 * what the home link code wants; packets are read in batches with recvBatch (no peer addresses:
 * on a SOCK_DGRAM packet socket the data starts at the IPv6 header, which carries them).
 * Addon calls: packetBind, attachFilter (docs/native.md, "Packet-socket receive").
 */
import type { NdListenOptions, NdListenPort } from '../link-ports.js';
import {
  BATCH_MAX, RxBatch, newPortStats, type BatchHandler, type ErrorHandler, type PacketBatch,
} from '../ports.js';
import { checkOpen, pump, Watcher } from './io.js';
import { native, sys, type NativeAddon } from './native.js';
import { openPacketSocket, type LinkAddon } from './packet.js';
import { setReceiveBuffer } from './datagram.js';

interface ListenAddon extends NativeAddon {
  readonly constants: LinkAddon['constants'] & {
    readonly SOL_PACKET: number; readonly PACKET_ADD_MEMBERSHIP: number; readonly PACKET_MR_ALLMULTI: number;
    readonly PACKET_IGNORE_OUTGOING: number;
  };
  packetBind(fd: number, ifindex: number, protocol: number): void;
  attachFilter(fd: number, code: Uint8Array): void;
}

function listenAddon(): ListenAddon {
  const n = native() as ListenAddon;
  if (typeof n.packetBind !== 'function' || typeof n.attachFilter !== 'function') {
    throw new Error('dsmip6: the native addon has no packetBind/attachFilter; rebuild it (npm install)');
  }
  return n;
}

// Classic BPF (linux/filter.h): opcodes, and the ancillary load of skb->pkt_type.
const LDW_ABS = 0x20; const LDB_ABS = 0x30; const JEQ_K = 0x15; const RET_K = 0x06;
const SKF_AD_PKTTYPE = 0xfffff000 + 4;
const PACKET_OUTGOING = 4;
const ETH_P_IP = 0x0800;

/**
 * The filter: drop this host's own outgoing packets, then keep only IPv6 packets whose Next
 * Header is ICMPv6 (58: no extension headers), Hop Limit 255, ICMPv6 type 135 or 136, code 0.
 * Returns struct sock_filter entries in host byte order, 8 bytes each.
 */
export function ndFilter(): Uint8Array {
  const DROP = 12;
  const prog: [number, number, number, number][] = [
    /* 0 */ [LDW_ABS, 0, 0, SKF_AD_PKTTYPE],
    /* 1 */ [JEQ_K, DROP - 2, 0, PACKET_OUTGOING],
    /* 2 */ [LDB_ABS, 0, 0, 6],
    /* 3 */ [JEQ_K, 0, DROP - 4, 58],
    /* 4 */ [LDB_ABS, 0, 0, 7],
    /* 5 */ [JEQ_K, 0, DROP - 6, 255],
    /* 6 */ [LDB_ABS, 0, 0, 40],
    /* 7 */ [JEQ_K, 1, 0, 135],
    /* 8 */ [JEQ_K, 0, DROP - 9, 136],
    /* 9 */ [LDB_ABS, 0, 0, 41],
    /* 10 */ [JEQ_K, 0, DROP - 11, 0],
    /* 11 */ [RET_K, 0, 0, 0x40000],
    /* 12 */ [RET_K, 0, 0, 0],
  ];
  const out = new Uint8Array(prog.length * 8);
  const v = new DataView(out.buffer);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  prog.forEach(([code, jt, jf, k], i) => {
    v.setUint16(i * 8, code, le);
    v.setUint8(i * 8 + 2, jt);
    v.setUint8(i * 8 + 3, jf);
    v.setUint32(i * 8 + 4, k >>> 0, le);
  });
  return out;
}

/** struct packet_mreq: ifindex (int), type (u16), alen (u16), address (8 bytes); host order. */
function packetMreq(ifindex: number, type: number): Uint8Array {
  const out = new Uint8Array(16);
  new Int32Array(out.buffer, 0, 1)[0] = ifindex;
  new Uint16Array(out.buffer, 4, 1)[0] = type;
  return out;
}

/** An AF_PACKET listener on one link (Neighbor Discovery, or IPv4 for the benchmark). */
export class LinuxNdListener implements NdListenPort {
  readonly stats = newPortStats();
  private watcher: Watcher | undefined;
  private readonly batch: RxBatch;

  constructor(private fd: number, readonly ifindex: number, slotSize: number) {
    this.batch = new RxBatch(slotSize, false);
  }

  onBatch(handler: BatchHandler<PacketBatch>, onError?: ErrorHandler): void {
    checkOpen(this.fd, 'onBatch');
    if (this.watcher !== undefined) throw new Error('nd listener: onBatch already set');
    const n = native();
    const b = this.batch;
    const receive = (): number => (this.fd < 0 ? 0
      : n.recvBatch(this.fd, b.data, b.slotSize, BATCH_MAX, b.lengths, null, null, null, null, 0));
    this.watcher = new Watcher(this.fd, () => pump(b, receive, () => handler(b), this.stats, onError));
  }

  close(): void {
    if (this.fd < 0) return;
    this.watcher?.close();
    this.watcher = undefined;
    native().close(this.fd);
    this.fd = -1;
  }
}

/** Opens the listener on `o.device`. Throws OsError (EPERM without CAP_NET_RAW, ENODEV...). */
export function openNdListener(o: NdListenOptions): LinuxNdListener {
  const n = listenAddon();
  const c = n.constants;
  // Nothing is received until bind names ETH_P_IPV6, by which time the filter is on.
  const { fd, ifindex } = openPacketSocket(n, o.device);
  try {
    sys(() => n.attachFilter(fd, ndFilter()));
    // The kernel then skips this socket for frames the host sends (Linux 4.20): no copy of every
    // probe and NA we send just for the filter to drop. Older kernels: the filter drops them.
    try {
      n.setsockopt(fd, c.SOL_PACKET, c.PACKET_IGNORE_OUTGOING, 1);
    } catch {
      // ENOPROTOOPT before 4.20
    }
    sys(() => n.packetBind(fd, ifindex, c.ETH_P_IPV6));
    sys(() => n.setsockopt(fd, c.SOL_PACKET, c.PACKET_ADD_MEMBERSHIP,
      packetMreq(ifindex, c.PACKET_MR_ALLMULTI)));
    return new LinuxNdListener(fd, ifindex, o.slotSize ?? 2048);
  } catch (e) {
    n.close(fd);
    throw e;
  }
}

/**
 * Every IPv4 packet arriving on `device`, from the IPv4 header on, in batches: an AF_PACKET
 * socket bound to ETH_P_IP (it hears what arrives, not what the host sends). The benchmark's load
 * generator reads Binding Acknowledgements addressed to 100k simulated nodes this way while
 * netfilter drops them before routing, so its kernel neither routes them to a local address nor
 * answers each with an ICMP error. Throws OsError (EPERM without CAP_NET_RAW, ENODEV...).
 */
export function openIpv4Listener(o: { device: string; receiveBuffer?: number }): LinuxNdListener {
  const n = listenAddon();
  const c = n.constants;
  const { fd, ifindex } = openPacketSocket(n, o.device);
  try {
    if (o.receiveBuffer !== undefined) setReceiveBuffer(fd, o.receiveBuffer, c);
    sys(() => n.packetBind(fd, ifindex, ETH_P_IP));
    return new LinuxNdListener(fd, ifindex, 2048);
  } catch (e) {
    n.close(fd);
    throw e;
  }
}
