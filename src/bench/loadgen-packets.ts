/**
 * The packets of the home agent load generator (pure): simulated mobile node i, its Binding
 * Update as a whole IPv4/UDP 4191 datagram (RFC 5555 §4.1: IPv6 BU in UDP in IPv4) sent through
 * an IPPROTO_RAW socket, and the Binding Acknowledgement read back from a raw IPv4 UDP socket.
 *
 * Mobile nodes alternate: even ones are reached directly (outer source = IPv4 care-of address
 * option), odd ones sit "behind a NAT" (outer source is one of a few public addresses with a
 * port per node; the IPv4 care-of address option holds a private address), so the home agent
 * detects the NAT for them. Every node asks for a dynamic IPv4 home address (0.0.0.0).
 */
import { formatIpv6, parseIpv6 } from '../wire/addr.js';
import { BuFlag } from '../wire/mh/constants.js';
import { decodeMobilityPacket, encodeMobilityPacket } from '../wire/mh/packet.js';
import { encodeUdpEncapsulation4 } from '../wire/udp-encap.js';

export const DSMIP_PORT = 4191;
/** Mappings per public NAT address (ports 1024..61023). */
const NAT_PORTS = 60_000;
/** The largest N: care-of addresses come from 10.64.0.0/10. */
export const LOADGEN_NODES_MAX = 1 << 22;

export interface SimulatedNode {
  readonly index: number;
  readonly homeAddress: string;
  /** The IPv4 Care-of Address option. */
  readonly careOf: string;
  /** Outer IPv4 source and UDP port (differ from careOf for a node behind a NAT). */
  readonly outerSource: string;
  readonly outerPort: number;
  readonly behindNat: boolean;
}

/** The prefixes the load generator's namespace must receive for (local routes). */
export const LOADGEN_PREFIXES = ['10.64.0.0/10', '100.64.0.0/16'] as const;

/** Home address of node i in the /64 `homePrefix64` (e.g. '2001:db8:1'): ::1:0:0/96 + i. */
export function homeAddressOf(homePrefix64: string, i: number): string {
  const b = new Uint8Array(16);
  const head = homePrefix64.split(':');
  head.forEach((h, k) => { const v = parseInt(h, 16); b[2 * k] = v >> 8; b[2 * k + 1] = v & 0xff; });
  b[11] = 1;
  b[12] = (i >>> 24) & 0xff; b[13] = (i >>> 16) & 0xff; b[14] = (i >>> 8) & 0xff; b[15] = i & 0xff;
  return formatIpv6(b);
}

/** The node index of a home address made by `homeAddressOf` (its last 32 bits). */
export function indexOfHomeAddress(b: Uint8Array, off: number): number {
  return ((b[off + 12] << 24) | (b[off + 13] << 16) | (b[off + 14] << 8) | b[off + 15]) >>> 0;
}

export function simulatedNode(homePrefix64: string, i: number): SimulatedNode {
  const homeAddress = homeAddressOf(homePrefix64, i);
  if (i % 2 === 0) {
    const careOf = `10.${64 + ((i >> 16) & 63)}.${(i >> 8) & 0xff}.${i & 0xff}`;
    return { index: i, homeAddress, careOf, outerSource: careOf, outerPort: DSMIP_PORT, behindNat: false };
  }
  return {
    index: i, homeAddress, careOf: `192.168.${(i >> 8) & 0xff}.${i & 0xff}`,
    outerSource: `100.64.${Math.floor(i / NAT_PORTS) >> 8}.${Math.floor(i / NAT_PORTS) & 0xff}`,
    outerPort: 1024 + (i % NAT_PORTS), behindNat: true,
  };
}

/**
 * The whole IPv4 datagram of node `n`'s home registration BU with `sequence` to the home agent
 * (`ha6` inside, `ha4` outside). The UDP checksum is 0 (none, allowed over IPv4).
 */
export function bindingUpdateDatagram(
  n: SimulatedNode, sequence: number, ha6: string, ha4: string, lifetimeSeconds = 3600,
): Uint8Array {
  const inner = encodeMobilityPacket({
    source: `::ffff:${n.careOf}`, destination: ha6, homeAddressOption: n.homeAddress,
    mh: {
      payloadProto: 59,
      message: { type: 'binding-update', sequence, flags: BuFlag.A | BuFlag.H, lifetimeSeconds },
      options: [
        { type: 'ipv4-home-address', prefixLength: 32, requestPrefix: false, address: '0.0.0.0' },
        { type: 'ipv4-care-of-address', address: n.careOf },
      ],
    },
  });
  return encodeUdpEncapsulation4({
    source: n.outerSource, destination: ha4, sourcePort: n.outerPort, destinationPort: DSMIP_PORT, inner,
  }, true);
}

export interface ReceivedAck {
  /** Node index from the Type 2 Routing Header's home address. */
  readonly index: number;
  readonly status: number;
  readonly sequence: number;
  readonly lifetimeSeconds: number;
  /** Outer destination (address text is not built: the 4 bytes as a number) and UDP port. */
  readonly outerDestination: number;
  readonly outerPort: number;
}

/**
 * A Binding Acknowledgement in the IPv4 datagram at b[off, end) (a raw IPv4 socket hands over
 * the IPv4 header), or undefined for anything else (other UDP traffic, a malformed packet).
 */
export function parseAckDatagram(b: Uint8Array, off = 0, end = b.length): ReceivedAck | undefined {
  if (end - off < 28 || b[off] >> 4 !== 4 || b[off + 9] !== 17) return undefined;
  const ihl = (b[off] & 0x0f) * 4;
  const udp = off + ihl;
  if (ihl < 20 || udp + 8 > end) return undefined;
  if (((b[udp] << 8) | b[udp + 1]) !== DSMIP_PORT) return undefined;
  const r = decodeMobilityPacket(b, udp + 8, end);
  if (!r.ok) return undefined;
  const m = r.value.mh.message;
  const hoa = r.value.type2RoutingAddress;
  if (m.type !== 'binding-ack' || hoa === undefined) return undefined;
  const hb = parseIpv6(hoa);
  if (hb === undefined) return undefined;
  const d = off + 16;
  return {
    index: indexOfHomeAddress(hb, 0), status: m.status, sequence: m.sequence,
    lifetimeSeconds: m.lifetimeSeconds,
    outerDestination: ((b[d] << 24) | (b[d + 1] << 16) | (b[d + 2] << 8) | b[d + 3]) >>> 0,
    outerPort: (b[udp + 2] << 8) | b[udp + 3],
  };
}
