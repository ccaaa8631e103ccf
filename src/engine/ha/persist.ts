/**
 * Restoring the Binding Cache after a home agent restart: the bindings the home agent accepted
 * (persist-record.ts) come back with their remaining lifetime, checked against the configuration
 * now in force. Expired records are dropped; the IPv4 pools and the cache indexes are rebuilt;
 * no DAD is run (the node owned the address when the binding was accepted); the OS state of a
 * new binding is emitted (routes, forwarding, proxy ND/ARP with its unsolicited announcements),
 * so traffic to a home address flows again before the mobile node sends anything.
 */
import { BuFlag } from '../../wire/mh/constants.js';
import { parsePrefix, prefixCovers } from '../../proto/prefix.js';
import type { Instant } from '../../proto/time.js';
import { CachedBinding, type BindingCacheEntry } from './binding-cache.js';
import { NO_PREFIXES, authorisedPrefixes, checkHomeSubnet, checkPolicy } from './bu-checks.js';
import { ipv4Configured } from './dsmip.js';
import { parsePersistedBinding, type PersistedBinding } from './persist-record.js';
import { osChanges, type HaState } from './registration.js';
import type { HaOutput, HomeAgentConfig } from './types.js';

export {
  bindingJson, exportBinding, parsePersistedBinding, type PersistedBinding,
} from './persist-record.js';

export interface RestoreResult {
  readonly outputs: HaOutput[];
  readonly restored: number;
  /** Records whose lifetime ran out while the home agent was stopped. */
  readonly expired: number;
  /** Records refused, with the reason (corrupt, or no longer allowed by the configuration). */
  readonly skipped: readonly { readonly homeAddress: string | undefined; readonly reason: string }[];
}

/**
 * Why the configuration in force refuses the record (undefined when it still allows it): the
 * registration checks a Binding Update goes through (bu-checks.ts), then the tunnel's local end.
 */
function refusedByConfig(cfg: HomeAgentConfig, r: PersistedBinding): string | undefined {
  const subnet = checkHomeSubnet(cfg, r);
  if (!subnet.ok) return subnet.reason;
  if (!checkPolicy(cfg, r).ok) return 'refused by the binding ACL';
  if ((r.flags & BuFlag.R) !== 0) {
    if (!cfg.acceptMobileRouter) return 'mobile routers not accepted';
    const allowed = authorisedPrefixes(cfg, r.homeAddress);
    for (const t of r.prefixes) {
      const p = parsePrefix(t);
      if (!p || !allowed.some((a) => prefixCovers(a, p))) return `MNP ${t} not authorised`;
    }
  }
  const t = r.tunnel;
  if (t.encapsulation === 'ipv6' && t.local !== cfg.address) return 'tunnel not from the HA address';
  if (t.encapsulation !== 'ipv6') {
    if (!cfg.acceptDsmip6) return 'HaAcceptDsmip6 disabled';
    if (cfg.ipv4Address !== undefined && t.local !== cfg.ipv4Address) {
      return 'tunnel not from the IPv4 address';
    }
    if (t.encapsulation === 'udp4' && t.localPort !== cfg.udpPort) return 'tunnel not from the UDP port';
  }
  const ipv4 = r.ipv4HomeAddress !== null || r.ipv4Prefix !== null;
  if (ipv4 && !cfg.acceptDsmip6) return 'HaAcceptDsmip6 disabled';
  return undefined;
}

