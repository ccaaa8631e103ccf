/**
 * The link ports (an addition to ports.ts, which re-exports them): Neighbor Discovery on one
 * link and link-layer frames out of one interface. The home agent uses them on its home link
 * (src/runtime/neighbour.ts): Duplicate Address Detection for home addresses, unsolicited
 * Neighbor Advertisements and gratuitous ARP when it starts defending a home address. Linux
 * implements both (src/os/linux/packet.ts); the mem doubles do not model a link.
 */
import type { BatchHandler, ErrorHandler, PacketBatch, PortStats, TxBatch } from './ports.js';

/** Options of a Neighbor Discovery port (NdPort). */
export interface NdOptions {
  /** The link: both sockets are bound to it (SO_BINDTODEVICE). */
  readonly device: string;
  /** The ICMPv6 types to receive (ICMP6_FILTER passes only these), e.g. [135, 136]. */
  readonly icmpTypes: readonly number[];
  /** Receive buffer size in bytes (default 2048); longer messages are counted and dropped. */
  readonly slotSize?: number;
  /**
   * The link is Ethernet: batches send their multicast packets (DAD probes, unsolicited NAs) as
   * link-layer frames to the mapped group MAC (RFC 2464 §7), not through the IPv6 output path.
   */
  readonly ethernetMulticast?: boolean;
  /** With `ethernetMulticast`: those frames leave through the send thread (send-ring.ts). */
  readonly sendRing?: boolean;
}

/** One ICMPv6 message an NdPort received. REUSED between handler calls: copy what you keep. */
export interface NdMessage {
  /** The ICMPv6 message from its Type byte on (a view; the IPv6 header is not included). */
  readonly bytes: Uint8Array;
  /** IPv6 source and destination addresses (16 bytes each, views). */
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
  /** The interface it arrived on (0 if unknown). */
  readonly ifindex: number;
  /** The Hop Limit it arrived with (RFC 4861 §7.1 wants 255); 256 when the kernel did not say. */
  readonly hopLimit: number;
}

/**
 * Neighbor Discovery on one link (RFC 4861): a raw ICMPv6 socket bound to the link that receives
 * only the types asked for, with their hop limit, and joins link-scope multicast groups
 * (solicited-node addresses); and an IPPROTO_RAW socket bound to the same link that sends
 * complete hand-built IPv6 packets (multicast included) without looping them back to this host.
 */
export interface NdPort {
  readonly ifindex: number;
  /** Starts delivering messages, one call each. One handler per port. */
  onMessage(handler: (m: NdMessage) => void, onError?: ErrorHandler): void;
  /** Sends one complete IPv6 packet out of the link to its Destination Address; throws OsError. */
  send(packet: Uint8Array): void;
  /**
   * Sends every packet of `batch` (complete IPv6 packets, each with its destination address
   * in the batch) in one sendmmsg; returns how many were accepted (ports.ts batch rules).
   * Optional: without it, callers send one by one.
   */
  sendBatch?(batch: TxBatch): number;
  /** IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP on the link; throws OsError (EADDRINUSE if joined...). */
  joinGroup(group: string): void;
  leaveGroup(group: string): void;
  readonly stats: PortStats;
  close(): void;
}

export interface LinkLayerOptions {
  /** The interface frames leave from. */
  readonly device: string;
}

/**
 * A send-only AF_PACKET socket (SOCK_DGRAM, protocol 0: it receives nothing) on one interface:
 * the kernel writes the link-layer header, with the interface's own address as the source.
 */
export interface LinkLayerPort {
  readonly ifindex: number;
  /** Sends `payload` in one frame of EtherType `protocol` to `destination`; throws OsError. */
  send(protocol: number, destination: Uint8Array, payload: Uint8Array): void;
  readonly stats: PortStats;
  close(): void;
}

/** Options of an NdListenPort. */
export interface NdListenOptions {
  /** The link whose Neighbor Solicitations and Advertisements are heard. */
  readonly device: string;
  /** Receive slot size in bytes (default 2048); longer packets are counted and dropped. */
  readonly slotSize?: number;
}

/**
 * Every Neighbor Solicitation and Advertisement on one link, whoever it is addressed to (an
 * AF_PACKET socket in all-multicast mode on Linux, src/os/linux/packet-listen.ts): what lets a
 * home agent answer for any number of home addresses without one multicast group each. Packets
 * are whole IPv6 packets (from the IPv6 header on) of ICMPv6 type 135 or 136 with no extension
 * headers, hop limit 255 and code 0, received from other nodes (never this host's own); the
 * rest of RFC 4861 §7.1 validation is the caller's. Batches follow the ports.ts rules (REUSED).
 */
export interface NdListenPort {
  readonly ifindex: number;
  onBatch(handler: BatchHandler<PacketBatch>, onError?: ErrorHandler): void;
  readonly stats: PortStats;
  close(): void;
}
