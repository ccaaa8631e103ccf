/**
 * Linux DatagramPort over UDP: batches of 64+ datagrams between two namespaces with peer and
 * local addresses, ports and interfaces right; PMTUDISC_DO (EMSGSIZE, no local fragments); and
 * the strong-reference rule for poll handles (works on loopback without root).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { OsError, TxBatch, addressBytes, addressText, type DatagramPort } from '../../src/os/ports.js';
import { openUdp, type LinuxDatagram } from '../../src/os/linux/datagram.js';
import { liveWatchers } from '../../src/os/linux/io.js';
import { nativeAvailable } from '../../src/os/linux/native.js';
import {
  deleteNetns, inNetns, ipIn, linuxTestBlocker, netnsName,
} from '../../src/os/linux/netns.js';
import { linkedPair, waitFor } from './linux-pair.js';

/** Resolves once `cond()` holds; rejects after `ms`. */
interface Row { payload: number; peer: string; port: number; local: string; ifindex: number }

function collect(port: DatagramPort, rows: Row[], batches: number[]): void {
  port.onBatch((b) => {
    batches.push(b.count);
    for (let i = 0; i < b.count; i++) {
      const off = b.offset(i);
      rows.push({
        payload: (b.data[off] << 8) | b.data[off + 1], peer: b.peerAddress(i), port: b.peerPort(i),
        local: addressText(b.localAddresses, i * 16), ifindex: b.ifindex(i),
      });
    }
  });
}

async function exchange(family: 4 | 6, a: string, b: string, addrA: string, addrB: string): Promise<void> {
  const open: LinuxDatagram[] = [];
  try {
    const rx = inNetns(a, () => openUdp({ family, address: addrA, port: 4191, receiveBuffer: 1 << 20 }));
    open.push(rx);
    const tx = inNetns(b, () => openUdp({ family, address: family === 4 ? '0.0.0.0' : '::', port: 0 }));
    open.push(tx);
    const rows: Row[] = [];
    const batches: number[] = [];
    collect(rx, rows, batches);
    const batch = new TxBatch();
    const dst = addressBytes(addrA);
    let sent = 0;
    for (let i = 0; i < 200; i++) {
      if (batch.full) { sent += tx.sendBatch(batch); batch.clear(); }
      const at = batch.reserve(100, dst, 4191);
      batch.data[at] = i >> 8;
      batch.data[at + 1] = i & 0xff;
    }
    sent += tx.sendBatch(batch);
    assert.equal(sent, 200);
    assert.equal(tx.stats.txPackets, 200);
    await waitFor(() => rows.length >= 200);
    const veth = Number(ipIn(a, ['-o', 'link', 'show', 'v0']).split(':')[0]);
    assert.deepEqual(rows.map((r) => r.payload), Array.from({ length: 200 }, (_, i) => i));
    for (const r of rows) {
      const want = { payload: r.payload, peer: addrB, port: tx.localPort, local: addrA, ifindex: veth };
      assert.deepEqual(r, want);
    }
    assert.ok(Math.max(...batches) > 1, `received in batches (${batches.join(',')})`);
    assert.ok(Math.max(...batches) <= 64);
    assert.equal(rx.stats.rxPackets, 200);
  } finally {
    for (const p of open) p.close();
  }
}

test('UDP: 200 datagrams in batches between two namespaces, IPv4 and IPv6', async (t) => {
  const why = linuxTestBlocker();
  if (why) { t.skip(why); return; }
  const a = netnsName('udp-a');
  const b = netnsName('udp-b');
  try {
    linkedPair(a, b, '10.77.0', 'fd77::');
    await exchange(4, a, b, '10.77.0.1', '10.77.0.2');
    await exchange(6, a, b, 'fd77::1', 'fd77::2');
    // PMTUDISC_DO: a datagram over the link MTU fails locally instead of leaving as fragments.
    const s = inNetns(b, () => openUdp({ family: 4, address: '0.0.0.0', port: 0 }));
    try {
      assert.throws(() => s.send('10.77.0.1', 4191, new Uint8Array(3000)),
        (e: unknown) => e instanceof OsError && e.code === 'EMSGSIZE');
      s.send('10.77.0.1', 4191, new Uint8Array(1472)); // exactly fits 1500
      assert.deepEqual([s.stats.txPackets, s.stats.txErrors, s.stats.lastError], [1, 1, 'EMSGSIZE']);
    } finally {
      s.close();
    }
  } finally {
    deleteNetns(a);
    deleteNetns(b);
  }
});

test('UDP on loopback: a watcher only the port references keeps receiving after GC', async (t) => {
  if (!nativeAvailable()) { t.skip('needs the native addon: run npm install'); return; }
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const before = liveWatchers();
  let got = 0;
  // The port is created here and then referenced by nothing but its own watcher callback.
  let rx: LinuxDatagram | undefined = openUdp({ family: 4, address: '127.0.0.1', port: 0 });
  const port = rx.localPort;
  const weak = new WeakRef(rx);
  rx.onBatch((b) => { got += b.count; });
  rx = undefined;
  const tx = openUdp({ family: 4, address: '127.0.0.1', port: 0 });
  try {
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(liveWatchers(), before + 1);
    for (let i = 0; i < 100; i++) tx.send('127.0.0.1', port, Uint8Array.of(i));
    await waitFor(() => got === 100);
    assert.notEqual(weak.deref(), undefined, 'the watcher keeps the port alive');
  } finally {
    weak.deref()?.close();
    tx.close();
  }
  assert.equal(liveWatchers(), before, 'close() released the watcher');
  const closed = weak.deref();
  assert.throws(() => closed?.send('127.0.0.1', port, Uint8Array.of(0)),
    (e: unknown) => e instanceof OsError && e.code === 'EBADF');
});

test('UDP on loopback: bind errors are OsError with errno names', (t) => {
  if (!nativeAvailable()) { t.skip('needs the native addon: run npm install'); return; }
  const a = openUdp({ family: 4, address: '127.0.0.1', port: 0 });
  try {
    assert.throws(() => openUdp({ family: 4, address: '127.0.0.1', port: a.localPort }),
      (e: unknown) => e instanceof OsError && e.code === 'EADDRINUSE' && e.syscall === 'bind');
    assert.throws(() => openUdp({ family: 4, address: '::1', port: 0 }), TypeError);
    assert.throws(() => openUdp({ family: 4, address: '192.0.2.99', port: 0 }),
      (e: unknown) => e instanceof OsError && e.code === 'EADDRNOTAVAIL');
  } finally {
    a.close();
  }
});
