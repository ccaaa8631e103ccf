/**
 * Linux TunPort: packets the kernel routes into the device arrive in batches, and packets
 * written into the device (one, and a batch) reach a socket of the namespace.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { OsError, TxBatch, type PacketBatch, type TunPort } from '../../src/os/ports.js';
import { finishChecksum, pseudoSum4, sumWords } from '../../src/wire/checksum.js';
import { LinuxTun } from '../../src/os/linux/tun.js';
import { openUdp, type LinuxDatagram } from '../../src/os/linux/datagram.js';
import {
  createNetns, deleteNetns, inNetns, ipIn, linuxTestBlocker, netnsName,
} from '../../src/os/linux/netns.js';
import { waitFor } from './linux-pair.js';
import { encodeIpv4Packet, encodedLengthIpv4Packet } from '../../src/wire/ipv4.js';
import { encodeIpv6Packet, encodedLengthIpv6Packet } from '../../src/wire/ipv6.js';
import { encodeUdp } from '../../src/wire/udp.js';
import { formatIpv4 } from '../../src/wire/addr.js';

/** An IPv4 or IPv6 UDP packet src:sport -> dst:dport carrying `payload`. */
function udpPacket(src: string, dst: string, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const family = src.includes(':') ? 6 : 4;
  const udp = new Uint8Array(8 + payload.length);
  encodeUdp({ sourcePort: sport, destinationPort: dport, payload }, udp, 0,
    { family, source: src, destination: dst });
  if (family === 6) {
    const p = {
      trafficClass: 0, flowLabel: 0, hopLimit: 64, source: src, destination: dst,
      extensions: [], upperProtocol: 17, payload: udp,
    };
    const out = new Uint8Array(encodedLengthIpv6Packet(p));
    encodeIpv6Packet(p, out, 0);
    return out;
  }
  const p = {
    typeOfService: 0, identification: 1, dontFragment: true, moreFragments: false,
    fragmentOffset: 0, ttl: 64, protocol: 17, source: src, destination: dst,
    options: new Uint8Array(0), payload: udp,
  };
  const out = new Uint8Array(encodedLengthIpv4Packet(p));
  encodeIpv4Packet(p, out, 0);
  return out;
}

/** A TUN in new namespace `ns`, up with MTU 1400, 10.88.0.1/24 and fd88::1/64 (added to `open`). */
function tunIn(ns: string, name: string, offload: boolean, open: (TunPort | LinuxDatagram)[]): LinuxTun {
  createNetns(ns);
  const tun = inNetns(ns, () => LinuxTun.open({ name, offload }));
  open.push(tun);
  ipIn(ns, ['link', 'set', tun.name, 'up', 'mtu', '1400']);
  ipIn(ns, ['addr', 'add', '10.88.0.1/24', 'dev', tun.name]);
  ipIn(ns, ['addr', 'add', 'fd88::1/64', 'dev', tun.name, 'nodad']);
  return tun;
}

/** Kernel -> TUN: 100 datagrams to 10.88.0.2 are routed into the device and read in batches. */
async function kernelToTun(
  ns: string, tun: TunPort, open: (TunPort | LinuxDatagram)[], check?: (b: PacketBatch, i: number) => void,
): Promise<void> {
  const seen: string[] = [];
  const sizes: number[] = [];
  tun.onBatch((b) => {
    sizes.push(b.count);
    for (let i = 0; i < b.count; i++) {
      const o = b.offset(i);
      if (b.data[o] >> 4 !== 4 || b.data[o + 9] !== 17) continue; // IPv6 router solicitations...
      check?.(b, i);
      seen.push(`${formatIpv4(b.data, o + 16)}:${(b.data[o + 22] << 8) | b.data[o + 23]}` +
        ` ${b.length(i)} ${b.data[o + 28]}`);
    }
  });
  const sender = inNetns(ns, () => openUdp({ family: 4, address: '0.0.0.0', port: 0 }));
  open.push(sender);
  const batch = new TxBatch();
  for (let i = 0; i < 100; i++) {
    if (batch.full) { sender.sendBatch(batch); batch.clear(); }
    batch.push(Uint8Array.of(i, 0, 0, 0), '10.88.0.2', 7000);
  }
  sender.sendBatch(batch);
  await waitFor(() => seen.length === 100);
  assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => `10.88.0.2:7000 32 ${i}`));
  assert.ok(Math.max(...sizes) > 1, `read in batches: ${sizes.join(',')}`);
}

