/**
 * The mobile node / mobile router part of the configuration: one MnHomeLink block (one home
 * address), the MN keywords of UMIP, UMIP-DSMIP and dsmip6, checked into a MobileNodeConfig the
 * engine accepts.
 */
import { normalizeMnConfig } from '../engine/mn/config.js';
import { LOST_AFTER_INTERVALS } from '../engine/mn/routers.js';
import type { MobileNodeConfig } from '../engine/mn/types.js';
import {
  INITIAL_BINDACK_TIMEOUT_FIRST_REG_MS, INITIAL_BINDACK_TIMEOUT_MS, MAX_BINDACK_TIMEOUT_MS,
  MAX_BINDING_LIFETIME_SECONDS,
} from '../proto/constants.js';
import { DSMIPV6_UDP_PORT } from '../wire/ip-protocols.js';
import { stop, type Pos } from './diagnostics.js';
import { canonicalPrefixOf, unicast4, unicast6 } from './checks.js';
import type { Effective } from './effective.js';
import type { Entry, ParsedBlock, PrefixVal } from './model.js';
import type { InterfaceConfig, MobileNodeSettings } from './types.js';

const FIRST_REG_MS = INITIAL_BINDACK_TIMEOUT_FIRST_REG_MS;
const NO_DHAAD = 'dynamic home agent discovery is not implemented';

function homeLink(links: readonly ParsedBlock[], at: Pos): ParsedBlock {
  if (links.length === 0) {
    stop(at, 'expected an MnHomeLink block with a HomeAddress for NodeConfig MN, found none');
  }
  if (links.length > 1) {
    stop(links[1].pos, `expected one MnHomeLink block (dsmip6 serves one home address), found a second one`);
  }
  return links[0];
}

function homeAddress(h: Effective, link: ParsedBlock): { e: Entry; hoa: PrefixVal } {
  const e = h.entry('HomeAddress');
  if (!e || e.value.kind !== 'prefix') {
    return stop(link.pos, `expected a HomeAddress statement in MnHomeLink "${link.name}", found none`);
  }
  h.record('HomeAddress', e.text, 'file', e.pos);
  const hoa = e.value.value;
  if (hoa.length < 1) {
    stop(e.pos, `expected a home prefix length in 1..128, found ${hoa.address}/${hoa.length}`);
  }
  unicast6(e, hoa.address, 'a home address');
  return { e, hoa };
}

/** The home agent address: MnHomeLink's, or the global one (a dsmip6 fallback). */
function homeAgentAddress(h: Effective, g: Effective, link: ParsedBlock): string {
  const e = h.entry('HomeAgentAddress') ?? g.entry('HomeAgentAddress');
  const name = h.entry('HomeAgentName');
  if (!e || e.value.kind !== 'text' || e.value.value === '::') {
    const why = name ? `HomeAgentName ${name.text} is not resolved` : NO_DHAAD;
    return stop(e?.pos ?? link.pos,
      `expected a HomeAgentAddress in MnHomeLink "${link.name}" (${why}), found ${e ? e.text : 'none'}`);
  }
  if (name) {
    h.warn(name.pos, `HomeAgentName ${name.text} is recorded only; HomeAgentAddress ${e.text} is used`);
  }
  h.record('HomeAgentAddress', e.text, 'file', e.pos);
  return unicast6(e, e.value.value, 'the home agent address');
}

function homeAgentIpv4(h: Effective, g: Effective, useDsmip6: boolean): string | undefined {
  const e = h.entry('HomeAgentV4Address') ?? g.entry('HomeAgentV4Address');
  if (!e || e.value.kind !== 'text') {
    h.record('HomeAgentV4Address', 'none', 'default');
    if (useDsmip6) h.warn(g.entry('MnUseDsmip6')!.pos, 'MnUseDsmip6 without HomeAgentV4Address: IPv4 care-of '
      + 'addresses cannot be registered');
    return undefined;
  }
  h.record('HomeAgentV4Address', e.text, 'file', e.pos);
  if (e.value.value === '0.0.0.0') {
    return stop(e.pos, `expected the home agent IPv4 address (${NO_DHAAD}), found 0.0.0.0`);
  }
  return unicast4(e, e.value.value, 'the home agent IPv4 address');
}

