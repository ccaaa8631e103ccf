/**
 * The throughput part: iperf3 TCP and UDP (fixed rates and unlimited) from the correspondent on
 * the home link to the mobile node, over the bare routed veth path, the dsmip6 tunnels (IPv6 CoA,
 * IPv4 CoA without NAT, UDP through the NAT for IPv6 and IPv4 traffic) and OpenVPN 2.6 cleartext
 * p2p over the same direct path. Each test is repeated; the median is reported, with the CPU of
 * the tunnel processes (from /proc/<pid>/stat over the test) and iperf3's own CPU figures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendRequest } from '../api/client.js';
import type { BcResult } from '../api/views.js';
import { clientArgs, runClient, type IperfResult } from './iperf.js';
import { CpuMeter } from './machine.js';
import { Child, controlAnswers, sleep, startDaemon, until } from './procs.js';
import { BARE, OPENVPN } from './report.js';
import type { ThroughputBench, ThroughputRow } from './results.js';
import { median } from './stats.js';
import {
  ADDR, buildTputTopology, haConfig, mnConfig, mobileRoutes, removeTputTopology, type TputNames,
} from './tput-topology.js';

export interface ThroughputOptions {
  readonly prefix: string;
  readonly dir: string;
  readonly seconds: number;
  readonly repeats: number;
  /** UDP offered rates, Mbit/s (0: unlimited). */
  readonly udpRates: readonly number[];
  readonly log: (line: string) => void;
}

const PORT = 5201;

interface Target { readonly path: string; readonly address: string }

class Runner {
  readonly rows: ThroughputRow[] = [];
  readonly notes: string[] = [];
  constructor(private readonly o: ThroughputOptions, private readonly n: TputNames) {}

  get tests(): string[] {
    return ['tcp', ...this.o.udpRates.map((r) => `udp ${r}`)];
  }

  /** Every test against `t`, with an iperf3 server in the mobile node's namespace. */
  async measure(t: Target, home: number | undefined, mobile: number | undefined): Promise<void> {
    const server = Child.start(this.n.mn, 'iperf3', ['-s', '-p', String(PORT), '-B', t.address],
      join(this.o.dir, 'iperf3-server.log'));
    try {
      await sleep(500);
      for (const test of this.tests) {
        const runs: IperfResult[] = [];
        const cpu: (number | null)[][] = [];
        for (let k = 0; k < this.o.repeats; k++) {
          const meter = new CpuMeter([home, mobile]);
          const r = await runClient(this.n.home, clientArgs(t.address, test, this.o.seconds, PORT),
            test !== 'tcp', this.o.seconds);
          const c = meter.stop();
          if (typeof r === 'string') { this.notes.push(`${t.path} ${test}: ${r}`); continue; }
          runs.push(r);
          cpu.push(c);
          await sleep(300);
        }
        const med = (f: (r: IperfResult) => number | null): number | null =>
          median(runs.map(f).filter((x): x is number => x !== null));
        const cmed = (i: number): number | null =>
          median(cpu.map((c) => c[i]).filter((x): x is number => x !== null));
        const row: ThroughputRow = {
          path: t.path, test, repeats: runs.length, mbps: med((r) => r.mbps),
          lossPercent: test === 'tcp' ? null : med((r) => r.lossPercent), tunnelCpuHome: cmed(0),
          tunnelCpuMobile: cmed(1), iperfCpuClient: med((r) => r.cpuClient),
          iperfCpuServer: med((r) => r.cpuServer),
          samples: runs.map((r) => Math.round(r.mbps)),
        };
        this.rows.push(row);
        this.o.log(`throughput ${t.path} ${test}: ${row.mbps?.toFixed(0) ?? '–'} Mbit/s`);
      }
    } finally {
      await server.stop(3000);
    }
  }
}

