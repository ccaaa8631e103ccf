/**
 * What every protocol engine looks like (conventions C6): `handle(now, input)` and
 * `onTimeout(now)` return outputs as values; `nextDeadline()` says when to call `onTimeout`.
 * Engines never perform I/O and never read a clock. Outputs are packets to send (as values the
 * runtime or the simulator encodes), OS operations (as data, applied by `src/os`), and events
 * (logs, metrics, the management API).
 */
import type { MobilityPacketSpec } from '../wire/mh/packet.js';
import type { Instant } from '../proto/time.js';

export interface Engine<I, O> {
  handle(now: Instant, input: I): O[];
  onTimeout(now: Instant): O[];
  nextDeadline(): Instant | undefined;
}

/** The outer IPv4/UDP addressing of an RFC 5555 UDP-encapsulated packet. */
export interface Udp4Endpoints {
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
}

/** How a Mobility Header packet travels: native IPv6, or inside IPv4/UDP (RFC 5555). */
export type Via =
  | { readonly kind: 'ipv6' }
  | ({ readonly kind: 'udp4' } & Udp4Endpoints);

/**
 * A received packet that carries a Mobility Header: the bytes of the IPv6 packet (for `udp4`, the
 * UDP payload) and how it arrived. Engines decode it themselves: bytes are hostile.
 */
export interface ReceivedMh {
  readonly kind: 'mh';
  readonly via: Via;
  readonly bytes: Uint8Array;
}

/** A Mobility Header packet to send: the runtime encodes `packet` and sends it `via`. */
export interface SendMh {
  readonly kind: 'send-mh';
  readonly via: Via;
  readonly packet: MobilityPacketSpec;
}

/**
 * Where a binding's traffic goes (RFC 5555 §3.3 / protocol.md §3.3):
 * - `ipv6`: IPv6-in-IPv6 / IPv4-in-IPv6 (RFC 2473) to an IPv6 care-of address;
 * - `ipv4`: IPv6-in-IPv4 (protocol 41) / IPv4-in-IPv4 (protocol 4) to an IPv4 care-of address;
 * - `udp4`: IPv4/UDP to the care-of address and port seen by the peer (NAT, or F flag).
 */
export type TunnelEndpoint =
  | { readonly encapsulation: 'ipv6'; readonly local: string; readonly remote: string }
  | { readonly encapsulation: 'ipv4'; readonly local: string; readonly remote: string }
  | {
    readonly encapsulation: 'udp4'; readonly local: string; readonly localPort: number;
    readonly remote: string; readonly remotePort: number;
  };

/** An IPv6 or IPv4 prefix in text form, e.g. `2001:db8:ff::/64` or `192.0.2.0/24`. */
export type PrefixText = string;

/** Why a received packet was dropped (counted per reason; logged rate-limited). */
export type DropReason =
  | 'malformed'
  | 'bad-checksum'
  | 'bad-payload-proto'
  | 'not-a-binding-update'
  | 'invalid-home-address'
  | 'route-optimization-unsupported'
  | 'unexpected-ack'
  | 'dsmip-disabled'
  | 'rate-limited';

export interface DropEvent {
  readonly type: 'dropped';
  readonly reason: DropReason;
  readonly detail: string;
}
