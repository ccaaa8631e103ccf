/** The sans-IO building blocks: sequence numbers, backoff, rate limit, PRNG, heap, pools, prefixes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seqNewer, seqNext } from '../../src/proto/seqno.js';
import { Backoff, RateLimit } from '../../src/proto/timeout.js';
import { Xoshiro128 } from '../../src/proto/prng.js';
import { DeadlineHeap } from '../../src/proto/deadline-heap.js';
import { Ipv4Pool } from '../../src/proto/ipv4-pool.js';
import {
  canonicalPrefix, hostPrefix, isRoutableUnicast6, isUnicast4, linkLocalFor, parsePrefix, prefixContains, prefixCovers,
} from '../../src/proto/prefix.js';
import { earliest } from '../../src/proto/time.js';
import { INITIAL_BINDACK_TIMEOUT_FIRST_REG_MS, MAX_BINDACK_TIMEOUT_MS } from '../../src/proto/constants.js';

test('sequence numbers (RFC 6275 §9.5.1): newer is antisymmetric and wraps at 2^16', () => {
  assert.ok(seqNewer(1, 0));
  assert.ok(seqNewer(0, 65535));
  assert.ok(seqNewer(32767, 0));
  assert.ok(!seqNewer(32768, 0), 'half-way is not newer');
  assert.ok(!seqNewer(5, 5));
  assert.equal(seqNext(65535), 0);
  fc.assert(fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }), (a, b) => {
    assert.ok(!(seqNewer(a, b) && seqNewer(b, a)));
    if (a !== b && ((a - b) & 0xffff) !== 0x8000) assert.ok(seqNewer(a, b) || seqNewer(b, a));
  }), { numRuns: 5000, seed: 7 });
});

test('backoff: 1.5 s doubling to 32 s, then 32 s, with bounded jitter', () => {
  const prng = new Xoshiro128(1);
  const b = new Backoff(INITIAL_BINDACK_TIMEOUT_FIRST_REG_MS, MAX_BINDACK_TIMEOUT_MS, 0.1);
  const gaps = Array.from({ length: 8 }, () => b.next(0, prng));
  const want = [1500, 3000, 6000, 12000, 24000, 32000, 32000, 32000];
  gaps.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= want[i] * 0.1 + 1, `attempt ${i}: ${g}`));
  assert.equal(b.attempts, 8);
  b.reset();
  assert.ok(b.next(0, prng) <= 1651);
});

test('rate limit: at most 3 sends in any second', () => {
  const r = new RateLimit(3);
  for (const t of [0, 10, 20]) { assert.equal(r.earliestAllowed(t), t); r.record(t); }
  assert.equal(r.earliestAllowed(30), 1000);
  assert.equal(r.earliestAllowed(1000), 1000, 'the send at 0 has left the window');
  r.record(1000);
  assert.equal(r.earliestAllowed(1001), 1010);
});

test('PRNG: same seed, same sequence; values in range', () => {
  const a = new Xoshiro128(42);
  const b = new Xoshiro128(42);
  const xs = Array.from({ length: 100 }, () => a.next());
  assert.deepStrictEqual(xs, Array.from({ length: 100 }, () => b.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.notDeepStrictEqual(xs, Array.from({ length: 100 }, () => new Xoshiro128(43).next()));
  const c = new Xoshiro128(9);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[c.below(4)]++;
  assert.ok(counts.every((n) => n > 850 && n < 1150), `counts ${counts}`);
});

test('deadline heap pops in deadline order (against a sorted reference)', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 200 }), (ds) => {
    const h = new DeadlineHeap<number>();
    ds.forEach((d, i) => h.push(d, i));
    const got: number[] = [];
    for (let x = h.popDue(1000); x; x = h.popDue(1000)) got.push(x.deadline);
    assert.deepStrictEqual(got, [...ds].sort((a, b) => a - b));
    assert.equal(earliest(...ds), ds.length ? Math.min(...ds) : undefined);
  }), { numRuns: 500, seed: 3 });
  const h = new DeadlineHeap<string>();
  h.push(10, 'a');
  assert.equal(h.popDue(9), undefined);
});

test('IPv4 pool: lowest free first, network/broadcast skipped, claim and release', () => {
  const p = new Ipv4Pool('10.0.0.0/29');
  assert.equal(p.size, 6);
  assert.deepStrictEqual([p.allocate(), p.allocate()], ['10.0.0.1', '10.0.0.2']);
  assert.ok(!p.claim('10.0.0.1'), 'taken');
  assert.ok(p.claim('10.0.0.5'));
  assert.ok(!p.claim('10.0.0.9'), 'outside the pool');
  assert.equal(p.inUse, 3);
  p.release('10.0.0.1');
  p.release('10.0.0.1');
  assert.equal(p.inUse, 2, 'a second release changes nothing');
  assert.equal(p.allocate(), '10.0.0.1');
  assert.ok(p.isTaken('10.0.0.5'));
  assert.ok(!p.isTaken('10.0.0.6'));
  assert.ok(!p.contains('10.0.0.8'));
  for (let i = 0; i < 3; i++) p.allocate();
  assert.equal(p.allocate(), undefined, 'exhausted');
  assert.equal(p.inUse, 6);
  const blocks = new Ipv4Pool('10.128.0.0/24', 26);
  assert.deepStrictEqual([blocks.allocate(), blocks.allocate()], ['10.128.0.0', '10.128.0.64']);
  assert.throws(() => new Ipv4Pool('10.0.0.0/24', 20));
  const big = new Ipv4Pool('172.16.0.0/14');
  const got = Array.from({ length: 70_000 }, () => big.allocate());
  assert.equal(new Set(got).size, 70_000, 'entries across many bit words, each once');
  assert.equal(got[69_999], '172.17.17.112');
  big.release('172.16.0.40');
  assert.equal(big.allocate(), '172.16.0.40', 'a released entry is the lowest free');
});

test('prefixes: parse, canonical, contains, covers, link-local, address classes', () => {
  assert.equal(canonicalPrefix('2001:DB8:1:0::5/64'), '2001:db8:1::/64');
  assert.equal(parsePrefix('10.0.0.1/24', true), undefined, 'strict rejects host bits');
  assert.equal(parsePrefix('10.0.0.0/33'), undefined);
  assert.ok(prefixContains(parsePrefix('2001:db8:1::/64')!, '2001:db8:1::100'));
  assert.ok(!prefixContains(parsePrefix('2001:db8:1::/64')!, '192.0.2.1'));
  assert.ok(prefixCovers(parsePrefix('2001:db8::/32')!, parsePrefix('2001:db8:ff::/48')!));
  assert.ok(!prefixCovers(parsePrefix('2001:db8:ff::/48')!, parsePrefix('2001:db8::/32')!));
  assert.equal(linkLocalFor('2001:db8:1::1234'), 'fe80::1234');
  assert.deepStrictEqual([hostPrefix('2001:db8::1'), hostPrefix('192.0.2.1')], ['2001:db8::1/128', '192.0.2.1/32']);
  assert.deepStrictEqual(['2001:db8::1', '::', '::1', 'fe80::1', 'ff02::1', '::ffff:1.2.3.4'].map(isRoutableUnicast6),
    [true, false, false, false, false, false]);
  assert.deepStrictEqual(['192.0.2.1', '0.0.0.0', '127.0.0.1', '224.0.0.1', '169.254.1.1'].map(isUnicast4),
    [true, false, false, false, false]);
});
