/**
 * What the parser produces: the statements of the file(s) as typed values with their file and
 * line, before any semantic check. `build.ts` turns this into a Dsmip6Config.
 */
import type { AclAction } from '../engine/ha/types.js';
import type { Pos } from './diagnostics.js';

/** `ADDR/PLEN` or `ADDR4/PLEN4` as written (host bits kept: a home address has them). */
export interface PrefixVal {
  readonly family: 4 | 6;
  /** Canonical address text. */
  readonly address: string;
  readonly length: number;
}

export type Value =
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'text'; readonly value: string }
  /** A prefix with an optional prefix list and an optional trailing number. */
  | {
    readonly kind: 'prefix'; readonly value: PrefixVal; readonly list: readonly PrefixVal[];
    readonly extra?: number;
  }
  /** HaAcceptIPv4Traffic: an IPv4 home address, its IPv4 prefixes, optionally the mobile node. */
  | {
    readonly kind: 'ipv4-traffic'; readonly value: string; readonly list: readonly PrefixVal[];
    readonly homeAddress?: string;
  }
  /** DefaultBindingAclPolicy (no address) and BindingAclPolicy. */
  | {
    readonly kind: 'acl'; readonly value: AclAction; readonly address?: string;
    readonly list: readonly PrefixVal[];
  }
  /** MnRoPolicy [ADDR] BOOL. */
  | { readonly kind: 'ro'; readonly value: boolean; readonly address?: string }
  /** A block or a statement whose content is kept elsewhere. */
  | { readonly kind: 'none' };

export interface Entry {
  readonly keyword: string;
  readonly value: Value;
  /** The value as configuration text (tokens re-joined), for the effective-configuration view. */
  readonly text: string;
  readonly pos: Pos;
}

/** Entries by keyword, in file order. */
export type Settings = Map<string, Entry[]>;

export interface ParsedBlock {
  readonly keyword: string;
  /** The quoted name (the interface), when the block has one. */
  readonly name?: string;
  readonly pos: Pos;
  readonly settings: Settings;
}

export interface IpsecPolicyLine {
  readonly type: string;
  readonly protocols: readonly string[];
  readonly reqids: readonly number[];
  readonly action?: boolean;
  readonly pos: Pos;
}

export interface ParsedIpsecSet extends ParsedBlock {
  readonly policies: readonly IpsecPolicyLine[];
}

export interface CnPolicyLine {
  readonly peer: string;
  readonly local?: string;
  readonly allow: boolean;
  readonly pos: Pos;
}

export interface ParsedConfig {
  readonly mainFile: string;
  /** Every file read (the main file first, then included files in the order read). */
  readonly files: readonly string[];
  readonly settings: Settings;
  readonly interfaces: readonly ParsedBlock[];
  readonly homeLinks: readonly ParsedBlock[];
  readonly ipsecSets: readonly ParsedIpsecSet[];
  readonly cnPolicies: readonly CnPolicyLine[];
}

/** The last entry of a keyword (the one that wins), if any. */
export function last(settings: Settings, keyword: string): Entry | undefined {
  const list = settings.get(keyword);
  return list === undefined ? undefined : list[list.length - 1];
}

export function all(settings: Settings, keyword: string): readonly Entry[] {
  return settings.get(keyword) ?? [];
}
