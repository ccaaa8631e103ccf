/**
 * DHCPv4 client: the RFC 2131 §4.1 retransmission schedule and its bounds, INIT-REBOOT,
 * DHCPDECLINE after an address conflict (§3.1.5, 10 s wait), DHCPRELEASE, stop and start.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DhcpClient } from '../../src/proto/dhcp-client.js';
import { Xoshiro128 } from '../../src/proto/prng.js';
import { dhcpMessageType, dhcpOption } from '../../src/wire/dhcpv4.js';
import { buildDecline, buildRelease, buildRequest } from '../../src/wire/dhcpv4-client.js';
import {
  bind, BROADCAST_UDP, CLIENT_ID, events, HOST, MAC, makeClient, OFFERED, ops, PRL, received,
  ROUTER, ScriptedPrng, SERVER, sent,
} from './dhcp-client-fixture.test.js';

const ID = { chaddr: MAC, clientIdentifier: CLIENT_ID };
const BASES = [4000, 8000, 16000, 32000, 64000];
const H = 3_600_000;
const CLEAR = [
  { op: 'default-route-clear', gateway: ROUTER, source: OFFERED },
  { op: 'address-clear', address: OFFERED, prefixLength: 24 },
];

/** Sends DISCOVERs at every deadline until the round gives up; returns the send instants. */
function discoverRound(c: DhcpClient, t0: number): number[] {
  const at = [t0];
  const first = sent(c.handle(t0, { kind: 'start' }));
  for (let i = 1; i < 5; i++) {
    const t = c.nextDeadline()!;
    const d = sent(c.onTimeout(t));
    assert.equal(d.message.xid, first.message.xid, 'retransmissions keep the xid');
    assert.equal(d.message.secs, Math.floor((t - t0) / 1000));
    at.push(t);
  }
  return at;
}

test('DISCOVER schedule: 4 s doubling to 64 s ± 1 s from the PRNG, 5 tries, 60 s pause', () => {
  const replay = new Xoshiro128(9);
  const c = makeClient(9);
  const at = discoverRound(c, 0);
  replay.below(2 ** 32); // the xid
  let want = 0;
  const wanted = [0];
  for (const base of BASES.slice(0, 4)) {
    want += base + Math.floor((2 * replay.next() - 1) * 1000);
    wanted.push(want);
  }
  assert.deepEqual(at, wanted);
  const last = c.nextDeadline()!;
  assert.equal(last, at[4] + 64000 + Math.floor((2 * replay.next() - 1) * 1000));
  assert.deepEqual(c.onTimeout(last - 1), []);
  const out = c.onTimeout(last);
  assert.deepEqual(out, [{ kind: 'event', event: { type: 'no-reply', state: 'selecting',
    attempts: 5, retryAt: last + 60_000 } }]);
  assert.equal(c.state, 'init');
  assert.equal(c.nextDeadline(), last + 60_000);
  const next = sent(c.onTimeout(last + 60_000));
  assert.equal(dhcpMessageType(next.message), 'discover');
  assert.equal(next.message.secs, 0, 'a new round');
  assert.equal(c.state, 'selecting');
});

test('retransmission jitter stays in [-1 s, +1 s) for any seed and at the PRNG extremes', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
    const at = discoverRound(makeClient(seed), 0);
    at.slice(1).forEach((t, i) => {
      const gap = t - at[i];
      assert.ok(gap >= BASES[i] - 1000 && gap < BASES[i] + 1000, `gap ${i}: ${gap}`);
    });
  }), { numRuns: 300, seed: 11 });
  const low = new DhcpClient({ chaddr: MAC, prng: new ScriptedPrng([0.5, 0]) });
  low.handle(0, { kind: 'start' });
  assert.equal(low.nextDeadline(), 3000);
  const high = new DhcpClient({ chaddr: MAC, prng: new ScriptedPrng([0.5, 1 - 2 ** -32]) });
  high.handle(0, { kind: 'start' });
  assert.equal(high.nextDeadline(), 4999);
});

test('REQUESTING gives up after 4 REQUESTs and goes back to DISCOVER', () => {
  const c = makeClient(12, { maxDiscoverAttempts: 2 });
  const d = sent(c.handle(0, { kind: 'start' }));
  sent(c.handle(100, received({ type: 'offer', xid: d.message.xid })));
  let t = 100;
  for (let i = 2; i <= 4; i++) {
    const next = c.nextDeadline()!;
    assert.ok(next - t >= BASES[i - 2] - 1000 && next - t < BASES[i - 2] + 1000);
    t = next;
    const r = sent(c.onTimeout(t));
    assert.equal(dhcpMessageType(r.message), 'request');
    assert.equal(dhcpOption(r.message, 'server-identifier')?.address, SERVER);
  }
  t = c.nextDeadline()!;
  const out = c.onTimeout(t);
  assert.deepEqual(events(out), [{ type: 'no-reply', state: 'requesting', attempts: 4,
    retryAt: t }]);
  const again = sent(out);
  assert.equal(dhcpMessageType(again.message), 'discover');
  assert.notEqual(again.message.xid, d.message.xid);
});

