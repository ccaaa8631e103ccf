/**
 * First checks on a received Mobility Header packet (RFC 6275 §9.2, §11.7.3, RFC 5555 §4.1).
 * The bytes are hostile: nothing here throws, and every refusal is a DropEvent.
 *
 * - Over IPv4/UDP the outer source must be the home agent's IPv4 address and UDP port.
 * - The packet must decode (`decodeMobilityPacket` also verifies the MH checksum; a bad one is
 *   discarded silently, RFC 6275 §9.2, and counted as `bad-checksum`).
 * - Payload Proto must be 59 (RFC 6275 §9.2).
 * - The IPv6 source must be the home agent: the node has no other peer (no route optimisation).
 * - A BA or BRR must be for our home address: its final destination (the Type 2 Routing Header
 *   address when there is one, else the IPv6 destination) is the HoA. A Binding Error names the
 *   home address in its body instead, and its destination is the care-of address.
 * - Only BA, BRR and BE are for a mobile node; route-optimisation messages and BUs are dropped;
 *   unknown MH types are dropped too (no Binding Error is sent back).
 */
import { formatWireError } from '../../wire/result.js';
import { MH_PAYLOAD_PROTO_NONE } from '../../wire/mh/header.js';
import type { MobilityMessage } from '../../wire/mh/messages.js';
import type { MobilityOption } from '../../wire/mh/options.js';
import { decodeMobilityPacket } from '../../wire/mh/packet.js';
import type { DropEvent, DropReason, ReceivedMh } from '../types.js';
import type { NormalizedMnConfig } from './config.js';

export type BindingAckMessage = Extract<MobilityMessage, { type: 'binding-ack' }>;

export type MnMessage =
  | {
    readonly type: 'binding-ack'; readonly ack: BindingAckMessage;
    readonly options: readonly MobilityOption[]; readonly via: ReceivedMh['via'];
  }
  | { readonly type: 'binding-refresh-request' }
  | { readonly type: 'binding-error'; readonly status: number; readonly homeAddress: string };

export type ReceiveResult =
  | { readonly ok: true; readonly message: MnMessage }
  | { readonly ok: false; readonly drop: DropEvent };

function drop(reason: DropReason, detail: string): ReceiveResult {
  return { ok: false, drop: { type: 'dropped', reason, detail } };
}

function fromHomeAgent4(cfg: NormalizedMnConfig, rx: ReceivedMh): boolean {
  const v = rx.via;
  return v.kind !== 'udp4'
    || (v.source === cfg.homeAgentIpv4Address && v.sourcePort === cfg.homeAgentUdpPort);
}

/** Decodes and checks a received packet; returns the message or why it was dropped. */
export function receiveMobility(cfg: NormalizedMnConfig, rx: ReceivedMh): ReceiveResult {
  if (!fromHomeAgent4(cfg, rx)) return drop('unexpected-ack', 'UDP source is not the home agent');
  const r = decodeMobilityPacket(rx.bytes);
  if (!r.ok) {
    return drop(r.error.kind === 'bad-checksum' ? 'bad-checksum' : 'malformed', formatWireError(r.error));
  }
  const { packet, mh } = r.value;
  if (mh.payloadProto !== MH_PAYLOAD_PROTO_NONE) {
    return drop('bad-payload-proto', `MH payload proto ${mh.payloadProto}`);
  }
  if (packet.source !== cfg.homeAgentAddress) {
    return drop('unexpected-ack', `source ${packet.source} is not the home agent`);
  }
  const m = mh.message;
  if (m.type === 'binding-error') {
    return { ok: true, message: { type: 'binding-error', status: m.status, homeAddress: m.homeAddress } };
  }
  const finalDestination = r.value.type2RoutingAddress ?? packet.destination;
  if ((m.type === 'binding-ack' || m.type === 'binding-refresh-request')
    && finalDestination !== cfg.homeAddress) {
    return drop('invalid-home-address', `${m.type} for ${finalDestination}`);
  }
  switch (m.type) {
    case 'binding-ack':
      return { ok: true, message: { type: 'binding-ack', ack: m, options: mh.options, via: rx.via } };
    case 'binding-refresh-request':
      return { ok: true, message: { type: 'binding-refresh-request' } };
    case 'unknown':
      return drop('malformed', `unknown MH type ${m.mhType}`);
    default:
      return drop('route-optimization-unsupported', `${m.type} is not for a mobile node`);
  }
}
