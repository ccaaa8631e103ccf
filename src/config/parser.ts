/**
 * The parser of UMIP's mip6d.conf grammar (UMIP `gram.y`, with UMIP-DSMIP's keywords and
 * dsmip6's), as recursive descent over the token stream:
 *
 *   file  := stmt*
 *   stmt  := KEYWORD value ';' | 'Interface' QSTRING (';' | '{' ifopt+ '}') | 'MnHomeLink' QSTRING
 *            '{' linkopt+ '}' | 'IPsecPolicySet' '{' ... '}' | 'CnBindingPolicySet' '{' ... '}'
 *
 * The value after each keyword follows its `grammar` in the keyword table. The first error
 * stops the parse, as in UMIP. `parseConfigText` is pure: text in, result out; files named by
 * `include` are read through the optional `ConfigReader`.
 */
import { runGuarded, type ConfigDiagnostic, type ConfigResult, type Pos } from './diagnostics.js';
import type { Scope } from './keywords.js';
import type { Token } from './lexer.js';
import type { CnPolicyLine, ParsedBlock, ParsedConfig, ParsedIpsecSet, Settings } from './model.js';
import { parseCnPolicySet, parseIpsecSet } from './parse-ipsec.js';
import { TokenSource, type ConfigReader } from './source.js';
import { addEntry, lookupKeyword, simpleStatement, warnIgnored } from './statements.js';
import { TokenReader } from './values.js';

export interface ParseOptions {
  /** The name errors use for the text (and the base of relative include patterns). */
  readonly file?: string;
  /** How `include` reads files; without one, `include` is an error. */
  readonly reader?: ConfigReader;
}

export const DEFAULT_FILE_NAME = 'mip6d.conf';

interface Collected {
  settings: Settings;
  interfaces: ParsedBlock[];
  homeLinks: ParsedBlock[];
  ipsecSets: ParsedIpsecSet[];
  cnPolicies: CnPolicyLine[];
}

/** `'{' stmt+ '}'` in `scope`, into `settings`. */
function blockBody(r: TokenReader, scope: Scope, opener: string, open: Pos, settings: Settings): void {
  r.punct('{', `'{' after ${opener}`);
  do {
    if (r.peek().kind === 'eof') r.fail(`'}' closing ${opener} (opened at line ${open.line})`);
    const t = r.take();
    const spec = lookupKeyword(t, scope);
    warnIgnored(r, spec, t);
    addEntry(r, settings, spec, simpleStatement(r, spec, t));
  } while (!r.isPunct('}'));
  r.take();
}

/** `Interface QSTRING (';' | '{' ifopt+ '}')` or `MnHomeLink QSTRING '{' linkopt+ '}'`. */
function namedBlock(r: TokenReader, t: Token, scope: Scope): { block: ParsedBlock; braces: boolean } {
  const name = r.string(`a quoted interface name after ${t.text}`);
  const pos = { file: t.file, line: t.line };
  const block: ParsedBlock = { keyword: t.text, name, pos, settings: new Map() };
  const opener = `${t.text} "${name}"`;
  if (scope === 'interface' && r.isPunct(';')) {
    r.take();
    return { block, braces: false };
  }
  if (scope === 'interface' && !r.isPunct('{')) r.fail(`'{' or ';' after ${opener}`);
  blockBody(r, scope, opener, block.pos, block.settings);
  return { block, braces: true };
}

/** UMIP-DSMIP's own example writes `Interface "eth0" { ... };`: accept the `;`, with a warning. */
function strayTerminator(r: TokenReader, what: string): void {
  if (!r.isPunct(';')) return;
  const t = r.take();
  r.warn(t, `stray ';' after the '}' of ${what} (UMIP's grammar rejects it); accepted`);
}

function topStatement(r: TokenReader, c: Collected): void {
  const t = r.take();
  const spec = lookupKeyword(t, 'global');
  warnIgnored(r, spec, t);
  switch (spec.grammar) {
    case 'interface-block':
    case 'homelink-block': {
      const inIf = spec.grammar === 'interface-block';
      const { block, braces } = namedBlock(r, t, inIf ? 'interface' : 'homelink');
      (inIf ? c.interfaces : c.homeLinks).push(block);
      if (braces) strayTerminator(r, `${t.text} "${block.name}"`);
      return;
    }
    case 'ipsec-block':
      c.ipsecSets.push(parseIpsecSet(r, t, c.settings));
      strayTerminator(r, 'IPsecPolicySet');
      return;
    case 'cn-policy-block':
      c.cnPolicies.push(...parseCnPolicySet(r, t));
      strayTerminator(r, 'CnBindingPolicySet');
      return;
    default:
      addEntry(r, c.settings, spec, simpleStatement(r, spec, t));
  }
}

/** Parses configuration text. Never throws: errors and warnings come back as values. */
export function parseConfigText(text: string, options: ParseOptions = {}): ConfigResult<ParsedConfig> {
  const file = options.file ?? DEFAULT_FILE_NAME;
  const warnings: ConfigDiagnostic[] = [];
  const warn = (pos: Pos, message: string): void => {
    warnings.push({ file: pos.file, line: pos.line, message });
  };
  return runGuarded({ file, line: 0 }, warnings, () => {
    const src = new TokenSource(file, text, options.reader, warn);
    const r = new TokenReader(src, warn);
    const c: Collected = {
      settings: new Map(), interfaces: [], homeLinks: [], ipsecSets: [], cnPolicies: [],
    };
    while (r.peek().kind !== 'eof') topStatement(r, c);
    return { mainFile: file, files: [...src.files], ...c };
  });
}