interface Ipv4Home {
  readonly address?: string;
  readonly prefixLength?: number;
  readonly prefixes: readonly string[];
}

function ipv4Home(h: Effective, g: Effective, useDsmip6: boolean): Ipv4Home {
  const support = g.bool('MnSupportIPv4Traffic', false);
  const e = h.optional('HomeV4Address', support ? '0.0.0.0 (assigned by the home agent)' : 'none');
  if (!e || e.value.kind !== 'prefix') return { address: support ? '0.0.0.0' : undefined, prefixes: [] };
  const v = e.value;
  if (v.value.address !== '0.0.0.0') unicast4(e, v.value.address, 'an IPv4 home address');
  const prefixes = v.list.map((p) => canonicalPrefixOf(e, p, h.warn));
  if (!support) {
    h.warn(e.pos, 'HomeV4Address is not registered while MnSupportIPv4Traffic is disabled');
    return { prefixLength: v.value.length, prefixes };
  }
  if (!useDsmip6) h.warn(e.pos, 'HomeV4Address needs MnUseDsmip6 enabled to be registered');
  return { address: v.value.address, prefixLength: v.value.length, prefixes };
}

function prefixRequest(h: Effective, router: boolean, v4: Ipv4Home): number | undefined {
  const e = h.entry('MnIPv4PrefixRequest');
  const fromList = router && v4.address !== undefined && v4.prefixes.length > 0
    ? Number(v4.prefixes[0].split('/')[1]) : undefined;
  if (e?.value.kind === 'number') {
    h.record('MnIPv4PrefixRequest', e.text, 'file', e.pos);
    if (!router) h.warn(e.pos, 'MnIPv4PrefixRequest is only used by a mobile router (IsMobRtr enabled)');
    return router ? e.value.value : undefined;
  }
  if (fromList === undefined) h.record('MnIPv4PrefixRequest', 'none', 'default');
  else h.record('MnIPv4PrefixRequest', String(fromList), 'default', undefined, 'HomeV4Address prefix length');
  return fromList;
}

function seconds(g: Effective, keyword: string, dfltMs: number): number {
  const s = g.decimal(keyword, dfltMs / 1000);
  const e = g.entry(keyword);
  if (e && (s <= 0 || s * 1000 > MAX_BINDACK_TIMEOUT_MS)) {
    stop(e.pos, `expected ${keyword} in (0, ${MAX_BINDACK_TIMEOUT_MS / 1000}] seconds, found ${e.text}`);
  }
  return Math.round(s * 1000);
}

function lifetime(g: Effective): number {
  const v = g.number('MnMaxHaBindingLife', MAX_BINDING_LIFETIME_SECONDS);
  const e = g.entry('MnMaxHaBindingLife');
  if (e && v < 4) stop(e.pos, `expected MnMaxHaBindingLife of at least 4 seconds, found ${e.text}`);
  return v;
}

function mobileNetworkPrefixes(g: Effective, hoa: Entry, router: boolean): string[] {
  const v = hoa.value;
  const list = v.kind === 'prefix' ? v.list.map((p) => canonicalPrefixOf(hoa, p, g.warn)) : [];
  if (list.length > 0 && !router) g.warn(hoa.pos, 'mobile network prefixes need IsMobRtr enabled; ignored');
  return router ? list : [];
}

/** MnUseRouterAdvertisements and MnRouterLostIntervals (RA-based movement detection). */
type RaSettings = Pick<MobileNodeConfig, 'useRouterAdvertisements' | 'routerLostIntervals'>;

