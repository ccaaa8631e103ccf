/**
 * The addon's tsoSplit against the reference, dataplane/tso.ts segmentTcp: the same segments,
 * byte for byte, for IPv4 and IPv6 super-packets of many sizes and segment sizes, and the same
 * refusals (0) for malformed headers and lack of room. No root needed.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { native, nativeAvailable } from '../../src/os/linux/native.js';
import { VNET_HDR_LEN, readVnetHeader, newVnetHeader, segmentTcp, writeVnetHeader } from '../../src/dataplane/tso.js';

const SLOT = 2048;

/** A read: virtio_net_hdr then an IPv4/IPv6 TCP packet with `payload` octets of pseudo-random data. */
function read(v: 4 | 6, payload: number, mss: number, seed: number): Uint8Array {
  const ip = v === 4 ? 20 : 40;
  const len = ip + 32 + payload;
  const b = new Uint8Array(VNET_HDR_LEN + len);
  writeVnetHeader({ flags: 1, gsoType: v === 4 ? 1 : 4, hdrLen: ip + 32, gsoSize: mss, csumStart: ip, csumOffset: 16 }, b, 0);
  let x = seed;
  for (let i = VNET_HDR_LEN; i < b.length; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
  const p = b.subarray(VNET_HDR_LEN);
  p[0] = v === 4 ? 0x45 : 0x60;
  if (v === 4) p[9] = 6; else p[6] = 6;
  p[ip + 12] = 8 << 4;
  return b;
}

function both(b: Uint8Array, slot = SLOT, max = 64): [string[], string[]] {
  const outs = [new Uint8Array(slot * max), new Uint8Array(slot * max)];
  const lens = [new Uint32Array(max), new Uint32Array(max)];
  const h = newVnetHeader();
  readVnetHeader(b, 0, h);
  const n0 = segmentTcp(b, VNET_HDR_LEN, b.length - VNET_HDR_LEN, h, outs[0], 0, slot, lens[0], 0, max);
  const n1 = native().tsoSplit(b, 0, b.length, outs[1], 0, slot, lens[1], 0, max);
  const show = (i: number, n: number): string[] => Array.from({ length: n }, (_, k) =>
    Buffer.from(outs[i].subarray(k * slot, k * slot + lens[i][k])).toString('hex'));
  return [show(0, n0), show(1, n1)];
}

test('tsoSplit (addon) = segmentTcp (reference), segment for segment', (t) => {
  if (!nativeAvailable()) { t.skip('needs the native addon: run npm install'); return; }
  let segments = 0;
  for (const v of [4, 6] as const) {
    for (const [payload, mss] of [[1, 1348], [1348, 1348], [1349, 1348], [60000, 1348], [64000, 1000], [5555, 536], [9000, 1447]]) {
      const [ref, nat] = both(read(v, payload, mss, payload + mss + v));
      assert.ok(ref.length > 0, `IPv${v} ${payload}/${mss}: segmented`);
      assert.deepEqual(nat, ref, `IPv${v} ${payload}/${mss}`);
      segments += ref.length;
    }
  }
  assert.ok(segments > 150);
});

test('tsoSplit refuses what segmentTcp refuses', (t) => {
  if (!nativeAvailable()) { t.skip('needs the native addon: run npm install'); return; }
  const cases: [string, Uint8Array, number?, number?][] = [];
  const wrongType = read(4, 5000, 1000, 1); wrongType[1] = 4; cases.push(['IPv4 as TCPV6', wrongType]);
  const zero = read(6, 5000, 1000, 2); zero[4] = 0; zero[5] = 0; cases.push(['gso_size 0', zero]);
  const doff = read(6, 5000, 1000, 3); doff[VNET_HDR_LEN + 40 + 12] = 0x10; cases.push(['data offset 4', doff]);
  cases.push(['slot too small', read(4, 5000, 1000, 4), 1000]);
  cases.push(['no room', read(4, 5000, 1000, 5), SLOT, 3]);
  cases.push(['cut short', read(6, 0, 1000, 6).subarray(0, VNET_HDR_LEN + 50)]);
  for (const [what, b, slot, max] of cases) {
    const [ref, nat] = both(b, slot, max);
    assert.deepEqual([ref.length, nat.length], [0, 0], what);
  }
  assert.throws(() => native().tsoSplit(new Uint8Array(10), 0, 20, new Uint8Array(10), 0, 2048, new Uint32Array(1), 0, 1),
    RangeError);
});