test('the lease runs from the first REQUEST of the answered xid, not a retransmission', () => {
  const c = makeClient(24);
  const d = sent(c.handle(0, { kind: 'start' }));
  sent(c.handle(500, received({ type: 'offer', xid: d.message.xid })));
  const t = c.nextDeadline()!;
  const again = sent(c.onTimeout(t));
  assert.equal(again.message.secs, Math.floor(t / 1000), 'secs count from the DISCOVER');
  c.handle(t + 20, received({ type: 'ack', xid: d.message.xid }));
  assert.equal(c.lease?.obtainedAt, 500);
  assert.equal(c.nextDeadline(), 500 + H / 2);
});

test('INIT-REBOOT: after stop, start REQUESTs the remembered address without option 54', () => {
  const c = makeClient(13);
  bind(c, 0);
  const stop = c.handle(5_000, { kind: 'stop' });
  assert.deepEqual(ops(stop), CLEAR);
  assert.deepEqual(events(stop), [{ type: 'lost', address: OFFERED, reason: 'stopped' }]);
  assert.equal(c.state, 'idle');
  assert.equal(c.nextDeadline(), undefined);
  assert.deepEqual(c.remembered, { address: OFFERED, serverId: SERVER, expiresAt: H });
  const r = sent(c.handle(9_000, { kind: 'start' }));
  assert.equal(c.state, 'rebooting');
  assert.deepEqual(r.udp, BROADCAST_UDP);
  assert.deepEqual(r.message, buildRequest({ ...ID, xid: r.message.xid, secs: 0, broadcast: true,
    hostName: HOST, parameterRequestList: PRL, state: 'init-reboot', requestedAddress: OFFERED }));
  assert.equal(dhcpOption(r.message, 'requested-ip-address')?.address, OFFERED);
  assert.equal(dhcpOption(r.message, 'server-identifier'), undefined);
  assert.equal(r.message.ciaddr, '0.0.0.0');
  const out = c.handle(9_010, received({ type: 'ack', xid: r.message.xid }));
  assert.deepEqual(ops(out).map((o) => o.op), ['address-set', 'default-route-set']);
  assert.deepEqual(events(out).map((e) => e.type === 'bound' && e.via), ['rebooting']);
  assert.equal(c.lease?.obtainedAt, 9_000);
});

test('INIT-REBOOT: a lease from the runtime, expiry, NAK and silence', () => {
  const fresh = makeClient(14);
  const previous = { address: OFFERED, expiresAt: 50_000 };
  assert.equal(dhcpMessageType(sent(fresh.handle(49_999, { kind: 'start', previous })).message),
    'request');
  const late = makeClient(15);
  assert.equal(dhcpMessageType(sent(late.handle(50_000, { kind: 'start', previous })).message),
    'discover', 'an expired lease is not worth rebooting');
  assert.equal(late.remembered, undefined);
  for (const bad of [{ address: '0.0.0.0' }, { address: OFFERED, serverId: 'server' }]) {
    const ignored = makeClient(25).handle(0, { kind: 'start', previous: bad });
    assert.equal(dhcpMessageType(sent(ignored).message), 'discover', JSON.stringify(bad));
  }
  const nak = makeClient(16);
  const r = sent(nak.handle(0, { kind: 'start', previous }));
  const out = nak.handle(1, received({ type: 'nak', xid: r.message.xid }));
  assert.equal(dhcpMessageType(sent(out).message), 'discover');
  assert.equal(nak.remembered, undefined);
  const quiet = makeClient(17);
  sent(quiet.handle(0, { kind: 'start', previous }));
  sent(quiet.onTimeout(quiet.nextDeadline()!));
  const t = quiet.nextDeadline()!;
  const gaveUp = quiet.onTimeout(t);
  assert.deepEqual(events(gaveUp), [{ type: 'no-reply', state: 'rebooting', attempts: 2,
    retryAt: t }]);
  assert.equal(dhcpMessageType(sent(gaveUp).message), 'discover');
  assert.equal(quiet.remembered, undefined);
});

