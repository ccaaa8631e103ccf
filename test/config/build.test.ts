/**
 * From a file to engine configurations: defaults, run-time facts, warnings, and the effective
 * configuration that `dsmip6d --check-config` prints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/build.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import { homeAgentConfig, mobileNodeConfig } from '../../src/config/engine-configs.js';
import { formatEffectiveConfig } from '../../src/config/format.js';
import { checkConfig } from '../../src/config/check.js';
import type { Dsmip6Config } from '../../src/config/types.js';
import { HOME_AGENT_DEFAULTS } from '../../src/engine/ha/config.js';
import { HomeAgent } from '../../src/engine/ha/home-agent.js';
import { MobileNode } from '../../src/engine/mn/mobile-node.js';
import { Xoshiro128 } from '../../src/proto/prng.js';
import { memReader } from './mem-reader.js';

function load(text: string, role?: 'HA' | 'MN'): Dsmip6Config {
  const r = loadConfigText(text, { file: 'b.conf', role });
  assert.ok(r.ok, !r.ok ? formatDiagnostic(r.error) : '');
  return r.value;
}

const messages = (c: Dsmip6Config): string[] => c.warnings.map(formatDiagnostic);
const MN_MIN = 'NodeConfig MN;\nInterface "eth0";\nMnHomeLink "eth0" { HomeAddress 2001:db8:1::5/64; HomeAgentAddress 2001:db8:1::1; }\n';
const FACTS = {
  ipv6: [{ address: 'fe80::1', prefixLength: 64 }, { address: '2001:db8:1::1', prefixLength: 64 },
    { address: '2001:db8:2::1', prefixLength: 64 }, { address: '2001:db8:3::9', prefixLength: 128 }],
  ipv4: [{ address: '192.0.2.1', prefixLength: 24 }],
};

test('a minimal home agent takes UMIP and dsmip6 defaults and learns the rest at run time', () => {
  const c = load('NodeConfig HA;\nInterface "eth0";');
  assert.deepEqual(c.ha?.engine, {
    ...HOME_AGENT_DEFAULTS, refreshAdviceSeconds: undefined, refreshRequestLeadSeconds: undefined,
    ipv4HomeAddressPool: undefined,
  });
  assert.equal(c.daemon.controlSocket, '/run/dsmip6/dsmip6.sock');
  assert.equal(c.daemon.controlSocketMode, 0o600);
  assert.equal(c.daemon.stateDirectory, '/run/dsmip6');
  assert.equal(c.daemon.logLevel, 'info');
  const r = homeAgentConfig(c, FACTS);
  assert.ok(r.ok);
  assert.equal(r.value.address, '2001:db8:1::1');
  assert.deepEqual(r.value.homePrefixes, [{ prefix: '2001:db8:1::/64' }, { prefix: '2001:db8:2::/64' }]);
  assert.equal(r.value.ipv4Address, undefined, 'no IPv4 without HaAcceptDsmip6');
  assert.deepEqual(r.learned, ['HomeAgentAddress 2001:db8:1::1 (from "eth0")', 'HaHomePrefix 2001:db8:1::/64, 2001:db8:2::/64']);
  assert.ok(new HomeAgent(r.value).snapshot().address === '2001:db8:1::1', 'the engine accepts it');
});

test('run-time facts: DSMIPv6 learns the IPv4 address and subnet; missing facts are reported', () => {
  const c = load('NodeConfig HA;\nInterface "eth0";\nHaAcceptDsmip6 enabled;');
  const r = homeAgentConfig(c, FACTS);
  assert.ok(r.ok);
  assert.equal(r.value.ipv4Address, '192.0.2.1');
  assert.equal(r.value.ipv4HomeSubnet, '192.0.2.0/24');
  const no6 = homeAgentConfig(c, { ipv6: [{ address: 'fe80::1', prefixLength: 64 }], ipv4: [] });
  assert.deepEqual(no6, { ok: false, reason: '"eth0" has no global IPv6 address: configure one or set HomeAgentAddress' });
  const no4 = homeAgentConfig(c, { ipv6: FACTS.ipv6, ipv4: [] });
  assert.deepEqual(no4, { ok: false, reason: 'HaAcceptDsmip6 is enabled but "eth0" has no IPv4 address: set HomeAgentV4Address' });
  const fixed = load('NodeConfig HA;\nInterface "eth0";\nHomeAgentAddress 2001:db8:9::1;\nHaHomePrefix 2001:db8:9::/64 7200;');
  const f = homeAgentConfig(fixed, { ipv6: [], ipv4: [] });
  assert.ok(f.ok);
  assert.deepEqual(f.value.homePrefixes, [{ prefix: '2001:db8:9::/64', validLifetimeSeconds: 7200 }]);
  assert.deepEqual(f.learned, []);
  assert.equal(homeAgentConfig(load(MN_MIN), FACTS).ok, false);
});

test('a minimal mobile node takes the defaults and the engine accepts it', () => {
  const c = load(MN_MIN);
  const e = mobileNodeConfig(c)!;
  assert.deepEqual(e, {
    homeAddress: '2001:db8:1::5', homePrefixLength: 64, homeAgentAddress: '2001:db8:1::1', homeAgentIpv4Address: undefined,
    homeAgentUdpPort: 4191, useDsmip6: false, forceUdp: false, mobileRouter: false, explicitMode: true,
    mobileNetworkPrefixes: [], ipv4HomeAddress: undefined, ipv4PrefixRequestLength: undefined,
    maxBindingLifetimeSeconds: 262140, initialBindackTimeoutFirstRegMs: 1500, initialBindackTimeoutReRegMs: 1000,
    interfaces: [{ name: 'eth0', preference: 10 }], udpSourcePort: 4191, useRouterAdvertisements: true,
    routerLostIntervals: 3,
  });
  assert.ok(new MobileNode(e, new Xoshiro128(1)));
  assert.deepEqual(c.warnings, []);
});

test('dsmip6 keywords reach the engine configurations', () => {
  const ha = load('NodeConfig HA; Interface "eth0";\nNatKeepaliveInterval 25; HaBehindNat enabled; HaHonourForceUdp disabled;'
    + ' DsmipUdpPort 5000; HaBindingsMax 7; HaRefreshAdvice 60; HaRefreshRequestLead 10; HaDad disabled; HaDadTimeout 0.25;'
    + ' HaAcceptDsmip6 enabled; HaIPv4HomeAddressPool 10.1.0.0/16; HaIPv4PrefixPool 10.2.0.0/16 24;');
  assert.deepEqual(ha.ha?.engine, {
    ...HOME_AGENT_DEFAULTS, natRefreshSeconds: 25, behindNat: true, honourForceUdp: false, udpPort: 5000, bindingsMax: 7,
    refreshAdviceSeconds: 60, refreshRequestLeadSeconds: 10, dad: false, dadTimeoutMs: 250, acceptDsmip6: true,
    ipv4HomeAddressPool: '10.1.0.0/16', ipv4PrefixPool: { range: '10.2.0.0/16', prefixLength: 24 },
  });
  assert.equal(ha.ha?.keepBindings, true, 'HaKeepBindings defaults to enabled');
  assert.equal(load('NodeConfig HA; Interface "eth0";\nHaKeepBindings disabled;').ha?.keepBindings, false);
  assert.equal(ha.ha?.heapTrim, true, 'HaHeapTrim defaults to enabled');
  assert.equal(load('NodeConfig HA; Interface "eth0";\nHaHeapTrim disabled;').ha?.heapTrim, false);
  const mn = load(`${MN_MIN}MnForceUdp enabled; MnUdpSourcePort 40000; DsmipUdpPort 5000; MnUseDsmip6 enabled;`
    + ' HomeAgentV4Address 192.0.2.1; MnMaxHaBindingLife 100; InitialBindackTimeoutFirstReg 3;'
    + ' TunnelMtu 1280; LogFormat json; LogLevel warn; DebugLevel 2; ControlSocketMode 0660;');
  const e = mn.mn!.engine;
  assert.deepEqual([e.forceUdp, e.udpSourcePort, e.homeAgentUdpPort, e.useDsmip6, e.homeAgentIpv4Address,
    e.maxBindingLifetimeSeconds, e.initialBindackTimeoutFirstRegMs], [true, 40000, 5000, true, '192.0.2.1', 100, 3000]);
  assert.deepEqual([mn.daemon.tunnelMtu, mn.daemon.logFormat, mn.daemon.logLevel, mn.daemon.debugLevel,
    mn.daemon.controlSocketMode], [1280, 'json', 'warn', 2, 0o660]);
});

test('MnUseRouterAdvertisements and MnRouterLostIntervals: engine settings, --check-config, bounds', () => {
  const off = load(`${MN_MIN}MnUseRouterAdvertisements disabled;\nMnRouterLostIntervals 6;\n`);
  assert.deepEqual([off.mn?.engine.useRouterAdvertisements, off.mn?.engine.routerLostIntervals], [false, 6]);
  assert.deepEqual(messages(off),
    ['b.conf:5: MnRouterLostIntervals has no effect with MnUseRouterAdvertisements disabled']);
  const lines = formatEffectiveConfig(off).split('\n');
  const find = (start: string): string | undefined => lines.find((l) => l.trimStart().startsWith(start));
  assert.equal(find('MnUseRouterAdvertisements'), `${'MnUseRouterAdvertisements disabled;'.padEnd(47)} # b.conf:4`);
  assert.equal(find('MnRouterLostIntervals'), `${'MnRouterLostIntervals 6;'.padEnd(47)} # b.conf:5`);
  const dflt = formatEffectiveConfig(load(MN_MIN)).split('\n');
  assert.ok(dflt.includes(`${'MnUseRouterAdvertisements enabled;'.padEnd(47)} # default`), dflt.join('\n'));
  assert.ok(dflt.includes(`${'MnRouterLostIntervals 3;'.padEnd(47)} # default`), dflt.join('\n'));
  for (const n of ['1', '101']) {
    const r = loadConfigText(`${MN_MIN}MnRouterLostIntervals ${n};`, { file: 'b.conf' });
    assert.equal(r.ok ? 'accepted' : formatDiagnostic(r.error), `b.conf:4: expected a number in 2..100, found ${n}`);
  }
  const ha = load('NodeConfig HA;\nInterface "eth0";\nMnUseRouterAdvertisements disabled;');
  assert.deepEqual(messages(ha), ['b.conf:3: MnUseRouterAdvertisements concerns a mobile node; ignored with NodeConfig HA']);
});

test('NodeConfig from the command line overrides the file (UMIP -H / -M)', () => {
  const c = load('NodeConfig CN;\nInterface "eth0";', 'HA');
  assert.equal(c.role, 'HA');
  assert.deepEqual(c.effective.find((s) => s.keyword === 'NodeConfig'),
    { scope: 'global', keyword: 'NodeConfig', value: 'HA', source: 'command-line', pos: undefined, note: undefined });
});

test('warnings: other role, repeats, host bits, duplicate interfaces, ineffective settings', () => {
  const c = load('NodeConfig HA;\nInterface "eth0";\nHaMaxBindingLife 100;\nHaMaxBindingLife 200;\nMnUseDsmip6 enabled;\n'
    + 'HaServedPrefix 2001:db8:1::1/48;\nInterface "eth0" { MnIfPreference 2; }\nHaAcceptIPv4Traffic 192.0.2.5;\n'
    + 'MnHomeLink "eth0" { HomeAddress 2001:db8::1/64; }\nInterface "eth1" { UseDhcp enabled; };');
  assert.equal(c.ha?.engine.maxBindingLifetimeSeconds, 200);
  assert.deepEqual(c.ha?.engine.servedPrefixes, ['2001:db8:1::/48']);
  assert.deepEqual(c.interfaces.map((i) => [i.name, i.preference]), [['eth0', 2], ['eth1', 10]]);
  assert.deepEqual(messages(c), [
    'b.conf:4: HaMaxBindingLife is set again (first at b.conf:3); the last value is used',
    "b.conf:10: stray ';' after the '}' of Interface \"eth1\" (UMIP's grammar rejects it); accepted",
    'b.conf:7: Interface "eth0" is declared again (first at line 2); the last one is used',
    'b.conf:5: MnUseDsmip6 concerns a mobile node; ignored with NodeConfig HA',
    'b.conf:7: MnIfPreference concerns a mobile node; ignored with NodeConfig HA',
    'b.conf:10: UseDhcp concerns a mobile node; ignored with NodeConfig HA',
    'b.conf:9: MnHomeLink concerns a mobile node; ignored with NodeConfig HA',
    'b.conf:6: HaServedPrefix: 2001:db8:1::1/48 has host bits set; 2001:db8:1::/48 is used',
    'b.conf:8: HaAcceptIPv4Traffic has no effect while HaAcceptDsmip6 is disabled',
  ]);
});

test('mobile node warnings: IPv4 home address without support, prefixes without IsMobRtr, HomeAgentName', () => {
  const c = load('NodeConfig MN;\nInterface "wlan0";\nMnHomeLink "eth0" {\n HomeAddress 2001:db8:1::5/64 (2001:db8:7::/64);\n'
    + ' HomeAgentAddress 2001:db8:1::1;\n HomeAgentName "ha.example.org";\n HomeV4Address 192.0.2.5/24;\n}\nMnUseDsmip6 enabled;');
  assert.deepEqual(c.mn?.engine.mobileNetworkPrefixes, []);
  assert.equal(c.mn?.engine.ipv4HomeAddress, undefined);
  assert.equal(c.mn?.homeAgentName, 'ha.example.org');
  assert.deepEqual(messages(c), [
    'b.conf:6: HomeAgentName: accepted but not implemented (names are recorded but not resolved; give HomeAgentAddress '
      + 'and HomeAgentV4Address)',
    'b.conf:4: mobile network prefixes need IsMobRtr enabled; ignored',
    'b.conf:7: HomeV4Address is not registered while MnSupportIPv4Traffic is disabled',
    'b.conf:6: HomeAgentName "ha.example.org" is recorded only; HomeAgentAddress 2001:db8:1::1 is used',
    'b.conf:9: MnUseDsmip6 without HomeAgentV4Address: IPv4 care-of addresses cannot be registered',
    'b.conf:3: MnHomeLink "eth0" is not a declared Interface: the node cannot detect it is at home',
  ]);
});

test('the effective configuration lists every setting with its source', () => {
  const c = load('NodeConfig HA;\nInterface "eth0";\nHaMaxBindingLife 600;\nUseMnHaIPsec enabled;\n');
  const text = formatEffectiveConfig(c);
  const lines = text.split('\n');
  const find = (start: string): string | undefined => lines.find((l) => l.trimStart().startsWith(start));
  assert.equal(find('HaMaxBindingLife'), `${'HaMaxBindingLife 600;'.padEnd(47)} # b.conf:3`);
  assert.equal(find('NodeConfig'), `${'NodeConfig HA;'.padEnd(47)} # b.conf:1`);
  assert.equal(find('NatKeepaliveInterval'), `${'NatKeepaliveInterval 110;'.padEnd(47)} # default`);
  assert.equal(find('ControlSocketMode'), `${'ControlSocketMode 0600;'.padEnd(47)} # default`);
  assert.equal(find('HaDadTimeout'), `${'HaDadTimeout 3.0;'.padEnd(47)} # default`);
  assert.equal(find('# HomeAgentAddress'),
    `${'# HomeAgentAddress: the global IPv6 address of "eth0" at start'.padEnd(47)} # run-time default`);
  assert.equal(find('# HaRefreshAdvice'), `${'# HaRefreshAdvice: none'.padEnd(47)} # default`);
  assert.ok(text.includes('Interface "eth0" {\n    IfType HA;'), text);
  assert.ok(text.includes('# accepted but not implemented (no effect):\n#   UseMnHaIPsec (b.conf:4)'), text);
  assert.ok(text.includes('# 1 warning(s):\n#   b.conf:4: UseMnHaIPsec: accepted but not implemented'), text);
  const body = lines.filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.replace(/\s+# .*$/, '')).join('\n');
  const again = loadConfigText(body, { file: 'again.conf' });
  assert.ok(again.ok, `the output reads back: ${!again.ok ? formatDiagnostic(again.error) : ''}`);
  assert.deepEqual(again.value.ha?.engine, c.ha?.engine);
});

test('checkConfig: exit codes, stdout and stderr', () => {
  const reader = memReader({ '/ok.conf': 'NodeConfig HA; Interface "eth0"; UseMnHaIPsec disabled;', '/bad.conf': 'NodeConfig HA' });
  const ok = checkConfig('/ok.conf', { reader });
  assert.equal(ok.exitCode, 0);
  assert.ok(ok.stdout.startsWith('# dsmip6 effective configuration: home agent\n# read from: /ok.conf\n'));
  assert.equal(ok.stderr, 'warning: /ok.conf:1: UseMnHaIPsec: accepted but not implemented (dsmip6 has no kernel IPsec '
    + '(XFRM); protect the path by other means)\n');
  const bad = checkConfig('/bad.conf', { reader });
  assert.deepEqual([bad.exitCode, bad.stdout, bad.stderr], [1, '', "error: /bad.conf:1: expected ';' after NodeConfig HA, found end of file\n"]);
});
