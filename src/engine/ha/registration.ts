/**
 * Applying a checked Binding Update to the home agent's state (RFC 6275 §10.3.1–10.3.2,
 * RFC 3963 §6, RFC 5555 §4.2): create, refresh or delete the binding, and emit the OS state and
 * the Binding Acknowledgement.
 */
import { BaFlag, BaStatus, BuFlag } from '../../wire/mh/constants.js';
import type { MobilityOption } from '../../wire/mh/options.js';
import type { Ipv4Pool } from '../../proto/ipv4-pool.js';
import { configuredPrefix, linkLocalFor, prefixContains } from '../../proto/prefix.js';
import type { Instant } from '../../proto/time.js';
import type { TunnelEndpoint } from '../types.js';
import { BindingCache, CachedBinding, sameTunnel, type BindingCacheEntry } from './binding-cache.js';
import { decideIpv4, decideIpv4CareOf, type Ipv4CareOfDecision } from './dsmip.js';
import { bindingAck, replyVia } from './messages.js';
import type { BuRequest } from './received.js';
import type { HaEvent, HaOutput, HomeAgentConfig } from './types.js';

export interface HaState {
  readonly cfg: HomeAgentConfig;
  readonly cache: BindingCache;
  readonly addressPool: Ipv4Pool | undefined;
  readonly prefixPool: Ipv4Pool | undefined;
  /** Called whenever an entry's deadline may have changed (`replaced`: the entry it replaces). */
  readonly schedule: (e: BindingCacheEntry, replaced?: BindingCacheEntry) => void;
}

const os = (op: Extract<HaOutput, { kind: 'os' }>['op']): HaOutput => ({ kind: 'os', op });

/** A rejection: BA with `status` (always sent, as UMIP does), lifetime 0. */
export function rejectBu(
  st: HaState, req: BuRequest, status: number, reason: string, sequence = req.sequence,
): HaOutput[] {
  return [
    { kind: 'event', event: { type: 'binding-rejected', homeAddress: req.homeAddress, status, reason } },
    bindingAck(st.cfg.address, req, { status, flags: 0, sequence, lifetimeSeconds: 0, options: [] }),
  ];
}

function inIpv4Subnet(cfg: HomeAgentConfig, address: string | undefined): boolean {
  if (address === undefined || !cfg.ipv4HomeSubnet) return false;
  const p = configuredPrefix(cfg.ipv4HomeSubnet);
  return p !== undefined && prefixContains(p, address);
}

/** Everything the binding holds in the OS, undone (deregistration, expiry, displacement). */
export function removeBinding(st: HaState, homeAddress: string): HaOutput[] {
  const e = st.cache.delete(homeAddress);
  if (!e) return [];
  const out: HaOutput[] = [os({ op: 'binding-clear', homeAddress })];
  out.push(os({ op: 'proxy-nd-clear', address: homeAddress }));
  if (e.linkLocal !== undefined) out.push(os({ op: 'proxy-nd-clear', address: e.linkLocal }));
  if (inIpv4Subnet(st.cfg, e.ipv4HomeAddress)) {
    out.push(os({ op: 'proxy-arp-clear', address: e.ipv4HomeAddress! }));
  }
  if (e.ipv4HomeAddress !== undefined) st.addressPool?.release(e.ipv4HomeAddress);
  if (e.ipv4Prefix !== undefined) st.prefixPool?.release(e.ipv4Prefix.split('/')[0]);
  return out;
}

export function deregister(st: HaState, req: BuRequest): HaOutput[] {
  const out = removeBinding(st, req.homeAddress);
  out.push({ kind: 'event', event: { type: 'binding-deregistered', homeAddress: req.homeAddress } });
  const flags = req.flags & BuFlag.R ? BaFlag.R : 0;
  out.push(bindingAck(st.cfg.address, req, {
    status: BaStatus.ACCEPTED, flags, sequence: req.sequence, lifetimeSeconds: 0, options: [],
  }));
  return out;
}

export interface Accepted {
  readonly nemoMode: 'explicit' | 'implicit' | undefined;
  readonly prefixes: readonly string[];
  readonly lifetimeSeconds: number;
  /** 0, or 1 when the home prefix is about to change (RFC 6275 §10.3.1). */
  readonly status: 0 | 1;
}

/**
 * Creates or refreshes the binding; returns OS ops, events and the BA. `existing` is the binding
 * of the home address now, `st.cache.get(req.homeAddress)` (which the caller knows).
 */
