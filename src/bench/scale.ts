/**
 * Home Agent scale: a real dsmip6d home agent in namespace <P>sha (home link to <P>shl, the
 * "Internet" link to the load generator's namespace <P>slg), and N simulated mobile nodes
 * registering over UDP 4191 (loadgen.ts). For each N a fresh daemon: VmRSS before, one
 * registration round (every BA received, status checked), VmRSS after, the `bc` view counted,
 * one refresh round with the daemon's CPU measured, VmRSS again (every binding replaced once: the
 * steady state), then an orderly stop.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNetns, deleteNetns } from '../os/linux/netns.js';
import { LoadGenerator } from './loadgen.js';
import { LOADGEN_PREFIXES } from './loadgen-packets.js';
import { CpuMeter, rssKb } from './machine.js';
import {
  controlAnswers, countBindings, homeLinkCounters, ipAll, sh, sleep, startDaemon, until,
} from './procs.js';
import type { ScaleBench, ScaleRow } from './results.js';

export interface ScaleOptions {
  readonly prefix: string;
  readonly dir: string;
  readonly sizes: readonly number[];
  readonly window: number;
  readonly log: (line: string) => void;
  /** Extra configuration lines for the home agent. */
  readonly haExtra?: readonly string[];
}

const HA6 = '2001:db8:1::1';
const HA4 = '192.0.2.1';
const HOME64 = '2001:db8:1';
const POOL = '172.16.0.0/14';
/** After the last BA: the announcement rounds still due (2 × RetransTimer of 1 s) and a margin. */
const TRAILING_WORK_MS = 2500;
/** When RSS is read after a round (the daemon trims its heap 1-2 s after the last change). */
const SETTLE_MS = 3500;

function names(prefix: string) {
  return { ha: `${prefix}sha`, hl: `${prefix}shl`, lg: `${prefix}slg` };
}

export function buildScaleTopology(prefix: string): void {
  const n = names(prefix);
  for (const ns of Object.values(n)) createNetns(ns);
  const veth = (a: string, b: string, ns: string): void => {
    sh(undefined, 'ip', ['link', 'add', a, 'netns', n.ha, 'type', 'veth', 'peer', 'name', b, 'netns', ns]);
  };
  veth('home0', 'hl0', n.hl);
  veth('inet0', 'lg0', n.lg);
  ipAll(n.ha, [
    `addr add ${HA6}/64 dev home0 nodad`, `addr add ${HA4}/24 dev home0`,
    'addr add 198.51.100.1/24 dev inet0',
    'link set home0 up', 'link set inet0 up',
    ...LOADGEN_PREFIXES.map((p) => `route add ${p} via 198.51.100.2`),
  ]);
  ipAll(n.hl, [`addr add ${HOME64}::2/64 dev hl0 nodad`, 'addr add 192.0.2.2/24 dev hl0', 'link set hl0 up']);
  ipAll(n.lg, [
    'addr add 198.51.100.2/24 dev lg0', 'link set lg0 up', 'route add default via 198.51.100.1',
  ]);
  // The simulated nodes have no sockets: the load generator reads the BAs from a packet socket on
  // lg0, and the kernel drops them before routing (no local delivery, no ICMP error per BA).
  sh(n.lg, 'nft', ['-f', '-'],
    'table ip dbnlg {\n chain pre {\n  type filter hook prerouting priority raw;\n' +
    '  udp sport 4191 drop\n }\n}\n');
}

export function removeScaleTopology(prefix: string): void {
  for (const ns of Object.values(names(prefix))) deleteNetns(ns);
}

/** UDP datagrams the kernel dropped for full receive buffers in namespace `ns` (/proc/net/snmp). */
export function udpDrops(ns: string): number {
  const lines = sh(ns, 'cat', ['/proc/net/snmp']).split('\n').filter((l) => l.startsWith('Udp:'));
  if (lines.length < 2) return 0;
  const k = lines[0].split(/\s+/).indexOf('RcvbufErrors');
  return k < 0 ? 0 : Number(lines[1].split(/\s+/)[k]);
}

function haConfig(dir: string, extra: readonly string[]): string {
  return [
    'NodeConfig HA;', 'Interface "home0";', 'HaAcceptDsmip6 enabled;', 'DefaultBindingAclPolicy allow;',
    `HaIPv4HomeAddressPool ${POOL};`, 'HaMaxBindingLife 3600;', 'HaBindingsMax 1000000;',
    `ControlSocket "${join(dir, 'ha.sock')}";`, `StateDirectory "${join(dir, 'ha-state')}";`,
    ...extra, '',
  ].join('\n');
}

const perBinding = (before: number | null, after: number | null, n: number): number | null =>
  before !== null && after !== null ? ((after - before) * 1024) / n : null;

