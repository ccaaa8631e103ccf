/**
 * Turning a received Mobility Header packet into what the home agent acts on (RFC 6275 §9.2,
 * §9.5.1 step 1–3; RFC 5555 §4.2): a Binding Update request, a Binding Error to send, or a drop.
 * Bytes are hostile: every outcome is a value, nothing throws.
 */
import { isIpv4Mapped, parseIpv6 } from '../../wire/addr.js';
import { BeStatus } from '../../wire/mh/constants.js';
import { MH_PAYLOAD_PROTO_NONE } from '../../wire/mh/header.js';
import type { MobilityOption } from '../../wire/mh/options.js';
import { decodeMobilityPacket } from '../../wire/mh/packet.js';
import { formatWireError } from '../../wire/result.js';
import { flatText } from '../../proto/flat-text.js';
import { isRoutableUnicast6 } from '../../proto/prefix.js';
import type { DropReason, ReceivedMh, Via } from '../types.js';

type Udp4Via = Extract<Via, { kind: 'udp4' }>;

/** Over UDP, `outer` is also the request's via (one object). */
export type CareOf =
  | { readonly family: 6; readonly address: string }
  | { readonly family: 4; readonly address: string; readonly outer: Udp4Via }
  /** A BU over UDP without the mandatory IPv4 Care-of Address option (RFC 5555 §4.1). */
  | { readonly family: 'missing'; readonly outer: Udp4Via };

export interface BuRequest {
  readonly via: Via;
  readonly source: string;
  readonly destination: string;
  readonly homeAddress: string;
  readonly careOf: CareOf;
  readonly sequence: number;
  readonly flags: number;
  readonly lifetimeSeconds: number;
  readonly options: readonly MobilityOption[];
}

export type Received =
  | { readonly kind: 'bu'; readonly request: BuRequest }
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly detail: string }
  | {
    readonly kind: 'binding-error'; readonly status: number; readonly via: Via;
    readonly source: string; readonly destination: string; readonly homeAddress: string;
  };

const drop = (reason: DropReason, detail: string): Received => ({ kind: 'drop', reason, detail });

/**
 * The care-of address, and for a BU over UDP the via as the binding keeps it: one object, its
 * outer source flat text (the binding keeps it: tunnel, reply via, care-of); without a NAT the
 * care-of address and the outer source are one string.
 */
function careOfFor(input: ReceivedMh, source: string, options: readonly MobilityOption[]): CareOf {
  const via = input.via;
  if (via.kind === 'udp4') {
    const outer: Udp4Via = {
      kind: 'udp4', source: flatText(via.source), sourcePort: via.sourcePort,
      destination: via.destination, destinationPort: via.destinationPort,
    };
    let v4: string | undefined;
    for (const o of options) if (o.type === 'ipv4-care-of-address') { v4 = o.address; break; }
    if (v4 === undefined) return { family: 'missing', outer };
    const address = v4 === outer.source ? outer.source : flatText(v4);
    return { family: 4, address, outer };
  }
  for (const o of options) {
    if (o.type === 'alternate-care-of-address') return { family: 6, address: o.careOfAddress };
  }
  return { family: 6, address: source };
}

function bindingErrorFor(
  input: ReceivedMh, status: number, packet: { source: string; destination: string }, hao: string | undefined,
): Received {
  return {
    kind: 'binding-error', status, via: input.via, source: packet.destination,
    destination: packet.source, homeAddress: hao ?? '::',
  };
}

/**
 * Classifies a received MH packet. `boundText` gives a home address's text as the binding cache
 * holds it, when it has a binding (RFC 6275 §9.3.1: a Home Address option without a binding earns
 * Binding Error status 1); a BU for a bound home address carries that string, so the tables of
 * the daemon share one string per binding, not one per BU.
 */
export function classifyReceived(
  input: ReceivedMh, boundText: (hoa: string) => string | undefined,
): Received {
  const r = decodeMobilityPacket(input.bytes);
  if (!r.ok) {
    return drop(r.error.kind === 'bad-checksum' ? 'bad-checksum' : 'malformed', formatWireError(r.error));
  }
  const { packet, mh, homeAddressOption } = r.value;
  if (mh.payloadProto !== MH_PAYLOAD_PROTO_NONE) {
    return drop('bad-payload-proto', `MH payload proto ${mh.payloadProto}`);
  }
  const m = mh.message;
  const hoa = homeAddressOption ?? packet.source;
  if (m.type === 'unknown') {
    return bindingErrorFor(input, BeStatus.UNRECOGNIZED_MH_TYPE, packet, homeAddressOption);
  }
  if (m.type !== 'binding-update') {
    // RFC 6275 §6.1: only a BU may carry a Home Address option.
    if (homeAddressOption !== undefined && boundText(homeAddressOption) === undefined) {
      const status = BeStatus.UNKNOWN_BINDING_FOR_HOME_ADDRESS_OPTION;
      return bindingErrorFor(input, status, packet, homeAddressOption);
    }
    return drop('not-a-binding-update', `MH ${m.type} is not for a home agent`);
  }
  // Flat before it is read or hashed: the checks read one string, and a new home address's text
  // is hashed once, not as a rope first and then again as the flat string the tables keep.
  const flat = flatText(hoa);
  if (!isRoutableUnicast6(flat)) return drop('invalid-home-address', `home address ${flat}`);
  const source = flatText(packet.source);
  if (input.via.kind === 'ipv6' && isIpv4Mapped(parseIpv6(source) ?? new Uint8Array(16))) {
    return drop('invalid-home-address', `IPv4-mapped source ${source} outside UDP encapsulation`);
  }
  const careOf = careOfFor(input, source, mh.options);
  const homeAddress = boundText(flat) ?? flat;
  return {
    kind: 'bu',
    request: {
      via: careOf.family === 6 ? input.via : careOf.outer,
      source, destination: packet.destination, homeAddress, careOf,
      sequence: m.sequence, flags: m.flags,
      lifetimeSeconds: m.lifetimeSeconds, options: mh.options,
    },
  };
}
