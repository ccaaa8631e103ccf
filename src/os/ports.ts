/**
 * The OS ports (conventions C8, design.md "One native boundary"): the narrow interfaces through
 * which the runtime touches TUN devices, sockets and rtnetlink, each implemented over the native
 * addon (src/os/linux/) and as an in-memory double (src/os/mem/). Nothing here does I/O.
 *
 * Receiving is batched: a port calls its handler once per batch of up to 64 packets, with a
 * batch object that is REUSED for every call (same object, same buffers, overwritten by the next
 * batch). A handler must finish with the bytes before it returns, or copy what it keeps
 * (`batch.data.slice(...)`). The packet bytes sit at `data[offset(i), offset(i) + length(i))`, so
 * src/wire decoders can read them in place with no allocation.
 *
 * Sending is batched too, through a `TxBatch` the caller fills and reuses. Single-packet calls
 * (`write`, `send`) exist for signalling and throw an `OsError` for local errors; batch calls
 * never throw for per-packet failures: they return how many packets the kernel accepted and
 * count the rest in `stats`.
 */
import {
  formatIpv4, formatIpv6, isIpv4Mapped, writeIpv4, writeIpv6,
} from '../wire/addr.js';
import type {
  LinkLayerOptions, LinkLayerPort, NdListenOptions, NdListenPort, NdOptions, NdPort,
} from './link-ports.js';
import type { NetlinkPort, NetlinkQueuePort } from './netlink-ports.js';

export type {
  LinkLayerOptions, LinkLayerPort, NdListenOptions, NdListenPort, NdMessage, NdOptions, NdPort,
} from './link-ports.js';
export {
  NETLINK_BATCH_MAX, NETLINK_UNANSWERED, type NetlinkEvents, type NetlinkPort, type NetlinkQueuePort,
  type NetlinkRefused, type NetlinkSubscription,
} from './netlink-ports.js';

/** Packets per batch, both directions (the addon's BATCH_MAX). */
export const BATCH_MAX = 64;
/** Bytes per address slot; IPv4 is stored as ::ffff:a.b.c.d. */
export const ADDRESS_LENGTH = 16;

/** A local or OS error (never caused by packet contents): `code` is the errno name. */
export class OsError extends Error {
  constructor(readonly code: string, readonly syscall: string, message?: string) {
    super(message ?? `${syscall}: ${code}`);
    this.name = 'OsError';
  }
}

/** One received batch. REUSED between handler calls: copy what you keep. */
export interface PacketBatch {
  /** Packets in this batch (1..64). */
  readonly count: number;
  /** The whole receive buffer; packet i is data[offset(i), offset(i) + length(i)). */
  readonly data: Uint8Array;
  offset(i: number): number;
  length(i: number): number;
  /** A view (not a copy) of packet i; allocates a small view object. */
  packet(i: number): Uint8Array;
}

/** A received batch from a datagram socket: packet i also has a peer and a local address. */
export interface DatagramBatch extends PacketBatch {
  /** Peer addresses, 16 bytes per packet at i * 16 (IPv4 as ::ffff:a.b.c.d). */
  readonly addresses: Uint8Array;
  /** Peer UDP port (0 for raw sockets). */
  peerPort(i: number): number;
  /** The peer address as text (allocates: for signalling and logs, not per data packet). */
  peerAddress(i: number): string;
  /** The packet's destination address (IP(V6)_PKTINFO), 16 bytes at i * 16; zeros if unknown. */
  readonly localAddresses: Uint8Array;
  /** The interface the packet arrived on (0 if unknown). */
  ifindex(i: number): number;
}

/** Counters every port keeps; `lastError` is the errno name of the latest failure. */
export interface PortStats {
  rxPackets: number;
  rxBatches: number;
  /** Packets larger than their receive slot (dropped, never handed over cut short). */
  rxTruncated: number;
  rxErrors: number;
  txPackets: number;
  txErrors: number;
  lastError: string;
}

export function newPortStats(): PortStats {
  return {
    rxPackets: 0, rxBatches: 0, rxTruncated: 0, rxErrors: 0, txPackets: 0, txErrors: 0,
    lastError: '',
  };
}

export type BatchHandler<B> = (batch: B) => void;
/** Receive-side local errors (an ICMP error surfaced by a raw socket, EBADF, ...). */
export type ErrorHandler = (error: OsError) => void;

/** A TUN device (IFF_TUN | IFF_NO_PI: IPv4 and IPv6 packets, told apart by the version nibble). */
export interface TunPort {
  readonly name: string;
  readonly ifindex: number;
  /** Starts delivering packets the kernel routes into the device. One handler per port. */
  onBatch(handler: BatchHandler<PacketBatch>, onError?: ErrorHandler): void;
  /** Injects one packet into the kernel; throws OsError (EINVAL for a non-IP packet, EIO if down). */
  write(packet: Uint8Array): void;
  /** Injects every packet of `batch`; returns how many the kernel accepted. */
  writeBatch(batch: TxBatch): number;
  readonly stats: PortStats;
  /** Stops receiving and closes the fd (the device disappears with its last fd). Idempotent. */
  close(): void;
}

