/**
 * Userspace proxy ND (src/runtime/neighbour-proxy*.ts, neighbour.ts with a listener): the NS
 * validation of RFC 4861 §7.1.1 and its faults, the NA of §7.2.4 (Solicited to the source,
 * all-nodes with S = 0 for a DAD probe; Override; TLLA = the home agent's MAC), the responder's
 * Set of defended addresses, and the home link over a fake listener: answers without kernel
 * entries, DAD without group joins, kernel fallback without a listener. Never throws on bytes.
 */
import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { HomeLink, RETRANS_TIMER_MS } from '../../src/runtime/neighbour.js';
import {
  dadSolicitation, ndPacket, solicitedNode, unsolicitedAdvertisement,
} from '../../src/runtime/neighbour-packets.js';
import {
  proxiedSolicitation, proxyAdvertisement, type SolicitationFault,
} from '../../src/runtime/neighbour-proxy-packets.js';
import { ProxyResponder } from '../../src/runtime/neighbour-proxy.js';
import { NdSendQueue } from '../../src/runtime/neighbour-send.js';
import { Logger } from '../../src/runtime/logger.js';
import { decodeIcmpv6, verifyIcmpv6Checksum } from '../../src/wire/icmpv6.js';
import { formatIpv6 } from '../../src/wire/addr.js';
import { finishChecksum, pseudoSum6, sumWords } from '../../src/wire/checksum.js';
import type { TxBatch } from '../../src/os/ports.js';
import { FakeListener, FakeNd } from './nd-fakes.js';

const MAC = new Uint8Array([0x02, 0, 0x5e, 0, 0x53, 0x01]);
const HOST_MAC = new Uint8Array([0x02, 0, 0x5e, 0, 0x53, 0x02]);
const HOA = '2001:db8:1::100';
const HOST = '2001:db8:1::2';
const quiet = (): Logger => new Logger({ write: () => undefined }, 'debug', 'text', () => 0);

/** An NS for `target` from `source`, to its solicited-node group unless told otherwise. */
function ns(target: string, source = HOST, o: { dst?: string; sllao?: boolean } = {}): Uint8Array {
  return ndPacket(source, o.dst ?? solicitedNode(target)!, {
    type: 'neighbor-solicitation', code: 0, target,
    options: o.sllao === false ? [] : [{ type: 'source-link-layer-address', linkLayerAddress: HOST_MAC }],
  });
}

/** Recomputes the ICMPv6 checksum of a whole packet after an edit. */
function refill(p: Uint8Array): Uint8Array {
  p[42] = 0;
  p[43] = 0;
  const c = finishChecksum(sumWords(p, 40, p.length, pseudoSum6(p.subarray(8, 24), p.subarray(24, 40), p.length - 40, 58)));
  p[42] = c >> 8;
  p[43] = c & 0xff;
  return p;
}

function decodeNa(p: Uint8Array) {
  const src = formatIpv6(p, 8);
  const dst = formatIpv6(p, 24);
  assert.equal(p[7], 255, 'hop limit');
  assert.ok(verifyIcmpv6Checksum(p, 40, p.length, src, dst), 'checksum');
  const r = decodeIcmpv6(p, 40);
  assert.ok(r.ok);
  const m = r.value.message;
  assert.equal(m.type, 'neighbor-advertisement');
  return { src, dst, m: m as Extract<typeof m, { type: 'neighbor-advertisement' }> };
}

test('a valid NS is accepted with its target and source', () => {
  assert.deepEqual(proxiedSolicitation(ns(HOA)), { ok: true, value: { target: HOA, source: HOST } });
  const unicast = proxiedSolicitation(ns(HOA, HOST, { dst: HOA })); // NUD: unicast to the target
  assert.deepEqual(unicast, { ok: true, value: { target: HOA, source: HOST } });
  const probe = proxiedSolicitation(dadSolicitation(HOA, new Uint8Array(6)));
  assert.deepEqual(probe, { ok: true, value: { target: HOA, source: '::' } });
});

