/**
 * Home registration checks in RFC order (RFC 6275 §9.5.1 and §10.3.1, RFC 3963 §6.1–6.2;
 * protocol.md §1.8), as pure functions: each returns a BA status to reject with, or the
 * accepted registration's NEMO prefixes.
 */
import { BaStatus, BuFlag } from '../../wire/mh/constants.js';
import { seqNewer } from '../../proto/seqno.js';
import {
  configuredPrefix, formatPrefix, isRoutableUnicast6, parsePrefix, prefixContains, prefixCovers,
  type Prefix,
} from '../../proto/prefix.js';
import { parseIpv6 } from '../../wire/addr.js';
import type { BindingCacheEntry } from './binding-cache.js';
import type { BuRequest } from './received.js';
import type { AclAction, HaAclEntry, HomeAgentConfig } from './types.js';

export type Check =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: number; readonly reason: string };

const OK: Check = { ok: true };
const reject = (status: number, reason: string): Check => ({ ok: false, status, reason });

export function isDeregistration(req: BuRequest): boolean {
  return req.lifetimeSeconds === 0
    || (req.careOf.family === 6 && req.careOf.address === req.homeAddress);
}

/** Steps 5–7: registration type, sequence number window, deregistration without binding. */
export function checkAgainstCache(req: BuRequest, existing: BindingCacheEntry | undefined): Check {
  if (existing) {
    const wasRouter = (existing.flags & BuFlag.R) !== 0;
    if (wasRouter !== ((req.flags & BuFlag.R) !== 0)) {
      return reject(BaStatus.REGISTRATION_TYPE_CHANGE_DISALLOWED, 'R flag differs from the binding');
    }
    if (!seqNewer(req.sequence, existing.sequence)) {
      return reject(BaStatus.SEQUENCE_NUMBER_OUT_OF_WINDOW,
        `sequence ${req.sequence} not newer than ${existing.sequence}`);
    }
    return OK;
  }
  if (isDeregistration(req)) {
    return reject(BaStatus.NOT_HOME_AGENT_FOR_THIS_MOBILE_NODE, 'deregistration without a binding');
  }
  return OK;
}

/** Step 8: the home address must be on one of the home prefixes (or a served prefix, NEMO). */
export function checkHomeSubnet(cfg: HomeAgentConfig, req: Pick<BuRequest, 'homeAddress' | 'flags'>): Check {
  for (const p of cfg.homePrefixes) if (inPrefix(p.prefix, req.homeAddress)) return OK;
  if ((req.flags & BuFlag.R) !== 0) {
    for (const p of cfg.servedPrefixes) if (inPrefix(p, req.homeAddress)) return OK;
  }
  return reject(BaStatus.NOT_HOME_SUBNET, `${req.homeAddress} is not on a home prefix`);
}

/** `address` lies in the configured prefix `text` (false when the text is not a prefix). */
function inPrefix(text: string, address: string): boolean {
  const p = configuredPrefix(text);
  return p !== undefined && prefixContains(p, address);
}

const aclIndex = new WeakMap<HomeAgentConfig, Map<string, HaAclEntry>>();

/** The ACL entry for a home address (first match, as UMIP), through an index built once. */
export function aclEntry(cfg: HomeAgentConfig, homeAddress: string): HaAclEntry | undefined {
  let index = aclIndex.get(cfg);
  if (!index) {
    index = new Map();
    for (const e of cfg.acl) if (!index.has(e.homeAddress)) index.set(e.homeAddress, e);
    aclIndex.set(cfg, index);
  }
  return index.size > 0 ? index.get(homeAddress) : undefined;
}

function aclStatus(action: AclAction): number {
  if (action === 'allow') return BaStatus.ACCEPTED;
  if (action === 'deny') return BaStatus.ADMINISTRATIVELY_PROHIBITED;
  return action;
}

/** Step 9: UMIP `BindingAclPolicy` / `DefaultBindingAclPolicy` (a status < 128 allows). */
export function checkPolicy(cfg: HomeAgentConfig, req: Pick<BuRequest, 'homeAddress'>): Check {
  const e = aclEntry(cfg, req.homeAddress);
  const status = aclStatus(e ? e.action : cfg.defaultAclPolicy);
  return status < 128 ? OK : reject(status, e ? 'binding ACL entry' : 'default binding ACL policy');
}

