/**
 * The home agent's batched routes into its TUN (src/runtime/tun-routes.ts) over the mem netlink
 * double: one datagram per turn with consecutive sequence numbers, order kept (a clear after a
 * set of the same route comes after it), a split at NETLINK_BATCH_MAX, kernel errors matched to
 * their route by sequence number (counted and logged, never thrown; "gone" on delete ignored),
 * unanswered requests counted, a failed send counted, and a flush on close.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { FakeNetlink, nlAck } from '../../src/os/mem/netlink.js';
import { decodeRtnlMessage, encodeRtnlMessageBytes } from '../../src/os/netlink/message.js';
import { routeRequest } from '../../src/os/netlink/requests.js';
import { NETLINK_BATCH_MAX } from '../../src/os/ports.js';
import { Logger } from '../../src/runtime/logger.js';
import { TunRoutes } from '../../src/runtime/tun-routes.js';
import { toHex } from '../../src/wire/bytes.js';

const u32 = (m: Uint8Array, at: number) => new DataView(m.buffer, m.byteOffset).getUint32(at, true);

/** Route requests as `+dst`/`-dst` with their seq. */
function describe(m: Uint8Array): string {
  const r = decodeRtnlMessage(m, 0, m.length);
  assert.ok(r.ok);
  const body = r.value.body;
  assert.equal(body.kind, 'route');
  const route = body.kind === 'route' ? body.route : undefined;
  return `${r.value.header.type === 24 ? '+' : '-'}${route?.dst}/${route?.dstLength} oif ${route?.oif}`;
}

function setup(seq0 = 100) {
  const nl = new FakeNetlink();
  const lines: string[] = [];
  const log = new Logger({ write: (l) => lines.push(l) }, 'debug', 'text', () => 0);
  let seq = seq0;
  const takeSequences = (n: number) => { const s = seq; seq += n; return s; };
  const turns: (() => void)[] = [];
  const routes = new TunRoutes(9, { netlink: nl, takeSequences, log, schedule: (f) => turns.push(f) });
  const endTurn = () => { for (const f of turns.splice(0)) f(); };
  return { nl, lines, routes, endTurn };
}

test('TunRoutes: one datagram per turn, in order, consecutive seqs, template bytes = codec bytes', () => {
  const { nl, routes, endTurn } = setup(100);
  routes.set('2001:db8::1/128');
  routes.set('192.0.2.7/32');
  routes.set('2001:db8:5::/48');
  routes.clear('2001:db8::1/128');
  assert.equal(nl.requests.length, 0, 'nothing sent before the turn ends');
  assert.equal(routes.pending, 4);
  endTurn();
  assert.deepEqual(nl.batches, [4]);
  assert.deepEqual(nl.requests.map(describe),
    ['+2001:db8::1/128 oif 9', '+192.0.2.7/32 oif 9', '+2001:db8:5::/48 oif 9', '-2001:db8::1/128 oif 9'],
    'the clear of a route set earlier comes after the set');
  assert.deepEqual(nl.requests.map((m) => u32(m, 8)), [100, 101, 102, 103]);
  assert.equal(toHex(nl.requests[0]),
    toHex(encodeRtnlMessageBytes(routeRequest(100, 'replace', { dst: '2001:db8::1/128', oif: 9 }))));
  assert.equal(toHex(nl.requests[3]),
    toHex(encodeRtnlMessageBytes(routeRequest(103, 'delete', { dst: '2001:db8::1/128', oif: 9 }))));
  assert.deepEqual(routes.counters, { requests: 4, batches: 1, failed: 0, unanswered: 0 });
  endTurn();
  routes.flush();
  assert.deepEqual(nl.batches, [4], 'an empty queue sends nothing');
});

test('TunRoutes: more than NETLINK_BATCH_MAX in a turn go in several datagrams, in order', () => {
  const { nl, routes, endTurn } = setup(1);
  const n = NETLINK_BATCH_MAX + 44;
  for (let i = 0; i < n; i++) routes.set(`2001:db8::${(i + 1).toString(16)}`);
  assert.deepEqual(nl.batches, [NETLINK_BATCH_MAX], 'a full batch leaves at once');
  endTurn();
  assert.deepEqual(nl.batches, [NETLINK_BATCH_MAX, 44]);
  assert.deepEqual(nl.requests.map((m) => u32(m, 8)), Array.from({ length: n }, (_, i) => i + 1));
  assert.equal(describe(nl.requests[n - 1]), `+2001:db8::${n.toString(16)}/128 oif 9`);
});

test('TunRoutes: errors are matched to their route by seq, counted and logged; none throws', () => {
  const { nl, lines, routes, endTurn } = setup(500);
  // The kernel refuses the second route (ENETUNREACH), has none of the deleted one (ESRCH),
  // and the fourth gets no answer at all.
  nl.responder = (req) => {
    const seq = u32(req, 8);
    if (seq === 501) return [nlAck(req, -101)];
    if (seq === 502) return [nlAck(req, -3)];
    if (seq === 503) return [];
    return [nlAck(req)];
  };
  routes.set('2001:db8::1');
  routes.set('2001:db8::2');
  routes.clear('2001:db8::3');
  routes.set('2001:db8::4');
  routes.set('2001:db8::5');
  endTurn();
  assert.deepEqual(routes.counters, { requests: 5, batches: 1, failed: 1, unanswered: 1 });
  const failed = lines.filter((l) => l.includes('route change into the TUN failed'));
  assert.equal(failed.length, 1);
  assert.match(failed[0], /route=2001:db8::2 /);
  assert.match(failed[0], /errno=ENETUNREACH/);
  assert.ok(!lines.some((l) => l.includes('2001:db8::3')), 'a route already gone is not a failure');
  assert.ok(lines.some((l) => l.includes('no answer') && l.includes('route=2001:db8::4')));
  // Rate-limited: the same error again in the next turn is not logged again.
  nl.responder = (req) => [nlAck(req, -101)];
  routes.set('2001:db8::6');
  routes.set('2001:db8::7');
  endTurn();
  assert.equal(routes.counters.failed, 3);
  assert.equal(lines.filter((l) => l.includes('route change into the TUN failed')).length, 1);
});

test('TunRoutes: a send that fails is counted and logged; close flushes, later changes are ignored', () => {
  const { nl, lines, routes, endTurn } = setup(1);
  routes.set('2001:db8::1');
  routes.close();
  assert.deepEqual(nl.batches, [1], 'close sends what is queued');
  routes.set('2001:db8::2');
  endTurn();
  assert.deepEqual(nl.batches, [1], 'nothing after close');
  const b = setup(1);
  b.routes.set('2001:db8::1');
  b.nl.close();
  assert.doesNotThrow(() => b.endTurn());
  assert.equal(b.routes.counters.failed, 1);
  assert.ok(b.lines.some((l) => l.includes('cannot change routes into the TUN') && l.includes('EBADF')));
  assert.equal(lines.length, 0);
  assert.throws(() => b.routes.set('not a prefix'), /not a prefix/, 'bad text is the caller\'s bug');
});