export type DatagramKind = 'udp4' | 'udp6' | 'raw4' | 'raw6';

/**
 * A UDP or raw IP socket. Raw IPv4 sockets receive the IPv4 header; raw IPv6 sockets receive
 * from the first header after the fixed IPv6 header (addresses come from the batch).
 * An IPPROTO_RAW IPv6 socket sends complete hand-built IPv6 packets and receives nothing.
 */
export interface DatagramPort {
  readonly kind: DatagramKind;
  /** IP protocol: 17 for UDP, else the raw socket's protocol. */
  readonly protocol: number;
  /** The bound port (UDP), 0 for raw sockets. */
  readonly localPort: number;
  onBatch(handler: BatchHandler<DatagramBatch>, onError?: ErrorHandler): void;
  /** Sends one datagram; `address` is text or 16 bytes. Throws OsError (ENETUNREACH, EMSGSIZE...). */
  send(address: string | Uint8Array, port: number, bytes: Uint8Array): void;
  /** Sends every packet of `batch` to its own destination; returns how many were accepted. */
  sendBatch(batch: TxBatch): number;
  /**
   * Like sendBatch, through the send thread when the port was opened with `sendRing` (send-ring.ts):
   * returns the packets it took; the kernel's refusals count in `stats` at the next call.
   */
  queueBatch?(batch: TxBatch): number;
  readonly stats: PortStats;
  close(): void;
}

/** Options of a UDP socket. */
export interface UdpOptions {
  readonly family: 4 | 6;
  /** Local address to bind ('0.0.0.0' / '::' for any) and port (0: the kernel picks). */
  readonly address: string;
  readonly port: number;
  /** SO_BINDTODEVICE. */
  readonly device?: string;
  readonly reuseAddress?: boolean;
  readonly broadcast?: boolean;
  /** SO_RCVBUF (SO_RCVBUFFORCE when permitted), bytes. */
  readonly receiveBuffer?: number;
  /** Receive slot size in bytes (default 2048); larger datagrams are counted and dropped. */
  readonly slotSize?: number;
  /** `queueBatch` sends through the send thread (batches that wait for no result: acknowledgements). */
  readonly sendRing?: boolean;
}

/** Options of a raw socket. */
export interface RawOptions {
  readonly family: 4 | 6;
  /** IP protocol (41, 4, 43, 60, 135), or 255 (IPPROTO_RAW) to send hand-built packets. */
  readonly protocol: number;
  readonly device?: string;
  readonly receiveBuffer?: number;
  readonly slotSize?: number;
  /** IPv6 only: IPV6_CHECKSUM offset, or -1 to leave checksums to userspace (MH, platform.md). */
  readonly checksumOffset?: number;
  /** Bind to this local address (optional). */
  readonly address?: string;
  /** As for UDP: `queueBatch` sends through the send thread. */
  readonly sendRing?: boolean;
}

export interface TunOptions {
  /** Requested name (may contain %d); the kernel's choice otherwise. */
  readonly name?: string;
  readonly multiQueue?: boolean;
  /** Receive slot size in bytes (default 2048): must exceed the device MTU. */
  readonly slotSize?: number;
  /**
   * Ask for TUN offloads (checksum, TSO4/TSO6): TCP super-packets are segmented (dataplane/tso.ts)
   * before delivery, so packets stay plain IP within the MTU. Falls back when the kernel refuses.
   */
  readonly offload?: boolean;
}

/** What the runtime is given: the Linux implementation or a mem double. */
export interface OsPorts {
  openTun(options: TunOptions): TunPort;
  openUdp(options: UdpOptions): DatagramPort;
  openRaw(options: RawOptions): DatagramPort;
  openNetlink(): NetlinkPort;
  /** rtnetlink batches through the send thread; absent (or undefined) where there is none. */
  openNetlinkQueue?(): NetlinkQueuePort | undefined;
  /** Neighbor Discovery on one link (link-ports.ts); absent where no link is modelled (mem). */
  openNd?(options: NdOptions): NdPort;
  /** Link-layer frames out of one interface (gratuitous ARP); absent like openNd. */
  openLinkLayer?(options: LinkLayerOptions): LinkLayerPort;
  /** Every NS/NA on one link (userspace proxy ND, link-ports.ts); absent like openNd. */
  openNdListener?(options: NdListenOptions): NdListenPort;
}

/**
 * A reusable outgoing batch: up to 64 packets in one preallocated buffer, each with a
 * destination (16-byte address, IPv4 as ::ffff:a.b.c.d) and port. Fill with `push` (copies)
 * or `reserve` (returns where to encode in place), hand to a port, then `clear()`.
 */