test('invalid NSs are refused with the reason (RFC 4861 §7.1.1)', () => {
  const cases: [SolicitationFault, Uint8Array][] = [];
  const edit = (f: (p: Uint8Array) => void, p = ns(HOA)): Uint8Array => { f(p); return p; };
  cases.push(['hop-limit', edit((p) => { p[7] = 254; })]);
  cases.push(['checksum', edit((p) => { p[p.length - 1] ^= 1; })]);
  cases.push(['format', edit((p) => { p[41] = 1; })]); // code 1 (checksum no longer matters)
  cases.push(['extension-headers', edit((p) => { p[6] = 0; })]);
  cases.push(['not-ipv6', edit((p) => { p[0] = 0x45; })]);
  cases.push(['length', edit((p) => { p[5] += 8; })]);
  cases.push(['short', ns(HOA).subarray(0, 60)]);
  cases.push(['target-multicast', ns('ff02::1', HOST, { dst: 'ff02::1:ff00:1' })]);
  cases.push(['dad-destination', ns(HOA, '::', { dst: 'ff02::1', sllao: false })]);
  cases.push(['dad-sllao', ns(HOA, '::')]);
  // An option of length 0 (RFC 4861 §4.6): malformed.
  cases.push(['format', refill(ndPacket(HOST, solicitedNode(HOA)!, {
    type: 'neighbor-solicitation', code: 0, target: HOA,
    options: [{ type: 'unknown', optionType: 99, data: new Uint8Array(6) }],
  }).map((b, i, a) => (i === a.length - 7 ? 0 : b)))]);
  cases.push(['target-multicast', refill(edit((p) => { p[48] = 0xff; }))]);
  for (const [want, p] of cases) {
    const r = proxiedSolicitation(p);
    assert.deepEqual(r, { ok: false, fault: want }, `${want}: ${JSON.stringify(r)}`);
  }
});

test('proxiedSolicitation never throws on random bytes', () => {
  let seed = 7;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 24; };
  for (let i = 0; i < 3000; i++) {
    const p = i % 2 ? ns(HOA) : new Uint8Array(rnd() % 120);
    for (let j = 0; j < 1 + (rnd() % 4); j++) if (p.length) p[rnd() % p.length] = rnd();
    assert.doesNotThrow(() => proxiedSolicitation(p));
  }
});

test('the answer: Solicited NA to the source; to all-nodes with S = 0 for a DAD probe', () => {
  const na = decodeNa(proxyAdvertisement({ target: HOA, source: HOST }, 'fe80::1', MAC));
  assert.equal(na.src, 'fe80::1');
  assert.equal(na.dst, HOST);
  assert.deepEqual([na.m.router, na.m.solicited, na.m.override, na.m.target], [false, true, true, HOA]);
  assert.deepEqual(na.m.options, [{ type: 'target-link-layer-address', linkLayerAddress: MAC }]);
  const dad = decodeNa(proxyAdvertisement({ target: HOA, source: '::' }, 'fe80::1', MAC));
  assert.equal(dad.dst, 'ff02::1');
  assert.deepEqual([dad.m.solicited, dad.m.override], [false, true]);
});

test('ProxyResponder answers only defended targets; malformed ones are counted', () => {
  const sent: Uint8Array[] = [];
  const r = new ProxyResponder({ facts: () => ({ mac: MAC, source: 'fe80::1' }), send: (p) => sent.push(p), log: quiet() });
  r.defend('2001:db8:1:0:0::100'); // any spelling
  r.packet(ns('2001:db8:1::101'));
  r.packet(unsolicitedAdvertisement('fe80::2', HOA, HOST_MAC));
  assert.equal(sent.length, 0);
  r.packet(ns(HOA));
  assert.equal(sent.length, 1);
  assert.equal(decodeNa(sent[0]).dst, HOST);
  const bad = ns(HOA);
  bad[7] = 64;
  r.packet(bad);
  assert.deepEqual(r.counters, { solicitationsAnswered: 1, solicitationsMalformed: 1, answerErrors: 0 });
  assert.equal(r.release(HOA), true);
  assert.equal(r.release(HOA), false);
  r.packet(ns(HOA));
  assert.equal(sent.length, 1);
  const failing = new ProxyResponder({
    facts: () => ({ mac: MAC, source: 'fe80::1' }), send: () => { throw new Error('ENOBUFS'); }, log: quiet(),
  });
  failing.defend(HOA);
  failing.packet(ns(HOA));
  assert.equal(failing.counters.answerErrors, 1);
});

