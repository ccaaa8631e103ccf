/**
 * The mobile node's state and the helpers that turn state changes into OS operations. OS state
 * is desired state (each op replaces the previous one for the same item), so every helper
 * compares with what it last asked for and emits an op only on a change.
 */
import type { BindingUpdateListEntry } from '../../proto/binding-update-list.js';
import type { TunnelEndpoint } from '../types.js';
import type { NormalizedMnConfig } from './config.js';
import { ipv4PrefixText, type Ipv4Allocation, type Ipv4HomeState } from './ipv4-home.js';
import type { CareOf, WorldView } from './movement.js';
import type { MnEvent, MnOsOp, MnOutput } from './types.js';

export type Location =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'away' }
  | { readonly kind: 'home'; readonly ifname: string };

/** The TUN device (away) or an interface (at home). */
export type HomeAddressPlace = 'tunnel' | { readonly ifname: string };

export interface TunnelState {
  readonly endpoint: TunnelEndpoint;
  readonly homeAddresses: readonly string[];
  readonly prefixes: readonly string[];
}

export interface MnState {
  readonly cfg: NormalizedMnConfig;
  readonly bul: BindingUpdateListEntry;
  readonly world: WorldView;
  location: Location;
  careOf: CareOf | undefined;
  /** The care-of address the last BU was sent from (undefined: from the home link). */
  lastBuCareOf: CareOf | undefined;
  /** A registration BU has been sent since the node last settled at home. */
  mayHaveBinding: boolean;
  /** Where the IPv6 home address was last put. */
  homeAddressOn: HomeAddressPlace | undefined;
  /** The IPv4 home address last put on the tunnel. */
  ipv4Placed: Ipv4Allocation | undefined;
  ipv4: Ipv4HomeState;
  tunnel: TunnelState | undefined;
}

export function emitEvent(out: MnOutput[], event: MnEvent): void {
  out.push({ kind: 'event', event });
}

export function emitOs(out: MnOutput[], op: MnOsOp): void {
  out.push({ kind: 'os', op });
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameEndpoint(a: TunnelEndpoint, b: TunnelEndpoint): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Home addresses and prefixes whose traffic goes through the tunnel. */
function tunnelled(st: MnState): { homeAddresses: string[]; prefixes: string[] } {
  const homeAddresses = [st.cfg.homeAddress];
  if (st.ipv4.address) homeAddresses.push(st.ipv4.address.address);
  const prefixes = st.cfg.mobileRouter
    ? st.cfg.mobileNetworkPrefixes.map((p) => `${p.prefix}/${p.prefixLength}`) : [];
  if (st.ipv4.prefix) prefixes.push(ipv4PrefixText(st.ipv4.prefix));
  return { homeAddresses, prefixes };
}

export function setTunnel(st: MnState, out: MnOutput[], endpoint: TunnelEndpoint): void {
  const { homeAddresses, prefixes } = tunnelled(st);
  const t = st.tunnel;
  if (t && sameEndpoint(t.endpoint, endpoint) && sameStrings(t.homeAddresses, homeAddresses)
    && sameStrings(t.prefixes, prefixes)) return;
  st.tunnel = { endpoint, homeAddresses, prefixes };
  emitOs(out, { op: 'tunnel-set', endpoint, homeAddresses, prefixes });
}

export function clearTunnel(st: MnState, out: MnOutput[]): void {
  if (st.tunnel === undefined) return;
  st.tunnel = undefined;
  emitOs(out, { op: 'tunnel-clear' });
}

function samePlace(a: HomeAddressPlace | undefined, b: HomeAddressPlace): boolean {
  if (a === 'tunnel' || b === 'tunnel') return a === b;
  return a !== undefined && a.ifname === b.ifname;
}

/** Puts the IPv6 home address on the tunnel or on a (home) interface. */
export function placeHomeAddress(st: MnState, out: MnOutput[], on: HomeAddressPlace): void {
  if (samePlace(st.homeAddressOn, on)) return;
  st.homeAddressOn = on;
  emitOs(out, {
    op: 'home-address-set', address: st.cfg.homeAddress, family: 6,
    prefixLength: st.cfg.homePrefixLength, on,
  });
}

export function clearHomeAddress(st: MnState, out: MnOutput[]): void {
  if (st.homeAddressOn === undefined) return;
  st.homeAddressOn = undefined;
  emitOs(out, { op: 'home-address-clear', address: st.cfg.homeAddress });
}

/** Puts the granted IPv4 home address on the tunnel, or removes the one put there before. */
export function placeIpv4HomeAddress(st: MnState, out: MnOutput[]): void {
  const want = st.ipv4.address;
  const had = st.ipv4Placed;
  if (want?.address === had?.address && want?.prefixLength === had?.prefixLength) return;
  if (had && had.address !== want?.address) emitOs(out, { op: 'home-address-clear', address: had.address });
  st.ipv4Placed = want;
  if (want) {
    emitOs(out, {
      op: 'home-address-set', address: want.address, family: 4,
      prefixLength: want.prefixLength, on: 'tunnel',
    });
  }
}
