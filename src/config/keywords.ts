/**
 * The keyword table: every word the mip6d.conf language knows (UMIP 1.0, UMIP-DSMIP and the
 * dsmip6 additions), where it may appear, what follows it, which node role it concerns and
 * whether dsmip6 implements it. docs/mip6d.conf.md documents each entry; a test checks that.
 *
 * support:
 * - `yes`: implemented;
 * - `ignored`: accepted by the grammar but not implemented; each use is reported by name in the
 *   warnings (never silently ignored);
 * - `reserved`: UMIP's lexer knows the word but no grammar rule uses it: a syntax error.
 */
import { kw, MAX_BINDING_LIFE, type KeywordSpec, type Scope } from './keyword-spec.js';
import { DSMIP6_KEYWORDS } from './keywords-dsmip.js';

export type { KeywordSpec, Scope } from './keyword-spec.js';

const NO_IPSEC = 'dsmip6 has no kernel IPsec (XFRM); protect the path by other means';
const NO_RO = 'dsmip6 does no route optimization (no correspondent node support)';
const NO_MPD = 'dsmip6 does no Mobile Prefix Discovery';
const NO_MD = "dsmip6's movement detection has no such tuning";
const G = 'global';

const UMIP_KEYWORDS: readonly KeywordSpec[] = [
  kw('NodeConfig', G, 'words', 'any', 'UMIP', 'yes', { words: ['HA', 'MN', 'CN'] }),
  kw('DebugLevel', G, 'number', 'any', 'UMIP', 'yes'),
  kw('DebugLogFile', G, 'string', 'any', 'UMIP', 'yes'),
  kw('DoRouteOptimizationCN', G, 'bool', 'any', 'UMIP', 'ignored', { note: NO_RO }),
  kw('DoRouteOptimizationMN', G, 'bool', 'MN', 'UMIP', 'ignored', { note: NO_RO }),
  kw('CnBindingPolicySet', G, 'cn-policy-block', 'any', 'UMIP', 'ignored', { note: NO_RO }),
  kw('NonVolatileBindingCache', G, 'bool', 'HA', 'UMIP', 'ignored', { note: 'UMIP ignores it too' }),
  kw('Interface', G, 'interface-block', 'any', 'UMIP', 'yes', { repeat: true }),
  kw('IfType', 'interface', 'words', 'any', 'UMIP', 'yes', { words: ['HA', 'MN', 'CN'] }),
  kw('MnIfPreference', 'interface', 'number', 'MN', 'UMIP', 'yes', { min: 0, max: 10 }),
  kw('Tunnel', 'interface', 'bool', 'MN', 'UMIP', 'ignored',
    { note: 'externally managed tunnel interfaces are not supported' }),
  kw('UseMnHaIPsec', G, 'bool', 'any', 'UMIP', 'ignored', { note: NO_IPSEC }),
  kw('KeyMngMobCapability', G, 'bool', 'any', 'UMIP', 'ignored', { note: NO_IPSEC }),
  kw('IPsecPolicySet', G, 'ipsec-block', 'any', 'UMIP', 'ignored', { repeat: true, note: NO_IPSEC }),
  kw('IPsecPolicy', 'ipsec', 'ipsec-policy', 'any', 'UMIP', 'ignored', { repeat: true, note: NO_IPSEC }),
  kw('TunnelPayloadForceSANego', G, 'bool', 'any', 'UMIP', 'ignored', { note: NO_IPSEC }),
  kw('HaMaxBindingLife', G, 'number', 'HA', 'UMIP', 'yes', { min: 0, max: MAX_BINDING_LIFE }),
  kw('SendMobPfxAdvs', G, 'bool', 'HA', 'UMIP', 'ignored', { note: NO_MPD }),
  kw('SendUnsolMobPfxAdvs', G, 'bool', 'HA', 'UMIP', 'ignored', { note: NO_MPD }),
  kw('MinMobPfxAdvInterval', G, 'number', 'HA', 'UMIP', 'ignored', { note: NO_MPD }),
  kw('MaxMobPfxAdvInterval', G, 'number', 'HA', 'UMIP', 'ignored', { note: NO_MPD }),
  kw('HaAcceptMobRtr', G, 'bool', 'HA', 'UMIP', 'yes'),
  kw('HaServedPrefix', G, 'prefix6', 'HA', 'UMIP', 'yes', { repeat: true }),
  kw('BindingAclPolicy', G, 'binding-acl', 'HA', 'UMIP', 'yes', { repeat: true }),
  kw('DefaultBindingAclPolicy', G, 'acl-action', 'HA', 'UMIP', 'yes'),
  kw('MnMaxHaBindingLife', G, 'number', 'MN', 'UMIP', 'yes', { min: 0, max: MAX_BINDING_LIFE }),
  kw('MnMaxCnBindingLife', G, 'number', 'MN', 'UMIP', 'ignored', { min: 0, max: 420, note: NO_RO }),
  kw('MnDiscardHaParamProb', G, 'bool', 'MN', 'UMIP', 'ignored',
    { note: 'the mobile node does not act on ICMP Parameter Problems from the home agent' }),
  kw('MnResetDhaadAtHome', G, 'bool', 'MN', 'UMIP', 'ignored', { note: 'dsmip6 does no DHAAD' }),
  kw('MnFlushAllAtHome', G, 'bool', 'MN', 'UMIP', 'ignored', { note: NO_RO }),
  kw('MnMaxHaConsecutiveResends', G, 'number', 'MN', 'UMIP', 'ignored',
    { note: 'the mobile node retransmits to its home agent until it answers' }),
  kw('MnMaxCnConsecutiveResends', G, 'number', 'MN', 'UMIP', 'ignored', { note: NO_RO }),
  kw('SendMobPfxSols', G, 'bool', 'MN', 'UMIP', 'ignored', { note: NO_MPD }),
  kw('MnUseAllInterfaces', G, 'bool', 'MN', 'UMIP', 'ignored',
    { note: 'list the interfaces to use with Interface statements' }),
  kw('MobRtrUseExplicitMode', G, 'bool', 'MN', 'UMIP', 'yes'),
  kw('UseCnBuAck', G, 'bool', 'MN', 'UMIP', 'ignored', { note: NO_RO }),
  kw('InterfaceInitialInitDelay', G, 'decimal', 'MN', 'UMIP', 'ignored', { note: NO_MD }),
  kw('MnRouterProbes', G, 'number', 'MN', 'UMIP', 'ignored', { note: NO_MD }),
  kw('MnRouterProbeTimeout', G, 'decimal', 'MN', 'UMIP', 'ignored', { note: NO_MD }),
  kw('InitialBindackTimeoutFirstReg', G, 'decimal', 'MN', 'UMIP', 'yes'),
  kw('InitialBindackTimeoutReReg', G, 'decimal', 'MN', 'UMIP', 'yes'),
  kw('InitialSolicitTimer', G, 'decimal', 'MN', 'UMIP', 'ignored', { note: NO_MPD }),
  kw('OptimisticHandoff', G, 'bool', 'MN', 'UMIP', 'ignored', { note: NO_MD }),
  kw('NoHomeReturn', G, 'bool', 'MN', 'UMIP', 'ignored',
    { note: 'the mobile node always deregisters when it is back on its home link' }),
  kw('MnHomeLink', G, 'homelink-block', 'MN', 'UMIP', 'yes', { repeat: true }),
  kw('HomeAgentAddress', [G, 'homelink', 'ipsec'], 'addr6', 'any', 'UMIP', 'yes'),
  kw('HomeAddress', ['homelink', 'ipsec'], 'home-address', 'MN', 'UMIP', 'yes'),
  kw('IsMobRtr', 'homelink', 'bool', 'MN', 'UMIP', 'yes'),
  kw('MnRoPolicy', 'homelink', 'ro-policy', 'MN', 'UMIP', 'ignored', { repeat: true, note: NO_RO }),
  kw('UseAltCoa', 'homelink', 'bool', 'MN', 'UMIP', 'ignored',
    { note: 'Binding Updates carry the care-of address as their source' }),
  kw('HomePrefix', 'homelink', 'prefix6', 'MN', 'UMIP', 'ignored',
    { note: 'the home prefix is derived from HomeAddress' }),
  kw('UseMovementModule', G, 'movement', 'MN', 'UMIP', 'yes'),
  kw('UsePolicyModule', G, 'string', 'any', 'UMIP', 'ignored', { note: 'no policy modules are loaded' }),
  kw('LinkName', G, 'string', 'any', 'UMIP', 'reserved'),
  kw('IfName', G, 'string', 'any', 'UMIP', 'reserved'),
  kw('IPsecType', G, 'string', 'any', 'UMIP', 'reserved'),
  kw('DoRouteOptimization', G, 'bool', 'any', 'UMIP', 'reserved'),
];

export const KEYWORDS: readonly KeywordSpec[] = [...UMIP_KEYWORDS, ...DSMIP6_KEYWORDS];

const BY_NAME = new Map(KEYWORDS.map((k) => [k.name, k]));
const BY_LOWER = new Map(KEYWORDS.map((k) => [k.name.toLowerCase(), k.name]));

export function keyword(name: string): KeywordSpec | undefined {
  return BY_NAME.get(name);
}

/** The keyword that differs from `name` only in case (keywords are case-sensitive). */
export function caseMatch(name: string): string | undefined {
  return BY_LOWER.get(name.toLowerCase());
}

export const BOOL_WORDS: ReadonlyMap<string, boolean> = new Map([
  ['enabled', true], ['allow', true], ['true', true],
  ['disabled', false], ['deny', false], ['block', false], ['false', false],
]);

export const SCOPE_NAMES: Readonly<Record<Scope, string>> = {
  global: 'at top level', interface: 'in an Interface block', homelink: 'in an MnHomeLink block',
  ipsec: 'in an IPsecPolicySet block',
};
