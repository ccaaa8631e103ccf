/**
 * Movement detection from the world inputs (RFC 6275 §11.5, RFC 5555 §4): what the node sees
 * of its configured interfaces, which care-of address it uses, and whether it is at home.
 *
 * Rules (docs: the MN engine brief; UMIP `movement.c` semantics for MnIfPreference):
 * - only interfaces named in the configuration are tracked; others (the TUN device that carries
 *   the home addresses, for one) are ignored, so the engine's own address changes never look
 *   like movement;
 * - an interface is usable when its link is up and its preference is > 0;
 * - a care-of address is an address of a usable interface that also has a default router of
 *   the same family: IPv6 any unicast address that is not unspecified, loopback, link-local,
 *   multicast or IPv4-mapped, and not inside the home prefix (unique local addresses are
 *   accepted: RFC 4193 gives them global scope); IPv4 any unicast address outside 0/8, 127/8
 *   and 224/3, and only with DSMIPv6 and a home agent IPv4 address (RFC 5555 §4.1);
 * - IPv6 beats IPv4, then the lower preference, then the interface name; on that interface the
 *   freshest advertised address (below), then the current care-of address while it stays, else the
 *   lowest address text;
 * - the node is at home when a usable interface holds an IPv6 address inside the home prefix
 *   (the home address itself counts), or when a Router Advertisement heard on it advertises the
 *   home prefix on-link (RFC 6275 §11.5.4: "its home subnet prefix is again on-link");
 * - Router Advertisements refine this (routers.ts): an IPv6 default router they made unusable
 *   (Router Lifetime 0, run out, lost by its Advertisement Interval) does not count; an address
 *   they `withdrew` is neither a care-of address nor proof of being at home; and on one interface
 *   an address of the most recently first-heard router's prefixes wins (a new router is a
 *   movement hint), before the current address is kept.
 * Table sizes are bounded: per interface at most ADDRESSES_PER_INTERFACE_MAX addresses and
 * ROUTERS_PER_INTERFACE_MAX routers; further ones are ignored.
 */
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../../wire/addr.js';
import type { NormalizedMnConfig } from './config.js';
import { covers } from './ra.js';
import type { RouterTable } from './routers.js';
import type { MnInput } from './types.js';

export const ADDRESSES_PER_INTERFACE_MAX = 64;
export const ROUTERS_PER_INTERFACE_MAX = 16;

export interface CareOf {
  readonly ifname: string;
  readonly family: 4 | 6;
  /** IPv6 or dotted-quad IPv4 text, canonical. */
  readonly address: string;
}

export type WorldInput = Exclude<MnInput, { readonly kind: 'mh' | 'router-advertisement' }>;

interface InterfaceState {
  up: boolean;
  /** Canonical address text → family. */
  readonly addresses: Map<string, 4 | 6>;
  /** `${family} ${address}` of each default router. */
  readonly routers: Set<string>;
}

interface Candidate extends CareOf {
  readonly preference: number;
  /** When the newest router advertising its prefix was first heard (-Infinity: none). */
  readonly freshness: number;
}

export function sameCareOf(a: CareOf | undefined, b: CareOf | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.ifname === b.ifname && a.family === b.family && a.address === b.address;
}

function canonical(family: 4 | 6, text: string): string | undefined {
  if (family === 4) {
    const b = parseIpv4(text);
    return b ? formatIpv4(b) : undefined;
  }
  const b = parseIpv6(text);
  return b ? formatIpv6(b) : undefined;
}

/** Unicast IPv6 address usable as a care-of address (see the module comment). */
export function usableCareOf6(text: string, cfg: NormalizedMnConfig): boolean {
  const b = parseIpv6(text);
  if (!b) return false;
  const zero = b.every((x) => x === 0);
  const loopback = b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  const linkLocal = b[0] === 0xfe && (b[1] & 0xc0) === 0x80;
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  if (zero || loopback || linkLocal || b[0] === 0xff || mapped) return false;
  return !covers(cfg.homePrefix, cfg.homePrefixLength, b);
}

/** Unicast IPv4 address usable as a care-of address: not 0/8, 127/8 or 224/3. */
export function usableCareOf4(text: string): boolean {
  const b = parseIpv4(text);
  return b !== undefined && b[0] !== 0 && b[0] !== 127 && b[0] < 224;
}