export type NemoResult =
  | {
    readonly ok: true; readonly mode: 'explicit' | 'implicit' | undefined;
    readonly prefixes: readonly string[];
  }
  | { readonly ok: false; readonly status: number; readonly reason: string };

/** The prefixes of a mobile node's binding: one shared empty list, not an array per binding. */
export const NO_PREFIXES: readonly string[] = Object.freeze([]);

const nemoReject = (status: number, reason: string): NemoResult => ({ ok: false, status, reason });

function validMnp(prefixLength: number, prefix: string): Prefix | undefined {
  if (prefixLength === 0 || prefixLength > 128) return undefined;
  const b = parseIpv6(prefix);
  if (!b || !isRoutableUnicast6(prefix)) return undefined;
  const p = parsePrefix(`${prefix}/${prefixLength}`, true);
  return p;
}

/** The mobile network prefixes the ACL entry of `homeAddress` authorises (RFC 3963 §6.2). */
export function authorisedPrefixes(cfg: HomeAgentConfig, homeAddress: string): Prefix[] {
  return (aclEntry(cfg, homeAddress)?.prefixes ?? [])
    .map((t) => configuredPrefix(t)).filter((p): p is Prefix => p !== undefined);
}

/** Step 11: NEMO (RFC 3963 §6.1–6.2): MR allowed (140), prefixes valid (141), authorised (142). */
export function checkNemo(cfg: HomeAgentConfig, req: BuRequest): NemoResult {
  if ((req.flags & BuFlag.R) === 0) return { ok: true, mode: undefined, prefixes: NO_PREFIXES };
  if (!cfg.acceptMobileRouter) {
    return nemoReject(BaStatus.MOBILE_ROUTER_OPERATION_NOT_PERMITTED, 'HaAcceptMobRtr disabled');
  }
  const allowed = authorisedPrefixes(cfg, req.homeAddress);
  const mnps = req.options.filter((o) => o.type === 'mobile-network-prefix');
  if (mnps.length === 0) {
    if (allowed.length === 0) {
      return nemoReject(BaStatus.FORWARDING_SETUP_FAILED, 'implicit mode without configured prefixes');
    }
    return { ok: true, mode: 'implicit', prefixes: allowed.map(formatPrefix) };
  }
  const prefixes: string[] = [];
  for (const o of mnps) {
    if (o.type !== 'mobile-network-prefix') continue;
    const p = validMnp(o.prefixLength, o.prefix);
    if (!p) return nemoReject(BaStatus.INVALID_PREFIX, `invalid MNP ${o.prefix}/${o.prefixLength}`);
    if (!allowed.some((a) => prefixCovers(a, p))) {
      return nemoReject(BaStatus.NOT_AUTHORIZED_FOR_PREFIX, `MNP ${formatPrefix(p)} not authorised`);
    }
    prefixes.push(formatPrefix(p));
  }
  return { ok: true, mode: 'explicit', prefixes };
}

/**
 * Steps 12–13: lifetime ≤ requested, ≤ HaMaxBindingLife, ≤ the home prefix's valid lifetime; and
 * status 1 "accepted, prefix discovery necessary" (RFC 6275 §10.3.1) when the home prefix expires
 * before the lifetime the node asked for: the prefix is about to change, so the node should run
 * Mobile Prefix Discovery before it refreshes.
 */
export function grantLifetime(cfg: HomeAgentConfig, req: BuRequest): { seconds: number; status: 0 | 1 } {
  let s = Math.min(req.lifetimeSeconds, cfg.maxBindingLifetimeSeconds);
  let prefixEnds = false;
  for (const p of cfg.homePrefixes) {
    const pp = configuredPrefix(p.prefix);
    if (pp && prefixContains(pp, req.homeAddress) && p.validLifetimeSeconds !== undefined
      && p.validLifetimeSeconds < s) {
      s = p.validLifetimeSeconds;
      prefixEnds = true;
    }
  }
  return { seconds: s - (s % 4), status: prefixEnds ? BaStatus.ACCEPTED_PREFIX_DISCOVERY_NECESSARY : 0 };
}
