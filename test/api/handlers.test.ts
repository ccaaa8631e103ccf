/** Control handlers over hand-built snapshots, and over the real engines' snapshot(). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answer, answerLine, bulState } from '../../src/api/handlers.js';
import type { Request, Response } from '../../src/api/protocol.js';
import { homeAgentSource, mobileNodeSource, type MnSource } from '../../src/api/snapshots.js';
import type { BcResult, BulResult, StatsResult, StatusResult } from '../../src/api/views.js';
import { HomeAgent } from '../../src/engine/ha/home-agent.js';
import type { MnSnapshot } from '../../src/engine/mn/mobile-node.js';
import { CLOCK, E4, E6, HOME_LINK, MN_REGISTERED, haSource, snapshots } from './fixtures.js';
import { HOA, HOA2, NAT4, bu4, bu6, config } from '../engine/ha-fixture.js';
import { COA4, HA4, World, ba, onlyBu } from '../engine/mn-world.js';

function ok(r: Response): unknown {
  if (!r.ok) assert.fail(`error response: ${JSON.stringify(r.error)}`);
  return r.result;
}

const mnSource = (s: MnSnapshot = MN_REGISTERED): MnSource => ({ role: 'mn', snapshot: () => s });
const req = (r: Partial<Request> & Pick<Request, 'command'>): Request => ({ id: 1, ...r } as Request);

test('status: home agent', () => {
  const r = ok(answer(req({ command: 'status' }), snapshots(haSource()))) as StatusResult;
  assert.deepStrictEqual(r, {
    protocol: 1, role: 'ha', version: '0.1.0', pid: 4242, uptimeSeconds: 93784,
    configFile: '/etc/dsmip6/ha.conf',
    homeAgent: {
      address: '2001:db8:1::1', ipv4Address: '203.0.113.1', udpPort: 4191, acceptDsmip6: true,
      bindings: 2, bindingsMax: 1000, pendingDad: 1, homeLink: HOME_LINK,
    },
    mobileNode: null,
  });
});

test('status: mobile node', () => {
  const r = ok(answer(req({ command: 'status' }), snapshots(mnSource()))) as StatusResult;
  assert.deepStrictEqual(r.mobileNode, {
    homeAddress: '2001:db8:1::100', homeAgentAddress: '2001:db8:1::1', state: 'registered',
    careOfAddress: '198.51.100.10', careOfInterface: 'wlan0', encapsulation: 'udp4',
    routersUsable: 0, routersKnown: 0,
  });
  assert.equal(r.homeAgent, null);
});

test('bc: every field of an IPv6 binding and of a NATed mobile router binding', () => {
  const r = ok(answer(req({ command: 'bc', offset: 0, limit: 10 }), snapshots(haSource()))) as BcResult;
  assert.equal(r.total, 2);
  assert.deepStrictEqual(r.bindings[0], {
    homeAddress: '2001:db8:1::100', careOfAddress: '2001:db8:2::5', encapsulation: 'ipv6',
    udpEndpoint: null, natDetected: false, lifetimeSeconds: 400, remainingSeconds: 300, sequence: 10,
    flags: 'AH', mobileRouter: false, nemoMode: null, mobileNetworkPrefixes: [], ipv4HomeAddress: null,
    ipv4MobileNetworkPrefix: null, registeredAt: '2025-01-02T03:02:25Z', refreshRequestSent: false,
  });
  assert.deepStrictEqual(r.bindings[1], {
    homeAddress: '2001:db8:1::200', careOfAddress: '198.51.100.10', encapsulation: 'udp4',
    udpEndpoint: { address: '192.0.2.77', port: 40001 }, natDetected: true, lifetimeSeconds: 3600,
    remainingSeconds: 3599, sequence: 65535, flags: 'AHR', mobileRouter: true, nemoMode: 'explicit',
    mobileNetworkPrefixes: ['2001:db8:ff::/64', '2001:db8:fe::/64'], ipv4HomeAddress: '10.0.0.7',
    ipv4MobileNetworkPrefix: '10.1.0.0/24', registeredAt: '2025-01-02T03:04:04Z', refreshRequestSent: true,
  });
});

test('bc: pages, a single home address, an expired-but-not-yet-removed entry', () => {
  const s = snapshots(haSource());
  const page = ok(answer(req({ command: 'bc', offset: 1, limit: 1 }), s)) as BcResult;
  assert.deepStrictEqual([page.total, page.offset, page.limit, page.bindings.map((b) => b.homeAddress)],
    [2, 1, 1, [E4.homeAddress]]);
  const past = ok(answer(req({ command: 'bc', offset: 5, limit: 1 }), s)) as BcResult;
  assert.deepStrictEqual(past.bindings, []);
  const one = ok(answer(req({ command: 'bc', offset: 0, limit: 1, homeAddress: E6.homeAddress }), s)) as BcResult;
  assert.deepStrictEqual([one.total, one.bindings.length], [1, 1]);
  const none = ok(answer(req({ command: 'bc', offset: 0, limit: 1, homeAddress: '2001:db8::9' }), s)) as BcResult;
  assert.deepStrictEqual([none.total, none.bindings.length], [0, 0]);
  const late = snapshots(haSource([{ ...E6, expiresAt: CLOCK.now - 1 }]));
  const r = ok(answer(req({ command: 'bc', offset: 0, limit: 1 }), late)) as BcResult;
  assert.equal(r.bindings[0].remainingSeconds, 0);
});

test('views of the other role are refused with wrong-role', () => {
  assert.deepStrictEqual(answer(req({ command: 'bc', offset: 0, limit: 1 }), snapshots(mnSource())), {
    id: 1, ok: false,
    error: { code: 'wrong-role', message: 'bc is a view of a home agent; this daemon is a mobile node' },
  });
  const r = answer(req({ command: 'bul' }), snapshots(haSource()));
  assert.equal(r.ok ? '' : r.error.code, 'wrong-role');
});

test('bul: every field of a registered NATed entry', () => {
  const r = ok(answer(req({ command: 'bul' }), snapshots(mnSource()))) as BulResult;
  assert.deepStrictEqual(r.entries, [{
    homeAddress: '2001:db8:1::100', homeAgentAddress: '2001:db8:1::1', homeAgentIpv4Address: '203.0.113.1',
    state: 'registered', atHome: false, homeInterface: null, careOfAddress: '198.51.100.10',
    careOfInterface: 'wlan0', lastSequenceSent: 32768, lastSentSecondsAgo: 12,
    lifetimeRequestedSeconds: 600, lifetimeGrantedSeconds: 600, remainingSeconds: 588,
    retransmissions: 0, nextRetrySeconds: null, encapsulation: 'udp4',
    udpEndpoint: { address: '203.0.113.1', port: 4191 }, natDetected: true, ipv4HomeAddress: '10.0.0.7',
    ipv4MobileNetworkPrefix: null, mobileRouter: false, nemoMode: null, mobileNetworkPrefixes: [],
  }]);
});

test('bul: state from location, round and registration', () => {
  const round = (kind: 'register' | 'deregister') => ({ kind, startedAt: 0, sends: 3 });
  const cases: [Partial<MnSnapshot>, string][] = [
    [{ location: { kind: 'unknown' } }, 'starting'],
    [{ location: { kind: 'home', ifname: 'eth0' } }, 'at-home'],
    [{ location: { kind: 'home', ifname: 'eth0' }, round: round('deregister') }, 'deregistering'],
    [{ round: round('register'), registered: false }, 'registering'],
    [{ round: round('register') }, 'refreshing'],
    [{}, 'registered'],
    [{ registered: false, careOf: undefined }, 'no-care-of'],
    [{ registered: false }, 'unregistered'],
  ];
  for (const [over, want] of cases) assert.equal(bulState({ ...MN_REGISTERED, ...over }), want, want);
  const s = { ...MN_REGISTERED, round: round('register'), nextDeadline: CLOCK.now + 2500 };
  const e = (ok(answer(req({ command: 'bul' }), snapshots(mnSource(s)))) as BulResult).entries[0];
  assert.deepStrictEqual([e.retransmissions, e.nextRetrySeconds], [2, 2]);
});

test('stats: signalling counters and data-plane counters, keys sorted', () => {
  const r = ok(answer(req({ command: 'stats' }), snapshots(haSource()))) as StatsResult;
  assert.equal(JSON.stringify(r), JSON.stringify({
    role: 'ha',
    homeAgent: {
      bindingUpdates: 12, accepted: 8, rejectedByStatus: { 129: 2, 135: 1 },
      droppedByReason: { 'bad-checksum': 1, 'malformed': 3 }, bindingAcksSent: 11, bindingErrorsSent: 1,
      refreshRequestsSent: 2, expired: 4,
    },
    mobileNode: null,
    dataPlane: {
      traffic: { 'tun-to-tunnel': { packets: 7, bytes: 900 }, 'tunnel-to-tun': { packets: 10, bytes: 1200 } },
      droppedByReason: { 'ingress-source': 2 },
    },
  }));
  const m = ok(answer(req({ command: 'stats' }), snapshots(mnSource()))) as StatsResult;
  assert.deepStrictEqual(m.mobileNode?.failuresByStatus, { 130: 1 });
  assert.equal(m.mobileNode?.careOfChanges, 2);
});

test('answerLine: strings in, strings out; a throwing provider gives an internal error', () => {
  const s = snapshots(haSource());
  assert.equal(answerLine('{"id":3,"command":"nope"}', s),
    '{"id":3,"ok":false,"error":{"code":"unknown-command","message":"unknown command \'nope\' (status, bc, bul, stats, routers)"}}\n');
  assert.match(answerLine('garbage', s), /^\{"id":null,"ok":false,"error":\{"code":"bad-json"/);
  const broken = snapshots(haSource(), { dataPlane: () => { throw new Error('counters gone'); } });
  assert.equal(answerLine('{"id":4,"command":"stats"}', broken),
    '{"id":4,"ok":false,"error":{"code":"internal","message":"stats failed: counters gone"}}\n');
});

test('real HomeAgent: snapshot and bc after IPv6 and NATed UDP registrations', () => {
  const ha = new HomeAgent(config());
  ha.handle(0, bu6({ seq: 10, lifetime: 400 }));
  ha.handle(1000, bu4({ seq: 20, lifetime: 400, hoa: HOA2, outerSource: NAT4, outerPort: 40001 }));
  ha.handle(2000, bu6({ seq: 5, lifetime: 400 })); // out of window: rejected with 135
  const s = snapshots(homeAgentSource(ha), { clock: () => ({ now: 100_000, wallMs: CLOCK.wallMs }) });
  const bc = ok(answer(req({ command: 'bc', offset: 0, limit: 10 }), s)) as BcResult;
  assert.deepStrictEqual(bc.bindings.map((b) => [b.homeAddress, b.encapsulation, b.remainingSeconds, b.natDetected]),
    [[HOA, 'ipv6', 300, false], [HOA2, 'udp4', 301, true]]);
  assert.deepStrictEqual(bc.bindings[1].udpEndpoint, { address: NAT4, port: 40001 });
  const upper = ok(answer(req({ command: 'bc', offset: 0, limit: 1, homeAddress: '2001:DB8:1:0::200' }), s));
  assert.equal((upper as BcResult).total, 1, 'any IPv6 text form finds the binding');
  const st = ok(answer(req({ command: 'stats' }), s)) as StatsResult;
  assert.deepStrictEqual(st.homeAgent, {
    bindingUpdates: 3, accepted: 2, rejectedByStatus: { 135: 1 }, droppedByReason: {}, bindingAcksSent: 3,
    bindingErrorsSent: 0, refreshRequestsSent: 0, expired: 0,
  });
  ha.onTimeout(500_000);
  assert.equal(ha.snapshot().counters.expired, 2);
  assert.equal(ha.snapshot().bindingCount, 0);
});

test('real MobileNode: bul while registering, then registered behind a NAT', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('wlan0', COA4));
  const src = mobileNodeSource(w.mn);
  const at = (now: number) => snapshots(src, { clock: () => ({ now, wallMs: CLOCK.wallMs }) });
  w.now = 1000;
  let e = (ok(answer(req({ command: 'bul' }), at(w.now))) as BulResult).entries[0];
  assert.deepStrictEqual([e.state, e.lastSequenceSent, e.lastSentSecondsAgo, e.careOfInterface, e.encapsulation],
    ['registering', bu.sequence, 1, 'wlan0', null]);
  w.advance(1000); // the first retransmission (1.5 s initial timeout)
  e = (ok(answer(req({ command: 'bul' }), at(w.now))) as BulResult).entries[0];
  assert.equal(e.retransmissions, 1);
  assert.equal(e.lastSequenceSent, (bu.sequence + 1) & 0xffff);
  const nat = { type: 'nat-detection' as const, forceUdp: false, refreshTimeSeconds: 110 };
  w.feed(ba({ sequence: e.lastSequenceSent!, to: COA4, lifetimeSeconds: 400, options: [nat] }));
  w.now += 10_000; // the accepted BU left at 1.5 s: the binding lasts until 401.5 s
  e = (ok(answer(req({ command: 'bul' }), at(w.now))) as BulResult).entries[0];
  assert.deepStrictEqual(
    [e.state, e.lifetimeGrantedSeconds, e.remainingSeconds, e.natDetected, e.encapsulation, e.retransmissions],
    ['registered', 400, 389, true, 'udp4', 0]);
  assert.deepStrictEqual(e.udpEndpoint, { address: HA4, port: 4191 });
  const stats = ok(answer(req({ command: 'stats' }), at(w.now))) as StatsResult;
  assert.deepStrictEqual([stats.mobileNode?.bindingUpdatesSent, stats.mobileNode?.registrations], [2, 1]);
});
