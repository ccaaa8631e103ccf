/**
 * The engines' configurations from a Dsmip6Config. A home agent's file may leave its addresses
 * and home prefixes to run time (UMIP learns the home prefix from the home interface too); the
 * daemon reads the home interface's addresses and passes them here as facts.
 */
import type { HomeAgentConfig } from '../engine/ha/types.js';
import type { MobileNodeConfig } from '../engine/mn/types.js';
import { formatPrefix, isRoutableUnicast6, isUnicast4, parsePrefix } from '../proto/prefix.js';
import type { Dsmip6Config, HomeInterfaceFacts, HomePrefixes } from './types.js';

export type FactsResult<T> =
  | { readonly ok: true; readonly value: T; readonly learned: readonly string[] }
  | { readonly ok: false; readonly reason: string };

function onLinkPrefixes(facts: HomeInterfaceFacts): HomePrefixes {
  const seen = new Set<string>();
  for (const a of facts.ipv6) {
    if (!isRoutableUnicast6(a.address) || a.prefixLength < 1 || a.prefixLength > 127) continue;
    const p = parsePrefix(`${a.address}/${a.prefixLength}`);
    if (p) seen.add(formatPrefix(p));
  }
  return [...seen].map((prefix) => ({ prefix }));
}

function ipv4Subnet(facts: HomeInterfaceFacts): string | undefined {
  const a = facts.ipv4.find((x) => isUnicast4(x.address) && x.prefixLength >= 1 && x.prefixLength < 32);
  const p = a ? parsePrefix(`${a.address}/${a.prefixLength}`) : undefined;
  return p ? formatPrefix(p) : undefined;
}

const fail = (reason: string): FactsResult<never> => ({ ok: false, reason });

/**
 * The home agent engine configuration: the file's settings, completed from the home interface's
 * addresses for what the file leaves out. Fails (with the reason) when a needed fact is missing.
 * `learned` lists the values taken from the facts, as configuration text, for the log.
 */
export function homeAgentConfig(cfg: Dsmip6Config, facts: HomeInterfaceFacts): FactsResult<HomeAgentConfig> {
  const ha = cfg.ha;
  if (!ha) return fail(`the configuration is for NodeConfig ${cfg.role}, not HA`);
  const ifname = `"${ha.homeInterface}"`;
  const learned: string[] = [];
  const learn = <T>(set: T | undefined, got: T | undefined, text: string): T | undefined => {
    if (set === undefined && got !== undefined) learned.push(text);
    return set ?? got;
  };
  const a6 = facts.ipv6.find((a) => isRoutableUnicast6(a.address))?.address;
  const address = learn(ha.address, a6, `HomeAgentAddress ${a6} (from ${ifname})`);
  if (address === undefined) {
    return fail(`${ifname} has no global IPv6 address: configure one or set HomeAgentAddress`);
  }
  const onLink = onLinkPrefixes(facts);
  const onLinkText = `HaHomePrefix ${onLink.map((p) => p.prefix).join(', ')}`;
  const homePrefixes = learn(ha.homePrefixes, onLink, onLinkText) ?? [];
  if (homePrefixes.length === 0) {
    return fail(`${ifname} has no on-link IPv6 prefix: configure an address or set HaHomePrefix`);
  }
  const dsmip = ha.engine.acceptDsmip6;
  const a4 = dsmip ? facts.ipv4.find((a) => isUnicast4(a.address))?.address : undefined;
  const ipv4Address = learn(ha.ipv4Address, a4, `HomeAgentV4Address ${a4}`);
  if (dsmip && ipv4Address === undefined) {
    return fail(`HaAcceptDsmip6 is enabled but ${ifname} has no IPv4 address: set HomeAgentV4Address`);
  }
  const subnet = dsmip ? ipv4Subnet(facts) : undefined;
  const ipv4HomeSubnet = learn(ha.ipv4HomeSubnet, subnet, `HaIPv4HomeSubnet ${subnet}`);
  const value: HomeAgentConfig = { ...ha.engine, address, homePrefixes, ipv4Address, ipv4HomeSubnet };
  return { ok: true, value, learned };
}

/** The mobile node engine configuration (a mobile node's file gives everything it needs). */
export function mobileNodeConfig(cfg: Dsmip6Config): MobileNodeConfig | undefined {
  return cfg.mn?.engine;
}