function routerAdvertisements(g: Effective): RaSettings {
  const use = g.bool('MnUseRouterAdvertisements', true);
  const intervals = g.number('MnRouterLostIntervals', LOST_AFTER_INTERVALS);
  const e = g.entry('MnRouterLostIntervals');
  if (e && !use) g.warn(e.pos, 'MnRouterLostIntervals has no effect with MnUseRouterAdvertisements disabled');
  return { useRouterAdvertisements: use, routerLostIntervals: intervals };
}

function engineConfig(
  g: Effective, h: Effective, link: ParsedBlock, interfaces: readonly InterfaceConfig[],
): { engine: MobileNodeConfig; v4: Ipv4Home } {
  const { e: hoaEntry, hoa } = homeAddress(h, link);
  const mobileRouter = h.bool('IsMobRtr', false);
  const mnps = mobileNetworkPrefixes(g, hoaEntry, mobileRouter);
  const useDsmip6 = g.bool('MnUseDsmip6', false);
  const v4 = ipv4Home(h, g, useDsmip6);
  const engine: MobileNodeConfig = {
    homeAddress: hoa.address, homePrefixLength: hoa.length,
    homeAgentAddress: homeAgentAddress(h, g, link),
    homeAgentIpv4Address: homeAgentIpv4(h, g, useDsmip6),
    homeAgentUdpPort: g.number('DsmipUdpPort', DSMIPV6_UDP_PORT),
    useDsmip6, forceUdp: g.bool('MnForceUdp', false), mobileRouter,
    explicitMode: g.bool('MobRtrUseExplicitMode', true),
    mobileNetworkPrefixes: mnps,
    ipv4HomeAddress: v4.address,
    ipv4PrefixRequestLength: prefixRequest(h, mobileRouter, v4),
    maxBindingLifetimeSeconds: lifetime(g),
    initialBindackTimeoutFirstRegMs: seconds(g, 'InitialBindackTimeoutFirstReg', FIRST_REG_MS),
    initialBindackTimeoutReRegMs: seconds(g, 'InitialBindackTimeoutReReg', INITIAL_BINDACK_TIMEOUT_MS),
    interfaces: interfaces.map((i) => ({ name: i.name, preference: i.preference })),
    udpSourcePort: g.number('MnUdpSourcePort', DSMIPV6_UDP_PORT),
    ...routerAdvertisements(g),
  };
  return { engine, v4 };
}

export function buildMobileNode(
  g: Effective, links: readonly ParsedBlock[], interfaces: readonly InterfaceConfig[], at: Pos,
): { settings: MobileNodeSettings; mobileRouter: boolean } {
  if (interfaces.length === 0) {
    stop(at, 'expected at least one Interface statement for NodeConfig MN, found none');
  }
  const link = homeLink(links, at);
  const h = g.child(link.settings, `MnHomeLink "${link.name}"`);
  const { engine, v4 } = engineConfig(g, h, link, interfaces);
  finalChecks(g, link, engine, interfaces);
  const name = h.entry('HomeAgentName');
  const settings: MobileNodeSettings = {
    homeLink: link.name ?? '', engine, ipv4HomePrefixLength: v4.prefixLength,
    ipv4MobileNetworkPrefixes: v4.prefixes,
    homeAgentName: name?.value.kind === 'text' ? name.value.value : undefined,
  };
  return { settings, mobileRouter: engine.mobileRouter };
}

function finalChecks(
  g: Effective, link: ParsedBlock, engine: MobileNodeConfig, ifs: readonly InterfaceConfig[],
): void {
  if (!ifs.some((i) => i.name === link.name)) {
    const what = `MnHomeLink "${link.name}" is not a declared Interface`;
    g.warn(link.pos, `${what}: the node cannot detect it is at home`);
  }
  if (ifs.every((i) => i.preference === 0)) {
    g.warn(ifs[0].pos, 'every Interface has MnIfPreference 0: none is used');
  }
  try {
    normalizeMnConfig(engine);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    stop(link.pos, `expected a valid mobile node configuration, found ${why}`);
  }
}