/** Claims the record's IPv4 home address and prefix (pool or configuration); a reason on failure. */
function claimIpv4(st: HaState, r: PersistedBinding): string | undefined {
  const { cfg, cache } = st;
  const v4 = r.ipv4HomeAddress;
  if (v4 !== null) {
    if (cache.homeAddressForIpv4(v4) !== undefined) return `IPv4 home address ${v4} already bound`;
    if (!ipv4Configured(cfg, v4, r.homeAddress) && !(st.addressPool?.claim(v4) ?? false)) {
      return `IPv4 home address ${v4} no longer configured or in the pool`;
    }
  }
  const p = r.ipv4Prefix;
  if (p !== null) {
    const configured = cfg.ipv4Authorizations
      .some((a) => a.homeAddress === r.homeAddress && a.prefixes.includes(p));
    const pool = st.prefixPool;
    const pooled = pool !== undefined && p.endsWith(`/${pool.blockLength}`)
      && pool.claim(p.split('/')[0]);
    if (!configured && !pooled) {
      if (v4 !== null) st.addressPool?.release(v4);
      return `IPv4 prefix ${p} no longer configured or in the pool`;
    }
  }
  return undefined;
}

function entryOf(cfg: HomeAgentConfig, now: Instant, r: PersistedBinding): BindingCacheEntry {
  const maxEnd = now + cfg.maxBindingLifetimeSeconds * 1000;
  // Whole milliseconds, as acceptBu keeps them (registration.ts).
  return new CachedBinding({
    homeAddress: r.homeAddress, careOfAddress: r.careOfAddress, tunnel: r.tunnel, via: r.via,
    signallingAddress: r.signallingAddress, sequence: r.sequence, flags: r.flags,
    lifetimeSeconds: Math.min(r.lifetimeSeconds, cfg.maxBindingLifetimeSeconds),
    // When the lifetime started (what `ctl bc` shows), never in the future.
    registeredAt: Math.floor(Math.min(now, r.expiresAt - r.lifetimeSeconds * 1000)),
    expiresAt: Math.ceil(Math.min(r.expiresAt, maxEnd)),
    nemoMode: r.nemoMode ?? undefined,
    prefixes: r.prefixes.length > 0 ? r.prefixes : NO_PREFIXES,
    linkLocal: r.linkLocal ?? undefined, ipv4HomeAddress: r.ipv4HomeAddress ?? undefined,
    ipv4Prefix: r.ipv4Prefix ?? undefined, refreshRequestSent: false,
  });
}

/**
 * Restores `records` (parsed JSON, unchecked) into an engine's state at `now`. Call once, on an
 * empty cache, before any Binding Update. Never throws on a record: each one is restored, or
 * counted as expired, or skipped with its reason.
 */
export function restoreBindings(st: HaState, now: Instant, records: readonly unknown[]): RestoreResult {
  const outputs: HaOutput[] = [];
  const skipped: { homeAddress: string | undefined; reason: string }[] = [];
  let restored = 0;
  let expired = 0;
  for (const raw of records) {
    const r = parsePersistedBinding(raw);
    if ('invalid' in r) {
      skipped.push({ homeAddress: guessHomeAddress(raw), reason: `corrupt record: ${r.invalid}` });
      continue;
    }
    const reason = whyNot(st, now, r);
    if (reason === 'expired') {
      expired++;
      continue;
    }
    if (reason !== undefined) {
      skipped.push({ homeAddress: r.homeAddress, reason });
      continue;
    }
    const e = entryOf(st.cfg, now, r);
    st.cache.set(e);
    st.schedule(e);
    outputs.push(...osChanges(st, undefined, e));
    restored++;
  }
  return { outputs, restored, expired, skipped };
}

function whyNot(st: HaState, now: Instant, r: PersistedBinding): string | undefined {
  if (r.expiresAt <= now) return 'expired';
  if (st.cache.get(r.homeAddress) !== undefined) return 'home address restored twice';
  if (st.cache.size >= st.cfg.bindingsMax) return `binding cache full (${st.cfg.bindingsMax})`;
  const t = r.tunnel;
  if (t.encapsulation === 'udp4' && st.cache.homeAddressForUdp(t.remote, t.remotePort) !== undefined) {
    return `UDP endpoint ${t.remote}:${t.remotePort} already bound`;
  }
  return refusedByConfig(st.cfg, r) ?? claimIpv4(st, r);
}

function guessHomeAddress(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const h = (raw as { homeAddress?: unknown }).homeAddress;
  return typeof h === 'string' ? h.slice(0, 64) : undefined;
}
