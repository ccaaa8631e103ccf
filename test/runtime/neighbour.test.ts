/**
 * HomeLink (src/runtime/neighbour.ts) over fake link ports and mocked timers: DAD reports
 * unique after RetransTimer, duplicate on an NA or another node's probe, ignores its own probe
 * and invalid messages, runs many DADs at once within its bound, shares solicited-node groups;
 * announcements go out MAX_NEIGHBOR_ADVERTISEMENT times, RetransTimer apart, and stop when
 * proxying stops; without ports it degrades with warnings instead of throwing.
 */
import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  DAD_JOINED_MAX, HomeLink, MAX_NEIGHBOR_ADVERTISEMENT, RETRANS_TIMER_MS,
} from '../../src/runtime/neighbour.js';
import {
  dadSolicitation, gratuitousArp, solicitedNode, unsolicitedAdvertisement,
} from '../../src/runtime/neighbour-packets.js';
import { Logger } from '../../src/runtime/logger.js';
import { newPortStats, type LinkLayerPort, type NdMessage, type NdPort } from '../../src/os/ports.js';

const MAC = new Uint8Array([0x02, 0, 0x5e, 0, 0x53, 0x01]);
const OTHER_MAC = new Uint8Array([0x02, 0, 0x5e, 0, 0x53, 0x99]);
const HOA = '2001:db8:1::100';

class FakeNd implements NdPort {
  readonly ifindex = 2;
  readonly stats = newPortStats();
  readonly sent: Uint8Array[] = [];
  readonly groups = new Map<string, number>();
  joins = 0;
  failJoin = false;
  handler: ((m: NdMessage) => void) | undefined;
  closed = false;
  onMessage(h: (m: NdMessage) => void): void { this.handler = h; }
  send(p: Uint8Array): void { this.sent.push(p.slice()); }
  joinGroup(g: string): void {
    if (this.failJoin) throw new Error('ENOBUFS');
    assert.ok(!this.groups.has(g), `joined ${g} twice`);
    this.groups.set(g, 1);
    this.joins++;
  }
  leaveGroup(g: string): void { assert.ok(this.groups.delete(g), `left ${g} unjoined`); }
  close(): void { this.closed = true; }
  /** Delivers a whole IPv6 packet as the raw ICMPv6 socket would. */
  deliver(packet: Uint8Array, hopLimit = packet[7]): void {
    this.handler?.({
      bytes: packet.subarray(40), source: packet.subarray(8, 24), destination: packet.subarray(24, 40),
      ifindex: 2, hopLimit,
    });
  }
}

class FakeLink implements LinkLayerPort {
  readonly ifindex = 2;
  readonly stats = newPortStats();
  readonly sent: { protocol: number; destination: Uint8Array; payload: Uint8Array }[] = [];
  send(protocol: number, destination: Uint8Array, payload: Uint8Array): void {
    this.sent.push({ protocol, destination: destination.slice(), payload: payload.slice() });
  }
  close(): void { /* nothing */ }
}

interface Rig {
  link: HomeLink; nd: FakeNd; eth: FakeLink; lines: string[]; results: [string, boolean][];
  /** False: opening a port throws. */
  ports: boolean;
}

function rig(t: TestContext, o: { noPorts?: boolean } = {}): Rig {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const nd = new FakeNd();
  const eth = new FakeLink();
  const lines: string[] = [];
  let n = 0;
  const r: Rig = { link: undefined as never, nd, eth, lines, results: [], ports: !o.noPorts };
  r.link = new HomeLink({
    openNd: () => { if (!r.ports) throw new Error('no raw sockets here'); return nd; },
    openLinkLayer: () => { if (!r.ports) throw new Error('no packet sockets here'); return eth; },
    facts: () => ({ mac: MAC, source: 'fe80::1' }),
    log: new Logger({ write: (l) => lines.push(l) }, 'debug', 'text', () => 0),
    nonce: () => new Uint8Array([0, 0, 0, 0, 0, ++n]),
  });
  t.after(() => r.link.close());
  return r;
}

function start(r: Rig, address: string): void {
  r.link.dad(address, (dup) => r.results.push([address, dup]));
}

test('DAD: one probe, unique after RetransTimer, group joined then left', (t) => {
  const r = rig(t);
  start(r, '2001:db8:1:0::100');
  assert.equal(r.nd.sent.length, 1);
  assert.deepEqual(r.nd.sent[0], dadSolicitation(HOA, new Uint8Array([0, 0, 0, 0, 0, 1])));
  assert.deepEqual([...r.nd.groups.keys()], ['ff02::1:ff00:100']);
  t.mock.timers.tick(RETRANS_TIMER_MS - 1);
  assert.deepEqual(r.results, []);
  t.mock.timers.tick(1);
  assert.deepEqual(r.results, [['2001:db8:1:0::100', false]]);
  assert.equal(r.nd.groups.size, 0);
  assert.equal(r.link.counters.dadUnique, 1);
});

