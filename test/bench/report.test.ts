/**
 * The pure parts of `dsmip6 bench`: statistics, iperf3 JSON, argument parsing, and the markdown,
 * JSON and SVG renderings of a results object.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { fmt, median, percentile, ratio, summarize } from '../../src/bench/stats.js';
import { clientArgs, parseIperf } from '../../src/bench/iperf.js';
import { BARE, OPENVPN, resultsMarkdown, throughputMarkdown } from '../../src/bench/report.js';
import { decades, escapeXml, handoverSvg, niceMax, throughputSvg } from '../../src/bench/svg.js';
import type { BenchResults, ThroughputRow } from '../../src/bench/results.js';
import { parseBenchArgs } from '../../src/cli/bench.js';

test('median, nearest-rank percentiles, summary, ratio', () => {
  assert.equal(median([]), null);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([1, Number.NaN, 3]), 2);
  const xs = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 50), 10);
  assert.equal(percentile(xs, 95), 19);
  assert.equal(percentile(xs, 100), 20);
  assert.equal(percentile([7], 95), 7);
  assert.deepEqual(summarize(xs), { n: 20, p50: 10, p95: 19, max: 20 });
  assert.deepEqual(summarize([]), { n: 0, p50: null, p95: null, max: null });
  assert.equal(ratio(3, 2), 1.5);
  assert.equal(ratio(3, 0), null);
  assert.equal(ratio(null, 2), null);
  assert.equal(fmt(null), '–');
  assert.equal(fmt(1.234, 2), '1.23');
});

const tcpJson = JSON.stringify({
  end: { sum_received: { bits_per_second: 1.5e9 }, cpu_utilization_percent: { host_total: 40, remote_total: 55 } },
});
const udpJson = JSON.stringify({
  end: { sum: { bits_per_second: 1e9, lost_percent: 10 }, cpu_utilization_percent: { host_total: 90 } },
});

test('iperf3 JSON: received rate, UDP loss, CPU; errors are reasons', () => {
  assert.deepEqual(parseIperf(tcpJson, false), { mbps: 1500, lossPercent: null, cpuClient: 40, cpuServer: 55 });
  assert.deepEqual(parseIperf(udpJson, true), { mbps: 900, lossPercent: 10, cpuClient: 90, cpuServer: null });
  assert.equal(parseIperf('{"error":"unable to connect to server"}', false), 'iperf3: unable to connect to server');
  assert.equal(parseIperf('not json', true), 'iperf3 printed no JSON');
  assert.match(parseIperf('{}', false) as string, /sum_received/);
  assert.deepEqual(clientArgs('::1', 'udp 0', 3, 5201).slice(-6), ['-J', '-u', '-l', '1300', '-b', '0']);
  assert.deepEqual(clientArgs('::1', 'udp 500', 3, 5201).slice(-2), ['-b', '500M']);
  assert.ok(!clientArgs('::1', 'tcp', 3, 5201).includes('-u'));
});

test('dsmip6 bench arguments', () => {
  assert.deepEqual(parseBenchArgs([], '/r'), { quick: false, json: false, only: ['throughput', 'handover', 'scale'], out: '/r' });
  assert.deepEqual(parseBenchArgs(['--quick', '--json', '--only', 'scale,throughput', '--out=/x'], '/r'),
    { quick: true, json: true, only: ['scale', 'throughput'], out: '/x' });
  assert.match(parseBenchArgs(['--only', 'speed'], '/r') as string, /--only takes/);
  assert.match(parseBenchArgs(['--out'], '/r') as string, /--out takes/);
  assert.match(parseBenchArgs(['--fast'], '/r') as string, /unknown argument/);
});

function row(path: string, test: string, mbps: number | null): ThroughputRow {
  return {
    path, test, repeats: 3, mbps, lossPercent: test === 'tcp' ? null : 0.5, tunnelCpuHome: 80,
    tunnelCpuMobile: 70, iperfCpuClient: 30, iperfCpuServer: 40, samples: mbps === null ? [] : [mbps],
  };
}

const rows = [row(BARE, 'tcp', 15000), row('dsmip6 IPv6-in-UDP (NAT)', 'tcp', 1200), row(OPENVPN, 'tcp', 800),
  row('dsmip6 IPv6-in-UDP (NAT)', 'udp 0', null)];

test('throughput markdown: ratios to OpenVPN and to the bare path, dashes for what was not measured', () => {
  const md = throughputMarkdown({ seconds: 5, rows, notes: ['a note'] }).join('\n');
  assert.match(md, /\| dsmip6 IPv6-in-UDP \(NAT\) \| TCP \| 1200 \| – \| 80 \/ 70 \| 30 \/ 40 \| 1\.50 \| 0\.080 \| 3 \|/);
  assert.match(md, /\| OpenVPN 2\.6 cleartext \| TCP \| 800 \| – \| 80 \/ 70 \| 30 \/ 40 \| – \| 0\.053 \| 3 \|/);
  assert.match(md, /\| dsmip6 IPv6-in-UDP \(NAT\) \| UDP unlimited \| – \| 0\.50 \|/);
  assert.match(md, /- a note/);
});

test('results markdown and JSON carry the machine; SVG charts are well-formed and escaped', () => {
  const r: BenchResults = {
    startedAt: '2026-01-01T00:00:00.000Z', durationSeconds: 12, quick: true,
    machine: {
      cpuModel: 'Test CPU', cores: 2, kernel: '6.1.0', node: 'v20', iperf3: '3.12', openvpn: '2.6.14',
      dsmip6Commit: 'abc1234',
    },
    throughput: { seconds: 3, rows, notes: [] },
    handover: {
      ratePps: 100, notes: [],
      pairs: [{
        pair: 'fn2->fn1 <&>', samples: 5, failures: 0, addressMs: { n: 5, p50: 10, p95: 20, max: 30 },
        baMs: { n: 5, p50: 5, p95: 6, max: 7 }, firstDataMs: { n: 5, p50: 12, p95: 40, max: 55 },
        lost: { n: 5, p50: 1, p95: 2, max: 3 }, lossBound: 3.2,
      }],
    },
    scale: null, notes: ['overall'],
  };
  const md = resultsMarkdown(r, 'stamp');
  assert.match(md, /Test CPU, 2 cores; kernel 6\.1\.0/);
  assert.match(md, /iperf3 3\.12, OpenVPN 2\.6\.14/);
  assert.match(md, /!\[throughput\]\(stamp-throughput\.svg\)/);
  assert.match(md, /\| fn2->fn1 <&> \| 5 \| 0 \| 10 \/ 20 \/ 30 \| 5 \/ 6 \/ 7 \| 12 \/ 40 \/ 55 \| 1 \/ 2 \/ 3 \| 3\.2 \|/);
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  const t = throughputSvg(rows);
  assert.match(t, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((t.match(/<rect x="250"/g) ?? []).length, 3); // one bar per measured row
  assert.match(t, /<\/svg>\n$/);
  const h = handoverSvg(r.handover!);
  assert.match(h, /fn2-&gt;fn1 &lt;&amp;&gt; \(n=5\)/);
  assert.equal((h.match(/<circle /g) ?? []).length, 1);
  assert.equal(escapeXml('<a href="x">&</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  assert.equal(niceMax(1234), 2000);
  assert.equal(niceMax(15000), 20000);
  assert.equal(niceMax(0), 1);
  assert.deepEqual(decades(26513), [10, 100, 1000, 10000, 100000]);
  assert.deepEqual(decades(5), [10, 100]);
  assert.doesNotMatch(t, /font-size="\d+"[^>]*font-size=/, 'no attribute twice');
});

test('a handover part that did not run shows its reason and no table', () => {
  const md = resultsMarkdown({
    startedAt: 'x', durationSeconds: 1, quick: false,
    machine: { cpuModel: 'c', cores: 1, kernel: 'k', node: 'n', iperf3: 'i', openvpn: 'o', dsmip6Commit: 'd' },
    throughput: null, scale: null, notes: [],
    handover: { ratePps: 0, pairs: [], notes: ['Handover latency: not available in this build.'] },
  });
  assert.match(md, /## Handover latency\n\n- Handover latency: not available in this build\./);
  assert.doesNotMatch(md, /\| pair \|/);
  assert.doesNotMatch(md, /handover\.svg/);
});
