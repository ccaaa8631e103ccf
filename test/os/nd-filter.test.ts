/**
 * The classic BPF program of the NdListenPort (src/os/linux/packet-listen.ts `ndFilter`), run
 * by a small interpreter of the instructions it uses (ld/ldb absolute, the pkt_type ancillary
 * load, jeq, ret): NS and NA from other nodes pass; this host's own packets, other ICMPv6,
 * other protocols, extension headers, hop limit below 255, code 1 and short packets do not.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { ndFilter } from '../../src/os/linux/packet-listen.js';
import { dadSolicitation, unsolicitedAdvertisement } from '../../src/runtime/neighbour-packets.js';

const PACKET_HOST = 0;
const PACKET_MULTICAST = 2;
const PACKET_OUTGOING = 4;

/** Runs the program over `p` (a packet from the IPv6 header on); returns the snap length. */
function run(code: Uint8Array, p: Uint8Array, pktType: number): number {
  const v = new DataView(code.buffer, code.byteOffset, code.byteLength);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  let a = 0;
  for (let pc = 0; pc < code.length / 8;) {
    const op = v.getUint16(pc * 8, le); const jt = v.getUint8(pc * 8 + 2);
    const jf = v.getUint8(pc * 8 + 3); const k = v.getUint32(pc * 8 + 4, le);
    pc++;
    switch (op) {
      case 0x20: // ld [k]
        if (k === 0xfffff004) { a = pktType; break; }
        if (k + 4 > p.length) return 0;
        a = new DataView(p.buffer, p.byteOffset).getUint32(k); break;
      case 0x30: // ldb [k]
        if (k >= p.length) return 0;
        a = p[k]; break;
      case 0x15: pc += a === k ? jt : jf; break; // jeq #k
      case 0x06: return k; // ret #k
      default: throw new Error(`opcode ${op.toString(16)} not modelled`);
    }
  }
  throw new Error('fell off the end');
}

test('ndFilter keeps NS/NA from others and drops the rest', () => {
  const code = ndFilter();
  assert.equal(code.length % 8, 0);
  const ns = dadSolicitation('2001:db8:1::100', new Uint8Array(6));
  const na = unsolicitedAdvertisement('fe80::2', '2001:db8:1::100', new Uint8Array(6));
  assert.ok(run(code, ns, PACKET_MULTICAST) >= ns.length);
  assert.ok(run(code, na, PACKET_HOST) >= na.length);
  assert.equal(run(code, ns, PACKET_OUTGOING), 0, 'our own probe');
  const edit = (f: (p: Uint8Array) => void): Uint8Array => { const p = ns.slice(); f(p); return p; };
  for (const [why, p] of [
    ['echo request', edit((p) => { p[40] = 128; })],
    ['router solicitation', edit((p) => { p[40] = 133; })],
    ['UDP', edit((p) => { p[6] = 17; })],
    ['hop-by-hop header', edit((p) => { p[6] = 0; })],
    ['hop limit 254', edit((p) => { p[7] = 254; })],
    ['code 1', edit((p) => { p[41] = 1; })],
    ['short', ns.subarray(0, 40)],
  ] as const) {
    assert.equal(run(code, p, PACKET_MULTICAST), 0, why);
  }
});
