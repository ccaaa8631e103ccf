/**
 * Property: any text, and any soup of the language's own tokens (keywords, values, punctuation,
 * includes that loop or nest deeply), reads to a result and never throws. Errors are the
 * `expected ..., found ...` kind (never an internal error) and point into a file that was read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadConfigText } from '../../src/config/build.js';
import { KEYWORDS } from '../../src/config/keywords.js';
import { memReader } from './mem-reader.js';

const VALUES = [
  'enabled', 'disabled', 'allow', 'deny', 'block', 'HA', 'MN', 'CN', 'LMA', 'internal', 'UseESP', 'Mh', 'any',
  '0', '1', '10', '64', '128', '129', '4191', '262140', '99999999999', '1.5', '2.0', '0660', '0999',
  '2001:db8::1', '::', '::1', 'fe80::1', 'ff02::1', '2001:db8::zz', '1:2:3:4:5:6:7:8:9', '::ffff:1.2.3.4',
  '192.0.2.1', '0.0.0.0', '224.0.0.1', '300.1.1.1', '1.2.3', '"eth0"', '"/run/x.sock"', '"unterminated', '""',
  '{', '}', ';', '/', '=', '(', ')', ',', '#comment\n', '\n', '@', '-', '\u00e9', 'include "a.conf"',
  'include "dir/*.conf"', 'include "missing.conf"', 'include "none*"', 'include', 'Interface "eth0" {',
  'MnHomeLink "eth0" {', 'IPsecPolicySet {', 'HomeAddress 2001:db8::5/64', 'NodeConfig HA;', 'NodeConfig MN;',
];
const VOCAB = [...KEYWORDS.map((k) => k.name), ...VALUES];

const FILES: Record<string, string> = {
  '/p/a.conf': 'include "b.conf"\nDebugLevel 1;',
  '/p/b.conf': 'include "a.conf"',
  '/p/dir/1.conf': 'BindingAclPolicy 2001:db8::1 allow;\ninclude "2.conf"',
  '/p/dir/2.conf': 'include "../dir/1.conf"',
  '/p/deep.conf': 'include "deep.conf"',
};

function checkResult(text: string): void {
  const r = loadConfigText(text, { file: '/p/main.conf', reader: memReader(FILES) });
  if (r.ok) {
    assert.ok(r.value.role === 'HA' || r.value.role === 'MN');
    return;
  }
  const known = ['/p/main.conf', ...Object.keys(FILES)];
  assert.ok(known.includes(r.error.file), `error in a file read: ${r.error.file}`);
  assert.ok(r.error.message.startsWith('expected '), r.error.message);
  assert.ok(!r.error.message.includes('internal error'), r.error.message);
  for (const w of r.warnings) assert.ok(known.includes(w.file) && w.line >= 0);
}

test('token soup never throws; errors are "expected ..., found ..."', () => {
  const soup = fc.array(fc.tuple(fc.constantFrom(...VOCAB), fc.constantFrom(' ', '\n', '\t', '', ';', ' ; ')),
    { maxLength: 60 });
  fc.assert(fc.property(soup, (parts) => {
    checkResult(parts.map(([t, sep]) => t + sep).join(''));
  }), { numRuns: 4000, seed: 4191 });
});

test('statement-shaped soup (keyword, values, terminator) never throws', () => {
  const stmt = fc.tuple(
    fc.constantFrom(...KEYWORDS.map((k) => k.name)),
    fc.array(fc.constantFrom(...VALUES), { maxLength: 4 }),
    fc.constantFrom(';', ' }', ' { ', ';\n', ''),
  ).map(([k, vs, end]) => `${k} ${vs.join(' ')}${end}`);
  fc.assert(fc.property(fc.array(stmt, { maxLength: 25 }), (stmts) => {
    checkResult(stmts.join('\n'));
  }), { numRuns: 4000, seed: 5555 });
});

/** Valid statements of both roles; the property mutates a file made of them. */
const VALID = [
  'NodeConfig HA;', 'NodeConfig MN;', 'Interface "eth0";', 'Interface "wlan0" { MnIfPreference 1; UseDhcp enabled; }',
  'HaAcceptMobRtr enabled;', 'HaServedPrefix 2001:db8:100::/48;', 'DefaultBindingAclPolicy deny;',
  'BindingAclPolicy 2001:db8:1::100 (2001:db8:100:1::/64, 2001:db8:100:2::/64) allow;', 'HaAcceptDsmip6 enabled;',
  'HomeAgentV4Address 192.0.2.1;', 'HaAcceptIPv4Traffic 192.0.2.100 (203.0.113.16/28) 2001:db8:1::100;',
  'HaIPv4HomeAddressPool 192.0.2.128/25;', 'HaIPv4PrefixPool 198.51.100.0/24 28;', 'HaHomePrefix 2001:db8:1::/64 600;',
  'NatKeepaliveInterval 20;', 'ControlSocketMode 0660;', 'LogFormat json;', 'InitialBindackTimeoutFirstReg 2.5;',
  'MnHomeLink "wlan0" { IsMobRtr enabled; HomeAgentAddress 2001:db8:1::1; HomeAgentV4Address 192.0.2.1;'
    + ' HomeAddress 2001:db8:1::100/64 (2001:db8:100:1::/64); HomeV4Address 192.0.2.100/24 (203.0.113.16/28); }',
  'MnUseDsmip6 enabled;', 'MnSupportIPv4Traffic enabled;', 'UseMnHaIPsec enabled;',
  'IPsecPolicySet { HomeAgentAddress 2001:db8::1; HomeAddress 2001:db8::5/64; IPsecPolicy Mh UseESP 1 2; }',
  'CnBindingPolicySet { 2001:db8::7 disabled; }', 'include "dir/*.conf"', '# a comment',
];

test('mutated valid files never throw', () => {
  const mutation = fc.oneof(
    fc.tuple(fc.constant('delete'), fc.nat(), fc.integer({ min: 1, max: 12 })),
    fc.tuple(fc.constant('insert'), fc.nat(), fc.constantFrom(...VOCAB)),
    fc.tuple(fc.constant('cut'), fc.nat(), fc.constant(0)),
  );
  const file = fc.tuple(fc.array(fc.constantFrom(...VALID), { minLength: 1, maxLength: 30 }), fc.array(mutation, { maxLength: 3 }));
  let ok = 0;
  fc.assert(fc.property(file, ([stmts, muts]) => {
    let text = stmts.join('\n');
    for (const [kind, at, arg] of muts) {
      const i = at % (text.length + 1);
      if (kind === 'delete') text = text.slice(0, i) + text.slice(i + Number(arg));
      else if (kind === 'insert') text = `${text.slice(0, i)} ${arg} ${text.slice(i)}`;
      else text = text.slice(0, i);
    }
    checkResult(text);
    if (loadConfigText(text, { file: '/p/main.conf', reader: memReader(FILES) }).ok) ok++;
  }), { numRuns: 4000, seed: 3963 });
  assert.ok(ok > 40, `some mutated files are still valid (${ok})`);
});

test('arbitrary strings never throw', () => {
  fc.assert(fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (s) => {
    checkResult(s);
  }), { numRuns: 3000, seed: 6275 });
});
