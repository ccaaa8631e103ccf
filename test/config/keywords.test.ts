/**
 * Every keyword of the table parses in each scope it is allowed in, with a concrete value; the
 * ones dsmip6 does not implement are reported by name; reserved words and unknown words are
 * errors; every keyword is documented in docs/mip6d.conf.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KEYWORDS, type KeywordSpec, type Scope } from '../../src/config/keywords.js';
import { parseConfigText } from '../../src/config/parser.js';
import type { ParsedConfig, Settings, Value } from '../../src/config/model.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A sample value for each grammar, and the value the parser must produce from it. */
const SAMPLES: Record<string, [string, Value | undefined]> = {
  bool: ['disabled', { kind: 'bool', value: false }],
  decimal: ['2.5', { kind: 'number', value: 2.5 }],
  string: ['"/run/x y"', { kind: 'text', value: '/run/x y' }],
  addr6: ['2001:DB8:0::1', { kind: 'text', value: '2001:db8::1' }],
  addr4: ['192.0.2.1', { kind: 'text', value: '192.0.2.1' }],
  prefix6: ['2001:db8:5::/48', { kind: 'prefix', value: { family: 6, address: '2001:db8:5::', length: 48 }, list: [] }],
  prefix4: ['198.51.100.0/24', { kind: 'prefix', value: { family: 4, address: '198.51.100.0', length: 24 }, list: [] }],
  octal: ['0640', { kind: 'number', value: 0o640 }],
  'home-address': ['2001:db8::9/64 (2001:db8:9::/64, 2001:db8:a::/64)', {
    kind: 'prefix', value: { family: 6, address: '2001:db8::9', length: 64 },
    list: [{ family: 6, address: '2001:db8:9::', length: 64 }, { family: 6, address: '2001:db8:a::', length: 64 }],
  }],
  'home-v4-address': ['192.0.2.9/24 (203.0.113.0/28)', {
    kind: 'prefix', value: { family: 4, address: '192.0.2.9', length: 24 },
    list: [{ family: 4, address: '203.0.113.0', length: 28 }],
  }],
  'acl-action': ['130', { kind: 'acl', value: 130, list: [] }],
  movement: ['"mod.so"', { kind: 'text', value: 'mod.so' }],
  'ro-policy': ['2001:db8::3 enabled', { kind: 'ro', value: true, address: '2001:db8::3' }],
  'prefix6-lifetime': ['2001:db8:1::/64 3600', {
    kind: 'prefix', value: { family: 6, address: '2001:db8:1::', length: 64 }, list: [], extra: 3600,
  }],
  'prefix4-length': ['198.51.100.0/24 28', {
    kind: 'prefix', value: { family: 4, address: '198.51.100.0', length: 24 }, list: [], extra: 28,
  }],
  'ipv4-traffic': ['192.0.2.17 (192.0.2.128/28) 2001:db8::17', {
    kind: 'ipv4-traffic', value: '192.0.2.17', list: [{ family: 4, address: '192.0.2.128', length: 28 }],
    homeAddress: '2001:db8::17',
  }],
  'binding-acl': ['2001:db8::17 (2001:db8:17::/64) deny', {
    kind: 'acl', value: 'deny', address: '2001:db8::17', list: [{ family: 6, address: '2001:db8:17::', length: 64 }],
  }],
};

function sample(spec: KeywordSpec): [string, Value | undefined] {
  if (spec.grammar === 'number') {
    const v = spec.max !== undefined ? spec.max : 7;
    return [String(v), { kind: 'number', value: v }];
  }
  if (spec.grammar === 'words') {
    const w = spec.words![spec.words!.length - 1];
    return [w, { kind: 'text', value: w }];
  }
  return SAMPLES[spec.grammar] ?? ['', undefined];
}

const IPSEC_HEAD = 'HomeAgentAddress 2001:db8::1;';
const BLOCKS: Record<string, string> = {
  Interface: 'Interface "eth1" { MnIfPreference 3; }',
  MnHomeLink: 'MnHomeLink "eth1" { HomeAddress 2001:db8::5/64; }',
  IPsecPolicySet: `IPsecPolicySet { ${IPSEC_HEAD} HomeAddress 2001:db8::5/64; IPsecPolicy Mh UseESP 1 2 block; }`,
  IPsecPolicy: `IPsecPolicySet { ${IPSEC_HEAD} HomeAddress 2001:db8::5/64; IPsecPolicy TunnelMh UseESP UseAH; }`,
  CnBindingPolicySet: 'CnBindingPolicySet { 2001:db8::7 disabled; 2001:db8::8 2001:db8::1 enabled; }',
};