test('DAD: later waiters for the same address join the running DAD, each told once', (t) => {
  const r = rig(t);
  start(r, HOA);
  start(r, '2001:db8:1:0:0:0:0:100'); // the same address, other text
  start(r, HOA);
  assert.equal(r.nd.sent.length, 1, 'one probe');
  assert.equal(r.link.counters.dadStarted, 1);
  r.nd.deliver(unsolicitedAdvertisement('fe80::2', HOA, OTHER_MAC));
  t.mock.timers.tick(RETRANS_TIMER_MS);
  assert.deepEqual(r.results, [[HOA, true], ['2001:db8:1:0:0:0:0:100', true], [HOA, true]]);
  start(r, HOA);
  assert.equal(r.nd.sent.length, 2, 'a DAD after the end is a new one');
});

test('DAD: an NA for the target means duplicate, at once', (t) => {
  const r = rig(t);
  start(r, HOA);
  r.nd.deliver(unsolicitedAdvertisement('fe80::2', HOA, OTHER_MAC));
  assert.deepEqual(r.results, [[HOA, true]]);
  t.mock.timers.tick(RETRANS_TIMER_MS);
  assert.deepEqual(r.results, [[HOA, true]], 'reported once');
  assert.equal(r.link.counters.dadDuplicate, 1);
});

test('DAD: another node probing the same address means duplicate; our own probe does not', (t) => {
  const r = rig(t);
  start(r, HOA);
  r.nd.deliver(r.nd.sent[0]); // our probe, looped back: same nonce
  assert.deepEqual(r.results, []);
  r.nd.deliver(dadSolicitation(HOA, new Uint8Array([9, 9, 9, 9, 9, 9])));
  assert.deepEqual(r.results, [[HOA, true]]);
});

test('DAD: invalid messages and messages for other targets change nothing', (t) => {
  const r = rig(t);
  start(r, HOA);
  r.nd.deliver(unsolicitedAdvertisement('fe80::2', HOA, OTHER_MAC), 64); // hop limit 64
  r.nd.deliver(unsolicitedAdvertisement('fe80::2', '2001:db8:1::101', OTHER_MAC));
  r.nd.deliver(new Uint8Array(41));
  t.mock.timers.tick(RETRANS_TIMER_MS);
  assert.deepEqual(r.results, [[HOA, false]]);
  assert.equal(r.link.counters.ignored, 2);
});

test('DAD: many at once, each its own probe and result; groups shared by equal low 24 bits', (t) => {
  const r = rig(t);
  const addrs = Array.from({ length: 50 }, (_, i) => `2001:db8:1::${(0x1000 + i).toString(16)}`);
  for (const a of addrs) start(r, a);
  start(r, '2001:db8:2::1000'); // same solicited-node group as 2001:db8:1::1000
  assert.equal(r.link.inFlight, 51);
  assert.equal(r.nd.sent.length, 51);
  assert.equal(r.nd.joins, 50);
  r.nd.deliver(unsolicitedAdvertisement('fe80::2', addrs[7], OTHER_MAC));
  r.nd.deliver(unsolicitedAdvertisement('fe80::2', '2001:db8:2::1000', OTHER_MAC));
  assert.ok(r.nd.groups.has(solicitedNode(addrs[0])!), 'group still used by 2001:db8:1::1000');
  t.mock.timers.tick(RETRANS_TIMER_MS);
  const dups = r.results.filter(([, d]) => d).map(([a]) => a).sort();
  assert.deepEqual(dups, [addrs[7], '2001:db8:2::1000'].sort());
  assert.equal(r.results.length, 51);
  assert.equal(r.nd.groups.size, 0);
});

test('DAD: the same address twice shares one probe and reports to both', (t) => {
  const r = rig(t);
  start(r, HOA);
  start(r, '2001:DB8:1::0100');
  assert.equal(r.nd.sent.length, 1);
  t.mock.timers.tick(RETRANS_TIMER_MS);
  assert.deepEqual(r.results, [[HOA, false], ['2001:DB8:1::0100', false]]);
});

