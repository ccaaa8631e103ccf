/**
 * The home agent part of the configuration: UMIP's HA keywords, UMIP-DSMIP's, and dsmip6's.
 * What the file leaves to run time (the home agent's addresses and home prefixes) stays
 * undefined here and is filled by `homeAgentConfig(cfg, facts)` from the home interface.
 */
import type { AclAction, HaAclEntry, HaIpv4Authorization } from '../engine/ha/types.js';
import { HOME_AGENT_DEFAULTS } from '../engine/ha/config.js';
import { stop, type Pos } from './diagnostics.js';
import { canonicalPrefixOf, prefixString, unicast4, unicast6 } from './checks.js';
import { aclText, boolText, type Effective } from './effective.js';
import type { Entry, Value } from './model.js';
import type { HomeAgentSettings, HomePrefixes, InterfaceConfig } from './types.js';

const D = HOME_AGENT_DEFAULTS;

function homeInterface(g: Effective, interfaces: readonly InterfaceConfig[], at: Pos): string {
  if (interfaces.length === 0) {
    stop(at, 'expected at least one Interface statement for NodeConfig HA, found none');
  }
  const e = g.entry('HaHomeInterface');
  if (!e) {
    const first = interfaces.find((i) => i.ifType === 'HA');
    if (!first) return stop(at, 'expected an Interface with IfType HA for NodeConfig HA, found none');
    g.record('HaHomeInterface', `"${first.name}"`, 'default');
    return first.name;
  }
  const name = e.value.kind === 'text' ? e.value.value : '';
  if (!interfaces.some((i) => i.name === name)) {
    stop(e.pos, `expected the name of a declared Interface in HaHomeInterface, found "${name}"`);
  }
  g.record('HaHomeInterface', e.text, 'file', e.pos);
  return name;
}

function prefixValue(e: Entry): Extract<Value, { kind: 'prefix' }> {
  if (e.value.kind !== 'prefix') return stop(e.pos, `expected a prefix in ${e.keyword}, found ${e.text}`);
  return e.value;
}

function homePrefixes(g: Effective, homeIf: string): HomePrefixes | undefined {
  const list = g.list('HaHomePrefix', `the on-link prefixes of "${homeIf}" at start`, 'run-time');
  if (list.length === 0) return undefined;
  return list.map((e) => {
    const v = prefixValue(e);
    const prefix = canonicalPrefixOf(e, v.value, g.warn);
    return v.extra === undefined ? { prefix } : { prefix, validLifetimeSeconds: v.extra };
  });
}

function aclEntries(g: Effective): HaAclEntry[] {
  return g.list('BindingAclPolicy').map((e) => {
    if (e.value.kind !== 'acl' || e.value.address === undefined) {
      return stop(e.pos, 'expected a BindingAclPolicy');
    }
    const homeAddress = unicast6(e, e.value.address, 'a home address in BindingAclPolicy');
    const prefixes = e.value.list.map((p) => canonicalPrefixOf(e, p, g.warn));
    return { homeAddress, prefixes, action: e.value.value };
  });
}

function ipv4Authorizations(g: Effective): HaIpv4Authorization[] {
  return g.list('HaAcceptIPv4Traffic').map((e) => {
    if (e.value.kind !== 'ipv4-traffic') return stop(e.pos, 'expected an HaAcceptIPv4Traffic statement');
    const v = e.value;
    const ipv4HomeAddress = unicast4(e, v.value, 'an IPv4 home address in HaAcceptIPv4Traffic');
    const prefixes = v.list.map((p) => canonicalPrefixOf(e, p, g.warn));
    if (v.homeAddress === undefined) return { ipv4HomeAddress, prefixes };
    const homeAddress = unicast6(e, v.homeAddress, 'a mobile node home address');
    return { ipv4HomeAddress, prefixes, homeAddress };
  });
}

function pools(g: Effective): Pick<HomeAgentSettings['engine'], 'ipv4HomeAddressPool' | 'ipv4PrefixPool'> {
  const a = g.optional('HaIPv4HomeAddressPool');
  const p = g.optional('HaIPv4PrefixPool');
  const ipv4HomeAddressPool = a ? canonicalPrefixOf(a, prefixValue(a).value, g.warn, 8) : undefined;
  if (!p) return { ipv4HomeAddressPool };
  const v = prefixValue(p);
  const range = canonicalPrefixOf(p, v.value, g.warn, 8);
  const prefixLength = v.extra ?? 32;
  if (prefixLength < v.value.length) {
    const pool = `HaIPv4PrefixPool ${prefixString(v.value)}`;
    stop(p.pos, `expected an entry length in ${v.value.length}..32 for ${pool}, found ${prefixLength}`);
  }
  return { ipv4HomeAddressPool, ipv4PrefixPool: { range, prefixLength } };
}

