/**
 * UDP GSO in sendBatch (root only): runs of equal-sized packets to one destination leave as one
 * UDP_SEGMENT send and arrive as exactly the datagrams they were (sizes, contents, order), mixed
 * with runs broken by size or destination; a run over the path MTU fails packet by packet with
 * EMSGSIZE, as it would without GSO (the path-MTU logic of tunnel-io.ts depends on it).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TxBatch, addressBytes } from '../../src/os/ports.js';
import { openUdp, type LinuxDatagram } from '../../src/os/linux/datagram.js';
import {
  deleteNetns, inNetns, ipIn, linuxTestBlocker, netnsName,
} from '../../src/os/linux/netns.js';
import { linkedPair, waitFor } from './linux-pair.js';

/** Udp OutDatagrams of the namespace: one per message sent (a GSO run counts once). */
function outDatagrams(ns: string): number {
  return inNetns(ns, () => {
    const snmp = readFileSync('/proc/thread-self/net/snmp', 'utf8');
    const udp = snmp.split('\n').filter((l) => l.startsWith('Udp:'));
    return Number(udp[1].split(' ')[udp[0].split(' ').indexOf('OutDatagrams')]);
  });
}

test('UDP GSO: runs arrive as the same datagrams; a run over the MTU fails per packet with EMSGSIZE', async (t) => {
  const why = linuxTestBlocker();
  if (why) { t.skip(why); return; }
  const a = netnsName('gso-a');
  const b = netnsName('gso-b');
  const open: LinuxDatagram[] = [];
  try {
    linkedPair(a, b, '10.78.0');
    const rx1 = inNetns(a, () => openUdp({ family: 4, address: '10.78.0.1', port: 4191, receiveBuffer: 1 << 21 }));
    const rx2 = inNetns(a, () => openUdp({ family: 4, address: '10.78.0.1', port: 4192, receiveBuffer: 1 << 21 }));
    const tx = inNetns(b, () => openUdp({ family: 4, address: '0.0.0.0', port: 0 }));
    open.push(rx1, rx2, tx);
    if (!tx.udpGso) { t.skip('the kernel has no UDP_SEGMENT: plain sendmmsg in use'); return; }
    const got = new Map<number, string[]>([[4191, []], [4192, []]]);
    for (const [rx, port] of [[rx1, 4191], [rx2, 4192]] as const) {
      rx.onBatch((x) => {
        for (let i = 0; i < x.count; i++) {
          const o = x.offset(i);
          const len = x.length(i);
          let ok = true;
          for (let k = 2; k < len; k++) if (x.data[o + k] !== ((x.data[o + 1] + k) & 0xff)) ok = false;
          got.get(port)!.push(`${x.data[o + 1]}:${len}:${ok}`);
        }
      });
    }
    // 64 entries: 30 x 1200 then 700 to :4191 (one run), 10 x 1000 to :4192, 8 x 1200 to :4191
    // with a longer one in the middle (three runs), then 15 x 500 to :4191.
    const dst = addressBytes('10.78.0.1');
    const plan: [number, number][] = [
      ...Array(30).fill([4191, 1200]), [4191, 700], ...Array(10).fill([4192, 1000]),
      ...Array(4).fill([4191, 1200]), [4191, 1300], ...Array(3).fill([4191, 1200]), ...Array(15).fill([4191, 500]),
    ];
    assert.equal(plan.length, 64);
    const batch = new TxBatch();
    plan.forEach(([port, len], i) => {
      const at = batch.reserve(len, dst, port);
      batch.data[at] = 0;
      batch.data[at + 1] = i;
      for (let k = 2; k < len; k++) batch.data[at + k] = (i + k) & 0xff;
    });
    const sent0 = outDatagrams(b);
    assert.equal(tx.sendBatch(batch), 64);
    // 6 messages: 30 x 1200 + 700 | 10 x 1000 | 4 x 1200 | 1300 + 1200 | 2 x 1200 + 500 | 14 x 500.
    assert.equal(outDatagrams(b) - sent0, 6, 'the kernel saw one message per run, not 64');
    await waitFor(() => got.get(4191)!.length + got.get(4192)!.length === 64);
    const want = (port: number): string[] => plan.flatMap(([p, len], i) => (p === port ? [`${i}:${len}:true`] : []));
    assert.deepEqual(got.get(4191), want(4191));
    assert.deepEqual(got.get(4192), want(4192));

    // Path MTU 1280 on the sender's link: a run of 1300-octet datagrams is refused per packet.
    ipIn(b, ['link', 'set', 'v1', 'mtu', '1280']);
    batch.clear();
    for (let i = 0; i < 5; i++) batch.reserve(1300, dst, 4191);
    for (let i = 0; i < 3; i++) batch.reserve(1000, dst, 4191);
    const before = { ...tx.stats };
    assert.equal(tx.sendBatch(batch), 3, 'the 1000-octet run still goes');
    assert.deepEqual([tx.stats.txErrors - before.txErrors, tx.stats.lastError], [5, 'EMSGSIZE']);
    await waitFor(() => got.get(4191)!.length === want(4191).length + 3);
  } finally {
    for (const p of open) p.close();
    deleteNetns(a);
    deleteNetns(b);
  }
});
