/**
 * The value after a keyword, by the keyword's grammar (keyword-spec.ts). Blocks are parsed by
 * parser.ts and parse-ipsec.ts; everything else is here.
 */
import { expected } from './diagnostics.js';
import type { KeywordSpec } from './keywords.js';
import type { Value } from './model.js';
import type { TokenReader } from './values.js';

const PMIP = new Set(['LMA', 'MAG']);

function words(r: TokenReader, spec: KeywordSpec): Value {
  const list = spec.words ?? [];
  const what = list.join(', ').replace(/, ([^,]*)$/, ' or $1');
  const t = r.peek();
  if (t.kind === 'word' && PMIP.has(t.text) && list.includes('HA')) {
    expected(t, what, `${t.text} (Proxy Mobile IPv6 is not supported)`);
  }
  return { kind: 'text', value: r.word(list, what) };
}

/** BOOL (allow = accept, deny = status 129) or a Binding Acknowledgement status NUMBER. */
function aclAction(r: TokenReader): Value {
  if (r.peek().kind === 'number') return { kind: 'acl', value: r.number(0, 255, 'a status'), list: [] };
  if (!r.isWord()) r.fail('allow, deny or a status number');
  return { kind: 'acl', value: r.bool() ? 'allow' : 'deny', list: [] };
}

function bindingAcl(r: TokenReader): Value {
  const address = r.addr6();
  const list = r.prefixList(6);
  const action = aclAction(r);
  return { kind: 'acl', value: action.kind === 'acl' ? action.value : 'deny', address, list };
}

function roPolicy(r: TokenReader): Value {
  const address = r.peek().kind === 'addr6' ? r.addr6() : undefined;
  return { kind: 'ro', value: r.bool(), address };
}

function ipv4Traffic(r: TokenReader): Value {
  const value = r.addr4();
  const list = r.prefixList(4);
  const homeAddress = r.peek().kind === 'addr6' ? r.addr6() : undefined;
  return { kind: 'ipv4-traffic', value, list, homeAddress };
}

function movement(r: TokenReader): Value {
  if (r.peek().kind === 'string') return { kind: 'text', value: r.string() };
  return { kind: 'text', value: r.word(['internal'], 'internal or a quoted module path') };
}

export function readValue(r: TokenReader, spec: KeywordSpec): Value {
  switch (spec.grammar) {
    case 'bool': return { kind: 'bool', value: r.bool() };
    case 'number': return { kind: 'number', value: r.number(spec.min, spec.max) };
    case 'octal': return { kind: 'number', value: r.octal(spec.min ?? 0, spec.max ?? 0o777) };
    case 'decimal': return { kind: 'number', value: r.decimal(spec.name) };
    case 'string': return { kind: 'text', value: r.string() };
    case 'addr6': return { kind: 'text', value: r.addr6() };
    case 'addr4': return { kind: 'text', value: r.addr4() };
    case 'words': return words(r, spec);
    case 'prefix6': return { kind: 'prefix', value: r.prefix(6), list: [] };
    case 'prefix4': return { kind: 'prefix', value: r.prefix(4), list: [] };
    case 'home-address': return { kind: 'prefix', value: r.prefix(6), list: r.prefixList(6) };
    case 'home-v4-address': return { kind: 'prefix', value: r.prefix(4), list: r.prefixList(4) };
    case 'prefix6-lifetime': {
      const value = r.prefix(6);
      const life = r.peek().kind === 'number';
      const extra = life ? r.number(0, 0xffff_ffff, 'a lifetime in seconds') : undefined;
      return { kind: 'prefix', value, list: [], extra };
    }
    case 'prefix4-length': {
      const value = r.prefix(4);
      return { kind: 'prefix', value, list: [], extra: r.number(0, 32, 'a prefix length for each entry') };
    }
    case 'acl-action': return aclAction(r);
    case 'binding-acl': return bindingAcl(r);
    case 'ro-policy': return roPolicy(r);
    case 'ipv4-traffic': return ipv4Traffic(r);
    case 'movement': return movement(r);
    default:
      return r.fail(`a value for ${spec.name}`);
  }
}
