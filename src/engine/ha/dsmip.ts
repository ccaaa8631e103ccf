/**
 * The home agent's DSMIPv6 decisions (RFC 5555 §4.2–4.3; protocol.md §3.5–3.6): which IPv4
 * home address and IPv4 mobile network prefix a mobile node gets (answered in IPv4 Address
 * Acknowledgement options; a refusal never fails the IPv6 binding), and how an IPv4 care-of
 * binding is tunnelled (NAT detection, the F flag, a home agent behind NAT).
 */
import { Ipv4AckStatus, NAT_REFRESH_NOT_NEEDED, BuFlag } from '../../wire/mh/constants.js';
import type { MobilityOption } from '../../wire/mh/options.js';
import type { Ipv4Pool } from '../../proto/ipv4-pool.js';
import { isUnicast4, parsePrefix } from '../../proto/prefix.js';
import type { TunnelEndpoint, Udp4Endpoints } from '../types.js';
import type { BindingCacheEntry } from './binding-cache.js';
import type { HomeAgentConfig } from './types.js';

type Ack = Extract<MobilityOption, { type: 'ipv4-address-acknowledgement' }>;
type Ipv4HoaOption = Extract<MobilityOption, { type: 'ipv4-home-address' }>;

export interface Ipv4Decision {
  readonly ipv4HomeAddress: string | undefined;
  readonly ipv4Prefix: string | undefined;
  readonly acks: readonly Ack[];
  readonly refusals: readonly { readonly status: number; readonly reason: string }[];
}

/** What the IPv4 decisions read: the home agent's state (registration.ts HaState). */
export interface Ipv4State {
  readonly cfg: HomeAgentConfig;
  readonly addressPool: Ipv4Pool | undefined;
  readonly prefixPool: Ipv4Pool | undefined;
  /** `homeAddressForIpv4`: the IPv6 home address currently holding an IPv4 home address, if any. */
  readonly cache: { homeAddressForIpv4(ipv4: string): string | undefined };
}

/** The registration the decisions are for: its home address and its binding, if any. */
interface Ipv4Context {
  readonly st: Ipv4State;
  readonly homeAddress: string;
  readonly existing: BindingCacheEntry | undefined;
}

const ack = (status: number, prefixLength: number, address: string): Ack =>
  ({ type: 'ipv4-address-acknowledgement', status, prefixLength, address });

type Outcome = { ack: Ack; address?: string; prefix?: string; reason?: string };

function refuse(status: number, reason: string): Outcome {
  return { ack: ack(status, 0, '0.0.0.0'), reason };
}

/** True when IPv4HomeAddress configuration gives `ipv4` to `homeAddress` (or to any home address). */
export function ipv4Configured(cfg: HomeAgentConfig, ipv4: string, homeAddress: string): boolean {
  const auth = cfg.ipv4Authorizations.find((a) => a.ipv4HomeAddress === ipv4);
  return auth !== undefined && (auth.homeAddress === undefined || auth.homeAddress === homeAddress);
}

function decideAddress(ctx: Ipv4Context, o: Ipv4HoaOption): Outcome {
  const { homeAddress, existing } = ctx;
  const { cfg, addressPool } = ctx.st;
  if (o.address === '0.0.0.0') {
    if (existing?.ipv4HomeAddress !== undefined) {
      return { ack: ack(0, 32, existing.ipv4HomeAddress), address: existing.ipv4HomeAddress };
    }
    const got = addressPool?.allocate();
    if (got === undefined) {
      return refuse(Ipv4AckStatus.DYNAMIC_IPV4_HOME_ADDRESS_ASSIGNMENT_NOT_AVAILABLE,
        addressPool ? 'IPv4 home address pool exhausted' : 'no IPv4 home address pool');
    }
    return { ack: ack(0, 32, got), address: got };
  }
  if (!isUnicast4(o.address) || o.prefixLength === 0) {
    const why = `invalid IPv4 home address ${o.address}/${o.prefixLength}`;
    return refuse(Ipv4AckStatus.INVALID_IPV4_ADDRESS, why);
  }
  const holder = ctx.st.cache.homeAddressForIpv4(o.address);
  if (holder !== undefined && holder !== homeAddress) {
    return refuse(Ipv4AckStatus.INCORRECT_IPV4_HOME_ADDRESS, `${o.address} is bound to ${holder}`);
  }
  // A pool entry is this node's when its binding holds it (the pool keeps no owners).
  const pooled = holder === homeAddress && (addressPool?.isTaken(o.address) ?? false);
  if (pooled || ipv4Configured(cfg, o.address, homeAddress)) {
    return { ack: ack(0, 32, o.address), address: o.address };
  }
  const mine = cfg.ipv4Authorizations.some((a) => a.homeAddress === homeAddress);
  return mine
    ? refuse(Ipv4AckStatus.INCORRECT_IPV4_HOME_ADDRESS, `${o.address} is not configured for ${homeAddress}`)
    : refuse(Ipv4AckStatus.ADMINISTRATIVELY_PROHIBITED, `${o.address} is not authorised`);
}