function optionalSeconds(g: Effective, keyword: string): number | undefined {
  const e = g.optional(keyword);
  return e?.value.kind === 'number' ? e.value.value : undefined;
}

function dadTimeoutMs(g: Effective): number {
  const seconds = g.decimal('HaDadTimeout', D.dadTimeoutMs / 1000);
  const e = g.entry('HaDadTimeout');
  if (e && (seconds <= 0 || seconds > 60)) {
    stop(e.pos, `expected HaDadTimeout in (0, 60] seconds, found ${e.text}`);
  }
  return Math.round(seconds * 1000);
}

function defaultAcl(g: Effective): AclAction {
  const e = g.entry('DefaultBindingAclPolicy');
  if (e) g.record('DefaultBindingAclPolicy', e.text, 'file', e.pos);
  else g.record('DefaultBindingAclPolicy', aclText(D.defaultAclPolicy), 'default');
  return e?.value.kind === 'acl' ? e.value.value : D.defaultAclPolicy;
}

function engine(g: Effective): HomeAgentSettings['engine'] {
  return {
    udpPort: g.number('DsmipUdpPort', D.udpPort),
    maxBindingLifetimeSeconds: g.number('HaMaxBindingLife', D.maxBindingLifetimeSeconds),
    acceptMobileRouter: g.bool('HaAcceptMobRtr', D.acceptMobileRouter),
    servedPrefixes: g.list('HaServedPrefix').map((e) => canonicalPrefixOf(e, prefixValue(e).value, g.warn)),
    defaultAclPolicy: defaultAcl(g),
    acl: aclEntries(g),
    acceptDsmip6: g.bool('HaAcceptDsmip6', D.acceptDsmip6),
    natRefreshSeconds: g.number('NatKeepaliveInterval', D.natRefreshSeconds),
    behindNat: g.bool('HaBehindNat', D.behindNat),
    honourForceUdp: g.bool('HaHonourForceUdp', D.honourForceUdp),
    ipv4Authorizations: ipv4Authorizations(g),
    ...pools(g),
    bindingsMax: g.number('HaBindingsMax', D.bindingsMax),
    refreshAdviceSeconds: optionalSeconds(g, 'HaRefreshAdvice'),
    refreshRequestLeadSeconds: optionalSeconds(g, 'HaRefreshRequestLead'),
    dad: g.bool('HaDad', D.dad),
    dadTimeoutMs: dadTimeoutMs(g),
  };
}

function addresses(g: Effective, homeIf: string): Pick<HomeAgentSettings, 'address' | 'ipv4Address'> {
  const a = g.optional('HomeAgentAddress', `the global IPv6 address of "${homeIf}" at start`, 'run-time');
  const a4 = g.optional('HomeAgentV4Address', `the IPv4 address of "${homeIf}" at start`, 'run-time');
  const address = a?.value.kind === 'text' ? unicast6(a, a.value.value, 'the home agent address') : undefined;
  const what4 = 'the home agent IPv4 address';
  const ipv4 = a4?.value.kind === 'text' ? unicast4(a4, a4.value.value, what4) : undefined;
  return { address, ipv4Address: ipv4 };
}

/** Settings that only matter with DSMIPv6 enabled: warn when they would have no effect. */
function checkDsmipOff(g: Effective, e: HomeAgentSettings['engine']): void {
  if (e.acceptDsmip6) return;
  for (const k of ['HaAcceptIPv4Traffic', 'HaIPv4HomeAddressPool', 'HaIPv4PrefixPool', 'HaBehindNat']) {
    const first = g.entries(k)[0];
    if (first) g.warn(first.pos, `${k} has no effect while HaAcceptDsmip6 is ${boolText(false)}`);
  }
}

export function buildHomeAgent(
  g: Effective, interfaces: readonly InterfaceConfig[], at: Pos,
): HomeAgentSettings {
  const homeIf = homeInterface(g, interfaces, at);
  const addrs = addresses(g, homeIf);
  const prefixes = homePrefixes(g, homeIf);
  const subnet = g.optional('HaIPv4HomeSubnet', `the IPv4 subnet of "${homeIf}" at start`, 'run-time');
  const eng = engine(g);
  checkDsmipOff(g, eng);
  const ipv4HomeSubnet = subnet ? canonicalPrefixOf(subnet, prefixValue(subnet).value, g.warn) : undefined;
  const keepBindings = g.bool('HaKeepBindings', true);
  const heapTrim = g.bool('HaHeapTrim', true);
  const sendThread = g.bool('HaSendThread', true);
  return {
    homeInterface: homeIf, ...addrs, homePrefixes: prefixes, ipv4HomeSubnet, engine: eng, keepBindings,
    heapTrim, sendThread,
  };
}
