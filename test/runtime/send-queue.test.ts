/**
 * The deferred send queue (src/runtime/send-queue.ts) shared by the home agent's signalling
 * sockets and its home link: one batch per I/O callback, a full batch or another target sends
 * what is queued first, packets a batch send did not get out are reported with the port's error,
 * a packet larger than an empty batch is refused (the caller sends it alone), and `beforeFlush`
 * runs before a batch leaves.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { SendQueue } from '../../src/runtime/send-queue.js';
import { newPortStats, type TxBatch } from '../../src/os/ports.js';
import { formatIpv4 } from '../../src/wire/addr.js';

function target(name: string, sent: string[][], accept = () => Infinity) {
  const stats = newPortStats();
  return {
    stats,
    sendBatch(b: TxBatch): number {
      const at = (i: number) => formatIpv4(b.addresses, i * 16 + 12);
      sent.push(Array.from({ length: b.count },
        (_, i) => `${name} ${at(i)}:${b.ports[i]} ${b.data[b.offsets[i]]}/${b.lengths[i]}`));
      const n = Math.min(b.count, accept());
      if (n < b.count) stats.lastError = 'ENOBUFS';
      return n;
    },
  };
}

test('SendQueue: one batch per callback, flushed on a full batch or another target', async () => {
  const sent: string[][] = [];
  const lost: [number, string][] = [];
  const a = target('a', sent);
  const b = target('b', sent, () => 1);
  const q = new SendQueue((n, e) => lost.push([n, e]), 64 * 16);
  assert.equal(q.push(a, new Uint8Array([1, 1]), '192.0.2.1', 4191), true);
  assert.equal(q.push(a, new Uint8Array([2]), '192.0.2.2', 4192), true);
  assert.equal(sent.length, 0, 'nothing sent before the callback returns');
  assert.equal(q.push(b, new Uint8Array([3]), '192.0.2.3', 1), true);
  assert.deepEqual(sent, [['a 192.0.2.1:4191 1/2', 'a 192.0.2.2:4192 2/1']], 'another target flushes');
  assert.equal(q.push(b, new Uint8Array([4]), '192.0.2.4', 2), true);
  await Promise.resolve();
  assert.deepEqual(sent[1], ['b 192.0.2.3:1 3/1', 'b 192.0.2.4:2 4/1']);
  assert.deepEqual(lost, [[1, 'ENOBUFS']]);
  assert.equal(q.push(a, new Uint8Array(64 * 16 + 1)), false, 'larger than an empty batch');
  for (let i = 0; i < 5; i++) assert.equal(q.push(a, new Uint8Array(300).fill(i)), true);
  assert.deepEqual(sent.slice(2).map((s) => s.length), [3], 'the fourth 300-byte packet flushes three');
  await Promise.resolve();
  assert.deepEqual(sent.slice(3).map((s) => s.length), [2]);
  await Promise.resolve();
  assert.equal(sent.length, 4, 'an empty queue sends nothing');
});

test('SendQueue: beforeFlush runs before each send that has packets, not for an empty queue', async () => {
  const sent: string[][] = [];
  const order: string[] = [];
  const a = target('a', sent);
  const q = new SendQueue(() => {}, 64 * 16, () => order.push(`before (${sent.length} sent)`));
  q.flush();
  assert.deepEqual(order, [], 'nothing queued: no hook');
  q.push(a, new Uint8Array([1]), '192.0.2.1', 1);
  q.push(a, new Uint8Array([2]), '192.0.2.1', 1);
  await Promise.resolve();
  assert.deepEqual(order, ['before (0 sent)'], 'once per batch, before it leaves');
  assert.equal(sent.length, 1);
});

test('SendQueue: refusals a send thread reports later (txErrors growing during a flush) are lost packets', async () => {
  const lost: [number, string][] = [];
  const stats = newPortStats();
  let late = 0;
  const threaded = {
    stats,
    sendBatch(b: TxBatch): number {
      // Earlier batches' refusals are folded in now; this batch is taken whole.
      stats.txErrors += late;
      if (late > 0) stats.lastError = 'ENETUNREACH';
      late = 0;
      return b.count;
    },
  };
  const q = new SendQueue((n, e) => lost.push([n, e]));
  q.push(threaded, new Uint8Array([1]), '192.0.2.1', 1);
  q.flush();
  assert.deepEqual(lost, []);
  late = 2;
  q.push(threaded, new Uint8Array([2]), '192.0.2.1', 1);
  q.flush();
  assert.deepEqual(lost, [[2, 'ENETUNREACH']]);
});