/** TUN -> kernel: one write and a writeBatch of 64 (IPv4 and IPv6) reach bound sockets. */
async function tunToKernel(ns: string, tun: TunPort, open: (TunPort | LinuxDatagram)[]): Promise<void> {
  const rx4 = inNetns(ns, () => openUdp({ family: 4, address: '10.88.0.1', port: 6000 }));
  const rx6 = inNetns(ns, () => openUdp({ family: 6, address: 'fd88::1', port: 6000 }));
  open.push(rx4, rx6);
  const got: string[] = [];
  for (const rx of [rx4, rx6]) {
    rx.onBatch((b) => {
      for (let i = 0; i < b.count; i++) {
        got.push(`${b.peerAddress(i)}:${b.peerPort(i)} ${b.data[b.offset(i)]}`);
      }
    });
  }
  tun.write(udpPacket('10.88.0.2', '10.88.0.1', 7001, 6000, Uint8Array.of(255)));
  const batch = new TxBatch();
  for (let i = 0; i < 64; i++) {
    const v4 = i % 2 === 0;
    batch.push(udpPacket(v4 ? '10.88.0.2' : 'fd88::2', v4 ? '10.88.0.1' : 'fd88::1', 7002, 6000,
      Uint8Array.of(i)));
  }
  assert.equal(tun.writeBatch(batch), 64);
  await waitFor(() => got.length === 65).catch((e: Error) => {
    throw new Error(`${e.message}: ${got.length} of 65 arrived: ${got.join(', ')}`);
  });
  assert.equal(got[0], '10.88.0.2:7001 255');
  const rest = got.slice(1).sort((x, y) => Number(x.split(' ')[1]) - Number(y.split(' ')[1]));
  assert.deepEqual(rest, Array.from({ length: 64 }, (_, i) =>
    `${i % 2 === 0 ? '10.88.0.2' : 'fd88::2'}:7002 ${i}`));
  assert.equal(tun.stats.txPackets, 65);

  // The kernel refuses a non-IP write with EINVAL; a batch skips it and writes the rest.
  assert.throws(() => tun.write(Uint8Array.of(0x10, 0, 0, 0)),
    (e: unknown) => e instanceof OsError && e.code === 'EINVAL');
  batch.clear();
  batch.push(Uint8Array.of(0x10, 0, 0, 0));
  batch.push(udpPacket('10.88.0.2', '10.88.0.1', 7003, 6000, Uint8Array.of(77)));
  assert.equal(tun.writeBatch(batch), 1);
  await waitFor(() => got.length === 66);
  assert.equal(got[65], '10.88.0.2:7003 77');
  assert.deepEqual([tun.stats.txErrors, tun.stats.lastError], [2, 'EINVAL']);
}

test('TUN: kernel-routed packets arrive in batches; written packets reach a socket', async (t) => {
  const why = linuxTestBlocker();
  if (why) { t.skip(why); return; }
  const ns = netnsName('tun');
  const open: (TunPort | LinuxDatagram)[] = [];
  try {
    const tun = tunIn(ns, 'dstt%d', false, open);
    assert.match(tun.name, /^dstt\d+$/);
    assert.equal(tun.ifindex, Number(ipIn(ns, ['-o', 'link', 'show', tun.name]).split(':')[0]));
    await kernelToTun(ns, tun, open);
    await tunToKernel(ns, tun, open);
  } finally {
    for (const p of open) p.close();
    deleteNetns(ns);
  }
});

test('TUN with offloads (IFF_VNET_HDR, TSO): the same packets in and out, checksums completed', async (t) => {
  const why = linuxTestBlocker();
  if (why) { t.skip(why); return; }
  const ns = netnsName('tunoff');
  const open: (TunPort | LinuxDatagram)[] = [];
  try {
    const tun = tunIn(ns, 'dsto%d', true, open);
    if (!tun.offload) { t.skip('the kernel refused IFF_VNET_HDR / TUNSETOFFLOAD (fallback in use)'); return; }
    let badSums = 0;
    await kernelToTun(ns, tun, open, (b, i) => {
      const o = b.offset(i);
      const d = b.data;
      const pseudo = pseudoSum4(d.subarray(o + 12, o + 16), d.subarray(o + 16, o + 20), b.length(i) - 20, 17);
      if (finishChecksum(sumWords(d, o + 20, o + b.length(i), pseudo)) !== 0) badSums++;
    });
    assert.equal(badSums, 0, 'UDP checksums the kernel left partial are completed');
    assert.ok(tun.offloadStats.checksums > 0, JSON.stringify(tun.offloadStats));
    await tunToKernel(ns, tun, open);
  } finally {
    for (const p of open) p.close();
    deleteNetns(ns);
  }
});

test('TUN: a packet longer than the receive slot is counted and dropped, not cut', async (t) => {
  const why = linuxTestBlocker();
  if (why) { t.skip(why); return; }
  const ns = netnsName('tunbig');
  const open: (TunPort | LinuxDatagram)[] = [];
  try {
    createNetns(ns);
    const tun = inNetns(ns, () => LinuxTun.open({ name: 'dstbig0', slotSize: 1500 }));
    open.push(tun);
    ipIn(ns, ['link', 'set', tun.name, 'up', 'mtu', '4000']);
    ipIn(ns, ['addr', 'add', '10.89.0.1/24', 'dev', tun.name]);
    const lengths: number[] = [];
    tun.onBatch((b) => {
      for (let i = 0; i < b.count; i++) if (b.data[b.offset(i)] >> 4 === 4) lengths.push(b.length(i));
    });
    const s = inNetns(ns, () => openUdp({ family: 4, address: '0.0.0.0', port: 0 }));
    open.push(s);
    s.send('10.89.0.2', 9, new Uint8Array(2000));
    s.send('10.89.0.2', 9, new Uint8Array(100));
    await waitFor(() => lengths.length === 1);
    assert.deepEqual(lengths, [128]);
    assert.equal(tun.stats.rxTruncated, 1);
  } finally {
    for (const p of open) p.close();
    deleteNetns(ns);
  }
});
