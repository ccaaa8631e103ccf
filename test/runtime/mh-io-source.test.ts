/** UDP signalling: the via of a received datagram (outer source text shared between datagrams). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RxBatch, addressBytes } from '../../src/os/ports.js';
import { sourceText, udpVia } from '../../src/runtime/mh-io.js';

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
