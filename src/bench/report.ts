/** The benchmark report as markdown (the JSON is `BenchResults` itself). */
import type { HandoverBench } from './types.js';
import type { BenchResults, ScaleBench, ThroughputBench, ThroughputRow } from './results.js';
import { fmt, ratio } from './stats.js';

function table(head: readonly string[], rows: readonly (readonly string[])[], align?: string): string[] {
  return [
    `| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : align ?? '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function testName(t: string): string {
  if (t === 'tcp') return 'TCP';
  const rate = Number(t.split(' ')[1]);
  return rate === 0 ? 'UDP unlimited' : `UDP ${rate >= 1000 ? `${rate / 1000} Gbit/s` : `${rate} Mbit/s`}`;
}

export const BARE = 'bare veth (routed)';
export const OPENVPN = 'OpenVPN 2.6 cleartext';

function find(rows: readonly ThroughputRow[], path: string, test: string): ThroughputRow | undefined {
  return rows.find((r) => r.path === path && r.test === test);
}

export function throughputMarkdown(t: ThroughputBench): string[] {
  const out = [`## Throughput (iperf3, ${t.seconds} s per test, median of the repetitions)`, ''];
  const rows = t.rows.map((r) => {
    const isTunnel = r.path !== BARE && r.path !== OPENVPN;
    const vsOvpn = isTunnel ? ratio(r.mbps, find(t.rows, OPENVPN, r.test)?.mbps) : null;
    const vsBare = r.path !== BARE ? ratio(r.mbps, find(t.rows, BARE, r.test)?.mbps) : null;
    return [
      r.path, testName(r.test), fmt(r.mbps), r.lossPercent === null ? '–' : fmt(r.lossPercent, 2),
      `${fmt(r.tunnelCpuHome)} / ${fmt(r.tunnelCpuMobile)}`,
      `${fmt(r.iperfCpuClient)} / ${fmt(r.iperfCpuServer)}`,
      fmt(vsOvpn, 2), fmt(vsBare, 3), `${r.repeats}`,
    ];
  });
  out.push(...table(['path', 'test', 'Mbit/s', 'UDP loss %', 'tunnel CPU % home / mobile',
    'iperf3 CPU % client / server', '× OpenVPN', '× bare', 'runs'], rows));
  return [...out, '', ...notes(t.notes)];
}

export function handoverMarkdown(h: HandoverBench): string[] {
  if (h.pairs.length === 0) return ['## Handover latency', '', ...notes(h.notes)];
  const out = [`## Handover latency (probes at ${h.ratePps} pps)`, ''];
  const s = (x: { p50: number | null; p95: number | null; max: number | null }): string =>
    `${fmt(x.p50)} / ${fmt(x.p95)} / ${fmt(x.max)}`;
  const rows = h.pairs.map((p) => [
    p.pair, `${p.samples}`, `${p.failures}`, s(p.addressMs), s(p.baMs), s(p.firstDataMs), s(p.lost),
    fmt(p.lossBound, 1),
  ]);
  out.push(...table(['pair', 'runs', 'failed', 'address ms p50/p95/max', 'BA ms p50/p95/max',
    'first data ms p50/p95/max', 'probes lost p50/p95/max', 'loss bound'], rows));
  return [...out, '', ...notes(h.notes)];
}

export function scaleMarkdown(s: ScaleBench): string[] {
  const out = [`## Home Agent scale (real dsmip6d, BUs over UDP 4191, window ${s.window})`, ''];
  const rows = s.rows.map((r) => [
    `${r.bindings}`, `${r.bindingAcks} / ${r.busSent}`,
    Object.keys(r.rejectedByStatus).length === 0 ? 'all 0'
      : Object.entries(r.rejectedByStatus).map(([k, v]) => `${k}: ${v}`).join(', '),
    fmt(r.registerPerSecond), fmt(r.registerMs === null ? null : r.registerMs / 1000, 2),
    `${fmt(r.registerCpuMicros, 1)} / ${fmt(r.registerMainCpuMicros ?? null, 1)}`,
    fmt(r.refreshPerSecond), fmt(r.refreshCpu), fmt(r.refreshCpuMicros, 1),
    fmt(r.rssBytesPerBinding), fmt(r.rssPeakBytesPerBinding), fmt(r.rssSteadyBytesPerBinding), fmt(r.bcCount),
    `${fmt(r.dadProbed)} / ${fmt(r.dadSkipped)}`, `${r.retransmissions}`,
    `${fmt(r.registerLatencyP50Ms ?? null)} / ${fmt(r.registerLatencyP99Ms ?? null)}`,
  ]);
  out.push(...table(['N', 'BAs / BUs sent', 'BA status', 'register BU/s', 'time to register all s',
    'CPU µs per registration: all threads / JS thread',
    'refresh BU/s', 'daemon CPU % (refresh)', 'CPU µs per refresh BU', 'RSS bytes per binding',
    'peak RSS bytes per binding', 'RSS bytes per binding after refresh',
    '`ctl bc` count', 'DAD probed / not performed', 'retransmitted BUs', 'BU to BA ms p50 / p99'], rows));
  return [...out, '', ...notes(s.notes)];
}

function notes(ns: readonly string[]): string[] {
  return ns.length === 0 ? [] : [...ns.map((n) => `- ${n}`), ''];
}

export function resultsMarkdown(r: BenchResults, svgPrefix = 'latest'): string {
  const m = r.machine;
  const out = [
    `# dsmip6 benchmark, ${r.startedAt}${r.quick ? ' (--quick)' : ''}`, '',
    `- Machine: ${m.cpuModel}, ${m.cores} cores; kernel ${m.kernel}`,
    `- Node ${m.node}, iperf3 ${m.iperf3}, OpenVPN ${m.openvpn}, dsmip6 ${m.dsmip6Commit}`,
    `- Duration: ${r.durationSeconds.toFixed(0)} s`, '',
  ];
  if (r.throughput) {
    out.push(...throughputMarkdown(r.throughput), `![throughput](${svgPrefix}-throughput.svg)`, '');
  }
  if (r.handover) {
    out.push(...handoverMarkdown(r.handover));
    if (r.handover.pairs.length > 0) out.push(`![handover](${svgPrefix}-handover.svg)`, '');
  }
  if (r.scale) out.push(...scaleMarkdown(r.scale));
  out.push(...notes(r.notes));
  return `${out.join('\n').trimEnd()}\n`;
}
