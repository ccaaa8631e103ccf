/**
 * Live (root only): the rtnetlink client drives the kernel of a throwaway namespace through a
 * Python-backed NetlinkTransport, and `ip -json` checks every effect: links (MTU, up/down),
 * addresses (nodad, tentative, IPv4), routes (table 1000, 100000, gateway, preferred source,
 * replace), rules (`from PREFIX lookup TABLE priority N`), proxy neighbours; idempotency errors;
 * and notifications received on a socket bound to the RTMGRP_* groups, parsed into events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtnlClient, alreadyExists, doesNotExist, type RtnlResult } from '../../src/os/netlink/rtnl.js';
import { parseEvents, type RtnlEvent } from '../../src/os/netlink/events.js';
import {
  RTMGRP_IPV4_IFADDR, RTMGRP_IPV4_ROUTE, RTMGRP_IPV6_IFADDR, RTMGRP_IPV6_ROUTE, RTMGRP_LINK, RTMGRP_NEIGH,
} from '../../src/os/netlink/constants.js';
import { TestNetns, liveSkipReason } from './netlink-netns.js';

function ok<T>(r: RtnlResult<T>, what: string): T {
  if (!r.ok) assert.fail(`${what}: ${r.error.text}`);
  return r.value;
}

function setUp(ns: TestNetns): { client: RtnlClient; t0: number; v1: number; v0: number } {
  ns.ip('link', 'set', 'lo', 'up');
  ns.ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  ns.ip('tuntap', 'add', 'dev', 't0', 'mode', 'tun');
  const client = new RtnlClient(ns.transport());
  const links = ok(client.getLinks(), 'getLinks');
  const index = (name: string): number => links.find((l) => l.name === name)?.index ?? -1;
  assert.deepEqual(links.map((l) => l.name).sort(), ['lo', 't0', 'v0', 'v1']);
  return { client, t0: index('t0'), v0: index('v0'), v1: index('v1') };
}

test('live: links, addresses, routes, rules and proxy neighbours through the client', (t) => {
  const skip = liveSkipReason();
  if (skip) { t.skip(skip); return; }
  const ns = new TestNetns();
  try {
    const { client, t0, v0, v1 } = setUp(ns);
    checkLinks(ns, client, t0, v0, v1);
    checkAddresses(ns, client, t0, v0);
    checkRoutes(ns, client, t0, v1);
    checkRules(ns, client);
    checkProxyNeighbours(ns, client, t0);
  } finally {
    ns.destroy();
  }
});

function checkLinks(ns: TestNetns, c: RtnlClient, t0: number, v0: number, v1: number): void {
  ok(c.setMtu('t0', 1400), 'setMtu');
  ok(c.setLinkUp(t0), 'setLinkUp t0');
  ok(c.setLinkUp('v0'), 'setLinkUp v0');
  ok(c.setLinkUp(v1), 'setLinkUp v1');
  const link = ns.ipJson<Array<{ mtu: number; flags: string[] }>>('link', 'show', 't0')[0];
  assert.equal(link.mtu, 1400);
  assert.ok(link.flags.includes('UP'));
  const info = ok(c.getLink('t0'), 'getLink');
  assert.deepEqual([info.index, info.mtu, info.up, info.running], [t0, 1400, true, false]);
  assert.equal(ok(c.getLink(v0), 'getLink v0').name, 'v0');
  const missing = c.getLink('nope');
  assert.ok(!missing.ok && doesNotExist(missing.error) && missing.error.kind === 'kernel' && missing.error.name === 'ENODEV');
}

function checkAddresses(ns: TestNetns, c: RtnlClient, t0: number, v0: number): void {
  ok(c.addAddress({ index: t0, address: '2001:db8:1::1', prefixLength: 64, nodad: true }), 'addAddress v6');
  ok(c.addAddress({ index: t0, address: '192.0.2.1', prefixLength: 24 }), 'addAddress v4');
  ok(c.addAddress({ index: v0, address: '2001:db8:2::1', prefixLength: 64 }), 'addAddress with DAD');
  const mine = ok(c.getAddresses(6, v0), 'getAddresses').find((a) => a.address === '2001:db8:2::1');
  assert.ok(mine?.flagNames.includes('tentative'), JSON.stringify(mine));
  const again = c.addAddress({ index: t0, address: '2001:db8:1::1', prefixLength: 64, nodad: true });
  assert.ok(!again.ok && alreadyExists(again.error), JSON.stringify(again));
  const shown = ns.ipJson<Array<{ addr_info: Array<{ family: string; local: string; prefixlen: number; nodad?: boolean }> }>>(
    'addr', 'show', 'dev', 't0')[0].addr_info.filter((a) => !a.local.startsWith('fe80'));
  assert.deepEqual(shown.map((a) => `${a.local}/${a.prefixlen}${a.nodad ? ' nodad' : ''}`),
    ['192.0.2.1/24', '2001:db8:1::1/64 nodad']);
  const v4 = ok(c.getAddresses(4, t0), 'getAddresses v4');
  assert.deepEqual(v4.map((a) => [a.address, a.prefixLength, a.label]), [['192.0.2.1', 24, 't0']]);
  ok(c.delAddress({ index: v0, address: '2001:db8:2::1', prefixLength: 64 }), 'delAddress');
  const gone = c.delAddress({ index: v0, address: '2001:db8:2::1', prefixLength: 64 });
  assert.ok(!gone.ok && doesNotExist(gone.error), JSON.stringify(gone));
}

function checkRoutes(ns: TestNetns, c: RtnlClient, t0: number, v1: number): void {
  ok(c.addRoute({ dst: '2001:db8:5::/64', oif: t0, table: 1000, metric: 7 }), 'addRoute table 1000');
  ok(c.addRoute({ dst: '198.51.100.0/24', oif: t0, table: 100, src: '192.0.2.1' }), 'addRoute v4 src');
  ok(c.addRoute({ dst: '2001:db8:6::/48', gateway: 'fe80::1', oif: v1, table: 100000 }), 'addRoute gateway');
  const again = c.addRoute({ dst: '2001:db8:5::/64', oif: t0, table: 1000, metric: 7 });
  assert.ok(!again.ok && alreadyExists(again.error));
  type R = { dst: string; dev: string; metric?: number; gateway?: string; prefsrc?: string; scope?: string };
  const brief = (rs: R[]): string[] => rs.map((r) => [r.dst, r.dev, r.metric, r.gateway, r.prefsrc, r.scope]
    .filter((x) => x !== undefined).join(' '));
  assert.deepEqual(brief(ns.ipJson<R[]>('-6', 'route', 'show', 'table', '1000')), ['2001:db8:5::/64 t0 7']);
  assert.deepEqual(brief(ns.ipJson<R[]>('route', 'show', 'table', '100')), ['198.51.100.0/24 t0 192.0.2.1 link']);
  assert.deepEqual(brief(ns.ipJson<R[]>('-6', 'route', 'show', 'table', '100000')), ['2001:db8:6::/48 v1 1024 fe80::1']);
  ok(c.replaceRoute({ dst: '2001:db8:5::/64', oif: v1, table: 1000, metric: 7 }), 'replaceRoute');
  assert.deepEqual(brief(ns.ipJson<R[]>('-6', 'route', 'show', 'table', '1000')), ['2001:db8:5::/64 v1 7']);
  const routes = ok(c.getRoutes(100000), 'getRoutes');
  assert.deepEqual(routes.map((r) => [r.dst, r.table, r.gateway, r.oif, r.protocol]), [['2001:db8:6::/48', 100000, 'fe80::1', v1, 4]]);
  ok(c.delRoute({ dst: '2001:db8:5::/64', table: 1000 }), 'delRoute');
  assert.deepEqual(ns.ipJson('-6', 'route', 'show', 'table', '1000'), []);
  const gone = c.delRoute({ dst: '2001:db8:5::/64', table: 1000 });
  assert.ok(!gone.ok && doesNotExist(gone.error) && gone.error.kind === 'kernel' && gone.error.name === 'ESRCH');
}

function checkRules(ns: TestNetns, c: RtnlClient): void {
  ok(c.addRule({ from: '2001:db8:1::/64', table: 1000, priority: 100 }), 'addRule v6');
  ok(c.addRule({ from: '192.0.2.0/24', table: 100000, priority: 200 }), 'addRule v4');
  const again = c.addRule({ from: '2001:db8:1::/64', table: 1000, priority: 100 });
  assert.ok(!again.ok && alreadyExists(again.error));
  type Rule = { priority: number; src?: string; srclen?: number; table: string };
  const brief = (rs: Rule[]): string[] => rs.map((r) => `${r.priority} ${r.src ?? 'all'}/${r.srclen ?? 0} ${r.table}`);
  assert.deepEqual(brief(ns.ipJson<Rule[]>('-6', 'rule', 'show')),
    ['0 all/0 local', '100 2001:db8:1::/64 1000', '32766 all/0 main']);
  assert.deepEqual(brief(ns.ipJson<Rule[]>('rule', 'show')),
    ['0 all/0 local', '200 192.0.2.0/24 100000', '32766 all/0 main', '32767 all/0 default']);
  const rules = ok(c.getRules(4), 'getRules');
  assert.deepEqual(rules.find((r) => r.priority === 200), { family: 4, table: 100000, priority: 200, action: 1, from: '192.0.2.0/24' });
  ok(c.delRule({ from: '2001:db8:1::/64', table: 1000, priority: 100 }), 'delRule');
  assert.deepEqual(brief(ns.ipJson<Rule[]>('-6', 'rule', 'show')), ['0 all/0 local', '32766 all/0 main']);
  const gone = c.delRule({ from: '2001:db8:1::/64', table: 1000, priority: 100 });
  assert.ok(!gone.ok && doesNotExist(gone.error));
}

function checkProxyNeighbours(ns: TestNetns, c: RtnlClient, t0: number): void {
  ok(c.addProxyNeighbour({ index: t0, address: '2001:db8:1::55' }), 'addProxyNeighbour');
  ok(c.addProxyNeighbour({ index: t0, address: '2001:db8:1::56' }), 'addProxyNeighbour 2');
  ok(c.addProxyNeighbour({ index: t0, address: '2001:db8:1::55' }), 'adding an existing proxy entry succeeds');
  const proxies = (): string[] => ns.ip('-6', 'neigh', 'show', 'proxy').split('\n').map((l) => l.trim())
    .filter((l) => l !== '').sort();
  assert.deepEqual(proxies(), ['2001:db8:1::55 dev t0 proxy', '2001:db8:1::56 dev t0 proxy']);
  const listed = ok(c.getProxyNeighbours(6), 'getProxyNeighbours');
  assert.deepEqual(listed.map((n) => `${n.address} ${n.index} ${n.proxy}`).sort(),
    [`2001:db8:1::55 ${t0} true`, `2001:db8:1::56 ${t0} true`]);
  ok(c.delProxyNeighbour({ index: t0, address: '2001:db8:1::55' }), 'delProxyNeighbour');
  assert.deepEqual(proxies(), ['2001:db8:1::56 dev t0 proxy']);
  const gone = c.delProxyNeighbour({ index: t0, address: '2001:db8:1::55' });
  assert.ok(!gone.ok && doesNotExist(gone.error));
}

test('live: notifications on RTMGRP_* groups parse into events; proxy entries send none', async (t) => {
  const skip = liveSkipReason();
  if (skip) { t.skip(skip); return; }
  const ns = new TestNetns();
  try {
    const { client: c, t0 } = setUp(ns);
    ok(c.setLinkUp(t0), 'setLinkUp');
    const groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
      RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
    const listener = await ns.listen(groups);
    ok(c.addProxyNeighbour({ index: t0, address: '2001:db8:1::55' }), 'addProxyNeighbour');
    ok(c.addAddress({ index: t0, address: '2001:db8:9::1', prefixLength: 64, nodad: true }), 'addAddress');
    ok(c.addRoute({ dst: '2001:db8:77::/64', oif: t0, table: 1000 }), 'addRoute');
    ok(c.delRoute({ dst: '2001:db8:77::/64', table: 1000 }), 'delRoute');
    ok(c.setLinkDown('t0'), 'setLinkDown');
    const events: RtnlEvent[] = [];
    for (const d of await listener.datagrams) {
      const r = parseEvents(d);
      assert.deepEqual(r.errors, []);
      events.push(...r.events);
    }
    const brief = events.map(describe).filter((s) => s !== '');
    for (const want of ['address new 2001:db8:9::1/64', 'route new 2001:db8:77::/64 table 1000',
      'route del 2001:db8:77::/64 table 1000', 'link new t0 down', 'address del 2001:db8:9::1/64']) {
      assert.ok(brief.includes(want), `missing "${want}" in ${JSON.stringify(brief)}`);
    }
    // Taking t0 down does flush its ordinary (multicast) neighbour entries, with events.
    const proxyEvents = events.filter((e) => e.kind === 'neigh' && (e.neigh.proxy || e.neigh.address === '2001:db8:1::55'));
    assert.deepEqual(proxyEvents, [], 'proxy neighbour changes are not notified');
  } finally {
    ns.destroy();
  }
});

function describe(e: RtnlEvent): string {
  switch (e.kind) {
    case 'address': return `address ${e.op} ${e.address.address}/${e.address.prefixLength}`;
    case 'route': return e.route.table === 1000 ? `route ${e.op} ${e.route.dst} table ${e.route.table}` : '';
    case 'link': return `link ${e.op} ${e.link.name} ${e.link.up ? 'up' : 'down'}`;
    default: return '';
  }
}
