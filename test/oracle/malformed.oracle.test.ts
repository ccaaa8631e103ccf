/**
 * The testbed's "no malformed packet" check (src/testbed/run-signalling.ts `malformedFrames`)
 * flags what is broken in our traffic, not a correspondent's payload that tshark reads as some
 * other protocol because an ephemeral port happens to be its port: a probe to UDP 34980 (the
 * EtherCAT port; a CI run failed on exactly that) is not malformed, while a UDP 4191 datagram
 * whose inner IPv4 header is cut short is. Skips with a visible reason when tshark is missing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { malformedFrames } from '../../src/testbed/run-signalling.js';
import { writePcap } from './pcap.js';
import { probeTshark } from './tshark.js';

/** An IPv4/UDP packet 10.0.0.1:40000 → 10.0.0.2:`port` carrying `payload`. */
function udp4(port: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(28 + payload.length);
  const v = new DataView(b.buffer);
  b[0] = 0x45;
  v.setUint16(2, b.length);
  b[8] = 64;
  b[9] = 17;
  b.set([10, 0, 0, 1], 12);
  b.set([10, 0, 0, 2], 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += v.getUint16(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(10, ~sum & 0xffff);
  v.setUint16(20, 40000);
  v.setUint16(22, port);
  v.setUint16(24, 8 + payload.length);
  b.set(payload, 28);
  return b;
}

test('malformedFrames: a probe on the EtherCAT port is not malformed; a cut inner IPv4 header is', (t) => {
  const tshark = probeTshark();
  if ('missing' in tshark) { t.skip(tshark.missing); return; }
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-malformed-'));
  try {
    const file = join(dir, 'frames.pcap');
    writePcap(file, [udp4(34980, new Uint8Array(64).fill(0x5a)), udp4(4191, Uint8Array.of(0x45, 0, 0, 40, 0))]);
    const bad = malformedFrames(file);
    assert.ok(Array.isArray(bad), `tshark ran: ${String(bad)}`);
    assert.deepEqual(bad.map((f) => f.split(' ')[0]), ['#2']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
