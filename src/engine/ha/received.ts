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
import { isRoutableUnicast6 } from '../../proto/prefix.js';
import type { DropReason, ReceivedMh, Udp4Endpoints, Via } from '../types.js';

export type CareOf =
  | { readonly family: 6; readonly address: string }
  | { readonly family: 4; readonly address: string; readonly outer: Udp4Endpoints }
  /** A BU over UDP without the mandatory IPv4 Care-of Address option (RFC 5555 §4.1). */
  | { readonly family: 'missing'; readonly outer: Udp4Endpoints };

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

function careOfFor(input: ReceivedMh, source: string, options: readonly MobilityOption[]): CareOf {
  if (input.via.kind === 'udp4') {
    const { kind: _kind, ...outer } = input.via;
    const v4 = options.find((o) => o.type === 'ipv4-care-of-address');
    return v4 && v4.type === 'ipv4-care-of-address'
      ? { family: 4, address: v4.address, outer }
      : { family: 'missing', outer };
  }
  const alt = options.find((o) => o.type === 'alternate-care-of-address');
  return { family: 6, address: alt && alt.type === 'alternate-care-of-address' ? alt.careOfAddress : source };
}

/**
 * Classifies a received MH packet. `hasBinding` tells whether a home address has a binding (for
 * RFC 6275 §9.3.1: a Home Address option without a binding earns Binding Error status 1).
 */
export function classifyReceived(input: ReceivedMh, hasBinding: (hoa: string) => boolean): Received {
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
  const be = (status: number): Received => ({
    kind: 'binding-error', status, via: input.via, source: packet.destination,
    destination: packet.source, homeAddress: homeAddressOption ?? '::',
  });
  if (m.type === 'unknown') return be(BeStatus.UNRECOGNIZED_MH_TYPE);
  if (m.type !== 'binding-update') {
    // RFC 6275 §6.1: only a BU may carry a Home Address option.
    if (homeAddressOption !== undefined && !hasBinding(homeAddressOption)) {
      return be(BeStatus.UNKNOWN_BINDING_FOR_HOME_ADDRESS_OPTION);
    }
    return drop('not-a-binding-update', `MH ${m.type} is not for a home agent`);
  }
  if (!isRoutableUnicast6(hoa)) return drop('invalid-home-address', `home address ${hoa}`);
  const source = packet.source;
  if (input.via.kind === 'ipv6' && isIpv4Mapped(parseIpv6(source) ?? new Uint8Array(16))) {
    return drop('invalid-home-address', `IPv4-mapped source ${source} outside UDP encapsulation`);
  }
  return {
    kind: 'bu',
    request: {
      via: input.via, source, destination: packet.destination, homeAddress: hoa,
      careOf: careOfFor(input, source, mh.options), sequence: m.sequence, flags: m.flags,
      lifetimeSeconds: m.lifetimeSeconds, options: mh.options,
    },
  };
}
