/**
 * Building home-registration Binding Updates (RFC 6275 §11.7.1, RFC 3963 §5.1, RFC 5555 §4.1).
 *
 * - Flags: A = 1 and H = 1 always; R = 1 for a mobile router (in deregistrations too: the home
 *   agent answers 139 when H or R differs from its binding); F = 1 from an IPv4 care-of address
 *   when the configuration forces UDP. T is never set (docs/protocol-notes.md). K and L are not
 *   set (no IKE mobility, no link-local address binding).
 * - From an IPv6 care-of address: native IPv6, source = CoA, destination = HA, Home Address
 *   option = HoA.
 * - From an IPv4 care-of address (RFC 5555 §4.1, protocol.md §3.4): IPv4/UDP from the CoA and
 *   the configured source port to the HA's IPv4 address and port; inside, IPv6 from
 *   ::ffff:<CoA> to the HA with the Home Address option; the IPv4 Care-of Address option (32)
 *   is mandatory.
 * - From the home link (deregistration, RFC 6275 §11.5.4): native IPv6 from the HoA to the HA,
 *   no Home Address option, Lifetime 0.
 * - Options, in the order of the shared RFC 5555 vector: IPv4 Home Address (29, DSMIPv6 only),
 *   IPv4 Care-of Address (32), Mobile Network Prefix (6; explicit mode, not when deregistering).
 */
import { ipv4MappedIpv6 } from '../../wire/addr.js';
import { BuFlag } from '../../wire/mh/constants.js';
import { MH_PAYLOAD_PROTO_NONE } from '../../wire/mh/header.js';
import type { MobilityOption } from '../../wire/mh/options.js';
import type { SendMh, Via } from '../types.js';
import type { NormalizedMnConfig } from './config.js';
import type { CareOf } from './movement.js';

export interface BindingUpdateRequest {
  readonly sequence: number;
  /** 0 deregisters. */
  readonly lifetimeSeconds: number;
  /** Undefined when sending from the home link. */
  readonly careOf: CareOf | undefined;
  /** The IPv4 Home Address options (29) to carry; empty without DSMIPv6. */
  readonly ipv4HomeOptions: readonly MobilityOption[];
}

export function bindingUpdateFlags(cfg: NormalizedMnConfig, careOf: CareOf | undefined): number {
  let flags = BuFlag.A | BuFlag.H;
  if (cfg.mobileRouter) flags |= BuFlag.R;
  if (careOf?.family === 4 && cfg.forceUdp) flags |= BuFlag.F;
  return flags;
}

function options(cfg: NormalizedMnConfig, req: BindingUpdateRequest): MobilityOption[] {
  const out: MobilityOption[] = [...req.ipv4HomeOptions];
  if (req.careOf?.family === 4) out.push({ type: 'ipv4-care-of-address', address: req.careOf.address });
  if (cfg.mobileRouter && cfg.explicitMode && req.lifetimeSeconds > 0) {
    for (const p of cfg.mobileNetworkPrefixes) {
      out.push({ type: 'mobile-network-prefix', prefixLength: p.prefixLength, prefix: p.prefix });
    }
  }
  return out;
}

function via(cfg: NormalizedMnConfig, careOf: CareOf | undefined): Via {
  if (careOf?.family !== 4) return { kind: 'ipv6' };
  const destination = cfg.homeAgentIpv4Address;
  if (destination === undefined) throw new Error('IPv4 care-of address without a home agent IPv4 address');
  return {
    kind: 'udp4', source: careOf.address, sourcePort: cfg.udpSourcePort,
    destination, destinationPort: cfg.homeAgentUdpPort,
  };
}

function source(cfg: NormalizedMnConfig, careOf: CareOf | undefined): string {
  if (careOf === undefined) return cfg.homeAddress;
  return careOf.family === 4 ? ipv4MappedIpv6(careOf.address) : careOf.address;
}

/** The `send-mh` output carrying one home-registration BU. */
export function buildBindingUpdate(cfg: NormalizedMnConfig, req: BindingUpdateRequest): SendMh {
  return {
    kind: 'send-mh',
    via: via(cfg, req.careOf),
    packet: {
      source: source(cfg, req.careOf),
      destination: cfg.homeAgentAddress,
      ...(req.careOf !== undefined ? { homeAddressOption: cfg.homeAddress } : {}),
      mh: {
        payloadProto: MH_PAYLOAD_PROTO_NONE,
        message: {
          type: 'binding-update', sequence: req.sequence,
          flags: bindingUpdateFlags(cfg, req.careOf), lifetimeSeconds: req.lifetimeSeconds,
        },
        options: options(cfg, req),
      },
    },
  };
}