test(`DAD without the listener: above ${DAD_JOINED_MAX} in flight (group joins) an address is reported unique at once`, (t) => {
  const r = rig(t);
  for (let i = 0; i < DAD_JOINED_MAX + 3; i++) start(r, `2001:db8:1::${(i + 1).toString(16)}`);
  assert.equal(r.nd.sent.length, DAD_JOINED_MAX);
  t.mock.timers.tick(0);
  assert.equal(r.results.length, 3);
  assert.ok(r.results.every(([, d]) => !d));
  assert.equal(r.link.counters.dadSkipped, 3);
  assert.equal(r.lines.filter((l) => /DAD not performed/.test(l)).length, 1, 'warned once (rate limit)');
  t.mock.timers.tick(RETRANS_TIMER_MS);
  assert.equal(r.results.length, DAD_JOINED_MAX + 3);
});

test('DAD: a join that fails still probes and still hears NAs', (t) => {
  const r = rig(t);
  r.link.dad('2001:db8:1::5', () => undefined); // opens the port
  r.nd.failJoin = true;
  start(r, HOA);
  assert.equal(r.nd.sent.length, 2);
  r.nd.deliver(unsolicitedAdvertisement('fe80::2', HOA, OTHER_MAC));
  assert.deepEqual(r.results, [[HOA, true]]);
  assert.ok(r.lines.some((l) => /cannot join/.test(l)));
});

test('without sockets: DAD reports unique after RetransTimer, announcements are skipped', (t) => {
  const r = rig(t, { noPorts: true });
  start(r, HOA);
  r.link.announceNeighbour(HOA);
  r.link.announceArp('192.0.2.129');
  t.mock.timers.tick(RETRANS_TIMER_MS);
  assert.deepEqual(r.results, [[HOA, false]]);
  assert.equal(r.link.counters.dadSkipped, 1);
  assert.ok(r.lines.some((l) => /DAD not performed.*no raw sockets here/.test(l)), r.lines.join('\n'));
  assert.ok(r.lines.some((l) => /cannot announce.*no packet sockets here/.test(l)));
});

test('a port that failed to open is tried again on the next use', (t) => {
  const r = rig(t, { noPorts: true });
  start(r, HOA);
  t.mock.timers.tick(RETRANS_TIMER_MS);
  assert.deepEqual(r.results, [[HOA, false]]);
  r.ports = true;
  start(r, '2001:db8:1::101');
  r.link.announceArp('192.0.2.129');
  assert.equal(r.nd.sent.length, 1);
  assert.equal(r.eth.sent.length, 2);
});

test('proxy ND start: MAX_NEIGHBOR_ADVERTISEMENT unsolicited NAs, RetransTimer apart', (t) => {
  const r = rig(t);
  r.link.announceNeighbour(HOA);
  const na = unsolicitedAdvertisement('fe80::1', HOA, MAC);
  assert.deepEqual(r.nd.sent, [na]);
  t.mock.timers.tick(RETRANS_TIMER_MS - 1);
  assert.equal(r.nd.sent.length, 1);
  t.mock.timers.tick(1);
  assert.equal(r.nd.sent.length, 2);
  t.mock.timers.tick(10 * RETRANS_TIMER_MS);
  assert.equal(r.nd.sent.length, MAX_NEIGHBOR_ADVERTISEMENT);
  assert.ok(r.nd.sent.every((p) => p.every((b, i) => b === na[i])));
});

test('proxy ARP start: gratuitous ARP request and reply per round; clear stops the rounds', (t) => {
  const r = rig(t);
  r.link.announceArp('192.0.2.129');
  assert.deepEqual(r.eth.sent.map((s) => [s.protocol, [...s.destination], s.payload]), [
    [0x0806, [255, 255, 255, 255, 255, 255], gratuitousArp(1, '192.0.2.129', MAC)],
    [0x0806, [255, 255, 255, 255, 255, 255], gratuitousArp(2, '192.0.2.129', MAC)],
  ]);
  t.mock.timers.tick(RETRANS_TIMER_MS);
  assert.equal(r.eth.sent.length, 4);
  r.link.stopAnnouncing('192.0.2.129');
  t.mock.timers.tick(10 * RETRANS_TIMER_MS);
  assert.equal(r.eth.sent.length, 4);
});

test('close: timers stop, pending DADs never report, ports close', (t) => {
  const r = rig(t);
  start(r, HOA);
  r.link.announceNeighbour('2001:db8:1::200');
  r.link.close();
  t.mock.timers.tick(10 * RETRANS_TIMER_MS);
  assert.deepEqual(r.results, []);
  assert.equal(r.nd.sent.length, 2);
  assert.ok(r.nd.closed);
  start(r, HOA);
  assert.equal(r.nd.sent.length, 2, 'no probe after close');
});
