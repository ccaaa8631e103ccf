/**
 * The multicast half of the Linux NdPort's batch send (src/os/linux/nd-multicast.ts): a batch is
 * split into multicast packets, each with the Ethernet MAC its IPv6 group maps to (RFC 2464 §7),
 * and the rest in order with their IPv6 destinations and ports; the send hands the addon exactly
 * those spans and skips a packet the kernel refuses, as every batch send does. The addon is a
 * double here; test/runtime/neighbour-netns.test.ts sends through the real kernel.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { LinkMulticast, MulticastSplit } from '../../src/os/linux/nd-multicast.js';
import type { LinkAddon } from '../../src/os/linux/packet.js';
import { OsError, TxBatch, addressBytes, newPortStats } from '../../src/os/ports.js';
import { dadSolicitation, unsolicitedAdvertisement } from '../../src/runtime/neighbour-packets.js';

const MAC = new Uint8Array([2, 0, 0x5e, 0, 0x53, 1]);

/** A probe to ff02::1:ff12:3456, an NA to 2001:db8::5 (unicast), an NA to ff02::1. */
function batch(): TxBatch {
  const b = new TxBatch(4096);
  const probe = dadSolicitation('2001:db8:1::12:3456', new Uint8Array([1, 2, 3, 4, 5, 6]));
  const unicast = unsolicitedAdvertisement('fe80::1', '2001:db8:1::7', MAC);
  unicast.set(addressBytes('2001:db8::5'), 24);
  const allNodes = unsolicitedAdvertisement('fe80::1', '2001:db8:1::8', MAC);
  for (const p of [probe, unicast, allNodes]) assert.ok(b.push(p, p, 0, 24));
  b.ports[1] = 7; // not used by ND; carried through as given
  return b;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('split: multicast packets get their group MAC, the rest keep order, address and port', () => {
  const b = batch();
  const s = new MulticastSplit();
  s.split(b);
  const m = s.multicast;
  assert.equal(m.count, 2);
  assert.deepEqual([m.offsets[0], m.lengths[0]], [b.offsets[0], b.lengths[0]]);
  assert.deepEqual([m.offsets[1], m.lengths[1]], [b.offsets[2], b.lengths[2]]);
  assert.equal(hex(m.destinations.subarray(0, 6)), '3333ff123456');
  assert.equal(hex(m.destinations.subarray(8, 14)), '333300000001');
  const r = s.rest;
  assert.equal(r.count, 1);
  assert.deepEqual([r.offsets[0], r.lengths[0], r.ports[0]], [b.offsets[1], b.lengths[1], 7]);
  assert.equal(hex(r.addresses.subarray(0, 16)), hex(addressBytes('2001:db8::5')));
  // A second split starts over.
  const only = new TxBatch(4096);
  only.push(b.data.subarray(b.offsets[1], b.offsets[1] + b.lengths[1]), addressBytes('2001:db8::5'));
  s.split(only);
  assert.deepEqual([s.multicast.count, s.rest.count], [0, 1]);
});

interface Call { count: number; offsets: number[]; macs: string[]; protocol: number; ifindex: number; halen: number }

function addon(fail: (call: number) => boolean): { n: LinkAddon; calls: Call[] } {
  const calls: Call[] = [];
  const n = {
    constants: { ETH_P_IPV6: 0x86dd },
    close: () => undefined,
    packetSendBatch(_fd: number, ifindex: number, protocol: number, _data: Uint8Array, count: number,
      offsets: Uint32Array, _lengths: Uint32Array, dsts: Uint8Array, halen: number): number {
      calls.push({
        count, protocol, ifindex, halen, offsets: [...offsets.subarray(0, count)],
        macs: Array.from({ length: count }, (_, i) => hex(dsts.subarray(i * 8, i * 8 + halen))),
      });
      if (fail(calls.length)) throw new OsError('ENETDOWN', 'sendmmsg', 'down');
      return count;
    },
  } as unknown as LinkAddon;
  return { n, calls };
}

test('send: one call for the multicast packets, to the link, as IPv6 over Ethernet', () => {
  const b = batch();
  const { n, calls } = addon(() => false);
  const link = new LinkMulticast(n, 9, 4);
  link.split.split(b);
  const stats = newPortStats();
  assert.equal(link.send(b, stats), 2);
  assert.deepEqual(calls, [{
    count: 2, protocol: 0x86dd, ifindex: 4, halen: 6, offsets: [b.offsets[0], b.offsets[2]],
    macs: ['3333ff123456', '333300000001'],
  }]);
  assert.equal(stats.txPackets, 2);
});

test('send: a refused first packet is counted and skipped, the rest still go', () => {
  const b = batch();
  const { n, calls } = addon((call) => call === 1);
  const link = new LinkMulticast(n, 9, 4);
  link.split.split(b);
  const stats = newPortStats();
  assert.equal(link.send(b, stats), 1);
  assert.equal(calls.length, 2);
  assert.deepEqual([calls[1].count, calls[1].offsets, calls[1].macs], [1, [b.offsets[2]], ['333300000001']]);
  assert.deepEqual([stats.txPackets, stats.txErrors, stats.lastError], [1, 1, 'ENETDOWN']);
});
