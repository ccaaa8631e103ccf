/**
 * dataplane/tso.ts: TCP super-packets from a TUN with offloads cut into segments with correct
 * headers and checksums, partial checksums completed, malformed headers refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4, parseIpv6 } from '../../src/wire/addr.js';
import { finishChecksum, internetChecksum, pseudoSum4, pseudoSum6, sumWords } from '../../src/wire/checksum.js';
import {
  VNET_HDR_LEN, finishPartialChecksum, isTcpSuperPacket, needsChecksum, newVnetHeader, readVnetHeader,
  segmentTcp, sumWordsFast, writeVnetHeader, type VnetHeader,
} from '../../src/dataplane/tso.js';

const SRC6 = parseIpv6('2001:db8:1::1')!;
const DST6 = parseIpv6('2001:db8:1::100')!;
const SRC4 = parseIpv4('192.0.2.1')!;
const DST4 = parseIpv4('10.100.0.100')!;
const TCP_FIN = 0x01;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;
const TCP_CWR = 0x80;

/** A TCP packet with `payload` octets (byte i = i % 251), 12 octets of options, junk checksum. */
function tcpPacket(v: 4 | 6, payload: number, flags: number, seq = 0xfffff000): Uint8Array {
  const ip = v === 4 ? 20 : 40;
  const tcp = 32;
  const p = new Uint8Array(ip + tcp + payload);
  if (v === 4) {
    p[0] = 0x45; p[2] = (p.length >> 8) & 0xff; p[3] = p.length & 0xff;
    p[4] = 0x12; p[5] = 0x34; p[6] = 0x40; p[8] = 64; p[9] = 6;
    p.set(SRC4, 12); p.set(DST4, 16);
  } else {
    p[0] = 0x60; p[4] = ((p.length - 40) >> 8) & 0xff; p[5] = (p.length - 40) & 0xff; p[6] = 6; p[7] = 64;
    p.set(SRC6, 8); p.set(DST6, 24);
  }
  const t = ip;
  p[t] = 0x9c; p[t + 1] = 0x40; p[t + 2] = 0x14; p[t + 3] = 0x51;
  p[t + 4] = seq >>> 24; p[t + 5] = (seq >> 16) & 0xff; p[t + 6] = (seq >> 8) & 0xff; p[t + 7] = seq & 0xff;
  p[t + 11] = 7; p[t + 12] = (tcp / 4) << 4; p[t + 13] = flags; p[t + 14] = 0x01; p[t + 16] = 0xde; p[t + 17] = 0xad;
  p[t + 20] = 1; p[t + 21] = 1; p[t + 22] = 8; p[t + 23] = 10; // NOP NOP timestamps
  for (let i = 0; i < payload; i++) p[ip + tcp + i] = i % 251;
  return p;
}

function gso(v: 4 | 6, mss: number): VnetHeader {
  const ip = v === 4 ? 20 : 40;
  return { flags: 1, gsoType: v === 4 ? 1 : 4, hdrLen: ip + 32, gsoSize: mss, csumStart: ip, csumOffset: 16 };
}

function tcpChecksumOk(s: Uint8Array): boolean {
  const v = s[0] >> 4;
  const ip = v === 4 ? 20 : 40;
  const len = s.length - ip;
  const pseudo = v === 4 ? pseudoSum4(s.subarray(12, 16), s.subarray(16, 20), len, 6)
    : pseudoSum6(s.subarray(8, 24), s.subarray(24, 40), len, 6);
  return finishChecksum(sumWords(s, ip, s.length, pseudo)) === 0;
}

function cut(p: Uint8Array, h: VnetHeader, slot = 2048, max = 64): Uint8Array[] {
  const out = new Uint8Array(slot * max);
  const lengths = new Uint32Array(max);
  const n = segmentTcp(p, 0, p.length, h, out, 0, slot, lengths, 0, max);
  return Array.from({ length: n }, (_, k) => out.slice(k * slot, k * slot + lengths[k]));
}

for (const v of [4, 6] as const) {
  test(`segmentTcp IPv${v}: lengths, sequence numbers, flags, checksums, payload intact`, () => {
    const ip = v === 4 ? 20 : 40;
    const mss = 1348;
    const payload = 10 * mss + 500;
    const p = tcpPacket(v, payload, TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR);
    const segs = cut(p, gso(v, mss));
    assert.equal(segs.length, 11);
    assert.deepEqual(segs.map((s) => s.length), [...Array(10).fill(ip + 32 + mss), ip + 32 + 500]);
    const body: number[] = [];
    segs.forEach((s, k) => {
      if (v === 4) {
        assert.equal((s[2] << 8) | s[3], s.length, 'IPv4 total length');
        assert.equal((s[4] << 8) | s[5], 0x1234 + k, 'IPv4 identification');
        assert.equal(internetChecksum(s, 0, 20), 0, 'IPv4 header checksum');
      } else {
        assert.equal((s[4] << 8) | s[5], s.length - 40, 'IPv6 payload length');
      }
      const seq = ((s[ip + 4] << 24) >>> 0) + ((s[ip + 5] << 16) | (s[ip + 6] << 8) | s[ip + 7]);
      assert.equal(seq, (0xfffff000 + k * mss) >>> 0, 'sequence number (wraps)');
      const f = s[ip + 13];
      assert.equal((f & (TCP_FIN | TCP_PSH)) !== 0, k === segs.length - 1, 'FIN/PSH on the last only');
      assert.equal((f & TCP_CWR) !== 0, k === 0, 'CWR on the first only');
      assert.ok(f & TCP_ACK);
      assert.deepEqual(s.subarray(ip + 20, ip + 32), p.subarray(ip + 20, ip + 32), 'options copied');
      assert.ok(tcpChecksumOk(s), `TCP checksum of segment ${k}`);
      body.push(...s.subarray(ip + 32));
    });
    assert.deepEqual(Uint8Array.from(body), p.subarray(ip + 32));
  });
}

