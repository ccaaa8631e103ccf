/**
 * The mem doubles of the OS ports (C8): they keep the ports' contracts (batches of at most 64,
 * the reused batch object, errors as OsError, truncation dropped and counted) without root.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  OsError, RxBatch, TxBatch, addressBytes, addressText, type DatagramBatch, type PacketBatch,
} from '../../src/os/ports.js';
import { MemScheduler } from '../../src/os/mem/inbox.js';
import { memTunPair } from '../../src/os/mem/tun.js';
import { MemNetwork } from '../../src/os/mem/network.js';
import { FakeNetlink, isDumpRequest, nlAck } from '../../src/os/mem/netlink.js';

/** An IPv4 packet of `length` bytes whose payload starts with `tag`. */
function ipv4(length: number, tag: number): Uint8Array {
  const p = new Uint8Array(length);
  p[0] = 0x45;
  p[20] = tag;
  return p;
}

test('TxBatch: push copies, reserve hands out offsets, 64 packets at most', () => {
  const b = new TxBatch(1000);
  assert.equal(b.push(Uint8Array.of(1, 2, 3), '192.0.2.1', 4191), true);
  const at = b.reserve(5, addressBytes('2001:db8::1'), 7);
  assert.equal(at, 3);
  assert.deepEqual([...b.offsets.subarray(0, 2)], [0, 3]);
  assert.deepEqual([...b.lengths.subarray(0, 2)], [3, 5]);
  assert.equal(addressText(b.addresses, 0), '192.0.2.1');
  assert.equal(addressText(b.addresses, 16), '2001:db8::1');
  assert.deepEqual([...b.ports.subarray(0, 2)], [4191, 7]);
  assert.equal(b.reserve(1000, undefined), -1, 'no room left');
  b.clear();
  for (let i = 0; i < 64; i++) assert.equal(b.push(Uint8Array.of(i)), true);
  assert.equal(b.full, true);
  assert.equal(b.push(Uint8Array.of(0)), false);
  assert.throws(() => addressBytes('not-an-address'), TypeError);
});

test('TxBatch: address texts of both families in turn, an address at an offset, bad text adds nothing', () => {
  const b = new TxBatch(1000);
  const texts = ['2001:db8::1', '192.0.2.1', 'fe80::2', '::ffff:198.51.100.9', '203.0.113.5'];
  for (const t of texts) assert.equal(b.push(Uint8Array.of(1), t, 1), true);
  assert.deepEqual(texts.map((_, i) => addressText(b.addresses, i * 16)),
    ['2001:db8::1', '192.0.2.1', 'fe80::2', '198.51.100.9', '203.0.113.5']);
  const packet = new Uint8Array(40);
  packet.set(addressBytes('ff02::1:ff00:100'), 24);
  assert.equal(b.push(packet, packet, 0, 24), true);
  assert.equal(addressText(b.addresses, 5 * 16), 'ff02::1:ff00:100');
  assert.throws(() => b.push(Uint8Array.of(1), 'not-an-address'), TypeError);
  assert.equal(b.count, 6, 'nothing added for the bad text');
});

test('RxBatch: packet views and peer addresses', () => {
  const r = new RxBatch(100, true);
  r.data.set([9, 8, 7], 100);
  r.lengths[1] = 3;
  r.addresses.set(addressBytes('198.51.100.7'), 16);
  r.ports[1] = 4191;
  assert.deepEqual([...r.packet(1)], [9, 8, 7]);
  assert.equal(r.offset(1), 100);
  assert.equal(r.peerAddress(1), '198.51.100.7');
  assert.equal(r.peerPort(1), 4191);
});

test('mem TUN pair: writes arrive on the other side in reused batches of at most 64', () => {
  const sched = new MemScheduler();
  const [dev, kernel] = memTunPair('tun0', 'k0', sched);
  const seen: number[] = [];
  const sizes: number[] = [];
  const objects = new Set<PacketBatch>();
  dev.onBatch((b) => {
    objects.add(b);
    sizes.push(b.count);
    for (let i = 0; i < b.count; i++) seen.push(b.data[b.offset(i) + 20]);
  });
  const tx = new TxBatch();
  for (let i = 0; i < 64; i++) tx.push(ipv4(40, i));
  assert.equal(kernel.writeBatch(tx), 64);
  for (let i = 64; i < 100; i++) kernel.write(ipv4(40, i));
  assert.deepEqual(seen, [], 'manual scheduler: nothing before flush');
  assert.equal(dev.inbox.queued, 100);
  assert.equal(sched.flush(), 100);
  assert.deepEqual(sizes, [64, 36]);
  assert.equal(objects.size, 1, 'the same batch object every call');
  assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => i));
  assert.equal(dev.stats.rxPackets, 100);
  assert.equal(kernel.stats.txPackets, 100);
  assert.equal(kernel.written.length, 100);
});

