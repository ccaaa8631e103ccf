/**
 * DatagramPort over UDP and raw IP sockets: recvmmsg / sendmmsg of up to 64 datagrams per call,
 * with peer addresses, ports, destination addresses and arrival interfaces (IP(V6)_PKTINFO).
 *
 * Every socket sets "don't fragment locally" (IP_MTU_DISCOVER / IPV6_MTU_DISCOVER =
 * PMTUDISC_DO): an encapsulated packet larger than the path MTU fails with EMSGSIZE instead
 * of leaving as IPv4 fragments (platform.md §5.4: Node's dgram fragments silently).
 *
 * UDP sockets send with UDP GSO when the kernel has it (UDP_SEGMENT, probed at open): runs of
 * equal-sized packets to one destination in a batch (the segments of one TCP super-packet) go
 * down the stack as one datagram train, and each datagram on the wire is exactly the packet it
 * would have been without (native/dsmip6.c sendBatch; a failing run is resent packet by packet).
 */
import {
  BATCH_MAX, RxBatch, TxBatch, addressBytes, newPortStats, type BatchHandler,
  type DatagramBatch, type DatagramKind, type DatagramPort, type ErrorHandler, type RawOptions,
  type UdpOptions,
} from '../ports.js';
import { checkOne, checkOpen, pump, sendAll, tail, Watcher } from './io.js';
import { native, sys, type NativeConstants } from './native.js';
import { SendRing, type RingPort } from './send-ring.js';
import { parseIpv4 } from '../../wire/addr.js';

export const DATAGRAM_SLOT_DEFAULT = 2048;
const SOL_UDP = 17;
const UDP_SEGMENT = 103;

/** True when the kernel knows UDP_SEGMENT (Linux 4.18+): setting it to 0 (off) is accepted. */
function probeUdpSegment(fd: number): boolean {
  try {
    native().setsockopt(fd, SOL_UDP, UDP_SEGMENT, 0);
    return true;
  } catch {
    return false;
  }
}

export class LinuxDatagram implements DatagramPort {
  readonly stats = newPortStats();
  private fd: number;
  private watcher: Watcher | undefined;
  private readonly batch: RxBatch;
  private readonly family: number;
  private readonly one = new TxBatch(0);
  /** Whether batches go out with UDP GSO (UDP sockets on a kernel with UDP_SEGMENT). */
  readonly udpGso: boolean;
  /** The send thread `queueBatch` uses (opened with `sendRing`). */
  private ring: { readonly ring: SendRing; readonly port: RingPort } | undefined;

  constructor(
    fd: number, readonly kind: DatagramKind, readonly protocol: number,
    readonly localPort: number, slot: number,
  ) {
    this.fd = fd;
    this.batch = new RxBatch(slot, true);
    const c = native().constants;
    this.family = kind === 'udp6' || kind === 'raw6' ? c.AF_INET6 : c.AF_INET;
    this.udpGso = (kind === 'udp4' || kind === 'udp6') && probeUdpSegment(fd);
  }

  /** `queueBatch` goes through the process's send ring from now on (when it has room for a port). */
  useSendRing(): void {
    this.ring = SendRing.attach(this.stats);
  }

  get fileDescriptor(): number {
    return this.fd;
  }

  onBatch(handler: BatchHandler<DatagramBatch>, onError?: ErrorHandler): void {
    checkOpen(this.fd, 'onBatch');
    if (this.watcher !== undefined) throw new Error(`${this.kind}: onBatch already set`);
    const n = native();
    const b = this.batch;
    const receive = (): number => (this.fd < 0 ? 0  // closed by the handler
      : n.recvBatch(this.fd, b.data, b.slotSize, BATCH_MAX, b.lengths, b.addresses, b.ports,
        b.localAddresses, b.ifindexes, 0));
    const deliver = (): void => handler(b);
    this.watcher = new Watcher(this.fd, () => pump(b, receive, deliver, this.stats, onError));
  }

  send(address: string | Uint8Array, port: number, bytes: Uint8Array): void {
    checkOpen(this.fd, 'send');
    const one = this.one;
    one.addresses.set(typeof address === 'string' ? addressBytes(address) : address, 0);
    one.ports[0] = port;
    one.offsets[0] = 0;
    one.lengths[0] = bytes.length;
    checkOne(this.stats, () => native().sendBatch(this.fd, this.family, bytes, 1, one.offsets,
      one.lengths, one.addresses, one.ports));
  }

  queueBatch(batch: TxBatch): number {
    const r = this.ring;
    if (r === undefined) return this.sendBatch(batch);
    checkOpen(this.fd, 'queueBatch');
    r.ring.reap(r.port);
    // Full: wait for the thread (what was handed over before, routes included, goes first).
    const taken = r.ring.submitOrWait(() => r.ring.submitDatagram(r.port, this.fd, this.family, batch));
    return taken ? batch.count : this.sendBatch(batch);
  }

  sendBatch(batch: TxBatch): number {
    checkOpen(this.fd, 'sendBatch');
    const n = native();
    return sendAll(batch, (start, count) => {
      const t = tail(batch, start);
      return n.sendBatch(this.fd, this.family, batch.data, count, t.offsets, t.lengths,
        t.addresses, t.ports, this.udpGso);
    }, this.stats);
  }

