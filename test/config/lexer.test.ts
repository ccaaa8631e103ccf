/** UMIP's lexical rules (scan.l) as dsmip6 applies them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeToken, Lexer, type Token } from '../../src/config/lexer.js';
import { componentRegExp, expandGlob, matchComponent, resolveInclude } from '../../src/config/glob.js';
import { parseConfigText } from '../../src/config/parser.js';
import type { ConfigDiagnostic } from '../../src/config/diagnostics.js';

function lex(text: string): { tokens: Token[]; warnings: ConfigDiagnostic[] } {
  const warnings: ConfigDiagnostic[] = [];
  const l = new Lexer('t.conf', text, (p, message) => warnings.push({ file: p.file, line: p.line, message }));
  const tokens: Token[] = [];
  for (let i = 0; i < 1000; i++) {
    const t = l.next();
    if (t.kind === 'eof') break;
    tokens.push(t);
  }
  return { tokens, warnings };
}

const kinds = (text: string): string[] => lex(text).tokens.map((t) => `${t.kind}:${t.text}`);

test('white space, newlines and # comments anywhere; CR is white space', () => {
  const { tokens } = lex('NodeConfig  HA;# comment ; { }\n\t# whole line\r\nDebugLevel 3 ; # tail\n');
  assert.deepEqual(tokens.map((t) => [t.text, t.line]),
    [['NodeConfig', 1], ['HA', 1], [';', 1], ['DebugLevel', 3], ['3', 3], [';', 3]]);
});

test('NUMBER, DECIMAL, ADDR4 and ADDR; values and canonical addresses', () => {
  const { tokens } = lex('42 1.5 192.0.2.1 2001:DB8:0:0::1 :: ::1 fe80::1 3ffe:2620:6:1::1234');
  assert.deepEqual(tokens.map((t) => t.kind),
    ['number', 'decimal', 'addr4', 'addr6', 'addr6', 'addr6', 'addr6', 'addr6']);
  assert.equal(tokens[0].num, 42);
  assert.equal(tokens[1].num, 1.5);
  assert.equal(tokens[2].addr, '192.0.2.1');
  assert.equal(tokens[3].addr, '2001:db8::1');
  assert.equal(tokens[3].text, '2001:DB8:0:0::1', 'the text is kept as written');
  assert.equal(tokens[5].addr, '::1');
});

test('a prefix is ADDR / NUMBER, with or without spaces', () => {
  assert.deepEqual(kinds('2001:db8::/64'), ['addr6:2001:db8::', 'punct:/', 'number:64']);
  assert.deepEqual(kinds('2001:db8:: / 64'), ['addr6:2001:db8::', 'punct:/', 'number:64']);
  assert.deepEqual(kinds('192.0.2.0/24'), ['addr4:192.0.2.0', 'punct:/', 'number:24']);
});

test('malformed numbers and addresses are bad tokens with a reason', () => {
  const bad = (text: string): string | undefined => lex(text).tokens[0].problem;
  assert.equal(bad('2001:db8::g'), 'invalid IPv6 address');
  assert.equal(bad('1:2:3:4:5:6:7:8:9'), 'invalid IPv6 address');
  assert.equal(bad('::ffff:192.0.2.1'), 'IPv4-embedded IPv6 addresses are not accepted');
  assert.equal(bad('256.1.1.1'), 'invalid IPv4 address');
  assert.equal(bad('01.2.3.4'), 'invalid IPv4 address');
  assert.equal(bad('1.2.3'), 'invalid number or address');
  assert.equal(bad('0x10'), 'invalid number or address');
  assert.equal(bad('foo.bar'), 'invalid word');
  assert.equal(bad('-1'), 'unexpected character');
  assert.equal(describeToken(lex('@').tokens[0]), "'@' (unexpected character)");
  assert.equal(describeToken(lex('\x01').tokens[0]), '\\x01 (unexpected character)');
});

test('punctuation: { } ; / = ( ) , (= is a token no statement uses)', () => {
  assert.deepEqual(kinds('{};/=(),'), ['punct:{', 'punct:}', 'punct:;', 'punct:/', 'punct:=', 'punct:(',
    'punct:)', 'punct:,']);
  const r = parseConfigText('DebugLevel = 1;');
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.message, "expected a number, found '='");
});

test('QSTRING has no escapes; an unterminated one ends at the end of the line with a warning', () => {
  const a = lex('"a \\" b"');
  assert.deepEqual(a.tokens.map((t) => `${t.kind}:${t.text}`), ['string:a \\', 'word:b', 'string:']);
  assert.equal(a.warnings.length, 1, 'the last quote opens a string that never closes');
  const b = lex('DebugLogFile "/tmp/x;\nDebugLevel 1;');
  assert.deepEqual(b.tokens.map((t) => `${t.kind}:${t.text}:${t.line}`),
    ['word:DebugLogFile:1', 'string:/tmp/x;:1', 'word:DebugLevel:2', 'number:1:2', 'punct:;:2']);
  assert.deepEqual(b.warnings, [{ file: 't.conf', line: 1, message: 'unterminated string "/tmp/x;: it ends at the end of the line' }]);
});

test('keywords are case-sensitive; BOOL words are exact', () => {
  const r = parseConfigText('nodeconfig HA;');
  assert.equal(!r.ok && r.error.message,
    'expected a keyword at top level, found nodeconfig (unknown keyword; keywords are case-sensitive: NodeConfig)');
  for (const [word, value] of [['enabled', true], ['allow', true], ['true', true], ['disabled', false],
    ['deny', false], ['block', false], ['false', false]] as const) {
    const p = parseConfigText(`HaAcceptMobRtr ${word};`);
    assert.ok(p.ok);
    assert.deepEqual(p.value.settings.get('HaAcceptMobRtr')?.[0].value, { kind: 'bool', value });
  }
  const e = parseConfigText('HaAcceptMobRtr Enabled;');
  assert.equal(!e.ok && e.error.message, 'expected enabled or disabled (a BOOL), found Enabled');
});

test('include takes a quoted pattern on the same line and no semicolon', () => {
  assert.deepEqual(kinds('include "a/*.conf"\nDebugLevel 1;').slice(0, 2), ['include:a/*.conf', 'word:DebugLevel']);
  const t = lex('include\n"x"').tokens[0];
  assert.equal(t.kind, 'bad');
  assert.equal(t.problem, 'include needs a quoted file pattern on the same line');
});

test('glob: * ? [...] within a component, dot files need a dot, sorted results', () => {
  assert.ok(matchComponent('*.conf', 'a.conf'));
  assert.ok(!matchComponent('*.conf', '.hidden.conf'));
  assert.ok(matchComponent('.*.conf', '.hidden.conf'));
  assert.ok(matchComponent('mr?.conf', 'mr1.conf'));
  assert.ok(!matchComponent('mr?.conf', 'mr10.conf'));
  assert.ok(matchComponent('mr[0-9].conf', 'mr7.conf'));
  assert.ok(!matchComponent('mr[!0-9].conf', 'mr7.conf'));
  assert.ok(componentRegExp('a+b(c)').test('a+b(c)'), 'regex characters are literal');
  const tree: Record<string, string[]> = { '/etc': ['d', 'x.conf'], '/etc/d': ['b.conf', 'a.conf', 'c.txt'] };
  const files = new Set(['/etc/x.conf', '/etc/d/a.conf', '/etc/d/b.conf', '/etc/d/c.txt']);
  assert.deepEqual(expandGlob('/etc/d/*.conf', (d) => tree[d], (p) => files.has(p)), ['/etc/d/a.conf', '/etc/d/b.conf']);
  assert.deepEqual(expandGlob('/etc/*/a.conf', (d) => tree[d], (p) => files.has(p)), ['/etc/d/a.conf']);
  assert.deepEqual(expandGlob('/etc/none', (d) => tree[d], (p) => files.has(p)), []);
  assert.equal(resolveInclude('d/*.conf', '/etc/mip6d.conf'), '/etc/d/*.conf');
  assert.equal(resolveInclude('/abs.conf', '/etc/mip6d.conf'), '/abs.conf');
  assert.equal(resolveInclude('x.conf', 'mip6d.conf'), 'x.conf');
});
