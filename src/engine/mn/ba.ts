/**
 * What an accepted Binding Acknowledgement means for the data path and the refresh timer
 * (RFC 6275 §11.7.3, RFC 5555 §4.1–§4.3, protocol.md §3.3 and §3.5).
 *
 * - IPv6 care-of address: IPv6-in-IPv6 / IPv4-in-IPv6 to the home agent (RFC 2473).
 * - IPv4 care-of address: UDP encapsulation when the NAT Detection option says a NAT is on the
 *   path (Refresh Time != 0xFFFFFFFF) or UDP is forced (F = 1); otherwise IP-in-IP
 *   (protocol 41 / 4). No NAT Detection option means no NAT and no forced UDP.
 * - Refresh: after REFRESH_FRACTION of the granted lifetime, or the Binding Refresh Advice
 *   interval if shorter (RFC 6275 §6.2.4, §11.7.3), or the NAT refresh time if a NAT was seen,
 *   Refresh Time 0 meaning NATKATIMEOUT (110 s). UMIP-DSMIP keeps the NAT binding alive this way:
 *   the keepalives are BU refreshes, which RFC 5555 allows (any UDP packet refreshes the NAT).
 */
import {
  NAT_KEEPALIVE_TIMEOUT_SECONDS, REFRESH_FRACTION,
} from '../../proto/constants.js';
import { MS_PER_SECOND } from '../../proto/time.js';
import { NAT_REFRESH_NOT_NEEDED } from '../../wire/mh/constants.js';
import type { MobilityOption } from '../../wire/mh/options.js';
import type { TunnelEndpoint } from '../types.js';
import type { NormalizedMnConfig } from './config.js';
import type { CareOf } from './movement.js';

/** Never refresh sooner than this after a BU, whatever a BA advises. */
export const REFRESH_MS_MIN = 1000;

export interface NatOutcome {
  /** UDP encapsulation for data (NAT detected or F granted). */
  readonly udp: boolean;
  readonly natDetected: boolean;
  /** The NAT binding must see a packet this often (only when a NAT was detected). */
  readonly keepaliveSeconds: number | undefined;
}

/** Reads the NAT Detection option (31) of a BA answering a BU from `careOf`. */
export function natOutcome(careOf: CareOf, options: readonly MobilityOption[]): NatOutcome {
  const o = options.find((x) => x.type === 'nat-detection');
  if (careOf.family !== 4 || o === undefined || o.type !== 'nat-detection') {
    return { udp: false, natDetected: false, keepaliveSeconds: undefined };
  }
  const natDetected = o.refreshTimeSeconds !== NAT_REFRESH_NOT_NEEDED;
  const keepaliveSeconds = !natDetected ? undefined
    : o.refreshTimeSeconds === 0 ? NAT_KEEPALIVE_TIMEOUT_SECONDS : o.refreshTimeSeconds;
  return { udp: o.forceUdp || natDetected, natDetected, keepaliveSeconds };
}

export function tunnelEndpoint(
  cfg: NormalizedMnConfig, careOf: CareOf, nat: NatOutcome,
): TunnelEndpoint {
  if (careOf.family === 6) {
    return { encapsulation: 'ipv6', local: careOf.address, remote: cfg.homeAgentAddress };
  }
  const remote = cfg.homeAgentIpv4Address;
  if (remote === undefined) throw new Error('IPv4 care-of address without a home agent IPv4 address');
  if (!nat.udp) return { encapsulation: 'ipv4', local: careOf.address, remote };
  return {
    encapsulation: 'udp4', local: careOf.address, localPort: cfg.udpSourcePort,
    remote, remotePort: cfg.homeAgentUdpPort,
  };
}

/** Milliseconds after the accepted BU's send time at which to refresh the binding. */
export function refreshAfterMs(
  grantedSeconds: number, options: readonly MobilityOption[], nat: NatOutcome,
): number {
  let seconds = grantedSeconds * REFRESH_FRACTION;
  for (const o of options) {
    if (o.type === 'binding-refresh-advice' && o.refreshIntervalSeconds > 0) {
      seconds = Math.min(seconds, o.refreshIntervalSeconds);
    }
  }
  if (nat.keepaliveSeconds !== undefined) seconds = Math.min(seconds, nat.keepaliveSeconds);
  return Math.max(REFRESH_MS_MIN, Math.floor(seconds * MS_PER_SECOND));
}