function decidePrefix(ctx: Ipv4Context, mobileRouter: boolean): Outcome {
  const { homeAddress, existing } = ctx;
  const { cfg, prefixPool } = ctx.st;
  if (!mobileRouter) {
    return refuse(Ipv4AckStatus.PREFIX_ALLOCATION_UNAUTHORIZED, 'IPv4 prefix requested without the R flag');
  }
  if (existing?.ipv4Prefix !== undefined) return prefixAck(existing.ipv4Prefix);
  const configured = cfg.ipv4Authorizations
    .find((a) => a.homeAddress === homeAddress && a.prefixes.length > 0);
  if (configured) return prefixAck(configured.prefixes[0]);
  const got = prefixPool?.allocate();
  if (got !== undefined) return prefixAck(`${got}/${prefixPool!.blockLength}`);
  return refuse(Ipv4AckStatus.PREFIX_ALLOCATION_UNAUTHORIZED, `no IPv4 prefix for ${homeAddress}`);
}

function prefixAck(text: string): Outcome {
  const p = parsePrefix(text);
  const [addr] = text.split('/');
  return { ack: ack(0, p ? p.length : 32, addr), prefix: text };
}

const NO_REFUSALS: Ipv4Decision['refusals'] = Object.freeze([]);
const NO_ACKS: readonly Ack[] = Object.freeze([]);

/**
 * Answers every IPv4 Home Address option of a BU (at most one address and one prefix) for
 * `homeAddress`, whose binding is `existing`.
 */
export function decideIpv4(
  st: Ipv4State, homeAddress: string, existing: BindingCacheEntry | undefined,
  options: readonly MobilityOption[], flags: number,
): Ipv4Decision {
  let acks: Ack[] | undefined;
  let refusals: { status: number; reason: string }[] | undefined;
  let ipv4HomeAddress: string | undefined;
  let ipv4Prefix: string | undefined;
  let seenAddress = false;
  let seenPrefix = false;
  let ctx: Ipv4Context | undefined;
  for (const o of options) {
    if (o.type !== 'ipv4-home-address') continue;
    ctx ??= { st, homeAddress, existing };
    const repeated = o.requestPrefix ? seenPrefix : seenAddress;
    if (o.requestPrefix) seenPrefix = true; else seenAddress = true;
    const out: Outcome = !st.cfg.acceptDsmip6
      ? refuse(Ipv4AckStatus.ADMINISTRATIVELY_PROHIBITED, 'HaAcceptDsmip6 disabled')
      : repeated ? refuse(Ipv4AckStatus.FAILURE_REASON_UNSPECIFIED, 'repeated IPv4 Home Address option')
        : o.requestPrefix ? decidePrefix(ctx, (flags & BuFlag.R) !== 0) : decideAddress(ctx, o);
    (acks ??= []).push(out.ack);
    if (out.reason !== undefined) (refusals ??= []).push({ status: out.ack.status, reason: out.reason });
    if (out.address !== undefined && ipv4HomeAddress === undefined) ipv4HomeAddress = out.address;
    if (out.prefix !== undefined && ipv4Prefix === undefined) ipv4Prefix = out.prefix;
  }
  return { ipv4HomeAddress, ipv4Prefix, acks: acks ?? NO_ACKS, refusals: refusals ?? NO_REFUSALS };
}

type NatOption = Extract<MobilityOption, { type: 'nat-detection' }>;

export interface Ipv4CareOfDecision {
  readonly tunnel: TunnelEndpoint;
  readonly natDetected: boolean;
  readonly natOption: NatOption | undefined;
}

/**
 * NAT present ⇔ the IPv4 Care-of Address option differs from the outer IPv4 source. UDP when a
 * NAT is detected, when F is set and honoured, or when the home agent is behind a NAT.
 */
export function decideIpv4CareOf(
  cfg: HomeAgentConfig, careOf: string, outer: Udp4Endpoints, flags: number,
): Ipv4CareOfDecision {
  const natDetected = careOf !== outer.source;
  const forced = cfg.behindNat || ((flags & BuFlag.F) !== 0 && cfg.honourForceUdp);
  if (!natDetected && !forced) {
    return {
      tunnel: { encapsulation: 'ipv4', local: outer.destination, remote: careOf },
      natDetected, natOption: undefined,
    };
  }
  const refreshTimeSeconds = natDetected ? cfg.natRefreshSeconds : NAT_REFRESH_NOT_NEEDED;
  return {
    tunnel: {
      encapsulation: 'udp4', local: outer.destination, localPort: outer.destinationPort,
      remote: outer.source, remotePort: outer.sourcePort,
    },
    natDetected,
    natOption: { type: 'nat-detection', forceUdp: forced, refreshTimeSeconds },
  };
}
