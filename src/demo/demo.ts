/**
 * `dsmip6 demo`: the testbed's tour in one command. Brings the namespace testbed up (or uses the
 * one that is up), starts the daemons, moves the mobile router `mr` home -> fn2 -> fn1 -> nat ->
 * fn3 -> home while a 100 pps UDP stream runs from `cn` to `mnn` and back and `cn` pings and
 * opens TCP connections to mr and mnn over IPv6 and IPv4 at every stop, prints a timeline line
 * per stop and a summary, and puts everything back: a testbed it brought up is taken down, one
 * it found is left as found (mr where it was, the daemons it started stopped). The clean-up
 * also runs on SIGINT/SIGTERM and on failure. Exit codes: 0 every stop registered and traffic
 * flowed; 1 a stop failed or the demo could not run; 2 usage; 130 interrupted.
 */
import { attach, detach } from '../testbed/attach.js';
import { DAEMON_NODES, daemonPid, startDaemons, stopDaemons } from '../testbed/daemons.js';
import { runScenario, type ScenarioResult } from '../testbed/run.js';
import { visit, type Scenario } from '../testbed/scenarios.js';
import { missingTools } from '../testbed/services.js';
import { haveTool, listNetns } from '../testbed/sh.js';
import { interrupted, onInterrupt } from '../testbed/interrupt.js';
import { DEFAULT_PREFIX, DEFAULT_STATE_DIR, Testbed } from '../testbed/state.js';
import { teardown } from '../testbed/teardown.js';
import { bringUp, upTestbed } from '../testbed/rebuild.js';
import { TOUR, failedLines, summaryLines, timelineHeader, timelineRow } from './timeline.js';

export const DEMO_USAGE = `usage: dsmip6 demo [--state DIR] [--prefix P]
  Builds the namespace testbed (or uses the one that is up), starts dsmip6d on the home agent
  and the mobile router, moves the mobile router home -> fn2 -> fn1 -> nat -> fn3 -> home while
  cn and the host behind the router exchange traffic, prints a timeline and a summary, and
  removes what it built. Needs root. About 30 s.
options:
  --state DIR   testbed state directory (default ${DEFAULT_STATE_DIR})
  --prefix P    namespace name prefix (default ${DEFAULT_PREFIX})`;

const TOOLS = 'ip (iproute2), sysctl (procps), nft (nftables), dnsmasq (dnsmasq-base), radvd, ping ' +
  '(iputils-ping), tshark and dumpcap (tshark)';

type Write = (s: string) => void;

interface Opts { readonly state: string; readonly prefix: string }

function parse(args: readonly string[]): Opts | string {
  let state = DEFAULT_STATE_DIR;
  let prefix = DEFAULT_PREFIX;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a !== '--state' && a !== '--prefix') return `unknown argument ${a}`;
    const v = args[++i];
    if (v === undefined || v === '') return `${a} takes a value`;
    if (a === '--state') state = v;
    else prefix = v;
  }
  return { state, prefix };
}

/** Puts back what the demo changed; safe to call more than once (runs once). */
class Cleanup {
  private done: Promise<void> | undefined;
  tb: Testbed | undefined;
  was: string | undefined;
  daemonsBefore = false;

  constructor(private readonly o: Opts, private readonly broughtUp: boolean, private readonly write: Write) {}

  run(): Promise<void> {
    this.done ??= this.undo();
    return this.done;
  }

  private async undo(): Promise<void> {
    const t0 = Date.now();
    if (this.broughtUp) {
      const prefix = Testbed.load(this.o.state)?.state.prefix ?? this.o.prefix;
      const r = await teardown(this.o.state, prefix);
      this.write(`testbed down in ${Date.now() - t0} ms: ${r.namespaces.length} namespaces, ` +
        `${r.processes} processes stopped`);
      return;
    }
    const tb = this.tb;
    if (!tb) return;
    const now = tb.state.attachments['mr/eth0'];
    try {
      if (this.was === undefined && now !== undefined) await detach(tb, 'mr', 'eth0');
      else if (this.was !== undefined && now !== this.was) await attach(tb, 'mr', 'eth0', this.was, false);
    } finally {
      if (!this.daemonsBefore) await stopDaemons(tb);
    }
    this.write(`testbed left as found (mr ${this.was ?? 'unplugged'}${this.daemonsBefore ? ''
      : ', daemons stopped'}) in ${Date.now() - t0} ms`);
  }
}

