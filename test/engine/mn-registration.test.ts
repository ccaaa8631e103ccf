/** MobileNode: home registration from an IPv6 care-of address (RFC 6275 §11.7, §11.8). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Xoshiro128 } from '../../src/proto/prng.js';
import { seqNext } from '../../src/proto/seqno.js';
import { BaFlag, BuFlag } from '../../src/wire/mh/constants.js';
import type { MnOutput } from '../../src/engine/mn/types.js';
import {
  COA6, COA6B, FIRST_SEQ, HA, HOA, LIFETIME, ROUTER6, World, ba, eventsOf, fromHa, mnConfig,
  onlyBu, ops, registeredOn6, sends, trace,
} from './mn-world.js';

test('RFC 6275 §11.7.1: BU from an IPv6 CoA: A, H, HAO, lifetime, native from the CoA', () => {
  const w = new World(mnConfig({ maxBindingLifetimeSeconds: 1_000_003 }));
  const out = w.attach('eth0', COA6);
  assert.deepEqual(trace(out), ['event care-of-changed', 'send ipv6 binding-update', 'event bu-sent']);
  assert.deepEqual(eventsOf(out, 'care-of-changed'),
    [{ type: 'care-of-changed', ifname: 'eth0', careOfAddress: COA6, family: 6 }]);
  const { send, bu, wire } = onlyBu(out);
  assert.deepEqual(send.via, { kind: 'ipv6' });
  assert.equal(send.packet.source, COA6);
  assert.equal(send.packet.destination, HA);
  assert.equal(send.packet.homeAddressOption, HOA);
  assert.equal(bu.flags, BuFlag.A | BuFlag.H, 'A and H only (no R, F, T, K)');
  assert.equal(bu.sequence, FIRST_SEQ);
  // min(config, 262140), already a multiple of 4
  assert.equal(bu.lifetimeSeconds, 262_140);
  assert.deepEqual(send.packet.mh.options, [], 'no options: no IPv4 HoA configured, not a router');
  assert.equal(wire.homeAddressOption, HOA);
  assert.equal(wire.type2RoutingAddress, undefined);
  assert.deepEqual(eventsOf(out, 'bu-sent'), [{ type: 'bu-sent', sequence: FIRST_SEQ, lifetimeSeconds: 262_140 }]);
});

test('RFC 6275 §6.1.7: lifetime is floored to a multiple of 4 s', () => {
  const w = new World(mnConfig({ maxBindingLifetimeSeconds: 1003 }));
  assert.equal(onlyBu(w.attach('eth0', COA6)).bu.lifetimeSeconds, 1000);
});

test('RFC 6275 §11.7.3: accepted BA → tunnel-set ipv6, HoA on the tunnel, registered', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA6));
  w.now += 250;
  const out = w.feed(ba({ sequence: bu.sequence, lifetimeSeconds: 400 }));
  assert.deepEqual(ops(out), [
    {
      op: 'tunnel-set', endpoint: { encapsulation: 'ipv6', local: COA6, remote: HA },
      homeAddresses: [HOA], prefixes: [],
    },
    { op: 'home-address-set', address: HOA, family: 6, prefixLength: 64, on: 'tunnel' },
  ]);
  assert.deepEqual(eventsOf(out, 'registered'), [{
    type: 'registered', careOfAddress: COA6, lifetimeSeconds: 400, encapsulation: 'ipv6',
    natDetected: false, registrationMs: 250,
  }]);
  assert.equal(sends(out).length, 0);
  // Refresh at 90% of 400 s counted from the BU's send time (t = 0).
  assert.equal(w.mn.nextDeadline(), 360_000);
});

test('RFC 6275 §11.7.3: a duplicate BA is dropped and registers nothing twice', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA6));
  w.feed(ba({ sequence: bu.sequence }));
  const out = w.feed(ba({ sequence: bu.sequence }));
  assert.deepEqual(trace(out), ['event dropped']);
  assert.equal(eventsOf(out, 'dropped')[0].reason, 'unexpected-ack');
});

test('RFC 6275 §11.8: retransmissions at 1.5, 3, 6, 12, 24, 32, 32 s, each with a new sequence', () => {
  const w = new World();
  const first = onlyBu(w.attach('eth0', COA6)).bu;
  const times: number[] = [];
  const seqs = [first.sequence];
  for (let i = 0; i < 8; i++) {
    const d = w.untilDeadline();
    assert.ok(d !== undefined);
    const out = w.advance(d);
    times.push(w.now);
    seqs.push(onlyBu(out).bu.sequence);
  }
  const gaps = times.map((t, i) => t - (i === 0 ? 0 : times[i - 1]));
  assert.deepEqual(gaps, [1500, 3000, 6000, 12000, 24000, 32000, 32000, 32000]);
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqNext(seqs[i - 1]));
});

test('RFC 6275 §11.8: re-registration starts at InitialBindackTimeout (1 s)', () => {
  const w = new World();
  registeredOn6(w);
  assert.deepEqual(trace(w.attach('wlan0', COA6B)), [], 'worse preference: no change');
  const out = w.link('eth0', false); // CoA moves to wlan0 while the binding is valid
  assert.equal(onlyBu(out).send.packet.source, COA6B);
  assert.equal(w.untilDeadline(), 1000);
});

test('RFC 6275 §11.8 with jitter: each timeout within ±10% of the doubling schedule', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const w = new World(mnConfig(), new Xoshiro128(seed));
    onlyBu(w.attach('eth0', COA6));
    const nominal = [1500, 3000, 6000, 12000, 24000, 32000, 32000];
    for (const n of nominal) {
      const d = w.untilDeadline()!;
      assert.ok(d >= n * 0.9 && d <= n * 1.1, `seed ${seed}: ${d} not within 10% of ${n}`);
      onlyBu(w.advance(d));
    }
  }
});

test('RFC 6275 §11.8: starting sequence number comes from the PRNG', () => {
  const a = onlyBu(new World(mnConfig(), new Xoshiro128(7)).attach('eth0', COA6)).bu.sequence;
  const b = onlyBu(new World(mnConfig(), new Xoshiro128(8)).attach('eth0', COA6)).bu.sequence;
  assert.notEqual(a, b);
  assert.equal(a, onlyBu(new World(mnConfig(), new Xoshiro128(7)).attach('eth0', COA6)).bu.sequence);
});

test('RFC 6275 §11.7.3: a rejection answers only the last BU; an acceptance of an earlier BU of the round counts', () => {
  const w = new World();
  const s1 = onlyBu(w.attach('eth0', COA6)).bu.sequence;
  const s2 = onlyBu(w.advance(1500)).bu.sequence;
  assert.deepEqual(eventsOf(w.feed(ba({ sequence: s1, status: 130 })), 'dropped').map((e) => e.reason),
    ['unexpected-ack'], 'a late rejection of the first BU does not stop waiting for the second');
  assert.equal(eventsOf(w.feed(ba({ sequence: s1 })), 'registered')[0].registrationMs, 1500,
    'the first BU answered late (home agent DAD) registers');
  assert.deepEqual(eventsOf(w.feed(ba({ sequence: s2 })), 'dropped').map((e) => e.reason), ['unexpected-ack']);
});

test('RFC 6275 §11.8 / §12 MAX_UPDATE_RATE: CoA flapping never sends more than 3 BUs a second', () => {
  const w = new World();
  w.link('eth0');
  w.router('eth0', ROUTER6);
  const sent: { at: number; source: string }[] = [];
  const record = (at: number, out: MnOutput[]): void => {
    for (const s of sends(out)) sent.push({ at, source: s.packet.source });
  };
  let current: string | undefined;
  for (let i = 0; i < 40; i++) { // a new CoA every 50 ms for 2 s
    for (const s of w.steps(i * 50 - w.now)) record(s.at, s.out);
    const coa = `2001:db8:2::${(i % 7) + 1}`;
    if (current !== undefined) record(w.now, w.address('eth0', current, false));
    record(w.now, w.address('eth0', coa));
    current = coa;
  }
  for (const s of w.steps(5000)) record(s.at, s.out);
  for (const { at } of sent) {
    const inWindow = sent.filter((u) => u.at >= at && u.at < at + 1000).length;
    assert.ok(inWindow <= 3, `${inWindow} BUs in the second from ${at}`);
  }
  assert.ok(sent.filter((s) => s.at < 2000).length >= 6, 'BUs kept flowing at the limit');
  // The BU deferred by the rate limit goes out from the latest CoA.
  const after = sent.filter((s) => s.at >= 1950);
  assert.ok(after.length >= 1);
  assert.equal(after[0].source, current);
});

test('RFC 6275 §11.7.3: refresh at 90% of the granted lifetime, as a re-registration', () => {
  const w = new World();
  registeredOn6(w);
  assert.equal(w.untilDeadline(), 540_000 - 100);
  const out = w.advance(540_000 - 100);
  const { bu } = onlyBu(out);
  assert.equal(bu.lifetimeSeconds, LIFETIME);
  assert.equal(w.untilDeadline(), 1000, 'refresh BU uses the re-registration timeout');
  w.now += 40;
  const ack = w.feed(ba({ sequence: bu.sequence }));
  assert.deepEqual(ops(ack), [], 'same tunnel and HoA: no OS op again');
  assert.deepEqual(eventsOf(ack, 'registered').map((e) => e.registrationMs), [40]);
});

test('RFC 6275 §6.2.4: a shorter Binding Refresh Advice interval wins', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA6));
  w.feed(ba({ sequence: bu.sequence, options: [{ type: 'binding-refresh-advice', refreshIntervalSeconds: 60 }] }));
  assert.equal(w.mn.nextDeadline(), 60_000);
  assert.equal(sends(w.advance(59_999)).length, 0);
  assert.equal(sends(w.advance(1)).length, 1);
});

test('RFC 6275 §11.7.3: the binding expires if no refresh is answered; the tunnel stays while retrying', () => {
  const w = new World();
  registeredOn6(w);
  const out = w.advance(LIFETIME * 1000);
  assert.ok(out.some((o) => o.kind === 'event' && o.event.type === 'binding-expired'), 'expiry reported');
  assert.ok(!out.some((o) => o.kind === 'os' && o.op.op === 'tunnel-clear'),
    'the tunnel stays: the HA may hold a binding whose BA was lost');
  assert.ok(sends(out).length >= 5, 'refresh BUs were retransmitted before expiry');
  // Retransmission continues after expiry, with fresh sequence numbers.
  const more = w.advance(64_000);
  assert.ok(sends(more).length >= 2);
});

test('RFC 6275 §11.7.4: BRR from the HA triggers an immediate refresh BU', () => {
  const w = new World();
  registeredOn6(w);
  w.now = 10_000;
  const out = w.feed(fromHa({ type: 'binding-refresh-request' }));
  const { bu } = onlyBu(out);
  assert.equal(bu.flags, BuFlag.A | BuFlag.H);
  // A second BRR while the refresh is outstanding sends nothing more.
  assert.deepEqual(trace(w.feed(fromHa({ type: 'binding-refresh-request' }))), []);
});

test('RFC 6275 §11.7.4: BRR without a binding is dropped', () => {
  const w = new World();
  const out = w.feed(fromHa({ type: 'binding-refresh-request' }));
  assert.deepEqual(eventsOf(out, 'dropped').map((e) => e.reason), ['unexpected-ack']);
});

test('RFC 6275 §11.3.6: Binding Error status 1 for our HoA → first registration again', () => {
  const w = new World();
  registeredOn6(w);
  w.now = 5000;
  const out = w.feed(fromHa({ type: 'binding-error', status: 1, homeAddress: HOA }, { routingAddress: null }));
  assert.deepEqual(trace(out), ['event binding-error', 'send ipv6 binding-update', 'event bu-sent']);
  assert.equal(w.untilDeadline(), 1500, 'the HA lost the binding: first-registration timeout');
});

test('RFC 6275 §11.3.6: Binding Error status 2 is only reported', () => {
  const w = new World();
  registeredOn6(w);
  const out = w.feed(fromHa({ type: 'binding-error', status: 2, homeAddress: HOA }, { routingAddress: null }));
  assert.deepEqual(eventsOf(out, 'binding-error'), [{ type: 'binding-error', status: 2, homeAddress: HOA }]);
  assert.equal(sends(out).length, 0);
  assert.equal(ops(out).length, 0);
});

test('RFC 6275 §11.3.6: Binding Error status 1 for another home address is only reported', () => {
  const w = new World();
  registeredOn6(w);
  const out = w.feed(fromHa({ type: 'binding-error', status: 1, homeAddress: '2001:db8:1::999' },
    { routingAddress: null }));
  assert.deepEqual(trace(out), ['event binding-error']);
});

test('RFC 6275 §11.7.3: accepted BA keeps K/R/other flags irrelevant for a plain MN', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA6));
  const out = w.feed(ba({ sequence: bu.sequence, flags: BaFlag.K | BaFlag.R }));
  assert.equal(eventsOf(out, 'registered').length, 1);
});
