/** Every file in examples/ reads, through the real file system, with the values it states. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkConfig, loadConfigFile } from '../../src/config/check.js';
import { formatDiagnostic } from '../../src/config/diagnostics.js';
import type { Dsmip6Config } from '../../src/config/types.js';

const DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));

function load(name: string): Dsmip6Config {
  const r = loadConfigFile(`${DIR}${name}`);
  assert.ok(r.ok, !r.ok ? formatDiagnostic(r.error) : '');
  return r.value;
}

const warned = (c: Dsmip6Config): string[] => c.warnings.map((w) => `${w.line}: ${w.message.split(' (')[0]}`);
const notImpl = (c: Dsmip6Config): string[] => c.notImplemented.map((n) => `${n.keyword}@${n.pos.line}`);

test('every example file is valid', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.conf'));
  assert.equal(files.length, 11);
  for (const f of files) {
    const r = checkConfig(`${DIR}${f}`);
    assert.equal(r.exitCode, 0, `${f}: ${r.stderr}`);
    assert.ok(r.stdout.includes('NodeConfig '), f);
  }
});

test('a missing or unreadable main file is an error without a line', () => {
  const missing = loadConfigFile(`${DIR}no-such.conf`);
  assert.equal(!missing.ok && formatDiagnostic(missing.error),
    `${DIR}no-such.conf: expected a readable configuration file, found no such file or directory`);
  const dir = checkConfig(`${DIR}dsmip6-ha.d`);
  assert.equal(dir.exitCode, 1);
  assert.equal(dir.stderr, `error: ${DIR}dsmip6-ha.d: expected a readable configuration file, found is a directory\n`);
});

test('UMIP man page home agent with IPsec: IPsec reported, ACL kept', () => {
  const c = load('umip-man-ha-ipsec.conf');
  assert.equal(c.role, 'HA');
  assert.deepEqual(c.interfaces.map((i) => [i.name, i.ifType, i.preference]), [['eth0', 'HA', 10]]);
  assert.equal(c.ha?.homeInterface, 'eth0');
  assert.deepEqual(c.ha?.engine.acl, [{ homeAddress: '3ffe:2620:6:1::1234', prefixes: [], action: 'allow' }]);
  assert.equal(c.ha?.engine.defaultAclPolicy, 'allow');
  assert.equal(c.ha?.address, undefined, 'learned at run time');
  assert.deepEqual(notImpl(c), ['UseMnHaIPsec@5', 'IPsecPolicySet@6']);
});

test('UMIP example-mn.conf: a mobile node', () => {
  const c = load('umip-example-mn.conf');
  assert.equal(c.role, 'MN');
  assert.equal(c.mobileRouter, false);
  assert.equal(c.daemon.debugLevel, 10);
  assert.equal(c.daemon.logLevel, 'debug');
  const e = c.mn!.engine;
  assert.equal(e.homeAddress, '3ffe:2620:6:1::1234');
  assert.equal(e.homePrefixLength, 64);
  assert.equal(e.homeAgentAddress, '3ffe:2620:6:1::1');
  assert.equal(e.useDsmip6, false);
  assert.equal(e.maxBindingLifetimeSeconds, 262140);
  assert.equal(e.initialBindackTimeoutFirstRegMs, 1500);
  assert.equal(e.initialBindackTimeoutReRegMs, 1000);
  assert.deepEqual(e.interfaces, [{ name: 'eth0', preference: 10 }]);
  assert.deepEqual(notImpl(c), ['DoRouteOptimizationCN@4', 'DoRouteOptimizationMN@5', 'UseCnBuAck@6',
    'MnDiscardHaParamProb@7', 'MnRouterProbes@10', 'UseMnHaIPsec@17', 'KeyMngMobCapability@18', 'IPsecPolicySet@19']);
});

test('UMIP NEMO mobile router and its home agent', () => {
  const mr = load('umip-example-nemo-mn.conf');
  assert.equal(mr.mobileRouter, true);
  assert.equal(mr.mn?.engine.mobileRouter, true);
  assert.equal(mr.mn?.engine.explicitMode, true);
  assert.deepEqual(mr.mn?.engine.mobileNetworkPrefixes, ['3ffe:2620:6:2::/64', '3ffe:2620:6:3::/64']);
  const ha = load('umip-example-nemo-ha.conf');
  assert.equal(ha.ha?.engine.acceptMobileRouter, true);
  assert.deepEqual(ha.ha?.engine.servedPrefixes, ['3ffe:2620:6::/48']);
  assert.equal(ha.ha?.engine.defaultAclPolicy, 'deny');
  assert.deepEqual(ha.ha?.engine.acl, [{
    homeAddress: '3ffe:2620:6:1::1234', prefixes: ['3ffe:2620:6:2::/64', '3ffe:2620:6:3::/64'], action: 'allow',
  }]);
});

test('UMIP-DSMIP NEMO v4traffic mobile router: IPv4 home address and prefix request', () => {
  const c = load('umip-dsmip-example-nemo-dsmip-v4traffic-mr.conf');
  const e = c.mn!.engine;
  assert.equal(c.mobileRouter, true);
  assert.deepEqual(c.interfaces.map((i) => [i.name, i.preference, i.useDhcp]), [['ath0', 1, true]]);
  assert.equal(e.useDsmip6, true);
  assert.equal(e.maxBindingLifetimeSeconds, 32);
  assert.equal(e.homeAgentAddress, '2001:db8:1ffb:ff01::70');
  assert.equal(e.homeAgentIpv4Address, '192.168.1.70');
  assert.equal(e.homeAddress, '2001:db8:1ffb:ff01::ff0d');
  assert.deepEqual(e.mobileNetworkPrefixes, ['2001:db8:1ffb:ff17::/64']);
  assert.equal(e.ipv4HomeAddress, '192.168.1.17');
  assert.equal(e.ipv4PrefixRequestLength, 24);
  assert.equal(c.mn?.ipv4HomePrefixLength, 24);
  assert.deepEqual(c.mn?.ipv4MobileNetworkPrefixes, ['192.168.17.0/24']);
  assert.deepEqual(notImpl(c), ['OptimisticHandoff@5', 'UseMnHaIPsec@17']);
});

test('UMIP-DSMIP NEMO v4traffic home agent', () => {
  const c = load('umip-dsmip-example-nemo-dsmip-v4traffic-ha.conf');
  const e = c.ha!.engine;
  assert.equal(e.acceptDsmip6, true);
  assert.equal(c.ha?.ipv4Address, '192.168.1.70');
  assert.equal(e.defaultAclPolicy, 'deny');
  assert.deepEqual(e.acl.map((a) => [a.homeAddress, a.prefixes, a.action]), [
    ['2001:db8:1ffb:ff01::ff0d', ['2001:db8:1ffb:ff17::/64'], 'allow'],
    ['2001:db8:1ffb:ff01::ff0e', ['2001:db8:1ffb:ff18::/64'], 'allow']]);
  assert.deepEqual(e.ipv4Authorizations, [
    { ipv4HomeAddress: '192.168.1.17', prefixes: ['192.168.17.0/24'] },
    { ipv4HomeAddress: '192.168.1.18', prefixes: ['192.168.18.0/24'] }]);
  assert.deepEqual(notImpl(c), ['SendMobPfxAdvs@7', 'SendUnsolMobPfxAdvs@8', 'UseMnHaIPsec@16', 'KeyMngMobCapability@17']);
});

test("UMIP-DSMIP example-dsmip-mn.conf: its stray '};' is accepted with a warning", () => {
  const c = load('umip-dsmip-example-dsmip-mn.conf');
  assert.ok(warned(c).includes("11: stray ';' after the '}' of Interface \"eth0\""), JSON.stringify(warned(c)));
  assert.deepEqual(c.interfaces.map((i) => [i.name, i.useDhcp]), [['eth0', true]]);
  assert.equal(c.mn?.engine.useDsmip6, true);
  assert.equal(c.mn?.engine.homeAgentIpv4Address, '192.0.2.1');
  assert.equal(c.mn?.engine.ipv4HomeAddress, undefined, 'MnSupportIPv4Traffic is not enabled');
});

test('UMIP-DSMIP example-dsmip-ha.conf: HaAcceptDsmip6 inside IPsecPolicySet applies globally', () => {
  const c = load('umip-dsmip-example-dsmip-ha.conf');
  assert.equal(c.ha?.engine.acceptDsmip6, true);
  assert.equal(c.ha?.ipv4Address, undefined, 'the IPsecPolicySet HomeAgentV4Address is not the global one');
  assert.ok(warned(c).includes('13: HaAcceptDsmip6 inside IPsecPolicySet'), JSON.stringify(warned(c)));
  assert.deepEqual(notImpl(c), ['UseMnHaIPsec@7', 'IPsecPolicySet@9']);
});

test('dsmip6 home agent with included per-router files', () => {
  const c = load('dsmip6-ha.conf');
  const e = c.ha!.engine;
  assert.deepEqual(c.files.map((f) => f.slice(DIR.length)),
    ['dsmip6-ha.conf', 'dsmip6-ha.d/mr1.conf', 'dsmip6-ha.d/refused.conf']);
  assert.deepEqual(c.daemon, {
    controlSocket: '/run/dsmip6/dsmip6.sock', controlSocketMode: 0o660, logFormat: 'json', logLevel: 'info',
    debugLevel: 0, debugLogFile: undefined, stateDirectory: '/run/dsmip6', tunnelMtu: 1400,
  });
  assert.equal(c.ha?.address, '2001:db8:1::1');
  assert.deepEqual(c.ha?.homePrefixes, [{ prefix: '2001:db8:1::/64' }]);
  assert.equal(c.ha?.ipv4Address, '192.0.2.1');
  assert.equal(c.ha?.ipv4HomeSubnet, '192.0.2.0/24');
  assert.deepEqual(e, {
    udpPort: 4191, maxBindingLifetimeSeconds: 3600, acceptMobileRouter: true, servedPrefixes: ['2001:db8:100::/48'],
    defaultAclPolicy: 'allow',
    acl: [
      { homeAddress: '2001:db8:1::100', prefixes: ['2001:db8:100:1::/64', '2001:db8:100:2::/64'], action: 'allow' },
      { homeAddress: '2001:db8:1::666', prefixes: [], action: 'deny' }],
    acceptDsmip6: true, natRefreshSeconds: 110, behindNat: false, honourForceUdp: true,
    ipv4Authorizations: [{ ipv4HomeAddress: '192.0.2.100', prefixes: ['203.0.113.16/28'], homeAddress: '2001:db8:1::100' }],
    ipv4HomeAddressPool: '192.0.2.128/25', ipv4PrefixPool: { range: '198.51.100.0/24', prefixLength: 28 },
    bindingsMax: 10000, refreshAdviceSeconds: undefined, refreshRequestLeadSeconds: 30, dad: true, dadTimeoutMs: 1500,
  });
  assert.deepEqual(c.warnings, []);
});

test('dsmip6 mobile router and mobile node', () => {
  const mr = load('dsmip6-mr.conf');
  assert.equal(mr.mobileRouter, true);
  assert.deepEqual(mr.mn?.engine, {
    homeAddress: '2001:db8:1::100', homePrefixLength: 64, homeAgentAddress: '2001:db8:1::1',
    homeAgentIpv4Address: '192.0.2.1', homeAgentUdpPort: 4191, useDsmip6: true, forceUdp: false,
    mobileRouter: true, explicitMode: true, mobileNetworkPrefixes: ['2001:db8:100:1::/64', '2001:db8:100:2::/64'],
    ipv4HomeAddress: '192.0.2.100', ipv4PrefixRequestLength: 28, maxBindingLifetimeSeconds: 600,
    initialBindackTimeoutFirstRegMs: 1500, initialBindackTimeoutReRegMs: 1000,
    interfaces: [{ name: 'wlan0', preference: 1 }, { name: 'wwan0', preference: 2 }, { name: 'eth0', preference: 3 }],
    udpSourcePort: 4191, useRouterAdvertisements: true, routerLostIntervals: 3,
  });
  assert.deepEqual(mr.interfaces.map((i) => i.useDhcp), [true, false, false]);
  assert.deepEqual(mr.warnings, []);
  const mn = load('dsmip6-mn.conf');
  assert.equal(mn.mobileRouter, false);
  assert.equal(mn.mn?.engine.forceUdp, true);
  assert.equal(mn.mn?.engine.ipv4HomeAddress, '0.0.0.0', 'asks the home agent for an IPv4 home address');
  assert.equal(mn.mn?.engine.ipv4PrefixRequestLength, undefined);
  assert.deepEqual(mn.warnings, []);
});
