/** UDP signalling: the via of a received datagram (outer source text shared between datagrams). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RxBatch, addressBytes } from '../../src/os/ports.js';
import { packetCopy, rebuildIpv6, sourceText, udpVia } from '../../src/runtime/mh-io.js';

function batch(peers: readonly string[]): RxBatch {
  const b = new RxBatch(64, true);
  peers.forEach((p, i) => {
    b.addresses.set(addressBytes(p), i * 16);
    b.localAddresses.set(addressBytes('192.0.2.1'), i * 16);
    b.ports[i] = 40000 + i;
  });
  b.count = peers.length;
  return b;
}

/** Two IPv4 addresses that share a slot of the text cache (same hash), found by search. */
function collidingPair(): [string, string] {
  const slot = (v: number) => Math.imul(v | 0, 0x9e3779b1) >>> 24;
  const base = 0x64400001;
  for (let v = base + 1; ; v++) {
    if (slot(v) === slot(base)) {
      const text = (x: number) => [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');
      return [text(base), text(v)];
    }
  }
}

test('outer sources: the right text for every datagram, cached or not, IPv4 or IPv6', () => {
  const [a, b] = collidingPair();
  const peers = ['100.64.0.0', '10.64.0.1', '100.64.0.0', a, b, a, '2001:db8::7', '255.255.255.255', '0.0.0.1'];
  const rx = batch(peers);
  for (let round = 0; round < 2; round++) {
    assert.deepStrictEqual(peers.map((_, i) => sourceText(rx, i)), peers);
  }
  assert.deepStrictEqual(udpVia(rx, 1, 4191), {
    kind: 'udp4', source: '10.64.0.1', sourcePort: 40001, destination: '192.0.2.1', destinationPort: 4191,
  });
});

test('packet copies: the received octets, kept when the batch is refilled, short or long', () => {
  const rx = new RxBatch(2048, true);
  const sizes = [0, 1, 64, 65, 120, 1500];
  sizes.forEach((n, i) => {
    for (let k = 0; k < n; k++) rx.data[rx.offset(i) + k] = (k * 7 + i) & 0xff;
    rx.lengths[i] = n;
    rx.addresses.set(addressBytes('2001:db8::7'), i * 16);
    rx.localAddresses.set(addressBytes('2001:db8::1'), i * 16);
  });
  rx.count = sizes.length;
  const copies = sizes.map((_, i) => packetCopy(rx, i));
  const rebuilt = sizes.map((_, i) => rebuildIpv6(rx, i, 135));
  const want = sizes.map((_, i) => Array.from(rx.packet(i)));
  rx.data.fill(0xee);
  assert.deepStrictEqual(copies.map((c) => Array.from(c)), want);
  assert.deepStrictEqual(rebuilt.map((r) => Array.from(r.subarray(40))), want);
  for (const [i, r] of rebuilt.entries()) {
    assert.deepStrictEqual(Array.from(r.subarray(0, 8)), [0x60, 0, 0, 0, sizes[i] >> 8, sizes[i] & 0xff, 135, 64]);
    assert.deepStrictEqual([r.length, Array.from(r.subarray(8, 24)), Array.from(r.subarray(24, 40))],
      [40 + sizes[i], Array.from(addressBytes('2001:db8::7')), Array.from(addressBytes('2001:db8::1'))]);
  }
});