async function oneSize(o: ScaleOptions, n: number, notes: string[]): Promise<ScaleRow> {
  const ns = names(o.prefix);
  const dir = join(o.dir, `scale-${n}`);
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'ha.conf');
  writeFileSync(conf, haConfig(dir, o.haExtra ?? []));
  const sock = join(dir, 'ha.sock');
  const daemon = startDaemon(ns.ha, conf, join(dir, 'ha.log'));
  const lg = new LoadGenerator({
    ns: ns.lg, device: 'lg0', ha6: HA6, ha4: HA4, homePrefix64: HOME64, n, window: o.window,
    retransmitMs: 3000,
    lifetimeSeconds: 3600,
  });
  try {
    if (!(await until(() => controlAnswers(sock), 20_000))) {
      throw new Error(`the home agent did not start (${dir}/ha.log)`);
    }
    const pid = daemon.pid as number;
    await sleep(500);
    const rssBefore = rssKb(pid);
    const first = lg.build(1);
    const timeout = Math.max(60_000, n * 10);
    o.log(`scale N=${n}: registering`);
    const regMeter = new CpuMeter([pid]);
    const regMain = new CpuMeter([pid], true);
    const reg = await lg.run(1, first, timeout);
    o.log(`scale N=${n}: ${reg.acks}/${n} BAs in ${(reg.ms / 1000).toFixed(2)} s (${reg.sent} BUs sent)`);
    // The last bindings' announcements (2 more rounds, RetransTimer apart) are registration work too.
    await sleep(TRAILING_WORK_MS);
    const [registerCpuSeconds] = regMeter.used();
    const [registerMainSeconds] = regMain.used();
    // Settled: past the home agent's collection after a burst (heap-trim.ts, 1-2 s after the last change).
    await sleep(SETTLE_MS - TRAILING_WORK_MS);
    const rssAfter = rssKb(pid);
    const rssPeak = rssKb(pid, 'VmHWM');
    const bcCount = await countBindings(sock)
      .catch((e: Error) => { notes.push(`N=${n}: bc: ${e.message}`); return null; });
    const dad = await homeLinkCounters(sock)
      .catch((e: Error) => { notes.push(`N=${n}: status: ${e.message}`); return null; });
    const second = lg.build(2);
    const cpu = new CpuMeter([pid]);
    const ref = await lg.run(2, second, timeout);
    const [refreshCpu] = cpu.stop();
    await sleep(SETTLE_MS);
    const rssSteady = rssKb(pid);
    o.log(`scale N=${n}: refresh ${ref.acks}/${n} in ${(ref.ms / 1000).toFixed(2)} s, ` +
      `daemon CPU ${refreshCpu?.toFixed(0)}%`);
    const drops = udpDrops(ns.ha);
    o.log(`scale N=${n}: HA UDP receive-buffer drops ${drops}, load generator send errors ${lg.sendErrors}`);
    if (drops > 0) notes.push(`N=${n}: the home agent's UDP socket dropped ${drops} datagrams (buffer full)`);
    if (!reg.complete) notes.push(`N=${n}: registration incomplete: ${reg.acks} of ${n} BAs`);
    if (!ref.complete) notes.push(`N=${n}: refresh incomplete: ${ref.acks} of ${n} BAs`);
    const rejected: Record<string, number> = { ...reg.rejectedByStatus };
    for (const [k, v] of Object.entries(ref.rejectedByStatus)) rejected[`${k} (refresh)`] = v;
    return {
      bindings: n, busSent: reg.sent, bindingAcks: reg.acks, rejectedByStatus: rejected,
      registerMs: reg.complete ? reg.ms : null, registerPerSecond: reg.complete ? n / (reg.ms / 1000) : null,
      registerCpuMicros: registerCpuSeconds === null || !reg.complete ? null
        : (registerCpuSeconds * 1e6) / n,
      registerMainCpuMicros: registerMainSeconds === null || !reg.complete ? null
        : (registerMainSeconds * 1e6) / n,
      refreshMs: ref.complete ? ref.ms : null, refreshPerSecond: ref.complete ? n / (ref.ms / 1000) : null,
      refreshCpu,
      refreshCpuMicros: refreshCpu === null ? null : (refreshCpu / 100) * (ref.ms * 1000) / n,
      rssBeforeKb: rssBefore, rssAfterKb: rssAfter, rssSteadyKb: rssSteady,
      rssBytesPerBinding: perBinding(rssBefore, rssAfter, n),
      rssPeakBytesPerBinding: perBinding(rssBefore, rssPeak, n),
      rssSteadyBytesPerBinding: perBinding(rssBefore, rssSteady, n),
      bcCount, dadProbed: dad?.dadStarted ?? null, dadSkipped: dad?.dadSkipped ?? null,
      retransmissions: reg.retransmissions,
      registerLatencyP50Ms: reg.latencyP50Ms, registerLatencyP99Ms: reg.latencyP99Ms,
    };
  } finally {
    lg.close();
    const t0 = Date.now();
    const code = await daemon.stop(120_000);
    o.log(`scale N=${n}: daemon stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s (exit ${code})`);
    if (code !== 0) notes.push(`N=${n}: dsmip6d exited with ${code} (log ${dir}/ha.log)`);
  }
}

/** Runs every size; the topology is built here and always removed. */
export async function benchScale(o: ScaleOptions): Promise<ScaleBench> {
  const notes: string[] = [];
  const rows: ScaleRow[] = [];
  removeScaleTopology(o.prefix);
  try {
    buildScaleTopology(o.prefix);
    for (const n of o.sizes) {
      try {
        rows.push(await oneSize(o, n, notes));
      } catch (e) {
        notes.push(`N=${n}: ${(e as Error).message}`);
        o.log(`scale N=${n} failed: ${(e as Error).message}`);
      }
    }
  } finally {
    removeScaleTopology(o.prefix);
  }
  notes.push('Half the nodes register from their own IPv4 care-of address, half from behind a NAT ' +
    '(outer source differs from the IPv4 CoA option); all ask for a dynamic IPv4 home address.');
  return { window: o.window, rows, notes };
}


