/**
 * Linux TunPort with offloads on the real kernel (root only): a TCP connection through the TUN
 * (the test answers the handshake itself) makes the kernel hand over TSO super-packets; the port
 * delivers them as segments no larger than the MTU, with valid IPv4 and TCP checksums, carrying
 * exactly the bytes the client wrote, in order.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { PacketBatch, TunPort } from '../../src/os/ports.js';
import { LinuxTun } from '../../src/os/linux/tun.js';
import { createNetns, deleteNetns, inNetns, ipIn, linuxTestBlocker, netnsName } from '../../src/os/linux/netns.js';
import { finishChecksum, internetChecksum, pseudoSum4, sumWords } from '../../src/wire/checksum.js';

const MTU = 1400;
const BYTES = 60_000;

function tcpChecksum(p: Uint8Array, off: number, len: number): number {
  const pseudo = pseudoSum4(p.subarray(off + 12, off + 16), p.subarray(off + 16, off + 20), len - 20, 6);
  return finishChecksum(sumWords(p, off + 20, off + len, pseudo));
}

/** The SYN-ACK to the SYN at syn[off]: MSS 1360, window 65535, our ISN 1000. */
function synAck(syn: Uint8Array, off: number): Uint8Array {
  const p = new Uint8Array(20 + 24);
  p[0] = 0x45; p[3] = p.length; p[6] = 0x40; p[8] = 64; p[9] = 6;
  p.set(syn.subarray(off + 16, off + 20), 12);
  p.set(syn.subarray(off + 12, off + 16), 16);
  const s = p.subarray(20);
  s.set(syn.subarray(off + 22, off + 24), 0);
  s.set(syn.subarray(off + 20, off + 22), 2);
  s[7] = 0xe8; s[6] = 0x03; // seq 1000
  const ack = (((syn[off + 24] << 24) >>> 0) + ((syn[off + 25] << 16) | (syn[off + 26] << 8) | syn[off + 27]) + 1) >>> 0;
  s[8] = ack >>> 24; s[9] = (ack >> 16) & 0xff; s[10] = (ack >> 8) & 0xff; s[11] = ack & 0xff;
  s[12] = 6 << 4; s[13] = 0x12; s[14] = 0xff; s[15] = 0xff;
  s[20] = 2; s[21] = 4; s[22] = 1360 >> 8; s[23] = 1360 & 0xff;
  const ipSum = internetChecksum(p, 0, 20);
  p[10] = ipSum >> 8; p[11] = ipSum & 0xff;
  const c = tcpChecksum(p, 0, p.length);
  s[16] = c >> 8; s[17] = c & 0xff;
  return p;
}

test('TUN with TSO: super-packets arrive as MTU-sized segments with correct checksums and data', async (t) => {
  const why = linuxTestBlocker();
  if (why) { t.skip(why); return; }
  const ns = netnsName('tso');
  let tun: TunPort | undefined;
  let client: ReturnType<typeof spawn> | undefined;
  try {
    createNetns(ns);
    const opened = inNetns(ns, () => LinuxTun.open({ name: 'dstso0', offload: true }));
    tun = opened;
    if (!opened.offload) { t.skip('the kernel refused IFF_VNET_HDR / TUNSETOFFLOAD (fallback in use)'); return; }
    ipIn(ns, ['link', 'set', opened.name, 'up', 'mtu', String(MTU)]);
    ipIn(ns, ['addr', 'add', '10.87.0.1/24', 'dev', opened.name]);
    const data = new Map<number, Uint8Array>();
    let largest = 0;
    let bad = 0;
    opened.onBatch((b: PacketBatch) => {
      for (let i = 0; i < b.count; i++) {
        const o = b.offset(i);
        const len = b.length(i);
        const d = b.data;
        if (d[o] >> 4 !== 4 || d[o + 9] !== 6) continue;
        largest = Math.max(largest, len);
        if (internetChecksum(d, o, o + 20) !== 0 || tcpChecksum(d, o, len) !== 0) bad++;
        if (d[o + 33] & 0x02) { opened.write(synAck(d, o)); continue; }
        const hdr = 20 + (d[o + 32] >> 4) * 4;
        const seq = ((d[o + 24] << 24) >>> 0) + ((d[o + 25] << 16) | (d[o + 26] << 8) | d[o + 27]);
        if (len > hdr) data.set(seq, d.slice(o + hdr, o + len));
      }
    });
    // The client writes BYTES (byte i = i % 251) and waits; nothing acknowledges the data, so
    // the first flight (the initial window, one or more super-packets) is what arrives.
    client = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', `
      const c = require('net').connect(9000, '10.87.0.2', () => {
        c.write(Buffer.from(Array.from({ length: ${BYTES} }, (_, i) => i % 251)));
      });
      c.on('error', () => {});
      setTimeout(() => process.exit(0), 5000);`], { stdio: 'ignore' });
    const end = Date.now() + 5000;
    while (opened.offloadStats.superPackets === 0 || data.size < 10) {
      if (Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(opened.offloadStats.superPackets > 0, `super-packets: ${JSON.stringify(opened.offloadStats)}`);
    assert.equal(bad, 0, 'IPv4 and TCP checksums');
    assert.ok(largest <= MTU, `largest segment ${largest} within MTU ${MTU}`);
    const seqs = [...data.keys()].sort((a, b) => a - b);
    let next = seqs[0];
    const bytes: number[] = [];
    for (const s of seqs) {
      if (s !== next) break; // retransmissions or a gap after the first flight
      const chunk = data.get(s)!;
      bytes.push(...chunk);
      next = (s + chunk.length) >>> 0;
    }
    assert.ok(bytes.length >= 10 * 1300, `first flight ${bytes.length} octets`);
    assert.deepEqual(bytes, bytes.map((_, i) => i % 251), 'the bytes written, in order');
  } finally {
    client?.kill('SIGKILL');
    tun?.close();
    deleteNetns(ns);
  }
});
