/** iperf3 runs for the throughput part, and what is read from iperf3's JSON (`-J`). */
import { execFile } from 'node:child_process';

export interface IperfResult {
  /** Received Mbit/s. */
  readonly mbps: number;
  /** UDP loss percent (null for TCP). */
  readonly lossPercent: number | null;
  readonly cpuClient: number | null;
  readonly cpuServer: number | null;
}

type Json = Record<string, unknown>;
const obj = (x: unknown): Json | undefined =>
  (x !== null && typeof x === 'object' ? (x as Json) : undefined);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Reads iperf3 -J output; a string says why it cannot (iperf3's own error, or not JSON). */
export function parseIperf(text: string, udp: boolean): IperfResult | string {
  let j: Json | undefined;
  try { j = obj(JSON.parse(text)); } catch { return 'iperf3 printed no JSON'; }
  if (j === undefined) return 'iperf3 printed no JSON object';
  if (typeof j.error === 'string') return `iperf3: ${j.error}`;
  const end = obj(j.end);
  const cpu = obj(end?.cpu_utilization_percent);
  const cpuClient = num(cpu?.host_total);
  const cpuServer = num(cpu?.remote_total);
  if (!udp) {
    const bps = num(obj(end?.sum_received)?.bits_per_second);
    if (bps === null) return 'no end.sum_received in the iperf3 output';
    return { mbps: bps / 1e6, lossPercent: null, cpuClient, cpuServer };
  }
  const sum = obj(end?.sum);
  const received = obj(end?.sum_received);
  const loss = num(sum?.lost_percent);
  const sent = num(sum?.bits_per_second);
  const bps = num(received?.bits_per_second)
    ?? (sent !== null && loss !== null ? sent * (1 - loss / 100) : null);
  if (bps === null) return 'no end.sum in the iperf3 output';
  return { mbps: bps / 1e6, lossPercent: loss, cpuClient, cpuServer };
}

/** iperf3 client arguments for one test: 'tcp', or 'udp R' (R Mbit/s offered, 0 unlimited). */
export function clientArgs(server: string, test: string, seconds: number, port: number): string[] {
  const base = ['-c', server, '-p', String(port), '-t', String(seconds), '-J'];
  if (test === 'tcp') return base;
  const rate = Number(test.split(' ')[1]);
  return [...base, '-u', '-l', '1300', '-b', rate === 0 ? '0' : `${rate}M`];
}

/** Runs the client in namespace `ns`; resolves with the parsed result or why it failed. */
export function runClient(ns: string, args: readonly string[], udp: boolean, seconds: number):
  Promise<IperfResult | string> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, 'iperf3', ...args],
      { timeout: (seconds + 20) * 1000, maxBuffer: 16 << 20 }, (err, stdout) => {
        const r = parseIperf(String(stdout), udp);
        resolve(typeof r === 'string' && err ? `${r} (${err.message.split('\n')[0]})` : r);
      });
  });
}