function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.family !== b.family) return b.family - a.family;
  if (a.preference !== b.preference) return a.preference - b.preference;
  if (a.ifname !== b.ifname) return a.ifname < b.ifname ? -1 : 1;
  if (a.freshness !== b.freshness) return b.freshness - a.freshness;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

export class WorldView {
  private readonly interfaces = new Map<string, InterfaceState>();

  private readonly homeAgent: Uint8Array;

  constructor(private readonly cfg: NormalizedMnConfig, private readonly routers: RouterTable) {
    this.homeAgent = parseIpv6(cfg.homeAgentAddress)!;
  }

  /** Applies one world input; inputs about unknown interfaces or bad addresses are ignored. */
  apply(input: WorldInput): void {
    if (!this.cfg.preferences.has(input.ifname)) return;
    let st = this.interfaces.get(input.ifname);
    if (st === undefined) {
      st = { up: false, addresses: new Map(), routers: new Set() };
      this.interfaces.set(input.ifname, st);
    }
    if (input.kind === 'link') {
      st.up = input.up;
      if (!input.up) this.routers.linkDown(input.ifname);
      return;
    }
    const address = canonical(input.family, input.address);
    if (address === undefined) return;
    if (input.kind === 'address') {
      if (!input.present) st.addresses.delete(address);
      else if (st.addresses.size < ADDRESSES_PER_INTERFACE_MAX) st.addresses.set(address, input.family);
      return;
    }
    const key = `${input.family} ${address}`;
    if (!input.present) st.routers.delete(key);
    else if (st.routers.size < ROUTERS_PER_INTERFACE_MAX) st.routers.add(key);
  }

  private usable(): [string, InterfaceState, number][] {
    const out: [string, InterfaceState, number][] = [];
    for (const [ifname, st] of this.interfaces) {
      const preference = this.cfg.preferences.get(ifname) ?? 0;
      if (st.up && preference > 0) out.push([ifname, st, preference]);
    }
    return out;
  }

  /** The usable interface holding an address inside the home prefix, if any (RFC 6275 §11.5.4). */
  homeInterface(): string | undefined {
    const { homePrefix, homePrefixLength } = this.cfg;
    const homes = this.usable().filter(([ifname, st]) =>
      this.routers.homeAdvertised(ifname, homePrefix, homePrefixLength, this.homeAgent)
      || [...st.addresses].some(([a, family]) => {
        const b = family === 6 ? parseIpv6(a) : undefined;
        return b !== undefined && covers(homePrefix, homePrefixLength, b)
          && this.routers.standing(ifname, b).kind !== 'withdrawn';
      }));
    homes.sort((x, y) => x[2] - y[2] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    return homes[0]?.[0];
  }

  private candidates(): Candidate[] {
    const v4Allowed = this.cfg.useDsmip6 && this.cfg.homeAgentIpv4Address !== undefined;
    const out: Candidate[] = [];
    for (const [ifname, st, preference] of this.usable()) {
      const routerOf = (f: 4 | 6): boolean => [...st.routers].some((r) => r.startsWith(`${f} `)
        && !(f === 6 && this.routers.unusable(ifname, r.slice(2))));
      for (const [address, family] of st.addresses) {
        if (!routerOf(family)) continue;
        if (family === 4) {
          if (v4Allowed && usableCareOf4(address)) {
            out.push({ ifname, family, address, preference, freshness: -Infinity });
          }
          continue;
        }
        if (!usableCareOf6(address, this.cfg)) continue;
        const standing = this.routers.standing(ifname, parseIpv6(address)!);
        if (standing.kind === 'withdrawn') continue;
        const freshness = standing.kind === 'advertised' ? standing.freshness : -Infinity;
        out.push({ ifname, family, address, preference, freshness });
      }
    }
    return out.sort(compareCandidates);
  }

  /** The care-of address to use; `current` is kept while it is among the best ones. */
  selectCareOf(current: CareOf | undefined): CareOf | undefined {
    const all = this.candidates();
    const best = all[0];
    if (best === undefined) return undefined;
    const keep = current !== undefined && all.some((c) => c.ifname === best.ifname
      && c.family === best.family && c.freshness === best.freshness && c.address === current.address);
    return { ifname: best.ifname, family: best.family, address: keep ? current.address : best.address };
  }
}
