/**
 * IPv4 home address and IPv4 mobile network prefix requests (RFC 5555 §3.1.1, §3.2.1, §4.1;
 * protocol.md §3.1 and §3.6).
 *
 * Requests (option 29 in every BU while DSMIPv6 is on):
 * - an address: the configured one with Prefix-len 32 (static), or 0.0.0.0 (dynamic, P = 0,
 *   3GPP TS 24.303 A.2);
 * - a prefix: 0.0.0.0 with P = 1 and the requested length;
 * - both: two options, the address first.
 * Once the home agent has acknowledged a value, later BUs carry the allocated address and
 * allocated prefix length instead (RFC 5555 §3.1.1; 3GPP keeps sending the assigned value).
 *
 * Acknowledgements (option 30 in the BA): with as many acknowledgements as requests they match
 * in order; otherwise a Prefix-len of 32 answers the address request and a shorter one the
 * prefix request. Status >= 128 refuses the request (the IPv6 binding is unaffected, RFC 5555
 * §3.2.1) and forgets any earlier allocation. A "success" naming 0.0.0.0, or a prefix of length
 * 0 or above 32, cannot be used and is ignored.
 */
import { IPV4_ANY, formatIpv4, maskBytes, parseIpv4 } from '../../wire/addr.js';
import type { MobilityOption } from '../../wire/mh/options.js';
import type { NormalizedMnConfig } from './config.js';

export interface Ipv4Allocation {
  readonly address: string;
  readonly prefixLength: number;
}

/** What the home agent has granted so far. */
export interface Ipv4HomeState {
  readonly address?: Ipv4Allocation;
  readonly prefix?: Ipv4Allocation;
}

type Request = 'address' | 'prefix';

type Ack = Extract<MobilityOption, { type: 'ipv4-address-acknowledgement' }>;

function requests(cfg: NormalizedMnConfig): Request[] {
  if (!cfg.useDsmip6) return [];
  const out: Request[] = [];
  if (cfg.ipv4HomeAddress !== undefined) out.push('address');
  if (cfg.ipv4PrefixRequestLength !== undefined) out.push('prefix');
  return out;
}

/**
 * The IPv4 Home Address options (29) a BU carries; with `grantedOnly` (a deregistration) only
 * the values the home agent granted, never a new request.
 */
export function ipv4HomeAddressOptions(
  cfg: NormalizedMnConfig, st: Ipv4HomeState, grantedOnly = false,
): MobilityOption[] {
  const out: MobilityOption[] = [];
  for (const r of requests(cfg)) {
    const granted = r === 'address' ? st.address : st.prefix;
    if (grantedOnly && granted === undefined) continue;
    const wanted = r === 'address'
      ? { address: cfg.ipv4HomeAddress ?? IPV4_ANY, prefixLength: 32 }
      : { address: IPV4_ANY, prefixLength: cfg.ipv4PrefixRequestLength ?? 32 };
    const v = granted ?? wanted;
    out.push({
      type: 'ipv4-home-address', prefixLength: v.prefixLength, requestPrefix: r === 'prefix',
      address: v.address,
    });
  }
  return out;
}

function requestOf(reqs: readonly Request[], acks: readonly Ack[], i: number): Request | undefined {
  if (reqs.length <= 1 || acks.length === reqs.length) return reqs[i];
  return acks[i].prefixLength === 32 ? 'address' : 'prefix';
}

function usable(ack: Ack, r: Request): Ipv4Allocation | undefined {
  if (ack.address === IPV4_ANY) return undefined;
  if (r === 'address') {
    // A single address: some home agents may leave Prefix-len 0; it is still a /32.
    const prefixLength = ack.prefixLength >= 1 && ack.prefixLength <= 32 ? ack.prefixLength : 32;
    return { address: ack.address, prefixLength };
  }
  if (ack.prefixLength < 1 || ack.prefixLength > 32) return undefined;
  const network = formatIpv4(maskBytes(parseIpv4(ack.address)!, ack.prefixLength));
  return { address: network, prefixLength: ack.prefixLength };
}

export interface Ipv4AckOutcome {
  readonly state: Ipv4HomeState;
  /** Status of each refused request (one `ipv4-home-address-refused` event each). */
  readonly refused: readonly number[];
}

/** Applies the IPv4 Address Acknowledgements of an accepted BA to what was granted before. */
export function applyIpv4Acks(
  cfg: NormalizedMnConfig, st: Ipv4HomeState, options: readonly MobilityOption[],
): Ipv4AckOutcome {
  const reqs = requests(cfg);
  const acks = options.filter((o): o is Ack => o.type === 'ipv4-address-acknowledgement');
  let { address, prefix } = st;
  const refused: number[] = [];
  acks.slice(0, reqs.length).forEach((ack, i) => {
    const r = requestOf(reqs, acks, i);
    if (r === undefined) return;
    if (ack.status >= 128) {
      refused.push(ack.status);
      if (r === 'address') address = undefined; else prefix = undefined;
      return;
    }
    const granted = usable(ack, r);
    if (granted === undefined) return;
    if (r === 'address') address = granted; else prefix = granted;
  });
  return {
    state: { ...(address ? { address } : {}), ...(prefix ? { prefix } : {}) },
    refused,
  };
}

export function ipv4PrefixText(a: Ipv4Allocation): string {
  return `${a.address}/${a.prefixLength}`;
}