export function acceptBu(
  st: HaState, now: Instant, req: BuRequest, a: Accepted, existing: BindingCacheEntry | undefined,
): HaOutput[] {
  const { cfg, cache } = st;
  const hoa = req.homeAddress;
  const c = req.careOf;
  let tunnel: TunnelEndpoint;
  let natDetected = false;
  let natOption: Ipv4CareOfDecision['natOption'];
  if (c.family === 6) {
    tunnel = { encapsulation: 'ipv6', local: cfg.address, remote: c.address };
  } else if (c.family === 4) {
    ({ tunnel, natDetected, natOption } = decideIpv4CareOf(cfg, c.address, c.outer, req.flags));
  } else {
    throw new Error('acceptBu: care-of address missing (checked by the caller)');
  }
  const ipv4 = decideIpv4(st, hoa, existing, req.options, req.flags);
  const out: HaOutput[] = [];
  if (tunnel.encapsulation === 'udp4') {
    const holder = cache.homeAddressForUdp(tunnel.remote, tunnel.remotePort);
    if (holder !== undefined && holder !== hoa) {
      for (const o of removeBinding(st, holder)) out.push(o);
      const event = { type: 'binding-displaced' as const, homeAddress: holder, by: hoa };
      out.push({ kind: 'event', event });
    }
  }
  const linkLocal = (req.flags & BuFlag.L) !== 0 ? linkLocalFor(hoa) : undefined;
  // Whole milliseconds (rounded up: never earlier): small integers, where a fraction costs a box.
  const at = Math.ceil(now);
  // The reply via: kept by the entry when the tunnel does not give it, and the BA's.
  const via = replyVia(req.via);
  // A refresh keeps the entry's tunnel, strings and via when they are unchanged (the data plane
  // holds the same tunnel): each binding holds one copy of them, not one per Binding Update.
  const entry = new CachedBinding({
    homeAddress: hoa,
    careOfAddress: c.address,
    tunnel, via,
    signallingAddress: c.family === 6 ? c.address : req.source,
    sequence: req.sequence, flags: req.flags, lifetimeSeconds: a.lifetimeSeconds,
    registeredAt: at, expiresAt: at + a.lifetimeSeconds * 1000,
    nemoMode: a.nemoMode, prefixes: a.prefixes,
    linkLocal, ipv4HomeAddress: ipv4.ipv4HomeAddress, ipv4Prefix: ipv4.ipv4Prefix,
    refreshRequestSent: false,
  }, existing);
  osChanges(st, existing, entry, out);
  releaseDropped(st, existing, entry);
  cache.replace(entry, existing);
  st.schedule(entry, existing);
  for (const r of ipv4.refusals) {
    const event = { type: 'ipv4-home-address-refused' as const, homeAddress: hoa, ...r };
    out.push({ kind: 'event', event });
  }
  out.push({ kind: 'event', event: acceptedEvent(req, a, entry, natDetected, existing === undefined) });
  if ((req.flags & BuFlag.A) !== 0) {
    const options: MobilityOption[] = ipv4.acks.slice();
    if (natOption) options.push(natOption);
    const bra = cfg.refreshAdviceSeconds;
    if (bra !== undefined && bra > 0 && bra < a.lifetimeSeconds) {
      options.push({ type: 'binding-refresh-advice', refreshIntervalSeconds: bra - (bra % 4) });
    }
    const flags = a.nemoMode !== undefined ? BaFlag.R : 0;
    out.push(bindingAck(cfg.address, req, {
      status: a.status, flags, sequence: req.sequence, lifetimeSeconds: a.lifetimeSeconds, options,
    }, via));
  }
  return out;
}

type AcceptedEvent = Extract<HaEvent, { type: 'binding-accepted' }>;

function acceptedEvent(
  req: BuRequest, a: Accepted, entry: BindingCacheEntry, natDetected: boolean, isNew: boolean,
): AcceptedEvent {
  const event: { -readonly [K in keyof AcceptedEvent]: AcceptedEvent[K] } = {
    type: 'binding-accepted', homeAddress: req.homeAddress, careOfAddress: entry.careOfAddress,
    encapsulation: entry.tunnel.encapsulation, lifetimeSeconds: a.lifetimeSeconds, sequence: req.sequence,
    natDetected, isNew, prefixes: entry.prefixes,
  };
  if (entry.ipv4HomeAddress !== undefined) event.ipv4HomeAddress = entry.ipv4HomeAddress;
  return event;
}

/** Same prefix texts in the same order. */
function samePrefixes(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The OS state that turns `old` (none for a new or restored binding) into `e`, added to `out`. */
export function osChanges(
  st: HaState, old: BindingCacheEntry | undefined, e: BindingCacheEntry, out: HaOutput[] = [],
): HaOutput[] {
  const v4 = e.ipv4HomeAddress;
  const changed = !old || !sameTunnel(old.tunnel, e.tunnel) || old.ipv4HomeAddress !== v4
    || old.ipv4Prefix !== e.ipv4Prefix || !samePrefixes(old.prefixes, e.prefixes);
  if (changed) {
    const addresses = v4 !== undefined ? [e.homeAddress, v4] : [e.homeAddress];
    const prefixes = e.ipv4Prefix !== undefined ? [...e.prefixes, e.ipv4Prefix] : e.prefixes;
    out.push(os({ op: 'binding-set', homeAddress: e.homeAddress, tunnel: e.tunnel, addresses, prefixes }));
  }
  if (!old) out.push(os({ op: 'proxy-nd-set', address: e.homeAddress }));
  const oldLl = old?.linkLocal;
  const newLl = e.linkLocal;
  if (newLl !== undefined && oldLl === undefined) out.push(os({ op: 'proxy-nd-set', address: newLl }));
  if (oldLl !== undefined && newLl === undefined) out.push(os({ op: 'proxy-nd-clear', address: oldLl }));
  const oldV4 = old?.ipv4HomeAddress;
  if (oldV4 !== v4) {
    if (inIpv4Subnet(st.cfg, oldV4)) out.push(os({ op: 'proxy-arp-clear', address: oldV4! }));
    if (inIpv4Subnet(st.cfg, v4)) out.push(os({ op: 'proxy-arp-set', address: v4! }));
  }
  return out;
}

function releaseDropped(st: HaState, old: BindingCacheEntry | undefined, e: BindingCacheEntry): void {
  if (old?.ipv4HomeAddress !== undefined && old.ipv4HomeAddress !== e.ipv4HomeAddress) {
    st.addressPool?.release(old.ipv4HomeAddress);
  }
  if (old?.ipv4Prefix !== undefined && old.ipv4Prefix !== e.ipv4Prefix) {
    st.prefixPool?.release(old.ipv4Prefix.split('/')[0]);
  }
}