function link(t: TestContext, listener: FakeListener | undefined) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const nd = new FakeNd();
  const h = new HomeLink({
    openNd: () => nd, openLinkLayer: () => { throw new Error('none'); },
    ...(listener ? { openListener: () => listener } : {}),
    facts: () => ({ mac: MAC, source: 'fe80::1' }), log: quiet(),
  });
  t.after(() => h.close());
  return { h, nd };
}

test('HomeLink with a listener: answers NSs in userspace, DAD joins no group', (t) => {
  const l = new FakeListener();
  const { h, nd } = link(t, l);
  const results: boolean[] = [];
  h.dad(HOA, (dup) => results.push(dup));
  assert.equal(nd.joins, 0);
  assert.equal(nd.handler, undefined, 'the raw socket is not read: the listener hears everything');
  t.mock.timers.tick(RETRANS_TIMER_MS);
  assert.deepEqual(results, [false]);
  assert.equal(h.defend(HOA), true);
  const before = nd.sent.length;
  l.deliver(ns('2001:db8:1::999'), ns(HOA), dadSolicitation(HOA, new Uint8Array(6)));
  assert.equal(nd.sent.length, before + 2);
  assert.deepEqual([decodeNa(nd.sent[before]).dst, decodeNa(nd.sent[before + 1]).dst], [HOST, 'ff02::1']);
  assert.equal(h.proxy.counters.solicitationsAnswered, 2);
  assert.equal(h.release(HOA), true);
  l.deliver(ns(HOA));
  assert.equal(nd.sent.length, before + 2);
  h.close();
  assert.equal(l.closed, true);
});

test('HomeLink with a listener: DAD hears another node\'s NA and probe through it', (t) => {
  const l = new FakeListener();
  const { h } = link(t, l);
  const results: [string, boolean][] = [];
  h.dad(HOA, (dup) => results.push([HOA, dup]));
  h.dad('2001:db8:1::101', (dup) => results.push(['2001:db8:1::101', dup]));
  l.deliver(unsolicitedAdvertisement('fe80::2', HOA, HOST_MAC),
    dadSolicitation('2001:db8:1::101', new Uint8Array([9, 9, 9, 9, 9, 9])));
  assert.deepEqual(results, [[HOA, true], ['2001:db8:1::101', true]]);
});

test('HomeLink without a listener: defend says no (kernel proxy entries), DAD joins the group', (t) => {
  const { h, nd } = link(t, undefined);
  assert.equal(h.defend(HOA), false);
  assert.equal(h.release(HOA), false);
  h.dad(HOA, () => undefined);
  assert.equal(nd.joins, 1);
});

test('NdSendQueue: packets of one I/O callback leave in one batch, each to its destination', async () => {
  const batches: { dsts: string[]; lens: number[] }[] = [];
  let accept = Infinity;
  const port = Object.assign(new FakeNd(), {
    sendBatch(b: TxBatch): number {
      batches.push({
        dsts: Array.from({ length: b.count }, (_, i) => formatIpv6(b.addresses, i * 16)),
        lens: Array.from(b.lengths.subarray(0, b.count)),
      });
      return Math.min(b.count, accept);
    },
  });
  const lost: number[] = [];
  const q = new NdSendQueue((n) => lost.push(n));
  const na = proxyAdvertisement({ target: HOA, source: HOST }, 'fe80::1', MAC);
  q.send(port, na);
  q.send(port, unsolicitedAdvertisement('fe80::1', HOA, MAC));
  q.send(port, dadSolicitation(HOA, new Uint8Array(6)));
  assert.equal(batches.length, 0, 'nothing sent before the callback returns');
  await Promise.resolve();
  assert.deepEqual(batches, [{ dsts: [HOST, 'ff02::1', 'ff02::1:ff00:100'], lens: [72, 72, 72] }]);
  assert.equal(port.sent.length, 0);
  accept = 1;
  for (let i = 0; i < 70; i++) q.send(port, na); // more than one batch: the first leaves at once
  await Promise.resolve();
  assert.deepEqual(batches.slice(1).map((b) => b.dsts.length), [64, 6]);
  assert.deepEqual(lost, [63, 5]);
});
