/**
 * Keywords beyond UMIP 1.0: UMIP-DSMIP's (`shtrom/umip`, branch dsmip-nattraversal) and the ones
 * dsmip6 adds in the same style. Defaults and meanings are in docs/mip6d.conf.md.
 */
import { ROUTER_LOST_INTERVALS_MAX, ROUTER_LOST_INTERVALS_MIN } from '../engine/mn/routers.js';
import { kw, MAX_BINDING_LIFE, type KeywordSpec } from './keyword-spec.js';

const G = 'global';
const U32_MAX = 0xffff_ffff;

export const UMIP_DSMIP_KEYWORDS: readonly KeywordSpec[] = [
  kw('HaAcceptDsmip6', [G, 'ipsec'], 'bool', 'HA', 'UMIP-DSMIP', 'yes'),
  kw('MnUseDsmip6', G, 'bool', 'MN', 'UMIP-DSMIP', 'yes'),
  kw('HomeAgentV4Address', [G, 'homelink', 'ipsec'], 'addr4', 'any', 'UMIP-DSMIP', 'yes'),
  kw('MnSupportIPv4Traffic', G, 'bool', 'MN', 'UMIP-DSMIP', 'yes'),
  kw('HaAcceptIPv4Traffic', G, 'ipv4-traffic', 'HA', 'UMIP-DSMIP', 'yes', { repeat: true }),
  kw('UseDhcp', 'interface', 'bool', 'MN', 'UMIP-DSMIP', 'yes'),
  kw('HomeAgentName', ['homelink', 'ipsec'], 'string', 'MN', 'UMIP-DSMIP', 'ignored',
    { note: 'names are recorded but not resolved; give HomeAgentAddress and HomeAgentV4Address' }),
  kw('HomeV4Address', 'homelink', 'home-v4-address', 'MN', 'UMIP-DSMIP', 'yes'),
  kw('HomeV4Prefix', 'homelink', 'prefix4', 'MN', 'UMIP-DSMIP', 'ignored',
    { note: 'recorded only; the IPv4 home subnet length is the one of HomeV4Address' }),
];

export const DSMIP6_ONLY_KEYWORDS: readonly KeywordSpec[] = [
  kw('NatKeepaliveInterval', G, 'number', 'HA', 'dsmip6', 'yes', { min: 1, max: U32_MAX - 1 }),
  kw('HaIPv4HomeAddressPool', G, 'prefix4', 'HA', 'dsmip6', 'yes'),
  kw('HaIPv4PrefixPool', G, 'prefix4-length', 'HA', 'dsmip6', 'yes'),
  kw('HaBehindNat', G, 'bool', 'HA', 'dsmip6', 'yes'),
  kw('HaHonourForceUdp', G, 'bool', 'HA', 'dsmip6', 'yes'),
  kw('MnForceUdp', G, 'bool', 'MN', 'dsmip6', 'yes'),
  kw('DsmipUdpPort', G, 'number', 'any', 'dsmip6', 'yes', { min: 1, max: 65_535 }),
  kw('ControlSocket', G, 'string', 'any', 'dsmip6', 'yes'),
  kw('ControlSocketMode', G, 'octal', 'any', 'dsmip6', 'yes', { min: 0, max: 0o777 }),
  kw('LogFormat', G, 'words', 'any', 'dsmip6', 'yes', { words: ['text', 'json'] }),
  kw('LogLevel', G, 'words', 'any', 'dsmip6', 'yes', { words: ['error', 'warn', 'info', 'debug'] }),
  kw('StateDirectory', G, 'string', 'any', 'dsmip6', 'yes'),
  kw('HaBindingsMax', G, 'number', 'HA', 'dsmip6', 'yes', { min: 1, max: 10_000_000 }),
  kw('HaKeepBindings', G, 'bool', 'HA', 'dsmip6', 'yes'),
  kw('HaHeapTrim', G, 'bool', 'HA', 'dsmip6', 'yes'),
  kw('HaSendThread', G, 'bool', 'HA', 'dsmip6', 'yes'),
  kw('HaRefreshAdvice', G, 'number', 'HA', 'dsmip6', 'yes', { min: 4, max: MAX_BINDING_LIFE }),
  kw('HaRefreshRequestLead', G, 'number', 'HA', 'dsmip6', 'yes', { min: 1, max: MAX_BINDING_LIFE }),
  kw('MnUdpSourcePort', G, 'number', 'MN', 'dsmip6', 'yes', { min: 1, max: 65_535 }),
  kw('MnUseRouterAdvertisements', G, 'bool', 'MN', 'dsmip6', 'yes'),
  kw('MnRouterLostIntervals', G, 'number', 'MN', 'dsmip6', 'yes',
    { min: ROUTER_LOST_INTERVALS_MIN, max: ROUTER_LOST_INTERVALS_MAX }),
  kw('TunnelMtu', G, 'number', 'any', 'dsmip6', 'yes', { min: 1280, max: 65_535 }),
  kw('HaHomeInterface', G, 'string', 'HA', 'dsmip6', 'yes'),
  kw('HaHomePrefix', G, 'prefix6-lifetime', 'HA', 'dsmip6', 'yes', { repeat: true }),
  kw('HaIPv4HomeSubnet', G, 'prefix4', 'HA', 'dsmip6', 'yes'),
  kw('HaDad', G, 'bool', 'HA', 'dsmip6', 'yes'),
  kw('HaDadTimeout', G, 'decimal', 'HA', 'dsmip6', 'yes'),
  kw('MnIPv4PrefixRequest', 'homelink', 'number', 'MN', 'dsmip6', 'yes', { min: 1, max: 32 }),
];

export const DSMIP6_KEYWORDS: readonly KeywordSpec[] = [...UMIP_DSMIP_KEYWORDS, ...DSMIP6_ONLY_KEYWORDS];
