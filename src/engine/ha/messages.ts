/**
 * The messages a home agent sends: Binding Acknowledgement (RFC 6275 §6.1.8, §10.3.1; back the
 * way the BU came: native with a Type 2 Routing Header, or inside IPv4/UDP for RFC 5555),
 * Binding Error (§6.1.9) and Binding Refresh Request (§6.1.2).
 */
import { MH_PAYLOAD_PROTO_NONE } from '../../wire/mh/header.js';
import type { MobilityOption } from '../../wire/mh/options.js';
import type { SendMh, Via } from '../types.js';
import type { BindingCacheEntry } from './binding-cache.js';
import type { BuRequest } from './received.js';

/** The reverse of how a packet arrived. */
export function replyVia(via: Via): Via {
  if (via.kind === 'ipv6') return via;
  return {
    kind: 'udp4', source: via.destination, sourcePort: via.destinationPort,
    destination: via.source, destinationPort: via.sourcePort,
  };
}

export interface BaFields {
  readonly status: number;
  readonly flags: number;
  readonly sequence: number;
  readonly lifetimeSeconds: number;
  readonly options: readonly MobilityOption[];
}

/**
 * A BA for `req`, from `haAddress`, along `via` (replyVia(req.via) unless given). Native: to the
 * care-of address with an RH2 carrying the home address (none when the node is at home,
 * CoA = HoA). UDP: to the inner IPv6 source the BU used (`::ffff:<IPv4 CoA>`), RH2 = home
 * address, outer addresses and ports swapped.
 */
export function bindingAck(
  haAddress: string, req: BuRequest, f: BaFields, via = replyVia(req.via),
): SendMh {
  const destination = req.careOf.family === 6 ? req.careOf.address : req.source;
  const mh = {
    payloadProto: MH_PAYLOAD_PROTO_NONE,
    message: {
      type: 'binding-ack' as const, status: f.status, flags: f.flags, sequence: f.sequence,
      lifetimeSeconds: f.lifetimeSeconds,
    },
    options: f.options,
  };
  const packet = destination === req.homeAddress
    ? { source: haAddress, destination, mh }
    : { source: haAddress, destination, type2RoutingAddress: req.homeAddress, mh };
  return { kind: 'send-mh', via, packet };
}

export function bindingError(
  via: Via, source: string, destination: string, status: number, homeAddress: string,
): SendMh {
  return {
    kind: 'send-mh',
    via: replyVia(via),
    packet: {
      source, destination,
      mh: {
        payloadProto: MH_PAYLOAD_PROTO_NONE,
        message: { type: 'binding-error', status, homeAddress },
        options: [],
      },
    },
  };
}

/** A Binding Refresh Request to a registered mobile node, along its binding's path. */
export function bindingRefreshRequest(haAddress: string, e: BindingCacheEntry): SendMh {
  return {
    kind: 'send-mh',
    via: e.via,
    packet: {
      source: haAddress, destination: e.signallingAddress,
      type2RoutingAddress: e.homeAddress,
      mh: { payloadProto: MH_PAYLOAD_PROTO_NONE, message: { type: 'binding-refresh-request' }, options: [] },
    },
  };
}
