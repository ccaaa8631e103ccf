/**
 * The send ring (src/os/linux/send-ring.ts over native/dsmip6.c's ring thread), on loopback UDP
 * (no root needed): batches handed to `queueBatch` arrive whole and in order, the kernel's
 * refusals come back as counts and the errno's name at the next call, a full ring makes the port
 * send at once itself, and closing a port first waits for what the thread still sends on it.
 */
import { execFileSync } from 'node:child_process';
import { fstatSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { getSystemErrorName } from 'node:util';
import { Worker } from 'node:worker_threads';
import assert from 'node:assert/strict';
import { TxBatch, type DatagramPort } from '../../src/os/ports.js';
import { openUdp } from '../../src/os/linux/datagram.js';
import { native, nativeAvailable, packageRoot } from '../../src/os/linux/native.js';
import { ringErrnoName, SendRing } from '../../src/os/linux/send-ring.js';
import { waitFor } from './linux-pair.js';

interface RingNative { sendRingStop(): number; sendRingOpen(): ArrayBuffer; sendRingDrain(ms: number): number }

/** A receiver on 127.0.0.1 collecting the first payload byte and source port of each datagram. */
function receiver(): { port: DatagramPort; got: number[]; from: number[] } {
  const port = openUdp({ family: 4, address: '127.0.0.1', port: 0, receiveBuffer: 1 << 20 });
  const got: number[] = [];
  const from: number[] = [];
  port.onBatch((b) => {
    for (let i = 0; i < b.count; i++) {
      got.push(b.data[b.offset(i)]);
      from.push(b.peerPort(i));
    }
  });
  return { port, got, from };
}

function batch(to: number, payloads: number[], broadcastAt = -1): TxBatch {
  const b = new TxBatch(4096);
  payloads.forEach((p, i) => assert.ok(b.push(new Uint8Array([p, 0, 0]), i === broadcastAt
    ? '255.255.255.255' : '127.0.0.1', to)));
  return b;
}

const skip = nativeAvailable() ? undefined : 'the native addon is not built';

test('queueBatch: datagrams through the ring arrive in order; counts reaped at the next call', { skip }, async () => {
  const rx = receiver();
  const tx = openUdp({ family: 4, address: '127.0.0.1', port: 0, sendRing: true });
  try {
    assert.equal(tx.queueBatch!(batch(rx.port.localPort, [1, 2, 3])), 3);
    assert.equal(tx.queueBatch!(batch(rx.port.localPort, [4, 5])), 2);
    await waitFor(() => rx.got.length === 5, 2000);
    assert.deepEqual(rx.got, [1, 2, 3, 4, 5]);
    SendRing.shared()!.drain();
    // A refused packet (broadcast without SO_BROADCAST: EACCES) is skipped, the rest go.
    assert.equal(tx.queueBatch!(batch(rx.port.localPort, [6, 7, 8], 1)), 3);
    assert.equal(tx.stats.txPackets, 5, 'the first two batches, reaped by this call');
    await waitFor(() => rx.got.length === 7, 2000);
    SendRing.shared()!.drain();
    assert.equal(tx.queueBatch!(batch(rx.port.localPort, [9])), 1);
    assert.deepEqual([tx.stats.txPackets, tx.stats.txErrors, tx.stats.lastError], [7, 1, 'EACCES']);
    await waitFor(() => rx.got.length === 8, 2000);
    assert.deepEqual(rx.got, [1, 2, 3, 4, 5, 6, 8, 9]);
  } finally {
    tx.close();
    rx.port.close();
  }
});

test('queueBatch: a full ring sends at once; close waits for the thread', { skip }, async () => {
  const rx = receiver();
  const tx = openUdp({ family: 4, address: '127.0.0.1', port: 0, sendRing: true });
  const n = native() as unknown as RingNative;
  const slots = (native().constants as unknown as Record<string, number>).RING_SLOTS;
  try {
    n.sendRingStop(); // the thread ends; what is submitted now waits in the ring
    for (let k = 0; k < slots; k++) tx.queueBatch!(batch(rx.port.localPort, [k]));
    const before = tx.stats.txPackets;
    assert.equal(tx.queueBatch!(batch(rx.port.localPort, [100])), 1, 'taken');
    assert.equal(tx.stats.txPackets, before + 1, 'sent by the port itself, counted at once');
    await waitFor(() => rx.got.includes(100), 2000);
    assert.equal(rx.got.length, 1, 'the ring holds the rest');
    n.sendRingOpen(); // the thread again: it sends the waiting slots
    tx.close(); // drains first
    await waitFor(() => rx.got.length === slots + 1, 2000);
    assert.deepEqual(rx.got.slice(1), Array.from({ length: slots }, (_, k) => k));
  } finally {
    n.sendRingOpen();
    tx.close();
    rx.port.close();
  }
});

test('close while the thread still holds a slot for the socket: closed once it is sent', { skip }, async () => {
  const rx = receiver();
  const tx = openUdp({ family: 4, address: '127.0.0.1', port: 0, sendRing: true });
  const fd = tx.fileDescriptor;
  const n = native() as unknown as RingNative;
  let other: DatagramPort | undefined;
  try {
    n.sendRingStop(); // the slot waits in the ring: close cannot wait for it
    assert.equal(tx.queueBatch!(batch(rx.port.localPort, [7])), 1);
    tx.close();
    // Had the descriptor been closed, this socket would get its number and the thread its bytes.
    other = openUdp({ family: 4, address: '127.0.0.1', port: 0 });
    assert.notEqual((other as typeof tx).fileDescriptor, fd, 'the descriptor is still open');
    n.sendRingOpen();
    await waitFor(() => rx.got.length === 1, 2000);
    assert.deepEqual([rx.got, rx.from], [[7], [tx.localPort]], 'sent from the closed port\'s socket');
    SendRing.shared()!.drain();
    assert.throws(() => fstatSync(fd), { code: 'EBADF' }, 'closed once the thread was done');
  } finally {
    n.sendRingOpen();
    other?.close();
    rx.port.close();
  }
});

test('a worker thread gets no ring while this thread owns it; its own ports send themselves', { skip }, async () => {
  assert.ok(SendRing.shared() !== undefined);
  const w = new Worker(new URL('./send-ring-worker.js', import.meta.url));
  const answer = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await w.terminate();
  assert.equal(answer, 'none');
  // This thread's ring still works.
  const rx = receiver();
  const tx = openUdp({ family: 4, address: '127.0.0.1', port: 0, sendRing: true });
  try {
    assert.equal(tx.queueBatch!(batch(rx.port.localPort, [5])), 1);
    await waitFor(() => rx.got.length === 1, 2000);
  } finally {
    tx.close();
    rx.port.close();
  }
});

test('a worker that owned the ring ends: the main thread opens it after', { skip }, () => {
  // A fresh process: this one's main thread owns the ring already.
  const addon = join(packageRoot(), 'build', 'Release', 'dsmip6.node');
  const script = `
    const { Worker } = require('node:worker_threads');
    const n = require(${JSON.stringify(addon)});
    const w = new Worker('require(${JSON.stringify(addon)}).sendRingOpen()', { eval: true });
    w.on('exit', () => {
      const ab = n.sendRingOpen();
      const ok = ab instanceof ArrayBuffer && ab.byteLength > 0 && n.sendRingDrain(100) === 0;
      process.stdout.write(ok ? 'opened' : 'broken: ' + String(ab));
    });`;
  assert.equal(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 }), 'opened');
});

test('refusals reaped from the thread are named as a port\'s own send names them', () => {
  // sendAll tells EAGAIN and ENOBUFS (the rest refused) by these names; libuv says EAGAIN, ENOTSUP.
  for (const errno of [osConstants.errno.EAGAIN, osConstants.errno.ENOBUFS, osConstants.errno.EACCES,
    osConstants.errno.EOPNOTSUPP]) {
    assert.equal(ringErrnoName(errno), getSystemErrorName(-errno));
  }
  assert.equal(ringErrnoName(4095), 'errno 4095');
});
