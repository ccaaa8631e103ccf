/** Every error is `FILE:LINE: expected <what>, found <token>`; the first one stops the parse. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { loadConfigText } from '../../src/config/build.js';
import { loadConfigFile } from '../../src/config/check.js';
import { parseConfigText } from '../../src/config/parser.js';
import { memReader } from './mem-reader.js';

function parseError(text: string): string {
  const r = parseConfigText(text, { file: 'e.conf' });
  assert.ok(!r.ok, `should fail: ${text}`);
  return formatDiagnostic(r.error);
}

function loadError(text: string): string {
  const r = loadConfigText(text, { file: 'e.conf' });
  assert.ok(!r.ok, `should fail: ${text}`);
  return formatDiagnostic(r.error);
}

test('syntax errors: the exact text', () => {
  const cases: [string, string][] = [
    ['NodeConfig HA', "e.conf:1: expected ';' after NodeConfig HA, found end of file"],
    ['NodeConfig HA\nInterface "eth0";', "e.conf:2: expected ';' after NodeConfig HA, found Interface"],
    ['HaMaxBindingLife enabled;', 'e.conf:1: expected a number, found enabled'],
    ['HaMaxBindingLife 262141;', 'e.conf:1: expected a number in 0..262140, found 262141'],
    ['DebugLevel 1.5;', 'e.conf:1: expected a whole number, found 1.5'],
    ['InitialBindackTimeoutReReg fast;', 'e.conf:1: expected a decimal number such as 1.5, found fast'],
    ['Interface "eth0" {\n\tMnIfPreference 1;\n',
      `e.conf:3: expected '}' closing Interface "eth0" (opened at line 1), found end of file`],
    ['Interface "eth0" { }', "e.conf:1: expected a keyword in an Interface block, found '}'"],
    ['Interface eth0;', 'e.conf:1: expected a quoted interface name after Interface, found eth0'],
    ['Interface "eth0" MnIfPreference 1;',
      `e.conf:1: expected '{' or ';' after Interface "eth0", found MnIfPreference`],
    ['MnHomeLink "eth0";', `e.conf:1: expected '{' after MnHomeLink "eth0", found ';'`],
    ['Interface "eth0" { MnIfPreference 11; }', 'e.conf:1: expected a number in 0..10, found 11'],
    ['HaServedPrefix 2001:db8::zz/64;',
      'e.conf:1: expected an IPv6 address, found 2001:db8::zz (invalid IPv6 address)'],
    ['HaServedPrefix 2001:db8::/129;', 'e.conf:1: expected a prefix length in 0..128, found 129'],
    ['HaServedPrefix 2001:db8::;', "e.conf:1: expected '/' and a prefix length after 2001:db8::, found ';'"],
    ['HaIPv4HomeAddressPool 192.0.2.0/33;', 'e.conf:1: expected a prefix length in 0..32, found 33'],
    ['HomeAgentV4Address 2001:db8::1;', 'e.conf:1: expected an IPv4 address, found 2001:db8::1'],
    ['HomeAgentV4Address 192.0.2.256;',
      'e.conf:1: expected an IPv4 address, found 192.0.2.256 (invalid IPv4 address)'],
    ['Foo 1;', 'e.conf:1: expected a keyword at top level, found Foo (unknown keyword)'],
    ['HomeAddress 2001:db8::1/64;',
      'e.conf:1: expected a keyword at top level, found HomeAddress (allowed only in an MnHomeLink block or in an IPsecPolicySet block)'],
    ['MnHomeLink "e" { DebugLevel 1; }',
      'e.conf:1: expected a keyword in an MnHomeLink block, found DebugLevel (allowed only at top level)'],
    ['NodeConfig LMA;', 'e.conf:1: expected HA, MN or CN, found LMA (Proxy Mobile IPv6 is not supported)'],
    ['NodeConfig ha;', 'e.conf:1: expected HA, MN or CN, found ha'],
    ['LogFormat xml;', 'e.conf:1: expected text or json, found xml'],
    ['ControlSocketMode 0986;', 'e.conf:1: expected an octal mode such as 0660, found 0986'],
    ['ControlSocketMode 1777;', 'e.conf:1: expected an octal mode in 0..0777, found 1777'],
    ['BindingAclPolicy 2001:db8::1 (2001:db8:1::/64 2001:db8:2::/64) allow;',
      "e.conf:1: expected ',' or ')', found 2001:db8:2::"],
    ['BindingAclPolicy 2001:db8::1 maybe;', 'e.conf:1: expected enabled or disabled (a BOOL), found maybe'],
    ['DefaultBindingAclPolicy 256;', 'e.conf:1: expected a status in 0..255, found 256'],
    ['HaIPv4PrefixPool 198.51.100.0/24;', "e.conf:1: expected a prefix length for each entry, found ';'"],
    ['UseMovementModule external;', 'e.conf:1: expected internal or a quoted module path, found external'],
    ['IPsecPolicySet { HomeAddress 2001:db8::1/64; }',
      'e.conf:1: expected HomeAgentAddress, HomeAgentV4Address or HomeAgentName, found HomeAddress'],
    ['IPsecPolicySet { HomeAgentAddress 2001:db8::1; IPsecPolicy Mh UseESP; }',
      'e.conf:1: expected HomeAgentAddress or HomeAddress, found IPsecPolicy'],
    ['IPsecPolicySet { HomeAgentAddress 2001:db8::1; HomeAddress 2001:db8::2/64; }',
      "e.conf:1: expected HomeAddress or IPsecPolicy, found '}'"],
    ['IPsecPolicySet { HomeAgentAddress 2001:db8::1; HomeAddress 2001:db8::2/64; IPsecPolicy Mh; }',
      "e.conf:1: expected UseESP, UseAH or UseIPComp, found ';'"],
    ['CnBindingPolicySet { 2001:db8::1 2001:db8::2; }',
      "e.conf:1: expected enabled or disabled (a BOOL), found ';'"],
    ['LinkName "x";',
      'e.conf:1: expected a keyword at top level, found LinkName (a reserved word that no statement uses)'],
    ['DebugLevel 99999999999;', 'e.conf:1: expected a number in 0..4294967295, found 99999999999'],
    ['Interface "eth0" { UseDhcp enabled; };;', "e.conf:1: expected a keyword at top level, found ';'"],
    ['include "x.conf"',
      `e.conf:1: expected no include (this configuration is read from a string), found include "x.conf"`],
  ];
  for (const [text, want] of cases) assert.equal(parseError(text), want, text);
});

test('the first error stops the parse: nothing after it is looked at', () => {
  const r = parseConfigText('DebugLevel x;\n@@@\nFoo;', { file: 'e.conf' });
  assert.ok(!r.ok);
  assert.equal(formatDiagnostic(r.error), 'e.conf:1: expected a number, found x');
});

test('an integer where UMIP wants a DECIMAL is accepted with a warning', () => {
  const r = parseConfigText('\nInitialBindackTimeoutFirstReg 2;', { file: 'd.conf' });
  assert.ok(r.ok);
  assert.deepEqual(r.value.settings.get('InitialBindackTimeoutFirstReg')?.[0].value, { kind: 'number', value: 2 });
  assert.deepEqual(r.warnings.map(formatDiagnostic),
    ['d.conf:2: InitialBindackTimeoutFirstReg 2: UMIP requires a decimal number here (write 2.0); accepted']);
});

test('include: loop, depth over 5, missing file, no match, unreadable main file', () => {
  const loop = memReader({ '/c/a.conf': 'include "b.conf"\n', '/c/b.conf': '\n\ninclude "a.conf"\n' });
  const l = loadConfigFile('/c/a.conf', { reader: loop });
  assert.equal(!l.ok && formatDiagnostic(l.error),
    '/c/b.conf:3: expected an include that does not loop, found include of /c/a.conf (/c/a.conf -> /c/b.conf -> /c/a.conf)');
  const self = loadConfigFile('/c/s.conf', { reader: memReader({ '/c/s.conf': 'include "s.conf"' }) });
  assert.equal(!self.ok && formatDiagnostic(self.error),
    '/c/s.conf:1: expected an include that does not loop, found include of /c/s.conf (/c/s.conf -> /c/s.conf)');
  const chain: Record<string, string> = {};
  for (let i = 0; i < 7; i++) chain[`/d/f${i}.conf`] = `DebugLevel ${i};\ninclude "f${i + 1}.conf"\n`;
  chain['/d/f7.conf'] = 'DebugLevel 7;';
  const deep = loadConfigFile('/d/f0.conf', { reader: memReader(chain) });
  assert.equal(!deep.ok && formatDiagnostic(deep.error),
    '/d/f5.conf:2: expected at most 5 nested include levels, found include "f6.conf" at level 6');
  delete chain['/d/f6.conf'];
  chain['/d/f5.conf'] = 'NodeConfig HA; Interface "eth0";';
  const five = loadConfigFile('/d/f0.conf', { reader: memReader(chain) });
  assert.ok(five.ok, 'five levels are allowed');
  assert.equal(five.value.files.length, 6);
  assert.equal(five.value.daemon.debugLevel, 4, 'the last DebugLevel read wins');
  const missing = loadConfigFile('/e/m.conf', { reader: memReader({ '/e/m.conf': 'NodeConfig MN;\ninclude "extra.conf"' }) });
  assert.equal(!missing.ok && formatDiagnostic(missing.error),
    '/e/m.conf:2: expected an existing file, found include "extra.conf" (no such file: /e/extra.conf)');
  const none = parseConfigText('include "d/*.conf"\nNodeConfig HA;', { file: '/f/x.conf', reader: memReader({}) });
  assert.ok(none.ok);
  assert.deepEqual(none.warnings.map(formatDiagnostic), ['/f/x.conf:1: include "d/*.conf" matches no file (/f/d/*.conf)']);
  const main = loadConfigFile('/nowhere.conf', { reader: memReader({}) });
  assert.equal(!main.ok && formatDiagnostic(main.error),
    '/nowhere.conf: expected a readable configuration file, found no such file or directory');
});

test('include splices tokens in place, in sorted order, relative to the including file', () => {
  const reader = memReader({
    '/etc/m.conf': 'NodeConfig HA;\nInterface "eth0";\ninclude "acl/*.conf"\nHaMaxBindingLife include "life"\n;',
    '/etc/acl/b.conf': 'BindingAclPolicy 2001:db8::b deny;',
    '/etc/acl/a.conf': '# first\nBindingAclPolicy 2001:db8::a allow;',
    '/etc/acl/.hidden.conf': 'Foo;',
    '/etc/life': '3600',
  });
  const r = loadConfigFile('/etc/m.conf', { reader });
  assert.ok(r.ok, !r.ok ? formatDiagnostic(r.error) : '');
  assert.deepEqual(r.value.ha?.engine.acl.map((e) => [e.homeAddress, e.action]),
    [['2001:db8::a', 'allow'], ['2001:db8::b', 'deny']]);
  assert.equal(r.value.ha?.engine.maxBindingLifetimeSeconds, 3600);
  assert.deepEqual(r.value.files, ['/etc/m.conf', '/etc/acl/a.conf', '/etc/acl/b.conf', '/etc/life']);
  const acl = r.value.effective.filter((s) => s.keyword === 'BindingAclPolicy').map((s) => `${s.pos?.file}:${s.pos?.line}`);
  assert.deepEqual(acl, ['/etc/acl/a.conf:2', '/etc/acl/b.conf:1']);
});

test('semantic errors name the offending statement', () => {
  const cases: [string, string][] = [
    ['', 'e.conf: expected a NodeConfig HA or MN statement, found none'],
    ['NodeConfig CN;',
      'e.conf:1: expected NodeConfig HA or MN, found CN (dsmip6 has no correspondent node role)'],
    ['\nNodeConfig HA;', 'e.conf:2: expected at least one Interface statement for NodeConfig HA, found none'],
    ['NodeConfig HA;\nInterface "eth0" { IfType MN; }',
      'e.conf:1: expected an Interface with IfType HA for NodeConfig HA, found none'],
    ['NodeConfig HA; Interface "eth0" { Tunnel enabled; }',
      'e.conf:1: expected a home agent interface that is not a tunnel, found Tunnel enabled'],
    ['NodeConfig HA; Interface "eth0";\nHaHomeInterface "eth9";',
      'e.conf:2: expected the name of a declared Interface in HaHomeInterface, found "eth9"'],
    ['NodeConfig HA; Interface "eth0";\nHomeAgentAddress ff02::1;',
      'e.conf:2: expected the home agent address (a routable unicast IPv6 address), found ff02::1'],
    ['NodeConfig HA; Interface "eth0";\nHaIPv4PrefixPool 198.51.100.0/24 20;',
      'e.conf:2: expected an entry length in 24..32 for HaIPv4PrefixPool 198.51.100.0/24, found 20'],
    ['NodeConfig HA; Interface "eth0";\nHaServedPrefix 2001:db8::/0;',
      'e.conf:2: expected a prefix length in 1..128 in HaServedPrefix, found 2001:db8::/0'],
    ['NodeConfig HA; Interface "eth0";\nBindingAclPolicy fe80::1 allow;',
      'e.conf:2: expected a home address in BindingAclPolicy (a routable unicast IPv6 address), found fe80::1'],
    ['NodeConfig HA; Interface "eth0";\nHaAcceptIPv4Traffic 224.0.0.1;',
      'e.conf:2: expected an IPv4 home address in HaAcceptIPv4Traffic (a unicast IPv4 address), found 224.0.0.1'],
    ['NodeConfig HA; Interface "eth0";\nHaDadTimeout 0.0;',
      'e.conf:2: expected HaDadTimeout in (0, 60] seconds, found 0.0'],
    ['NodeConfig HA; Interface "eth0";\nControlSocket "run/x.sock";',
      'e.conf:2: expected an absolute path for ControlSocket, found "run/x.sock"'],
    [`NodeConfig HA; Interface "eth0";\nControlSocket "/${'x'.repeat(120)}";`,
      `e.conf:2: expected a socket path of at most 107 bytes for ControlSocket, found "/${'x'.repeat(120)}"`],
    ['NodeConfig MN;\nInterface "eth0";',
      'e.conf:1: expected an MnHomeLink block with a HomeAddress for NodeConfig MN, found none'],
    ['NodeConfig MN;\nMnHomeLink "eth0" { IsMobRtr enabled; }',
      'e.conf:1: expected at least one Interface statement for NodeConfig MN, found none'],
    ['NodeConfig MN; Interface "eth0";\nMnHomeLink "eth0" { IsMobRtr enabled; }',
      'e.conf:2: expected a HomeAddress statement in MnHomeLink "eth0", found none'],
    ['NodeConfig MN; Interface "eth0";\nMnHomeLink "eth0" {\n HomeAddress 2001:db8::1/0; HomeAgentAddress 2001:db8::2; }',
      'e.conf:3: expected a home prefix length in 1..128, found 2001:db8::1/0'],
    ['NodeConfig MN; Interface "eth0";\nMnHomeLink "eth0" {\n HomeAddress ::/64; }',
      'e.conf:3: expected a home address (a routable unicast IPv6 address), found ::'],
    ['NodeConfig MN; Interface "eth0";\nMnHomeLink "eth0" { HomeAddress 2001:db8::1/64; }',
      'e.conf:2: expected a HomeAgentAddress in MnHomeLink "eth0" (dynamic home agent discovery is not implemented), found none'],
    ['NodeConfig MN; Interface "eth0";\nMnHomeLink "eth0" { HomeAddress 2001:db8::1/64;\n HomeAgentAddress ::; }',
      'e.conf:3: expected a HomeAgentAddress in MnHomeLink "eth0" (dynamic home agent discovery is not implemented), found ::'],
    ['NodeConfig MN; Interface "eth0";\nMnHomeLink "eth0" { HomeAddress 2001:db8::1/64; HomeAgentName "ha.example"; }',
      'e.conf:2: expected a HomeAgentAddress in MnHomeLink "eth0" (HomeAgentName "ha.example" is not resolved), found none'],
    ['NodeConfig MN; Interface "eth0";\nMnHomeLink "eth0" { HomeAddress 2001:db8::1/64; HomeAgentAddress 2001:db8::2;\n'
      + 'HomeAgentV4Address 0.0.0.0; }',
    'e.conf:3: expected the home agent IPv4 address (dynamic home agent discovery is not implemented), found 0.0.0.0'],
    ['NodeConfig MN; Interface "eth0";\nMnHomeLink "eth0" { HomeAddress 2001:db8::1/64; HomeAgentAddress 2001:db8::2; }\n'
      + 'MnHomeLink "eth1" { HomeAddress 2001:db8::3/64; }',
    'e.conf:3: expected one MnHomeLink block (dsmip6 serves one home address), found a second one'],
    ['NodeConfig MN; Interface "eth0";\nMnHomeLink "eth0" { HomeAddress 2001:db8::1/64; HomeAgentAddress 2001:db8::2; }\n'
      + 'MnMaxHaBindingLife 3;', 'e.conf:3: expected MnMaxHaBindingLife of at least 4 seconds, found 3'],
    ['NodeConfig MN; Interface "eth0";\nMnHomeLink "eth0" { HomeAddress 2001:db8::1/64; HomeAgentAddress 2001:db8::2; }\n'
      + 'InitialBindackTimeoutFirstReg 40.0;', 'e.conf:3: expected InitialBindackTimeoutFirstReg in (0, 32] seconds, found 40.0'],
  ];
  for (const [text, want] of cases) assert.equal(loadError(text), want, text);
});
