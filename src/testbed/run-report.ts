/**
 * `testbed run` around the scenarios: starts the daemons that are not running, runs the
 * scenarios in order, then puts back what it changed (mr's attachment; the daemons, when none
 * ran before), and formats the report as a table.
 */
import { interrupted } from './interrupt.js';
import { attach, detach } from './attach.js';
import { DAEMON_NODES, daemonPid, startDaemons, stopDaemons } from './daemons.js';
import { runScenario, type Handover, type ScenarioResult } from './run.js';
import type { MobileName } from './plan.js';
import { rebuild } from './rebuild.js';
import type { Scenario } from './scenarios.js';
import type { Testbed } from './state.js';

export interface RunReport {
  readonly pass: boolean;
  readonly ms: number;
  /** The runner brought the testbed up (and took it down after). */
  readonly broughtUp: boolean;
  /** The runner started the daemons (and stopped them after). */
  readonly startedDaemons: boolean;
  readonly scenarios: readonly ScenarioResult[];
}

/** A scenario that could not run: the testbed is up in the other mode and not the runner's. */
function wrongMode(s: Scenario, haBehindNat: boolean): ScenarioResult {
  const want = haBehindNat ? 'with' : 'without';
  return { name: s.name, description: s.description, pass: false, ms: 0, handovers: [], restarts: [],
    checks: [{ name: `testbed ${want} --ha-behind-nat`, ok: false,
      detail: 'the testbed is up in the other mode; run it with no testbed up (run rebuilds it then)' }] };
}

/**
 * Runs `scenarios` on `tb`; `progress` gets each result as it is done. A scenario that needs
 * the other mode (`haBehindNat`) makes the runner rebuild the testbed when it brought it up.
 */
export async function runScenarios(
  tb0: Testbed, scenarios: readonly Scenario[], broughtUp: boolean,
  progress: (r: ScenarioResult) => void = () => undefined,
): Promise<RunReport> {
  const t0 = Date.now();
  let tb = tb0;
  const noneRunning = DAEMON_NODES.every((n) => daemonPid(tb, n) === undefined);
  const was = { ...tb.state.attachments };
  const results: ScenarioResult[] = [];
  await startDaemons(tb);
  try {
    for (const s of scenarios) {
      if (interrupted()) break;
      const mode = s.haBehindNat === true;
      if (mode !== tb.plan.haBehindNat && broughtUp) {
        tb = await rebuild(tb, mode);
        await startDaemons(tb);
      }
      const r = mode === tb.plan.haBehindNat ? await runScenario(tb, s) : wrongMode(s, mode);
      results.push(r);
      progress(r);
    }
  } finally {
    if (!broughtUp) await leaveAsFound(tb, was, noneRunning);
  }
  const pass = results.length > 0 && results.every((r) => r.pass);
  return { pass, ms: Date.now() - t0, broughtUp, startedDaemons: noneRunning, scenarios: results };
}

/**
 * Puts a testbed the run found up back as it was: every mobile interface on the network it was
 * on (or unplugged), and the daemons stopped when none ran before (`stop`).
 */
export async function leaveAsFound(
  tb: Testbed, was: Readonly<Record<string, string>>, stop: boolean,
): Promise<void> {
  for (const key of new Set([...Object.keys(was), ...Object.keys(tb.state.attachments)])) {
    const [node, iface] = key.split('/') as [MobileName, string];
    const now = tb.state.attachments[key];
    if (was[key] === undefined && now !== undefined) await detach(tb, node, iface);
    else if (was[key] !== undefined && now !== was[key]) await attach(tb, node, iface, was[key], false);
  }
  if (stop) await stopDaemons(tb);
}

const ms = (v: number | null): string => (v === null ? '-' : String(v));

const tcp = (v: boolean | null | undefined): string => (v === true ? 'kept' : v === false ? 'LOST' : '-');

function row(r: ScenarioResult, h: Handover | undefined): string[] {
  const who = h && h.node !== 'mr' ? `${h.node} ` : '';
  const path = h ? `${who}${h.from ?? '(none)'}->${h.to}` : '';
  return [r.name, r.pass ? 'pass' : 'FAIL', path, h?.careOfAddress ?? (h ? '(home)' : ''),
    h?.encapsulation ?? '-', h ? (h.natDetected ? 'yes' : 'no') : '-', h?.buFlags ?? '-',
    ms(h?.addressMs ?? null), ms(h?.coaMs ?? null), ms(h?.baMs ?? null), ms(h?.firstDataMs ?? null),
    ms(h?.lost ?? null), tcp(h?.tcpKept)];
}

function restartRows(r: ScenarioResult): string[][] {
  return r.restarts.map((x) => [r.name, r.pass ? 'pass' : 'FAIL', `restart ${x.daemon}`, '', '-', '-', '-',
    '', '', '', ms(x.outageMs), ms(x.lost), '-']);
}

/** The report as a table (one row per handover), then the failed checks. */
export function formatReport(rep: RunReport): string {
  const head = ['scenario', 'result', 'handover', 'care-of address', 'encap', 'NAT', 'BU', 'addr ms',
    'coa ms', 'BA ms', 'data ms', 'lost', 'tcp'];
  const rows = rep.scenarios.flatMap((r) => (r.handovers.length + r.restarts.length > 0
    ? [...r.handovers.map((h) => row(r, h)), ...restartRows(r)] : [row(r, undefined)]));
  const widths = head.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const lines = [line(head), ...rows.map(line)];
  for (const r of rep.scenarios.filter((x) => !x.pass)) {
    for (const c of r.checks.filter((x) => !x.ok)) {
      lines.push(`${r.name}: failed: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
    }
  }
  const passed = rep.scenarios.filter((r) => r.pass).length;
  lines.push(`${passed}/${rep.scenarios.length} scenarios passed in ${(rep.ms / 1000).toFixed(1)} s` +
    ' (ms from the link change; BU: flags of the acknowledged BU as tshark decoded it; lost: probes' +
    ' of the 100 pps stream from cn; tcp: a connection opened before the handover; restart: data ms' +
    ' is the longest gap in the probe replies)');
  return lines.join('\n');
}
