/**
 * Root smoke test of the home agent scale part: a real dsmip6d home agent in its namespace,
 * 200 simulated mobile nodes registering over UDP 4191 (half behind a NAT), every BA received
 * with status 0, each after a real DAD probe, and the control socket's `bc` view listing all 200. Namespaces and the state
 * directory are removed afterwards. Reports numbers; asserts no timing.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { benchScale } from '../../src/bench/scale.js';
import { listNetns } from '../../src/testbed/sh.js';
import { needRoot } from '../runtime/netns.js';

const PREFIX = `dbn-${process.pid}-e`;

test('HA scale smoke: 200 nodes registered, every BA status 0, bc lists all 200', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t, ['nft'])) return;
  const dir = mkdtempSync(`/tmp/${PREFIX}-`);
  const lines: string[] = [];
  try {
    const r = await benchScale({ prefix: PREFIX, dir, sizes: [200], window: 64, log: (l) => lines.push(l) });
    assert.equal(r.rows.length, 1, `the run failed: ${r.notes.join('; ')}\n${lines.join('\n')}`);
    const row = r.rows[0];
    assert.equal(row.bindingAcks, 200);
    assert.deepEqual(row.rejectedByStatus, {}, 'every BA (registration and refresh) has status 0');
    assert.equal(row.bcCount, 200);
    assert.deepEqual([row.dadProbed, row.dadSkipped], [200, 0], 'every new home address went through DAD');
    assert.notEqual(row.registerPerSecond, null, 'the registration round completed');
    assert.ok((row.registerCpuMicros ?? 0) > 0, "the daemon's CPU over the registration round was read");
    const main = row.registerMainCpuMicros ?? null;
    assert.ok(main !== null && main <= row.registerCpuMicros!, 'its JS thread is read too, and is part of it');
    assert.notEqual(row.refreshPerSecond, null, 'the refresh round completed');
    // Every new home address waits out DAD (RetransTimer, 1 s) before its BA.
    assert.ok((row.registerLatencyP50Ms ?? 0) >= 900, `BU to BA p50 ${row.registerLatencyP50Ms} ms`);
    assert.ok(row.registerLatencyP99Ms! >= row.registerLatencyP50Ms!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(listNetns().filter((n) => n.startsWith(PREFIX)), [], 'namespaces removed');
});
