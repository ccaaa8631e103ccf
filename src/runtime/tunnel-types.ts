/**
 * The shapes TunnelIo works with (tunnel-io.ts): its ports, what the forwarding tables of both
 * roles offer, and its path-MTU options.
 */
import type { TunnelKind } from '../dataplane/ha-forwarding.js';
import type { DropCounters } from '../dataplane/counters.js';
import type { IcmpRateLimiter } from '../dataplane/mtu.js';
import type { TunnelEndpoint } from '../engine/types.js';
import type { NetlinkTransport } from '../os/netlink/rtnl.js';
import type { DatagramPort, TunPort } from '../os/ports.js';

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
  /** Counts packets sent through `route` (negative: refused by the socket after all). */
  txCount(route: TunnelRoute, packets: number, bytes: number): void;
  /** Where `too-big` drops are counted. */
  readonly drops?: DropCounters;
}

export interface TunnelIoOptions {
  /** The TUN device's MTU (TunnelMtu): the cap on every tunnel's inner MTU. */
  readonly tunnelMtu?: number;
  /** Outer MTU assumed when the kernel is not asked (default 1500). */
  readonly linkMtu?: number;
  /** rtnetlink, to ask the kernel for the path MTU towards each tunnel's remote end. */
  readonly netlink?: NetlinkTransport;
  /** A raw ICMPv6 socket (protocol 58) to hear Packet Too Big about IPv6-outer tunnels. */
  readonly icmp6?: DatagramPort;
  readonly icmpSource6?: string;
  readonly icmpSource4?: string;
  readonly limiter?: IcmpRateLimiter;
  /** How long a learned path MTU is kept (ms, default 600000). */
  readonly expiresMs?: number;
  /** Clock in ms (default performance.now). */
  readonly now?: () => number;
}