  close(): void {
    if (this.fd < 0) return;
    this.watcher?.close();
    this.watcher = undefined;
    // The thread may still be sending on this socket: the ring closes it when done.
    const n = native();
    if (this.ring !== undefined) this.ring.ring.release(this.ring.port, this.fd, (fd) => n.close(fd));
    else n.close(this.fd);
    this.ring = undefined;
    this.fd = -1;
  }
}

/** Opens and binds a UDP socket. Throws OsError (EADDRINUSE, EACCES...). */
export function openUdp(o: UdpOptions): LinuxDatagram {
  const n = native();
  const c = n.constants;
  const v6 = o.family === 6;
  const fd = sys(() => n.socket(v6 ? c.AF_INET6 : c.AF_INET, c.SOCK_DGRAM, 0));
  try {
    if (v6) sys(() => n.setsockopt(fd, c.IPPROTO_IPV6, c.IPV6_V6ONLY, 1));
    if (o.reuseAddress) sys(() => n.setsockopt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, 1));
    if (o.broadcast) sys(() => n.setsockopt(fd, c.SOL_SOCKET, c.SO_BROADCAST, 1));
    commonOptions(fd, v6, o.device, o.receiveBuffer);
    const port = sys(() => n.bindInet(fd, v6 ? c.AF_INET6 : c.AF_INET, bindAddress(o.address, v6),
      o.port, 0));
    const d = new LinuxDatagram(fd, v6 ? 'udp6' : 'udp4', c.IPPROTO_UDP, port,
      o.slotSize ?? DATAGRAM_SLOT_DEFAULT);
    if (o.sendRing === true) d.useSendRing();
    return d;
  } catch (e) {
    n.close(fd);
    throw e;
  }
}

/** Opens a raw IP socket for one protocol (IPPROTO_RAW, 255: send hand-built packets). */
export function openRaw(o: RawOptions): LinuxDatagram {
  const n = native();
  const c = n.constants;
  const v6 = o.family === 6;
  const fd = sys(() => n.socket(v6 ? c.AF_INET6 : c.AF_INET, c.SOCK_RAW, o.protocol));
  try {
    if (v6 && o.checksumOffset !== undefined) {
      sys(() => n.setsockopt(fd, c.IPPROTO_IPV6, c.IPV6_CHECKSUM, o.checksumOffset as number));
    }
    commonOptions(fd, v6, o.device, o.receiveBuffer);
    if (o.address !== undefined) {
      sys(() => n.bindInet(fd, v6 ? c.AF_INET6 : c.AF_INET, bindAddress(o.address as string, v6),
        0, 0));
    }
    const d = new LinuxDatagram(fd, v6 ? 'raw6' : 'raw4', o.protocol, 0,
      o.slotSize ?? DATAGRAM_SLOT_DEFAULT);
    if (o.sendRing === true) d.useSendRing();
    return d;
  } catch (e) {
    n.close(fd);
    throw e;
  }
}

/** Device binding, receive buffer, PMTUDISC_DO and PKTINFO: the options every socket gets. */
function commonOptions(fd: number, v6: boolean, device?: string, receiveBuffer?: number): void {
  const n = native();
  const c = n.constants;
  if (device !== undefined) sys(() => n.setsockopt(fd, c.SOL_SOCKET, c.SO_BINDTODEVICE, device));
  if (receiveBuffer !== undefined) setReceiveBuffer(fd, receiveBuffer, c);
  if (v6) {
    sys(() => n.setsockopt(fd, c.IPPROTO_IPV6, c.IPV6_MTU_DISCOVER, c.IPV6_PMTUDISC_DO));
    sys(() => n.setsockopt(fd, c.IPPROTO_IPV6, c.IPV6_RECVPKTINFO, 1));
  } else {
    sys(() => n.setsockopt(fd, c.IPPROTO_IP, c.IP_MTU_DISCOVER, c.IP_PMTUDISC_DO));
    sys(() => n.setsockopt(fd, c.IPPROTO_IP, c.IP_PKTINFO, 1));
  }
}

/** SO_RCVBUFFORCE (past net.core.rmem_max, needs CAP_NET_ADMIN), else SO_RCVBUF. */
export function setReceiveBuffer(fd: number, bytes: number, c: NativeConstants): void {
  const n = native();
  try {
    n.setsockopt(fd, c.SOL_SOCKET, c.SO_RCVBUFFORCE, bytes);
  } catch {
    sys(() => n.setsockopt(fd, c.SOL_SOCKET, c.SO_RCVBUF, bytes));
  }
}

/** The 16-byte form of a bind address; IPv4 sockets take IPv4 text (stored as ::ffff:a.b.c.d). */
function bindAddress(text: string, v6: boolean): Uint8Array {
  const a = addressBytes(text);
  if (v6 === (parseIpv4(text) !== undefined)) {
    throw new TypeError(`address ${text} does not suit an IPv${v6 ? 6 : 4} socket`);
  }
  return a;
}
