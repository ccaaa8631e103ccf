/**
 * The shape of a keyword table entry (see keywords.ts for the table and what `support` means).
 */

export type Scope = 'global' | 'interface' | 'homelink' | 'ipsec';

export type Grammar =
  | 'bool' | 'number' | 'decimal' | 'string' | 'addr6' | 'addr4' | 'prefix6' | 'prefix4' | 'words' | 'octal'
  /** ADDR '/' PLEN [ '(' ADDR/PLEN, ... ')' ] */
  | 'home-address'
  /** ADDR4 '/' PLEN4 [ '(' ADDR4/PLEN4, ... ')' ] */
  | 'home-v4-address'
  /** BOOL | NUMBER (a Binding Acknowledgement status) */
  | 'acl-action'
  /** 'internal' | QSTRING */
  | 'movement'
  /** [ADDR] BOOL */
  | 'ro-policy'
  /** ADDR '/' PLEN [NUMBER] */
  | 'prefix6-lifetime'
  /** ADDR4 '/' PLEN4 NUMBER */
  | 'prefix4-length'
  /** ADDR4 [ '(' ADDR4/PLEN4, ... ')' ] [ADDR] */
  | 'ipv4-traffic'
  /** ADDR [ '(' ADDR/PLEN, ... ')' ] (BOOL | NUMBER) */
  | 'binding-acl'
  | 'interface-block' | 'homelink-block' | 'ipsec-block' | 'cn-policy-block' | 'ipsec-policy';

export type Support = 'yes' | 'ignored' | 'reserved';
export type Origin = 'UMIP' | 'UMIP-DSMIP' | 'dsmip6';
export type KeywordRole = 'HA' | 'MN' | 'any';

export interface KeywordSpec {
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly grammar: Grammar;
  readonly role: KeywordRole;
  readonly origin: Origin;
  readonly support: Support;
  /** May appear several times, each adding an entry (otherwise the last one wins, with a warning). */
  readonly repeat?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** For `words`: the accepted words. */
  readonly words?: readonly string[];
  /** For `ignored`: why dsmip6 does not implement it. */
  readonly note?: string;
}

type Extra = Partial<Pick<KeywordSpec, 'repeat' | 'min' | 'max' | 'words' | 'note'>>;

/** Builds one table entry. */
export function kw(
  name: string, scopes: Scope | readonly Scope[], grammar: Grammar, role: KeywordRole,
  origin: Origin, support: Support, extra: Extra = {},
): KeywordSpec {
  const list = typeof scopes === 'string' ? [scopes] : scopes;
  return { name, scopes: list, grammar, role, origin, support, ...extra };
}

export const MAX_BINDING_LIFE = 262_140;