test('mem TUN: non-IP writes fail with EINVAL, a down device with EIO, big packets are dropped', () => {
  const sched = new MemScheduler();
  const [dev, kernel] = memTunPair('tun0', 'k0', sched, 1500);
  let got = 0;
  dev.onBatch((b) => { got += b.count; });
  assert.throws(() => kernel.write(Uint8Array.of(0x10, 0)), (e: unknown) =>
    e instanceof OsError && e.code === 'EINVAL');
  kernel.up = false;
  assert.throws(() => kernel.write(ipv4(40, 0)), (e: unknown) => e instanceof OsError && e.code === 'EIO');
  kernel.up = true;
  const tx = new TxBatch();
  tx.push(ipv4(40, 1));
  tx.push(Uint8Array.of(0));
  tx.push(ipv4(1600, 2));
  assert.equal(kernel.writeBatch(tx), 2, 'the bad packet is skipped, the rest go');
  assert.equal(kernel.stats.txErrors, 3);
  sched.flush();
  assert.equal(got, 1);
  assert.equal(dev.stats.rxTruncated, 1);
  dev.close();
  assert.throws(() => dev.write(ipv4(40, 0)), (e: unknown) => e instanceof OsError && e.code === 'EBADF');
});

test('mem network: UDP between hosts with addresses, ports and local addresses', () => {
  const net = new MemNetwork();
  const ha = net.host(['198.51.100.1', '2001:db8::1']);
  const mn = net.host(['192.0.2.7']);
  const server = ha.openUdp({ family: 4, address: '0.0.0.0', port: 4191 });
  const client = mn.openUdp({ family: 4, address: '0.0.0.0', port: 0 });
  const rows: string[] = [];
  server.onBatch((b: DatagramBatch) => {
    for (let i = 0; i < b.count; i++) {
      rows.push(`${b.peerAddress(i)}:${b.peerPort(i)}>${addressText(b.localAddresses, i * 16)}` +
        ` ${b.data[b.offset(i)]} if${b.ifindex(i)}`);
    }
  });
  const tx = new TxBatch();
  for (let i = 0; i < 70 && tx.push(Uint8Array.of(i), '198.51.100.1', 4191); i++);
  assert.equal(client.sendBatch(tx), 64);
  client.send('198.51.100.1', 4191, Uint8Array.of(200));
  client.send('198.51.100.1', 9999, Uint8Array.of(0)); // nobody there
  assert.equal(net.flush(), 65);
  assert.equal(rows.length, 65);
  assert.equal(rows[0], `192.0.2.7:${client.localPort}>198.51.100.1 0 if1`);
  assert.equal(rows[64], `192.0.2.7:${client.localPort}>198.51.100.1 200 if1`);
  assert.equal(net.undeliverable, 1);
  assert.equal(net.trace.length, 66);
  ha.openUdp({ family: 4, address: '198.51.100.1', port: 4191 }); // beside the wildcard: fine
  assert.throws(() => ha.openUdp({ family: 4, address: '198.51.100.1', port: 4191 }),
    (e: unknown) => e instanceof OsError && e.code === 'EADDRINUSE');
  assert.throws(() => mn.openUdp({ family: 4, address: '203.0.113.1', port: 1 }),
    (e: unknown) => e instanceof OsError && e.code === 'EADDRNOTAVAIL');
  assert.throws(() => client.send('2001:db8::1', 1, Uint8Array.of(0)), OsError);
});

test('mem network: the filter drops, replies flow back within one flush', () => {
  const net = new MemNetwork();
  const a = net.host(['2001:db8::a']).openUdp({ family: 6, address: '::', port: 1000 });
  const b = net.host(['2001:db8::b']).openUdp({ family: 6, address: '::', port: 2000 });
  b.onBatch((batch) => { // echo
    for (let i = 0; i < batch.count; i++) {
      b.send(batch.addresses.subarray(i * 16, i * 16 + 16), batch.peerPort(i), batch.packet(i));
    }
  });
  const echoed: number[] = [];
  a.onBatch((batch) => { for (let i = 0; i < batch.count; i++) echoed.push(batch.data[batch.offset(i)]); });
  net.filter = (d) => d.bytes[0] !== 13;
  for (const v of [1, 13, 2]) a.send('2001:db8::b', 2000, Uint8Array.of(v));
  net.flush();
  assert.deepEqual(echoed, [1, 2]);
});

