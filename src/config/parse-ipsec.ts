/**
 * The two UMIP policy blocks dsmip6 parses but does not implement (each use is reported):
 *
 *   'IPsecPolicySet' '{' head+ ('HomeAddress' ADDR '/' PLEN ';')+ ipsecpol+ '}'
 *     head     := ('HomeAgentAddress' ADDR | 'HomeAgentV4Address' ADDR4 | 'HomeAgentName' QSTRING) ';'
 *     ipsecpol := 'IPsecPolicy' ptype proto{1,3} [NUMBER [NUMBER]] [BOOL] ';'
 *   'CnBindingPolicySet' '{' (ADDR [ADDR] BOOL ';')+ '}'
 *
 * UMIP takes one head statement; UMIP-DSMIP's example-dsmip-ha.conf writes several, and even
 * `HaAcceptDsmip6` inside the set, so dsmip6 accepts any number of them before the first
 * HomeAddress (HaAcceptDsmip6 there applies globally, with a warning).
 */
import type { Token } from './lexer.js';
import type { CnPolicyLine, IpsecPolicyLine, ParsedIpsecSet, Settings, Value } from './model.js';
import { addEntry, lookupKeyword, simpleStatement } from './statements.js';
import type { TokenReader } from './values.js';

const POLICY_TYPES = [
  'HomeRegBinding', 'Mh', 'MobPfxDisc', 'TunnelHomeTesting', 'TunnelMh', 'TunnelPayload', 'ICMP', 'any',
];
const PROTOCOLS = ['UseESP', 'UseAH', 'UseIPComp'];
const HEADS = new Set(['HomeAgentAddress', 'HomeAgentV4Address', 'HomeAgentName', 'HaAcceptDsmip6']);

function ipsecPolicy(r: TokenReader, t: Token): IpsecPolicyLine {
  const type = r.word(POLICY_TYPES, `an IPsec policy type (${POLICY_TYPES.join(', ')})`);
  const protocols = [r.word(PROTOCOLS, 'UseESP, UseAH or UseIPComp')];
  while (protocols.length < 3 && r.isWord(new Set(PROTOCOLS))) protocols.push(r.take().text);
  const reqids: number[] = [];
  while (reqids.length < 2 && r.peek().kind === 'number') reqids.push(r.number(0, 0xffff_ffff, 'a reqid'));
  const action = r.isWord() ? r.bool() : undefined;
  r.punct(';', `';' after IPsecPolicy ${type}`);
  return { type, protocols, reqids, action, pos: { file: t.file, line: t.line } };
}

const HEAD_OR_ADDRESS = 'HomeAgentAddress or HomeAddress';
const PHASE_WANTS = [
  'HomeAgentAddress, HomeAgentV4Address or HomeAgentName',
  'HomeAddress or IPsecPolicy',
  'IPsecPolicy or \'}\'',
];

export function parseIpsecSet(r: TokenReader, open: Token, global: Settings): ParsedIpsecSet {
  const set = {
    keyword: open.text, pos: { file: open.file, line: open.line }, settings: new Map() as Settings,
    policies: [] as IpsecPolicyLine[],
  };
  r.punct('{', `'{' after IPsecPolicySet`);
  let phase = 0;
  const headed = (): boolean => set.settings.size > 0;
  const want = (): string => (phase === 0 && headed() ? HEAD_OR_ADDRESS : PHASE_WANTS[phase]);
  for (;;) {
    const t = r.peek();
    if (t.kind === 'punct' && t.text === '}' && phase === 2) break;
    if (t.kind === 'eof') r.fail(`'}' closing IPsecPolicySet (opened at line ${open.line})`);
    if (t.kind !== 'word') r.fail(want());
    const name = t.text;
    const okHere = (HEADS.has(name) && phase === 0) || (name === 'HomeAddress' && phase < 2 && headed())
      || (name === 'IPsecPolicy' && phase >= 1);
    if (!okHere) {
      lookupKeyword(t, 'ipsec');
      r.fail(want());
    }
    r.take();
    if (name === 'IPsecPolicy') {
      phase = 2;
      set.policies.push(ipsecPolicy(r, t));
      continue;
    }
    if (name === 'HomeAddress') phase = 1;
    headOrAddress(r, t, set.settings, global);
  }
  r.take();
  return set;
}

function headOrAddress(r: TokenReader, t: Token, settings: Settings, global: Settings): void {
  const spec = lookupKeyword(t, 'ipsec');
  if (spec.name === 'HomeAddress') {
    r.record();
    const value: Value = { kind: 'prefix', value: r.prefix(6), list: [] };
    const text = r.recordedText();
    r.punct(';', `';' after HomeAddress ${text}`);
    const pos = { file: t.file, line: t.line };
    addEntry(r, settings, { ...spec, repeat: true }, { keyword: spec.name, value, text, pos });
    return;
  }
  const entry = simpleStatement(r, spec, t);
  if (spec.name === 'HaAcceptDsmip6') {
    const where = 'HaAcceptDsmip6 inside IPsecPolicySet (as in UMIP-DSMIP\'s example)';
    r.warn(t, `${where} applies to the whole home agent`);
    addEntry(r, global, spec, entry);
    return;
  }
  addEntry(r, settings, { ...spec, repeat: true }, entry);
}

export function parseCnPolicySet(r: TokenReader, open: Token): CnPolicyLine[] {
  r.punct('{', `'{' after CnBindingPolicySet`);
  const lines: CnPolicyLine[] = [];
  do {
    if (r.peek().kind === 'eof') r.fail(`'}' closing CnBindingPolicySet (opened at line ${open.line})`);
    const t = r.peek();
    const peer = r.addr6();
    const local = r.peek().kind === 'addr6' ? r.addr6() : undefined;
    const allow = r.bool();
    r.punct(';', `';' after the CnBindingPolicySet line`);
    lines.push({ peer, local, allow, pos: { file: t.file, line: t.line } });
  } while (!r.isPunct('}'));
  r.take();
  return lines;
}
