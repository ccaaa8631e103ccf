/**
 * The packets of userspace proxy Neighbor Discovery (neighbour-proxy.ts), pure and never throwing
 * on received bytes:
 *
 *  - `proxiedSolicitation` validates a whole received IPv6 packet as a Neighbor Solicitation
 *    (RFC 4861 §7.1.1: no extension headers here, hop limit 255, ICMPv6 checksum, code 0, at
 *    least 24 bytes, options well formed and none of length 0, target not multicast; from the
 *    unspecified address only to the target's solicited-node address and without a Source
 *    Link-Layer Address option) and returns its target and source;
 *  - `proxyAdvertisement` is the answer (RFC 4861 §7.2.4, RFC 6275 §10.4.1): a Neighbor
 *    Advertisement for the target with the home agent's MAC as the Target Link-Layer Address,
 *    Override set, Router clear; to the solicitation's source with Solicited set, or, when the
 *    source is :: (another node's DAD), to all-nodes ff02::1 with Solicited clear.
 *  - `ndMessageOf` gives a received packet the NdMessage shape dadSignal reads.
 */
import type { NdMessage } from '../os/ports.js';
import { formatIpv6 } from '../wire/addr.js';
import { ICMPV6_NEXT_HEADER, decodeIcmpv6, verifyIcmpv6Checksum } from '../wire/icmpv6.js';
import { IPV6_HEADER_LENGTH } from '../wire/ipv6.js';
import {
  ALL_NODES, ICMPV6_NS, ND_HOP_LIMIT, UNSPECIFIED, ndPacket, solicitedNode,
} from './neighbour-packets.js';

/** Offset of the NS/NA Target Address in a whole packet (IPv6 header, 8 bytes of ICMPv6). */
export const TARGET_OFFSET = IPV6_HEADER_LENGTH + 8;

/** A valid Neighbor Solicitation: its target and source, as RFC 5952 text. */
export interface ProxiedSolicitation {
  readonly target: string;
  /** '::' for a DAD probe. */
  readonly source: string;
}

/** Why a packet was not a valid Neighbor Solicitation (for counters and logs). */
export type SolicitationFault =
  | 'short' | 'not-ipv6' | 'extension-headers' | 'hop-limit' | 'length' | 'checksum' | 'format'
  | 'target-multicast' | 'dad-destination' | 'dad-sllao';

export type SolicitationResult =
  | { readonly ok: true; readonly value: ProxiedSolicitation }
  | { readonly ok: false; readonly fault: SolicitationFault };

const fault = (f: SolicitationFault): SolicitationResult => ({ ok: false, fault: f });

/** The target of a packet that looks like an NS (type 135 at its place), unvalidated; else undefined. */
export function solicitationTarget(p: Uint8Array): string | undefined {
  if (p.length < TARGET_OFFSET + 16 || p[6] !== ICMPV6_NEXT_HEADER || p[IPV6_HEADER_LENGTH] !== ICMPV6_NS) {
    return undefined;
  }
  return formatIpv6(p, TARGET_OFFSET);
}

/** Validates `p`, a whole IPv6 packet, as a Neighbor Solicitation (see the header). */
export function proxiedSolicitation(p: Uint8Array): SolicitationResult {
  if (p.length < TARGET_OFFSET + 16) return fault('short');
  if (p[0] >> 4 !== 6) return fault('not-ipv6');
  if (p[6] !== ICMPV6_NEXT_HEADER) return fault('extension-headers');
  if (p[7] !== ND_HOP_LIMIT) return fault('hop-limit');
  const end = IPV6_HEADER_LENGTH + ((p[4] << 8) | p[5]);
  if (end > p.length) return fault('length');
  if (p[IPV6_HEADER_LENGTH] !== ICMPV6_NS || p[IPV6_HEADER_LENGTH + 1] !== 0) return fault('format');
  const source = formatIpv6(p, 8);
  const destination = formatIpv6(p, 24);
  if (!verifyIcmpv6Checksum(p, IPV6_HEADER_LENGTH, end, source, destination)) return fault('checksum');
  const r = decodeIcmpv6(p, IPV6_HEADER_LENGTH, end);
  if (!r.ok || r.value.message.type !== 'neighbor-solicitation') return fault('format');
  const msg = r.value.message;
  if (p[TARGET_OFFSET] === 0xff) return fault('target-multicast');
  if (source === UNSPECIFIED) {
    if (destination !== solicitedNode(msg.target)) return fault('dad-destination');
    if (msg.options.some((o) => o.type === 'source-link-layer-address')) return fault('dad-sllao');
  }
  return { ok: true, value: { target: msg.target, source } };
}

/** The NA answering `ns` from `from` (the home agent's link address) with `mac` as the TLLA. */
export function proxyAdvertisement(ns: ProxiedSolicitation, from: string, mac: Uint8Array): Uint8Array {
  const dad = ns.source === UNSPECIFIED;
  return ndPacket(from, dad ? ALL_NODES : ns.source, {
    type: 'neighbor-advertisement', code: 0, router: false, solicited: !dad, override: true,
    reserved: 0, target: ns.target,
    options: [{ type: 'target-link-layer-address', linkLayerAddress: mac }],
  });
}

/**
 * A whole received IPv6 packet (no extension headers) as the NdMessage a raw ICMPv6 socket
 * would give (views into `p`; the ICMPv6 bytes end where the Payload Length says).
 */
export function ndMessageOf(p: Uint8Array, ifindex: number): NdMessage {
  const end = Math.min(p.length, IPV6_HEADER_LENGTH + ((p[4] << 8) | p[5]));
  return {
    bytes: p.subarray(IPV6_HEADER_LENGTH, Math.max(IPV6_HEADER_LENGTH, end)),
    source: p.subarray(8, 24), destination: p.subarray(24, 40), ifindex, hopLimit: p[7],
  };
}