test('segmentTcp: a payload within one MSS is one segment; malformed or unfitting input gives 0', () => {
  const one = cut(tcpPacket(6, 700, TCP_ACK), gso(6, 1348));
  assert.equal(one.length, 1);
  assert.ok(tcpChecksumOk(one[0]));
  const p4 = tcpPacket(4, 5000, TCP_ACK);
  assert.equal(cut(p4, gso(6, 1000)).length, 0, 'IPv4 packet with a TCPV6 type');
  assert.equal(cut(p4, { ...gso(4, 1000), csumStart: 24 }).length, 0, 'TCP start is not the IHL');
  assert.equal(cut(p4, { ...gso(4, 0) }).length, 0, 'zero gso_size');
  assert.equal(cut(p4, gso(4, 1000), 1000).length, 0, 'a segment larger than the slot');
  assert.equal(cut(p4, gso(4, 1000), 2048, 4).length, 0, 'more segments than room');
  const badDoff = tcpPacket(6, 3000, TCP_ACK);
  badDoff[40 + 12] = 0x10; // data offset 4 words: under 20 octets
  assert.equal(cut(badDoff, gso(6, 1000)).length, 0);
  const shortPkt = tcpPacket(6, 0, TCP_ACK).subarray(0, 50);
  assert.equal(cut(shortPkt, gso(6, 1000)).length, 0, 'TCP header cut short');
});

/** A UDP/IPv6 datagram with `payload` octets as the kernel hands it with CHECKSUM_PARTIAL. */
function partialUdp6(payload: number, fill: (i: number) => number): { p: Uint8Array; h: VnetHeader; sum: () => number } {
  const p = new Uint8Array(40 + 8 + payload);
  p[0] = 0x60; p[5] = 8 + payload; p[6] = 17; p[7] = 64; p.set(SRC6, 8); p.set(DST6, 24);
  p[41] = 53; p[43] = 99; p[45] = 8 + payload;
  for (let i = 48; i < p.length; i++) p[i] = fill(i);
  const pseudo = pseudoSum6(SRC6, DST6, 8 + payload, 17);
  /** The datagram's checksum (0 when it verifies), over its field as it is now. */
  const sum = (): number => finishChecksum(sumWords(p, 40, p.length, pseudo));
  const h: VnetHeader = { flags: 1, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 40, csumOffset: 6 };
  return { p, h, sum };
}

function setPartial(p: Uint8Array, payload: number): void {
  const partial = ~finishChecksum(pseudoSum6(SRC6, DST6, 8 + payload, 17)) & 0xffff;
  p[46] = partial >> 8; p[47] = partial & 0xff;
}

test('finishPartialChecksum: the pseudo-header sum in the field becomes the full checksum', () => {
  const { p, h, sum } = partialUdp6(333, (i) => (i * 7) & 0xff);
  const full = sum();
  setPartial(p, 333);
  assert.ok(needsChecksum(h) && !isTcpSuperPacket(h));
  assert.ok(finishPartialChecksum(p, 0, p.length, h));
  assert.equal((p[46] << 8) | p[47], full);
  assert.equal(finishPartialChecksum(p, 0, p.length, { ...h, csumStart: 400 }), false, 'field outside');
});

test('finishPartialChecksum: a checksum that sums to 0 is written 0xffff (UDP: 0 is "none" or invalid)', () => {
  const { p, h, sum } = partialUdp6(64, (i) => (i * 13) & 0xff);
  // Add the datagram's own checksum to one payload word (one's complement): its sum becomes 0xffff.
  let w = ((p[48] << 8) | p[49]) + sum();
  w = (w & 0xffff) + (w >>> 16);
  p[48] = w >> 8; p[49] = w & 0xff;
  assert.equal(sum(), 0, 'sums to zero');
  setPartial(p, 64);
  assert.ok(finishPartialChecksum(p, 0, p.length, h));
  assert.equal((p[46] << 8) | p[47], 0xffff);
  assert.equal(sum(), 0, 'still verifies');
});

test('virtio_net_hdr: little-endian fields, ECN bit ignored in the GSO type', () => {
  const b = new Uint8Array(VNET_HDR_LEN + 2);
  writeVnetHeader({ flags: 1, gsoType: 0x84, hdrLen: 0x1234, gsoSize: 1348, csumStart: 40, csumOffset: 16 }, b, 2);
  assert.deepEqual([...b.subarray(2)], [1, 0x84, 0x34, 0x12, 0x44, 0x05, 40, 0, 16, 0]);
  const h = newVnetHeader();
  readVnetHeader(b, 2, h);
  assert.deepEqual(h, { flags: 1, gsoType: 4, hdrLen: 0x1234, gsoSize: 1348, csumStart: 40, csumOffset: 16 });
  assert.ok(isTcpSuperPacket(h));
});

test('sumWordsFast = sumWords (folded) at every alignment, start and length', () => {
  const buf = new Uint8Array(300);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 151 + 7) & 0xff;
  const same = (b: Uint8Array, start: number, end: number): void => assert.equal(
    finishChecksum(sumWordsFast(b, start, end, 5)), finishChecksum(sumWords(b, start, end, 5)),
    `offset ${b.byteOffset} [${start}, ${end})`);
  for (let start = 0; start < 8; start++) {
    for (const end of [start, start + 1, start + 2, start + 33, start + 64, start + 255, 299]) {
      same(buf, start, end);
      same(buf.subarray(1), start, end);
    }
  }
});