test('mem network: raw sockets, IPv4 header added, IPPROTO_RAW packets to raw6 by next header', () => {
  const net = new MemNetwork();
  const ha = net.host(['198.51.100.1', '2001:db8::1']);
  const mn = net.host(['192.0.2.7', '2001:db8:f::7']);
  const r41 = ha.openRaw({ family: 4, protocol: 41 });
  const r60 = ha.openRaw({ family: 6, protocol: 60 });
  const got4: Uint8Array[] = [];
  const got60: string[] = [];
  r41.onBatch((b) => { got4.push(b.packet(0).slice()); });
  r60.onBatch((b) => { got60.push(`${b.peerAddress(0)} ${b.length(0)} ${b.data[0]}`); });
  mn.openRaw({ family: 4, protocol: 41 }).send('198.51.100.1', 0, Uint8Array.of(0x60, 1, 2));
  const pkt = new Uint8Array(48);
  pkt[0] = 0x60;
  pkt[6] = 60;
  pkt.set(addressBytes('2001:db8:f::7'), 8);
  pkt.set(addressBytes('2001:db8::1'), 24);
  pkt[40] = 135;
  mn.openRaw({ family: 6, protocol: 255 }).send('2001:db8::1', 0, pkt);
  net.flush();
  assert.equal(got4.length, 1);
  assert.equal(got4[0].length, 23);
  assert.deepEqual([got4[0][0], got4[0][9]], [0x45, 41]);
  assert.deepEqual([...got4[0].subarray(12, 16)], [192, 0, 2, 7]);
  assert.deepEqual([...got4[0].subarray(20)], [0x60, 1, 2]);
  assert.deepEqual(got60, ['2001:db8:f::7 8 135']);
});

test('fake netlink: records requests, ACKs them, ends dumps, emits events and overflows', () => {
  const nl = new FakeNetlink();
  const req = new Uint8Array(32);
  const v = new DataView(req.buffer);
  v.setUint32(0, 32, true);
  v.setUint16(4, 20, true); // RTM_NEWADDR
  v.setUint16(6, 0x401, true);
  v.setUint32(8, 77, true);
  const reply = nl.request(req);
  assert.equal(nl.requests.length, 1);
  assert.equal(new DataView(nl.requests[0].buffer).getUint16(6, true), 0x405, 'NLM_F_ACK added');
  assert.equal(reply.length, 1);
  const r = new DataView(reply[0].buffer);
  assert.deepEqual([r.getUint16(4, true), r.getUint32(8, true), r.getInt32(16, true)], [2, 77, 0]);
  v.setUint16(4, 18, true); // RTM_GETLINK dump
  v.setUint16(6, 0x301, true);
  assert.equal(isDumpRequest(req), true);
  assert.equal(new DataView(nl.request(req)[0].buffer).getUint16(4, true), 3);
  nl.responder = (q) => [nlAck(q, -17)];
  assert.equal(new DataView(nl.request(req)[0].buffer).getInt32(16, true), -17);
  const events: string[] = [];
  const sub = nl.subscribe([5, 9], {
    onMessages: (m) => events.push(`msgs ${m.length}`), onOverflow: () => events.push('overflow'),
  });
  assert.equal(nl.emit(9, [req]), 1);
  assert.equal(nl.emit(11, [req]), 0);
  nl.overflow();
  sub.close();
  nl.overflow();
  assert.deepEqual(events, ['msgs 1', 'overflow']);
  nl.close();
  assert.throws(() => nl.request(req), OsError);
});

test('mem host: TUN devices and their kernel side', async () => {
  const net = new MemNetwork('immediate');
  const host = net.host(['2001:db8::1']);
  const tun = host.openTun({ name: 'ip6tnl9' });
  const got = new Promise<number>((resolve) => tun.onBatch((b) => resolve(b.count)));
  host.kernelSide('ip6tnl9').write(ipv4(28, 1));
  assert.equal(await got, 1, 'immediate mode delivers on its own');
  assert.throws(() => host.kernelSide('nope'), Error);
  assert.equal(host.openNetlink(), host.netlink);
});
