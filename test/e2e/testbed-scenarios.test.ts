/**
 * The pure parts of `testbed run` (no root needed): the scenario sets and the Eulerian circuit
 * of handover pairs, the `ip -ts monitor` parser, and the checks made on tshark-decoded BU/BA
 * (they pass on a correct registration and fail, naming the field, on each wrong one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NETWORKS } from '../../src/testbed/plan.js';
import { parseAddressEvents } from '../../src/testbed/run-capture.js';
import { signallingChecks, type SignalExpect } from '../../src/testbed/run-signal-checks.js';
import type { Signal } from '../../src/testbed/run-signalling.js';
import { everyPair, PAIRS, SETS, selectScenarios } from '../../src/testbed/scenario-sets.js';
import { HA_BEHIND_NAT, SCENARIOS } from '../../src/testbed/scenarios.js';

test('everyPair: every ordered pair once, a circuit from the first node back to it', () => {
  for (const nodes of [['a', 'b'], ['a', 'b', 'c'], [...NETWORKS]]) {
    const pairs = everyPair(nodes);
    assert.equal(pairs.length, nodes.length * (nodes.length - 1));
    assert.equal(new Set(pairs.map((p) => p.join('>'))).size, pairs.length);
    assert.ok(pairs.every(([a, b]) => a !== b));
    assert.equal(pairs[0][0], nodes[0]);
    assert.equal(pairs[pairs.length - 1][1], nodes[0]);
    assert.ok(pairs.every((p, i) => i === 0 || p[0] === pairs[i - 1][1]));
  }
  assert.equal(PAIRS.length, 30);
  assert.equal(PAIRS[0].name, 'ho-home-fn1');
});

test('selectScenarios: sets, names, pairs, unknown names', () => {
  assert.deepEqual(SETS.all.map((s) => s.name),
    [...SCENARIOS.map((s) => s.name), ...PAIRS.map((s) => s.name),
      ...HA_BEHIND_NAT.map((s) => s.name)]);
  assert.ok(HA_BEHIND_NAT.every((s) => s.haBehindNat === true));
  assert.ok(SCENARIOS.every((s) => s.haBehindNat !== true));
  const sel = selectScenarios('fn2,ho-nat2-fn3,ha-restart');
  assert.ok(Array.isArray(sel));
  assert.deepEqual((sel as { name: string }[]).map((s) => s.name), ['fn2', 'ho-nat2-fn3', 'ha-restart']);
  assert.equal((selectScenarios('pairs') as unknown[]).length, 30);
  assert.match(selectScenarios('ho-fn1-fn1') as string, /unknown scenario 'ho-fn1-fn1'/);
});

test('parseAddressEvents: additions and deletions with their kernel timestamps', () => {
  const text = [
    '[2026-11-26T23:07:24.699583] Deleted 3: eth0    inet6 2001:db8:1::ff:fe00:100/64 scope global dynamic',
    '       valid_lft 300sec preferred_lft 120sec',
    '[2026-11-26T23:07:24.753404] 3: eth0    inet 198.51.100.33/26 scope global eth0',
  ].join('\n');
  const ev = parseAddressEvents(text);
  assert.equal(ev.length, 2);
  assert.deepEqual([ev[0].deleted, ev[0].ifname, ev[0].address], [true, 'eth0', '2001:db8:1::ff:fe00:100']);
  assert.deepEqual([ev[1].deleted, ev[1].address], [false, '198.51.100.33']);
  assert.equal(ev[1].at - ev[0].at, 54);
  assert.equal(ev[1].at, new Date(2026, 10, 26, 23, 7, 24).getTime() + 753);
});

const T = 1_000_000;

function bu(over: Partial<Signal> = {}): Signal {
  return {
    frame: 1, at: T + 10, kind: 'bu', udp: { src: '198.51.100.33', dst: '192.0.2.1', sport: 4191, dport: 4191 },
    src: '2001:db8:1::100', dst: '2001:db8:1::1', seq: 7, flags: { a: true, h: true, f: false, r: true },
    lifetime: 600, status: null, ipv4Coa: ['198.51.100.33'], ipv4Addresses: ['192.0.2.100'], ipv4AckStatus: [],
    natDetection: false, natForce: false, natRefresh: null, mnp: ['2001:db8:100:1::/64'], ...over,
  };
}

function ba(over: Partial<Signal> = {}): Signal {
  return bu({ frame: 2, at: T + 20, kind: 'ba', status: 0, flags: { a: false, h: false, f: false, r: true },
    ipv4Coa: [], ipv4AckStatus: [0], mnp: [], ...over });
}

const X: SignalExpect = {
  atHome: false, router: true, mnp6: ['2001:db8:100:1::/64'], ipv4Home: '192.0.2.100',
  ipv4Coa: '198.51.100.33', natDetected: false, forceUdp: false, haBehindNat: false,
};

const failed = (signals: Signal[], x: SignalExpect = X): string[] =>
  signallingChecks(signals, T, x).filter((c) => !c.ok).map((c) => c.name);

test('signallingChecks: a correct IPv4 registration passes every check', () => {
  const checks = signallingChecks([bu(), ba()], T, X);
  assert.ok(checks.length >= 6);
  assert.deepEqual(checks.filter((c) => !c.ok), []);
});

test('signallingChecks: each wrong field fails its check', () => {
  assert.deepEqual(failed([bu()]), ['tshark: accepted BA after the link change']);
  assert.deepEqual(failed([bu({ at: T - 100 }), ba({ at: T - 90 })]), ['tshark: accepted BA after the link change']);
  assert.deepEqual(failed([bu(), ba({ status: 129 })]), ['tshark: accepted BA after the link change']);
  assert.deepEqual(failed([bu({ flags: { a: true, h: true, f: false, r: false } }), ba()]),
    ['tshark: BU AHR acknowledged (BA status 0)']);
  assert.deepEqual(failed([bu(), ba({ flags: { a: false, h: false, f: false, r: false } })]),
    ['tshark: BA R flag set']);
  assert.deepEqual(failed([bu(), ba({ lifetime: 700 })]), ['tshark: lifetimes: 0 < BA <= BU']);
  assert.deepEqual(failed([bu({ mnp: [] }), ba()]), ['tshark: BU MNP option 2001:db8:100:1::/64']);
  assert.deepEqual(failed([bu({ ipv4Coa: [] }), ba()]),
    ['tshark: BU over UDP 4191 with IPv4 CoA option 198.51.100.33']);
  assert.deepEqual(failed([bu(), ba({ natDetection: true, natRefresh: 5 })]),
    ['tshark: BA without NAT detection option']);
  assert.deepEqual(failed([bu(), ba({ ipv4AckStatus: [128] })]),
    ['tshark: IPv4 HoA 192.0.2.100 and acknowledged']);
});

test('signallingChecks: NAT, forced UDP, dynamic IPv4 HoA, IPv6 CoA, deregistration', () => {
  const nat = { ...X, natDetected: true, ipv4Coa: '10.1.0.161' };
  assert.deepEqual(failed([bu({ ipv4Coa: ['10.1.0.161'] }), ba({ natDetection: true, natRefresh: 5 })], nat), []);
  assert.deepEqual(failed([bu({ ipv4Coa: ['10.1.0.161'] }), ba()], nat),
    ['tshark: BA NAT detection option with a refresh time']);
  const mn2: SignalExpect = { ...X, router: false, mnp6: [], ipv4Home: '0.0.0.0', forceUdp: true };
  const f = { a: true, h: true, f: true, r: false };
  const good = [bu({ flags: f, mnp: [], ipv4Addresses: ['0.0.0.0'] }),
    ba({ flags: { ...f, f: false }, natDetection: true, natForce: true, natRefresh: 0xffffffff,
      ipv4Addresses: ['192.0.2.129'] })];
  assert.deepEqual(failed(good, mn2), []);
  assert.deepEqual(failed([good[0], { ...good[1], natForce: false }], mn2),
    ['tshark: BA NAT detection option: F set, refresh all ones (no NAT)']);
  assert.deepEqual(failed([{ ...good[0], flags: { ...f, f: false } }, good[1]], mn2),
    ['tshark: BU AHF acknowledged (BA status 0)']);
  assert.deepEqual(failed([good[0], { ...good[1], ipv4Addresses: ['0.0.0.0'] }], mn2),
    ['tshark: IPv4 HoA requested (0.0.0.0) and acknowledged']);
  const v6 = { ...X, ipv4Coa: null };
  assert.deepEqual(failed([bu({ udp: null, ipv4Coa: [] }), ba({ udp: null })], v6), []);
  assert.deepEqual(failed([bu(), ba()], v6), ['tshark: BU over IPv6, no IPv4 CoA option']);
  const home = { ...X, atHome: true, ipv4Coa: null };
  assert.deepEqual(failed([bu({ udp: null, lifetime: 0 }), ba({ udp: null, lifetime: 0 })], home), []);
  assert.deepEqual(failed([bu({ udp: null }), ba({ udp: null, lifetime: 0 })], home),
    ['tshark: deregistration: BU and BA lifetime 0']);
});
