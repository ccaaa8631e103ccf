/**
 * What `dsmip6 demo` prints: a timeline line per stop of the tour (when, which network, the
 * care-of address, the tunnel, NAT, the registration and handover times, probe packets lost,
 * the traffic checks that passed) and a final summary. Pure formatting of scenario results.
 */
import type { Encapsulation } from '../api/views.js';
import type { NetworkName } from '../testbed/plan.js';
import { summarize } from '../testbed/repeat.js';
import type { Check, Handover, ScenarioResult } from '../testbed/run.js';

/** The tour: the networks mr visits, in order, from unplugged. */
export const TOUR: readonly NetworkName[] = ['home', 'fn2', 'fn1', 'nat', 'fn3', 'home'];

const NETWORK_KIND: Record<string, string> = {
  home: 'home link', fn1: 'IPv4-only', fn2: 'IPv6-only', fn3: 'dual-stack', nat: 'IPv4 NAT',
  nat2: 'IPv4 NAT',
};

const TUNNEL: Record<Encapsulation, string> = { ipv6: 'IPv6', ipv4: 'IPv4', udp4: 'UDP/IPv4' };

const COLUMNS = ['time', 'network', 'care-of address', 'tunnel', 'NAT', 'result', 'addr ms', 'coa ms',
  'BA ms', 'data ms', 'lost', 'traffic'] as const;
const WIDTHS = [6, 16, 23, 8, 3, 10, 7, 6, 5, 7, 4, 7];

const fit = (cells: readonly string[]): string =>
  cells.map((c, i) => c.padEnd(WIDTHS[i])).join('  ').trimEnd();

export const timelineHeader = (): string => fit(COLUMNS);

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const num = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : String(v));

/** Ping and TCP checks, and the long-lived TCP connection across the handover. */
const isTraffic = (c: Check): boolean => /^(ping|tcp|long-lived tcp) /.test(c.name);

/** One stop of the tour; `atMs` is when it began, ms since the demo started. */
export function timelineRow(atMs: number, r: ScenarioResult): string {
  const h: Handover | undefined = r.handovers[r.handovers.length - 1];
  const traffic = r.checks.filter(isTraffic);
  const trafficOk = traffic.filter((c) => c.ok).length;
  const net = h ? `${h.to} (${NETWORK_KIND[h.to] ?? h.to})` : r.name;
  const away = h !== undefined && h.careOfAddress !== null;
  const registration = h === undefined || h.baMs === null ? 'FAILED'
    : away ? 'registered' : 'at home';
  return fit([
    secs(atMs).padStart(6), net, away ? h.careOfAddress! : h ? '(home address)' : '-',
    away && h.encapsulation ? TUNNEL[h.encapsulation] : h ? 'none' : '-', h?.natDetected ? 'yes' : 'no',
    registration, num(h?.addressMs), num(h?.coaMs), num(h?.baMs), num(h?.firstDataMs), num(h?.lost),
    traffic.length === 0 ? '-' : `${trafficOk}/${traffic.length}`,
  ]);
}

/** The failed checks of a stop, one line each (nothing when it passed). */
export function failedLines(r: ScenarioResult): string[] {
  return r.checks.filter((c) => !c.ok).map((c) => `        ${r.name}: failed: ${c.name}` +
    `${c.detail ? ` (${c.detail})` : ''}`);
}

export interface DemoTimes {
  readonly upMs: number;
  readonly daemonsMs: number;
  readonly tourMs: number;
  readonly totalMs: number;
}

/** The final summary: stops registered, traffic, handover times over the tour, loss. */
export function summaryLines(results: readonly ScenarioResult[], t: DemoTimes): string[] {
  const hs = results.flatMap((r) => r.handovers);
  const registered = hs.filter((h) => h.baMs !== null).length;
  const traffic = results.flatMap((r) => r.checks.filter(isTraffic));
  const moves = hs.filter((h) => h.from !== null);
  const ba = summarize(moves.map((h) => h.baMs));
  const data = summarize(moves.map((h) => h.firstDataMs));
  const lost = moves.reduce((a, h) => a + (h.lost ?? 0), 0);
  const passed = results.filter((r) => r.pass).length;
  const tshark = results.flatMap((r) => r.checks.filter((c) => c.name.startsWith('tshark')));
  return [
    `summary: ${passed}/${TOUR.length} stops passed; ${registered}/${TOUR.length} registrations; ` +
      `traffic checks ${traffic.filter((c) => c.ok).length}/${traffic.length} (ping, TCP); ` +
      `BU/BA checks by tshark ${tshark.filter((c) => c.ok).length}/${tshark.length}`,
    `  ${moves.length} handovers: BA p50 ${num(ba.p50)} ms, max ${num(ba.max)} ms; ` +
      `first data p50 ${num(data.p50)} ms, max ${num(data.max)} ms; ` +
      `${lost} probe packets lost in all (100 pps)`,
    `  time: ${secs(t.totalMs)} in all (testbed ${secs(t.upMs)}, daemons ${secs(t.daemonsMs)}, ` +
      `tour ${secs(t.tourMs)})`,
  ];
}