test('address conflict in BOUND: DECLINE, remove the address, DISCOVER again after 10 s', () => {
  const c = makeClient(18);
  assert.equal(events(bind(c, 0))[0].type, 'bound');
  const before = c.dropCounts()['conflict-ignored'];
  const other = c.handle(50, { kind: 'address-conflict', address: '192.168.77.99' });
  assert.deepEqual(events(other).map((e) => e.type === 'dropped' && e.reason), ['conflict-ignored']);
  assert.equal(c.dropCounts()['conflict-ignored'], before + 1);
  assert.equal(c.state, 'bound');
  const out = c.handle(100, { kind: 'address-conflict', address: OFFERED });
  const d = sent(out);
  assert.deepEqual(d.udp, BROADCAST_UDP);
  assert.deepEqual(d.message, buildDecline({ ...ID, xid: d.message.xid,
    requestedAddress: OFFERED, serverIdentifier: SERVER }));
  assert.deepEqual(ops(out), CLEAR);
  assert.deepEqual(events(out), [{ type: 'lost', address: OFFERED, reason: 'declined' },
    { type: 'declined', address: OFFERED }]);
  assert.equal(c.state, 'init');
  assert.equal(c.remembered, undefined);
  assert.equal(c.nextDeadline(), 10_100);
  assert.deepEqual(c.onTimeout(10_099), []);
  const again = sent(c.onTimeout(10_100));
  assert.equal(dhcpMessageType(again.message), 'discover');
  assert.notEqual(again.message.xid, d.message.xid);
});

test('address conflict in REQUESTING declines the offer; when idle it is ignored', () => {
  const c = makeClient(19);
  const d = sent(c.handle(0, { kind: 'start' }));
  sent(c.handle(1, received({ type: 'offer', xid: d.message.xid })));
  const out = c.handle(2, { kind: 'address-conflict', address: OFFERED });
  assert.equal(dhcpMessageType(sent(out).message), 'decline');
  assert.deepEqual(ops(out), []);
  assert.deepEqual(events(out), [{ type: 'declined', address: OFFERED }]);
  assert.equal(c.nextDeadline(), 10_002);
  const idle = makeClient(20);
  const ignored = idle.handle(0, { kind: 'address-conflict', address: OFFERED });
  assert.deepEqual(events(ignored).map((e) => e.type), ['dropped']);
  assert.equal(idle.state, 'idle');
});

test('release: RELEASE unicast to the server, then the address goes and nothing is kept', () => {
  const c = makeClient(21);
  bind(c, 0);
  const out = c.handle(1000, { kind: 'release', message: 'bye' });
  const r = sent(out);
  assert.deepEqual(r.udp, { source: OFFERED, sourcePort: 68, destination: SERVER,
    destinationPort: 67 });
  assert.deepEqual(r.message, buildRelease({ ...ID, xid: r.message.xid, clientAddress: OFFERED,
    serverIdentifier: SERVER, message: 'bye' }));
  assert.equal(out[0].kind, 'send', 'sent before the address is removed');
  assert.deepEqual(ops(out), CLEAR);
  assert.deepEqual(events(out), [{ type: 'lost', address: OFFERED, reason: 'released' }]);
  assert.equal(c.state, 'idle');
  assert.equal(c.remembered, undefined);
  assert.equal(c.nextDeadline(), undefined);
  assert.equal(dhcpMessageType(sent(c.handle(2000, { kind: 'start' })).message), 'discover');
  assert.deepEqual(makeClient(22).handle(0, { kind: 'release' }), []);
  const unsendable = makeClient(26);
  bind(unsendable, 0);
  const r2 = sent(unsendable.handle(1, { kind: 'release', message: 'x'.repeat(256) }));
  assert.deepEqual(r2.message.options.map((o) => o.type), ['message-type', 'client-identifier',
    'server-identifier'], 'a message that does not fit is left out, not thrown');
});

test('start while running and stop while selecting', () => {
  const c = makeClient(23);
  sent(c.handle(0, { kind: 'start' }));
  const deadline = c.nextDeadline();
  assert.deepEqual(c.handle(1, { kind: 'start' }), [], 'start is idempotent');
  assert.equal(c.nextDeadline(), deadline);
  assert.deepEqual(c.handle(2, { kind: 'stop' }), []);
  assert.equal(c.state, 'idle');
  assert.equal(c.nextDeadline(), undefined);
  assert.deepEqual(c.onTimeout(1e9), []);
});

test('bad configuration throws at construction', () => {
  const prng = new Xoshiro128(1);
  assert.throws(() => new DhcpClient({ chaddr: new Uint8Array(17), prng }), /chaddr has 17/);
  assert.throws(() => new DhcpClient({ chaddr: MAC, prng, hostName: '' }), /host-name/);
  assert.throws(() => new DhcpClient({ chaddr: MAC, prng, maxDiscoverAttempts: 0 }),
    /maxDiscoverAttempts 0/);
  assert.throws(() => new DhcpClient({ chaddr: MAC, prng, discoverBackoffMs: NaN }),
    /discoverBackoffMs NaN/);
  assert.throws(() => new DhcpClient({ chaddr: MAC, prng, parameterRequestList: [256] }),
    /parameter-request-list/);
});
