/** Address tables of the packet path (addr-table.ts): IPv6 keys whose hashes collide. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ipv6Table, hash16 } from '../../src/dataplane/addr-table.js';

/** A key of eight varying octets (with only four, FNV-1a would map keys to hashes one to one). */
function key(i: number): Uint8Array {
  const k = new Uint8Array(16);
  const view = new DataView(k.buffer);
  k[0] = 0x20; k[1] = 0x01;
  view.setUint32(8, i);
  view.setUint32(12, Math.imul(i, 0x9e3779b1) >>> 0);
  return k;
}

/** Two distinct keys with one FNV-1a hash (a birthday collision, found by search). */
function colliding(): [Uint8Array, Uint8Array] {
  const seen = new Map<number, number>();
  for (let i = 0; ; i++) {
    const h = hash16(key(i), 0);
    const j = seen.get(h);
    if (j !== undefined) return [key(j), key(i)];
    seen.set(h, i);
  }
}

test('Ipv6Table: keys sharing a hash bucket are found, replaced and removed one by one', () => {
  const [a, b] = colliding();
  assert.equal(hash16(a, 0), hash16(b, 0));
  assert.notDeepEqual(a, b);
  const t = new Ipv6Table<string>();
  t.set(a, 'a');
  t.set(b, 'b');
  assert.deepEqual([t.get(a, 0), t.get(b, 0), t.size], ['a', 'b', 2]);
  t.set(a, 'a2');
  assert.deepEqual([t.get(a, 0), t.size], ['a2', 2]);
  t.delete(a); // behind b in the chain
  assert.deepEqual([t.get(a, 0), t.get(b, 0), t.size], [undefined, 'b', 1]);
  t.delete(a);
  assert.equal(t.size, 1);
  t.set(a, 'a3');
  t.delete(a); // now the bucket's first entry, b behind it
  assert.deepEqual([t.get(a, 0), t.get(b, 0), t.size], [undefined, 'b', 1]);
  t.delete(b);
  assert.deepEqual([t.get(b, 0), t.size], [undefined, 0]);
});

test('Ipv6Table: a key is copied, looked up at an offset; freed slots are reused', () => {
  const t = new Ipv6Table<number>();
  const k = key(7);
  t.set(k, 1);
  k[15] = 8; // the caller reuses its array: the table kept a copy
  assert.equal(t.get(key(7), 0), 1);
  assert.equal(t.get(key(8), 0), undefined);
  const packet = new Uint8Array(40);
  packet.set(key(7), 24);
  assert.equal(t.get(packet, 24), 1);
  for (let i = 100; i < 200; i++) t.set(key(i), i); // grows past the first arrays
  for (let i = 100; i < 150; i++) t.delete(key(i));
  for (let i = 300; i < 340; i++) t.set(key(i), i); // into the freed slots
  assert.equal(t.size, 1 + 50 + 40);
  for (let i = 100; i < 200; i++) assert.equal(t.get(key(i), 0), i < 150 ? undefined : i);
  for (let i = 300; i < 340; i++) assert.equal(t.get(key(i), 0), i);
  assert.equal(t.get(key(7), 0), 1);
});

test('Ipv6Table: agrees with a Map through growth, deletes and reinsertions (buckets doubled as keys come)', () => {
  const t = new Ipv6Table<number>();
  const model = new Map<number, number>();
  let x = 12345;
  for (let step = 0; step < 20_000; step++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const i = x % 3000;
    if ((x >>> 16) % 3 === 0) { t.delete(key(i)); model.delete(i); } else { t.set(key(i), step); model.set(i, step); }
  }
  assert.equal(t.size, model.size);
  for (let i = 0; i < 3000; i++) assert.equal(t.get(key(i), 0), model.get(i));
});