function statement(spec: KeywordSpec, scope: Scope, value: string): string {
  const line = `${spec.name} ${value};`;
  switch (scope) {
    case 'interface': return `Interface "eth0" { ${line} }`;
    case 'homelink': return `MnHomeLink "eth0" { ${line} }`;
    case 'ipsec':
      if (spec.name === 'HomeAddress') return `IPsecPolicySet { ${IPSEC_HEAD} HomeAddress 2001:db8::5/64; IPsecPolicy Mh UseESP; }`;
      return `IPsecPolicySet { ${IPSEC_HEAD} ${line} HomeAddress 2001:db8::5/64; IPsecPolicy Mh UseESP; }`;
    default: return line;
  }
}

function settingsOf(p: ParsedConfig, scope: Scope): Settings {
  if (scope === 'interface') return p.interfaces[0].settings;
  if (scope === 'homelink') return p.homeLinks[0].settings;
  if (scope === 'ipsec') return p.ipsecSets[0].settings;
  return p.settings;
}

for (const spec of KEYWORDS.filter((k) => k.support !== 'reserved')) {
  test(`keyword ${spec.name} (${spec.origin}, ${spec.support}) parses in ${spec.scopes.join(', ')}`, () => {
    for (const scope of spec.scopes) {
      const [value, want] = sample(spec);
      const text = BLOCKS[spec.name] ?? statement(spec, scope, value);
      const r = parseConfigText(text, { file: 'k.conf' });
      assert.ok(r.ok, `${text}: ${!r.ok ? r.error.message : ''}`);
      if (spec.support === 'ignored') {
        const reported = scope === 'ipsec' ? 'IPsecPolicySet' : spec.name;
        assert.ok(r.warnings.some((w) => w.message.startsWith(`${reported}: accepted but not implemented (`)),
          `${spec.name} is reported: ${JSON.stringify(r.warnings)}`);
      }
      if (BLOCKS[spec.name] || want === undefined) continue;
      const target = spec.name === 'HaAcceptDsmip6' && scope === 'ipsec' ? r.value.settings : settingsOf(r.value, scope);
      const list = target.get(spec.name) ?? [];
      const entry = list[list.length - 1];
      if (scope === 'ipsec' && spec.name === 'HomeAddress') {
        assert.deepEqual(entry?.value, { kind: 'prefix', value: { family: 6, address: '2001:db8::5', length: 64 }, list: [] });
        continue;
      }
      assert.deepEqual(entry?.value, want, `${spec.name} in ${scope}`);
      assert.equal(entry?.pos.line, 1);
    }
  });
}

test('blocks parse into their structures', () => {
  const r = parseConfigText(Object.values(BLOCKS).join('\n'));
  assert.ok(r.ok);
  assert.deepEqual(r.value.interfaces.map((b) => [b.name, b.settings.get('MnIfPreference')?.[0].value]),
    [['eth1', { kind: 'number', value: 3 }]]);
  assert.equal(r.value.homeLinks[0].name, 'eth1');
  assert.deepEqual(r.value.ipsecSets.map((s) => s.policies.map((p) => [p.type, p.protocols, p.reqids, p.action])),
    [[['Mh', ['UseESP'], [1, 2], false]], [['TunnelMh', ['UseESP', 'UseAH'], [], undefined]]]);
  assert.deepEqual(r.value.cnPolicies.map((c) => [c.peer, c.local, c.allow, c.pos.line]),
    [['2001:db8::7', undefined, false, 5], ['2001:db8::8', '2001:db8::1', true, 5]]);
});

test('reserved words and unknown words are errors', () => {
  for (const spec of KEYWORDS.filter((k) => k.support === 'reserved')) {
    const r = parseConfigText(`${spec.name} "x";`, { file: 'r.conf' });
    assert.equal(!r.ok && `${r.error.file}:${r.error.line}: ${r.error.message}`,
      `r.conf:1: expected a keyword at top level, found ${spec.name} (a reserved word that no statement uses)`);
  }
  const u = parseConfigText('\n\nHaMaxBindingLifetime 10;', { file: 'u.conf' });
  assert.equal(!u.ok && `${u.error.file}:${u.error.line}: ${u.error.message}`,
    'u.conf:3: expected a keyword at top level, found HaMaxBindingLifetime (unknown keyword)');
});

test('every keyword is documented in docs/mip6d.conf.md with its origin', () => {
  const doc = readFileSync(`${ROOT}docs/mip6d.conf.md`, 'utf8');
  for (const spec of KEYWORDS) {
    const at = doc.indexOf(`### \`${spec.name}\``);
    assert.ok(at >= 0, `${spec.name} has a section`);
    if (spec.support === 'reserved') continue;
    const section = doc.slice(at, doc.indexOf('\n### ', at + 4));
    assert.ok(section.includes(`origin ${spec.origin}`) || section.includes(`origin UMIP`), `${spec.name} origin`);
    if (spec.support === 'ignored') assert.ok(section.includes('not implemented'), `${spec.name} says not implemented`);
  }
});