export class TxBatch {
  readonly data: Uint8Array;
  readonly offsets = new Uint32Array(BATCH_MAX);
  readonly lengths = new Uint32Array(BATCH_MAX);
  readonly addresses = new Uint8Array(BATCH_MAX * ADDRESS_LENGTH);
  readonly ports = new Uint16Array(BATCH_MAX);
  count = 0;
  /** Bytes of `data` in use. */
  used = 0;

  constructor(capacityBytes = BATCH_MAX * 2048) {
    this.data = new Uint8Array(capacityBytes);
  }

  get full(): boolean {
    return this.count === BATCH_MAX;
  }

  /** Room for a `length`-byte packet to `address`:`port`; returns its offset in `data`, or -1. */
  reserve(length: number, address?: Uint8Array, port = 0, addressOffset = 0): number {
    if (this.count === BATCH_MAX || this.used + length > this.data.length) return -1;
    const i = this.count++;
    const at = this.used;
    this.offsets[i] = at;
    this.lengths[i] = length;
    this.ports[i] = port;
    if (address !== undefined) {
      for (let k = 0; k < ADDRESS_LENGTH; k++) this.addresses[i * 16 + k] = address[addressOffset + k];
    } else {
      this.addresses.fill(0, i * 16, i * 16 + 16);
    }
    this.used += length;
    return at;
  }

  /**
   * Copies `bytes` in; false (nothing added) when the batch is full. `address` is text or 16
   * bytes (at `addressOffset`); text that is not an address throws TypeError, nothing added.
   */
  push(bytes: Uint8Array, address?: Uint8Array | string, port = 0, addressOffset = 0): boolean {
    let a = address as Uint8Array | undefined;
    if (typeof address === 'string') {
      if (!addressInto(ADDRESS_TEXT, address)) throw new TypeError(`not an IP address: ${address}`);
      a = ADDRESS_TEXT;
      addressOffset = 0;
    }
    const at = this.reserve(bytes.length, a, port, addressOffset);
    if (at < 0) return false;
    this.data.set(bytes, at);
    return true;
  }

  clear(): void {
    this.count = 0;
    this.used = 0;
  }
}

/**
 * The receive side's preallocated batch (used by the Linux ports and the mem doubles): `count`
 * packets in fixed slots of `slotSize` bytes, lengths in `lengths`, and for datagram sockets
 * peer/local addresses, ports and interface indexes. Ports refill it in place for every batch.
 */
export class RxBatch implements DatagramBatch {
  count = 0;
  readonly data: Uint8Array;
  readonly lengths = new Uint32Array(BATCH_MAX);
  readonly addresses: Uint8Array;
  readonly ports: Uint16Array;
  readonly localAddresses: Uint8Array;
  readonly ifindexes: Uint32Array;

  constructor(readonly slotSize: number, datagram: boolean) {
    this.data = new Uint8Array(slotSize * BATCH_MAX);
    const n = datagram ? BATCH_MAX : 0;
    this.addresses = new Uint8Array(n * ADDRESS_LENGTH);
    this.ports = new Uint16Array(n);
    this.localAddresses = new Uint8Array(n * ADDRESS_LENGTH);
    this.ifindexes = new Uint32Array(n);
  }

  offset(i: number): number { return i * this.slotSize; }
  length(i: number): number { return this.lengths[i]; }
  packet(i: number): Uint8Array {
    return this.data.subarray(i * this.slotSize, i * this.slotSize + this.lengths[i]);
  }
  peerPort(i: number): number { return this.ports[i]; }
  peerAddress(i: number): string { return addressText(this.addresses, i * ADDRESS_LENGTH); }
  ifindex(i: number): number { return this.ifindexes[i]; }
}

/** A 16-byte slot as text: dotted quad for ::ffff:a.b.c.d, RFC 5952 otherwise. */
export function addressText(b: Uint8Array, offset = 0): string {
  return isIpv4Mapped(b, offset) ? formatIpv4(b, offset + 12) : formatIpv6(b, offset);
}

/** Where `TxBatch.push` reads address text into (then copied into the batch). */
const ADDRESS_TEXT = new Uint8Array(ADDRESS_LENGTH);

/** `text` (IPv6, or IPv4 as ::ffff:a.b.c.d) into out[0..16) without allocating; false if not an address. */
function addressInto(out: Uint8Array, text: string): boolean {
  if (writeIpv6(out, 0, text)) return true;
  if (!writeIpv4(out, 12, text)) return false;
  out.fill(0, 0, 10);
  out[10] = 0xff;
  out[11] = 0xff;
  return true;
}

/** IPv6 or IPv4 text to a 16-byte slot (IPv4 as ::ffff:a.b.c.d); throws on bad text. */
export function addressBytes(text: string): Uint8Array {
  const out = new Uint8Array(ADDRESS_LENGTH);
  if (!addressInto(out, text)) throw new TypeError(`not an IP address: ${text}`);
  return out;
}