/** Starts both daemons for one attachment; resolves when the HA holds the binding (or throws). */
async function dsmip6Session(
  o: ThroughputOptions, n: TputNames, name: string, iface: 'eth0' | 'eth1',
  body: (ha: Child, mn: Child, encapsulation: string) => Promise<void>,
): Promise<void> {
  const dir = join(o.dir, `tput-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ha.conf'), haConfig(dir));
  writeFileSync(join(dir, 'mn.conf'), mnConfig(dir, iface));
  const ha = startDaemon(n.ha, join(dir, 'ha.conf'), join(dir, 'ha.log'));
  let mn: Child | undefined;
  try {
    if (!(await until(() => controlAnswers(join(dir, 'ha.sock')), 15_000))) {
      throw new Error('the HA did not start');
    }
    mn = startDaemon(n.mn, join(dir, 'mn.conf'), join(dir, 'mn.log'));
    let enc = '';
    const bound = await until(async () => {
      const r = await sendRequest(join(dir, 'ha.sock'), { id: 1, command: 'bc', offset: 0, limit: 10 });
      const b = r.ok && r.response.ok ? (r.response.result as BcResult).bindings[0] : undefined;
      enc = b ? `${b.encapsulation}${b.natDetected ? ' (NAT detected)' : ''}` : '';
      return b !== undefined;
    }, 20_000);
    if (!bound) throw new Error(`no binding at the HA (logs in ${dir})`);
    await sleep(1000);
    await body(ha, mn, enc);
  } finally {
    await mn?.stop(10_000);
    await ha.stop(10_000);
  }
}

async function openvpn(o: ThroughputOptions, n: TputNames, r: Runner): Promise<void> {
  const common = [
    '--dev-type', 'tun', '--proto', 'udp4', '--lport', '1194', '--tun-mtu', '1400', '--verb', '1',
  ];
  const a = Child.start(n.ha, 'openvpn', ['--dev', 'dbnova', ...common, '--local', '198.51.100.1', '--remote',
    ADDR.mnDirect4, '1194', '--ifconfig', ADDR.ovpnHa, ADDR.ovpnMn], join(o.dir, 'openvpn-ha.log'));
  const b = Child.start(n.mn, 'openvpn', ['--dev', 'dbnovb', ...common, '--local', ADDR.mnDirect4, '--remote',
    '198.51.100.1', '1194', '--ifconfig', ADDR.ovpnMn, ADDR.ovpnHa, '--route', '192.0.2.0', '255.255.255.0'],
  join(o.dir, 'openvpn-mn.log'));
  try {
    await sleep(3000);
    await r.measure({ path: OPENVPN, address: ADDR.ovpnMn }, a.pid, b.pid);
  } finally {
    await a.stop(3000);
    await b.stop(3000);
  }
}

export async function benchThroughput(o: ThroughputOptions): Promise<ThroughputBench> {
  removeTputTopology(o.prefix);
  const n = buildTputTopology(o.prefix);
  const r = new Runner(o, n);
  const step = async (what: string, f: () => Promise<void>): Promise<void> => {
    try { await f(); } catch (e) {
      r.notes.push(`${what}: ${(e as Error).message}`);
      o.log(`throughput ${what} failed: ${(e as Error).message}`);
    }
  };
  const label = (want: string, enc: string): string => {
    if (!enc.startsWith(want)) r.notes.push(`expected ${want} encapsulation, the HA reports ${enc}`);
    return enc;
  };
  try {
    mobileRoutes(n, 'direct4');
    await step('bare', () => r.measure({ path: BARE, address: ADDR.mnDirect4 }, undefined, undefined));
    mobileRoutes(n, 'direct6');
    await step('ipv6 CoA', () => dsmip6Session(o, n, 'v6', 'eth0', async (ha, mn, enc) => {
      label('ipv6', enc);
      await r.measure({ path: 'dsmip6 IPv6-in-IPv6 (IPv6 CoA)', address: ADDR.hoa6 }, ha.pid, mn.pid);
    }));
    mobileRoutes(n, 'direct4');
    await step('ipv4 CoA', () => dsmip6Session(o, n, 'v4', 'eth0', async (ha, mn, enc) => {
      label('ipv4', enc);
      await r.measure({ path: 'dsmip6 IPv6-in-IPv4 (IPv4 CoA)', address: ADDR.hoa6 }, ha.pid, mn.pid);
    }));
    mobileRoutes(n, 'nat');
    await step('nat', () => dsmip6Session(o, n, 'nat', 'eth1', async (ha, mn, enc) => {
      label('udp4', enc);
      await r.measure({ path: 'dsmip6 IPv6-in-UDP (NAT)', address: ADDR.hoa6 }, ha.pid, mn.pid);
      await r.measure({ path: 'dsmip6 IPv4-in-UDP (NAT)', address: ADDR.hoa4 }, ha.pid, mn.pid);
    }));
    mobileRoutes(n, 'direct4');
    await step('openvpn', () => openvpn(o, n, r));
  } finally {
    removeTputTopology(o.prefix);
  }
  r.notes.push(`TCP and UDP (1300-byte datagrams) from the home link correspondent to the mobile node; ` +
    `${o.repeats} run(s) of ${o.seconds} s each; tunnel MTU 1400 for dsmip6 and OpenVPN.`);
  return { seconds: o.seconds, rows: r.rows, notes: r.notes };
}
