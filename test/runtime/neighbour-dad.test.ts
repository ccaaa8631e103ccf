/**
 * DAD probes at scale (neighbour-dad.ts, neighbour.ts): the reused probe buffer is byte for byte
 * the codec's probe, nonces are fresh and recognised when they come back, and with the listener
 * DADs are not capped at the group-join limit.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DAD_JOINED_MAX, DAD_RESULTS_PER_TURN, HomeLink, RETRANS_TIMER_MS } from '../../src/runtime/neighbour.js';
import { ProbeWriter, sameNonce } from '../../src/runtime/neighbour-dad.js';
import { AdvertisementTemplate, dadSolicitation, unsolicitedAdvertisement } from '../../src/runtime/neighbour-packets.js';
import { Logger } from '../../src/runtime/logger.js';
import { canonicalIpv6, formatIpv6 } from '../../src/wire/addr.js';
import { FakeListener, FakeNd } from './nd-fakes.js';
import { ipv6Address } from '../prop/arbitraries.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const MAC = new Uint8Array([0x02, 0, 0x5e, 0, 0x53, 0x01]);

test('ProbeWriter: each probe equals dadSolicitation with the same nonce, in one reused buffer', () => {
  let next = new Uint8Array(6);
  const w = new ProbeWriter(() => next);
  fc.assert(fc.property(ipv6Address, fc.uint8Array({ minLength: 6, maxLength: 6 }), (text, nonce) => {
    const target = canonicalIpv6(text)!;
    next = nonce;
    const p = w.write(target)!;
    assert.equal(hex(p), hex(dadSolicitation(target, nonce)));
    const words = { n0: w.nonceWord(0), n1: w.nonceWord(1), n2: w.nonceWord(2) };
    assert.equal(sameNonce(nonce, words), true);
    for (let i = 0; i < 6; i++) {
      const other = nonce.slice();
      other[i] ^= 1;
      assert.equal(sameNonce(other, words), false, `nonce byte ${i} differs`);
    }
    assert.equal(sameNonce(nonce.subarray(0, 5), words), false, 'a short nonce is not ours');
  }), { numRuns: 300 });
  assert.equal(w.write('not-an-address'), undefined);
});

test('ProbeWriter: random nonces differ from probe to probe', () => {
  const w = new ProbeWriter();
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    w.write('2001:db8:1::100');
    seen.add(`${w.nonceWord(0)}.${w.nonceWord(1)}.${w.nonceWord(2)}`);
  }
  assert.ok(seen.size >= 1999, `${seen.size} distinct nonces in 2000 probes`);
});

test('AdvertisementTemplate: building again in the same buffer gives each target\'s own NA', () => {
  const t = new AdvertisementTemplate('fe80::1', MAC);
  for (const target of ['2001:db8:1::100', '2001:db8:ffff::1', '2001:db8:1::100']) {
    assert.equal(hex(t.build(target)), hex(unsolicitedAdvertisement('fe80::1', target, MAC)));
  }
});

function homeLink(listener: FakeListener | undefined): { h: HomeLink; nd: FakeNd; lines: string[] } {
  // Keeps what it is given, as a port may: the sender must not rewrite it afterwards.
  const nd = new FakeNd(false);
  const lines: string[] = [];
  const h = new HomeLink({
    openNd: () => nd, openLinkLayer: () => { throw new Error('none'); },
    ...(listener ? { openListener: () => listener } : {}),
    facts: () => ({ mac: MAC, source: 'fe80::1' }),
    log: new Logger({ write: (l) => lines.push(l) }, 'debug', 'text', () => 0),
  });
  return { h, nd, lines };
}

const addressOf = (i: number): string => `2001:db8:1::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}`;

test('HomeLink with a listener: thousands of DADs probe at once, each its own nonce', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const l = new FakeListener();
  const { h, nd } = homeLink(l);
  t.after(() => h.close());
  const n = 4 * DAD_JOINED_MAX;
  const results = new Map<string, boolean>();
  for (let i = 1; i <= n; i++) h.dad(addressOf(i), (d) => results.set(addressOf(i), d));
  assert.equal(nd.sent.length, n, 'one probe each');
  const kept = nd.sent.map((p) => formatIpv6(p, 48));
  assert.deepEqual(kept, Array.from({ length: n }, (_, i) => canonicalIpv6(addressOf(i + 1))), 'each its own target');
  assert.equal(new Set(nd.sent.map((p) => hex(p.subarray(66, 72)))).size, n, 'each its own nonce');
  assert.equal(h.counters.dadStarted, n);
  assert.equal(h.counters.dadSkipped, 0);
  assert.equal(nd.joins, 0);
  // Our own probe heard back is ours (its nonce); another node's probe for the same target is not.
  l.deliver(nd.sent[2]);
  const mine = nd.sent[7];
  const otherNonce = mine.slice(66, 72);
  otherNonce[5] ^= 0xff;
  l.deliver(dadSolicitation(addressOf(8), otherNonce));
  t.mock.timers.tick(RETRANS_TIMER_MS);
  assert.equal(results.size, DAD_RESULTS_PER_TURN, 'the results of one round come a turn\'s worth at a time');
  for (let turn = 1; turn < n / DAD_RESULTS_PER_TURN; turn++) {
    await new Promise((r) => setImmediate(r));
    assert.equal(results.size, (turn + 1) * DAD_RESULTS_PER_TURN, `turn ${turn + 1}`);
  }
  assert.equal(results.get(addressOf(3)), false, 'our own probe heard back: not a duplicate');
  assert.equal(results.get(addressOf(8)), true, 'another node probing for it: duplicate');
  assert.equal([...results.values()].filter((d) => d).length, 1);
  assert.equal(h.counters.dadUnique, n - 1);
});

test('HomeLink: close between two turns of DAD results reports nothing more', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { h } = homeLink(new FakeListener());
  const results: boolean[] = [];
  for (let i = 1; i <= 3 * DAD_RESULTS_PER_TURN; i++) h.dad(addressOf(i), (d) => results.push(d));
  t.mock.timers.tick(RETRANS_TIMER_MS);
  assert.equal(results.length, DAD_RESULTS_PER_TURN, 'the first turn\'s worth');
  h.close();
  for (let turn = 0; turn < 3; turn++) await new Promise((r) => setImmediate(r));
  assert.equal(results.length, DAD_RESULTS_PER_TURN, 'none after close');
  h.dad(addressOf(1), (d) => results.push(d));
  t.mock.timers.tick(10 * RETRANS_TIMER_MS);
  assert.equal(results.length, DAD_RESULTS_PER_TURN, 'a DAD asked for after close never reports');
});