function preflight(): string | undefined {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) {
    return 'needs root: it builds network namespaces and runs dsmip6d in them ' +
      `(sudo npx dsmip6 demo); it also needs ${TOOLS}`;
  }
  const missing = [...missingTools(), ...['ping', 'tshark', 'dumpcap'].filter((t) => !haveTool(t))];
  if (missing.length > 0) return `missing tools: ${missing.join(', ')} (it needs ${TOOLS})`;
  return undefined;
}

/** Each stop: mr's eth0 to the network (measured), the binding checked, then traffic. */
export const tourScenarios = (): Scenario[] =>
  TOUR.map((net) => ({ name: net, description: `mr to ${net}`, steps: visit(net) }));

async function tour(tb: Testbed, t0: number, write: Write): Promise<ScenarioResult[]> {
  write(timelineHeader());
  const results: ScenarioResult[] = [];
  for (const s of tourScenarios()) {
    if (interrupted()) break;
    const at = Date.now() - t0;
    const r = await runScenario(tb, s);
    if (interrupted()) break; // a stop cut short: not a result
    results.push(r);
    write(timelineRow(at, r));
    for (const l of failedLines(r)) write(l);
  }
  return results;
}

async function demo(o: Opts, write: Write, cleanup: Cleanup, broughtUp: boolean): Promise<number> {
  const t0 = Date.now();
  const at = (): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`.padStart(6);
  write('dsmip6 demo: the mobile router mr moves home -> fn2 -> fn1 -> nat -> fn3 -> home');
  write('  while cn and mnn (behind mr) exchange traffic: a 100 pps UDP stream, ping and TCP');
  let tb = broughtUp ? undefined : upTestbed(o.state);
  if (tb && (tb.state.haBehindNat || tb.state.dhcp !== 'testbed')) {
    throw new Error(`the testbed in ${o.state} is up with other options: 'dsmip6 testbed down' first`);
  }
  const reused = tb !== undefined;
  tb ??= await bringUp(o.state, o.prefix);
  const upMs = Date.now() - t0;
  cleanup.tb = tb;
  cleanup.was = tb.state.attachments['mr/eth0'];
  cleanup.daemonsBefore = DAEMON_NODES.some((n) => daemonPid(tb!, n) !== undefined);
  write(`${at()}  testbed ${reused ? 'already up' : 'up'}: ${tb.plan.nodes.length} namespaces ` +
    `${tb.state.prefix}*, state ${o.state}`);
  const d0 = Date.now();
  const daemons = await startDaemons(tb);
  const daemonsMs = Date.now() - d0;
  write(`${at()}  dsmip6d running on ${daemons.map((d) => `${d.node} (pid ${d.pid})`).join(', ')}`);
  const tour0 = Date.now();
  const results = await tour(tb, t0, write);
  const tourMs = Date.now() - tour0;
  await cleanup.run();
  if (interrupted()) return 130;
  for (const l of summaryLines(results, { upMs, daemonsMs, tourMs, totalMs: Date.now() - t0 })) write(l);
  return results.length === TOUR.length && results.every((r) => r.pass) ? 0 : 1;
}

/** Runs `dsmip6 demo ARGS`; the timeline goes to `write`, errors to standard error. */
export async function runDemo(args: readonly string[], write: Write): Promise<number> {
  if (args[0] === 'help' || args[0] === '--help') { write(DEMO_USAGE); return 0; }
  const o = parse(args);
  if (typeof o === 'string') {
    process.stderr.write(`dsmip6 demo: ${o}\n${DEMO_USAGE}\n`);
    return 2;
  }
  const bad = preflight();
  if (bad) {
    process.stderr.write(`dsmip6 demo: ${bad}\n`);
    return 1;
  }
  const broughtUp = upTestbed(o.state) === undefined;
  const cleanup = new Cleanup(o, broughtUp, write);
  const interrupt = onInterrupt(() => cleanup.run(), write);
  let code = 1;
  try {
    code = await demo(o, write, cleanup, broughtUp);
  } catch (e) {
    process.stderr.write(`dsmip6 demo: failed: ${(e as Error).message}\n`);
  }
  try {
    await cleanup.run();
  } catch (e) {
    process.stderr.write(`dsmip6 demo: clean-up failed: ${(e as Error).message}\n`);
    code = 1;
  }
  const left = broughtUp ? listNetns().filter((n) => n.startsWith(o.prefix)) : [];
  if (left.length > 0) {
    process.stderr.write(`dsmip6 demo: left behind: ${left.join(' ')}\n`);
    code = 1;
  }
  interrupt.remove();
  return interrupt.fired ? 130 : code;
}
