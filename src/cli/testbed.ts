/**
 * `dsmip6 testbed`: the namespace testbed (docs/testbed.md). Exit codes: 0 done; 1 failed (the
 * message says why; `exec` passes the command's own code through); 2 usage error.
 */
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { attach, checkMobile, detach, type AttachResult } from '../testbed/attach.js';
import { DAEMON_NODES, daemonPid, startDaemons, stopDaemons } from '../testbed/daemons.js';
import { MOBILE_IFACES, type MobileName } from '../testbed/plan.js';
import { missingTools } from '../testbed/services.js';
import { haveTool } from '../testbed/sh.js';
import { bringUp, upTestbed } from '../testbed/rebuild.js';
import { DEFAULT_PREFIX, DEFAULT_STATE_DIR, Testbed } from '../testbed/state.js';
import { collectStatus, formatStatus } from '../testbed/status.js';
import { teardown } from '../testbed/teardown.js';
import { formatReport, leaveAsFound, runScenarios } from '../testbed/run-report.js';
import { interrupted, onInterrupt } from '../testbed/interrupt.js';
import { SCENARIOS } from '../testbed/scenarios.js';
import { selectScenarios } from '../testbed/scenario-sets.js';
import { formatRepeat, runRepeated } from '../testbed/repeat-run.js';

export const TESTBED_USAGE = `usage: dsmip6 testbed [--state DIR] [--prefix P] <command>
commands:
  up [--ha-behind-nat] [--dhcp testbed|daemon]
                                    build the namespaces, networks and services (idempotent);
                                    --dhcp daemon: the daemons get IPv4 care-of addresses
                                    themselves (UseDhcp), no testbed DHCP clients
  attach NODE NETWORK [--iface IF] [--wait] [--json]
                                    move NODE's interface (mr|mn2; eth0 by default, or eth1)
                                    to home|fn1|fn2|fn3|nat|nat2; --wait waits for its addresses
  detach NODE [--iface IF] [--json] unplug NODE's interface
  status [--json]                   nodes, interfaces, addresses, home addresses, MNPs,
                                    attachments, daemons, networks
  exec NODE -- CMD...               run CMD in NODE's namespace (its exit code is returned)
  daemons start|stop [--log-level L] dsmip6d on ha, mr and mn2 from generated configurations
  run SCENARIO|SET [--repeat N] [--json]
                                    run scenarios (several: separated by commas) and print
                                    pass/fail and handover times; brings the testbed up (and
                                    down after) and starts the daemons when needed; sets: all,
                                    pairs (ho-FROM-TO, every ordered pair of networks),
                                    ha-behind-nat (ha-nat-NET); --repeat: N runs, then
                                    p50/p95/max per handover pair; scenarios:
                                    ${SCENARIOS.map((x) => x.name).join(' ')}
  down                              remove everything (also after a crash)
options:
  --state DIR   state directory (default ${DEFAULT_STATE_DIR})
  --prefix P    namespace name prefix (default ${DEFAULT_PREFIX})`;

type Write = (s: string) => void;

interface Opts {
  state: string; prefix: string; json: boolean; wait: boolean; haBehindNat: boolean; dhcp: string;
  ifaces: string[]; logLevel: string; positional: string[]; rest: string[]; repeat: number | undefined;
}

function parse(args: readonly string[]): Opts | string {
  const o: Opts = { state: DEFAULT_STATE_DIR, prefix: DEFAULT_PREFIX, json: false, wait: false,
    haBehindNat: false, dhcp: 'testbed', ifaces: [], logLevel: 'info', positional: [], rest: [],
    repeat: undefined };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string | undefined => args[++i];
    if (a === '--') { o.rest = args.slice(i + 1); break; }
    if (a === '--json') o.json = true;
    else if (a === '--wait') o.wait = true;
    else if (a === '--ha-behind-nat') o.haBehindNat = true;
    else if (['--state', '--prefix', '--iface', '--log-level', '--dhcp', '--repeat'].includes(a)) {
      const v = value();
      if (v === undefined || v === '') return `${a} takes a value`;
      if (a === '--state') o.state = v;
      else if (a === '--prefix') o.prefix = v;
      else if (a === '--iface') o.ifaces.push(v);
      else if (a === '--dhcp') o.dhcp = v;
      else if (a === '--repeat') {
        o.repeat = Number(v);
        if (!Number.isInteger(o.repeat) || o.repeat < 1) return `--repeat takes a positive integer, not ${v}`;
      }
      else o.logLevel = v;
    } else if (a.startsWith('--')) return `unknown option ${a}`;
    else o.positional.push(a);
  }
  if (o.dhcp !== 'testbed' && o.dhcp !== 'daemon') return `--dhcp takes testbed or daemon, not ${o.dhcp}`;
  return o;
}

const fail = (msg: string): number => {
  process.stderr.write(`dsmip6 testbed: ${msg}\n`);
  return 1;
};

function loaded(o: Opts): Testbed | undefined {
  const tb = Testbed.load(o.state);
  if (!tb) fail(`no testbed in ${o.state}: run 'dsmip6 testbed up' first`);
  return tb;
}

async function up(o: Opts, write: Write): Promise<number> {
  const missing = missingTools();
  if (missing.length > 0) {
    return fail(`missing tools: ${missing.join(', ')} (Debian: iproute2 procps nftables dnsmasq-base radvd)`);
  }
  const t0 = Date.now();
  const old = upTestbed(o.state);
  if (old) {
    if (old.state.haBehindNat === o.haBehindNat && old.state.dhcp === o.dhcp) {
      write(`testbed already up (${old.state.prefix}*, state ${o.state})`);
      return 0;
    }
    const mode = `${old.state.haBehindNat ? '--ha-behind-nat ' : ''}--dhcp ${old.state.dhcp}`;
    return fail(`the testbed is up with ${mode}: run down first`);
  }
  let tb: Testbed;
  try {
    tb = await bringUp(o.state, o.prefix, o.haBehindNat, o.dhcp as 'testbed' | 'daemon');
  } catch (e) {
    return fail(`up failed: ${(e as Error).message}\nrun 'dsmip6 testbed down' to remove what was built`);
  }
  const n = tb.plan.nodes.length;
  write(`testbed up in ${Date.now() - t0} ms: ${n} namespaces ${o.prefix}*, state ${o.state}`);
  return 0;
}

async function down(o: Opts, write: Write): Promise<number> {
  const t0 = Date.now();
  const prefix = Testbed.load(o.state)?.state.prefix ?? o.prefix;
  const r = await teardown(o.state, prefix);
  write(`testbed down in ${Date.now() - t0} ms: ${r.namespaces.length} namespaces, ${r.processes} processes` +
    `${r.killed.length > 0 ? ` (${r.killed.length} needed SIGKILL)` : ''}` +
    `${r.left.length > 0 ? `; left in ${o.state} (not the testbed's): ${r.left.join(' ')}` : ''}`);
  return 0;
}

function printAttach(r: AttachResult, o: Opts, write: Write): void {
  if (o.json) { write(JSON.stringify(r)); return; }
  const where = r.network === null ? 'detached' : `attached to ${r.network}`;
  const got = r.addresses ? `: ${r.addresses.join(' ')} after ${r.addressMs} ms` : '';
  write(`${r.node} ${r.iface} ${where}${got}`);
}

async function mobileCommand(o: Opts, write: Write, which: 'attach' | 'detach'): Promise<number> {
  const [node, network] = o.positional.slice(1);
  if (node === undefined || (which === 'attach' && network === undefined)) return 2;
  const tb = loaded(o);
  if (!tb) return 1;
  const ifaces = o.ifaces.length > 0 ? o.ifaces : [MOBILE_IFACES[0]];
  for (const iface of ifaces) {
    const bad = checkMobile(tb, node, iface);
    if (bad) return fail(bad);
    try {
      const r = which === 'attach' ? await attach(tb, node as MobileName, iface, network, o.wait)
        : await detach(tb, node as MobileName, iface);
      printAttach(r, o, write);
    } catch (e) {
      return fail(`${which} failed: ${(e as Error).message}`);
    }
  }
  return 0;
}

function execIn(o: Opts): number {
  const node = o.positional[1];
  if (node === undefined || o.rest.length === 0) return 2;
  const tb = Testbed.load(o.state);
  const ns = tb ? (tb.plan.nodes.some((n) => n.name === node) ? tb.ns(node) : node) : `${o.prefix}${node}`;
  const r = spawnSync('ip', ['netns', 'exec', ns, ...o.rest], { stdio: 'inherit' });
  if (r.error) return fail(`exec: ${r.error.message}`);
  if (r.signal) return 128 + (constants.signals[r.signal] ?? 0);
  return r.status ?? 1;
}

async function daemons(o: Opts, write: Write): Promise<number> {
  const tb = loaded(o);
  if (!tb) return 1;
  const what = o.positional[1];
  try {
    if (what === 'start') {
      for (const d of await startDaemons(tb, o.logLevel)) {
        write(`dsmip6d ${d.node}: ${d.was ? 'already running' : 'running'} (pid ${d.pid}, ${d.ms} ms)`);
      }
      return 0;
    }
    if (what === 'stop') {
      const r = await stopDaemons(tb);
      if (r.length === 0) write('no daemon running');
      for (const d of r) write(`dsmip6d ${d.node}: stopped (pid ${d.pid}${d.killed ? ', SIGKILL' : ''})`);
      return 0;
    }
  } catch (e) {
    return fail(`daemons ${what}: ${(e as Error).message}`);
  }
  return 2;
}

async function runCommand(o: Opts, write: Write): Promise<number> {
  const name = o.positional[1];
  if (name === undefined) return 2;
  const scenarios = selectScenarios(name);
  if (typeof scenarios === 'string') return fail(scenarios);
  const absent = ['tshark', 'dumpcap'].filter((t) => !haveTool(t));
  if (absent.length > 0) return fail(`run needs ${absent.join(' and ')} (Debian: tshark)`);
  const info = (s: string): void => { if (!interrupted()) process.stderr.write(`${s}\n`); };
  const tb = upTestbed(o.state);
  const broughtUp = tb === undefined;
  const found = tb && {
    was: { ...tb.state.attachments }, noneRunning: DAEMON_NODES.every((n) => daemonPid(tb!, n) === undefined),
  };
  // The run unwinds through the clean-ups below; this one runs only if it does not (interrupt.ts).
  const interrupt = onInterrupt(async () => {
    if (broughtUp) {
      await teardown(o.state, Testbed.load(o.state)?.state.prefix ?? o.prefix);
      return;
    }
    const now = Testbed.load(o.state);
    if (now && found) await leaveAsFound(now, found.was, found.noneRunning);
  }, (line) => process.stderr.write(`${line}\n`));
  try {
    const code = await runIn(o, write, info, tb, broughtUp, scenarios);
    return interrupt.fired ? 130 : code;
  } finally {
    if (broughtUp) await teardown(o.state, Testbed.load(o.state)?.state.prefix ?? o.prefix);
    interrupt.remove();
  }
}

/** `run` once the testbed is known: brings it up when needed, runs, writes the report. */
async function runIn(
  o: Opts, write: Write, info: Write, upAlready: Testbed | undefined, broughtUp: boolean,
  scenarios: Exclude<ReturnType<typeof selectScenarios>, string>,
): Promise<number> {
  let tb = upAlready;
  try {
    if (broughtUp) {
      const code = await up(o, info);
      tb = upTestbed(o.state);
      if (code !== 0 || !tb) return fail('run: the testbed did not come up');
    }
    if (o.repeat !== undefined) {
      const rep = await runRepeated(tb!, scenarios, o.repeat, broughtUp,
        (n, r) => info(`run ${n}: ${r.name}: ${r.pass ? 'pass' : 'FAIL'} (${r.ms} ms)`));
      if (interrupted()) return 130;
      write(o.json ? JSON.stringify(rep, null, 2) : formatRepeat(rep));
      return rep.pass ? 0 : 1;
    }
    const rep = await runScenarios(tb!, scenarios, broughtUp,
      (r) => info(`${r.name}: ${r.pass ? 'pass' : 'FAIL'} (${r.ms} ms)`));
    if (interrupted()) return 130;
    write(o.json ? JSON.stringify(rep, null, 2) : formatReport(rep));
    return rep.pass ? 0 : 1;
  } catch (e) {
    return interrupted() ? 130 : fail(`run: ${(e as Error).message}`);
  }
}

async function dispatch(o: Opts, write: Write): Promise<number> {
  switch (o.positional[0]) {
    case 'up': return up(o, write);
    case 'down': return down(o, write);
    case 'attach': return mobileCommand(o, write, 'attach');
    case 'detach': return mobileCommand(o, write, 'detach');
    case 'exec': return execIn(o);
    case 'daemons': return daemons(o, write);
    case 'run': return runCommand(o, write);
    case 'status': {
      const tb = loaded(o);
      if (!tb) return 1;
      const s = await collectStatus(tb);
      write(o.json ? JSON.stringify(s, null, 2) : formatStatus(s));
      return 0;
    }
    case 'help': case undefined: write(TESTBED_USAGE); return o.positional[0] === 'help' ? 0 : 2;
    default: return 2;
  }
}

/** Runs `dsmip6 testbed ARGS`; output lines go to `write`, errors to standard error. */
export async function runTestbed(args: readonly string[], write: Write): Promise<number> {
  const o = parse(args);
  if (typeof o === 'string') {
    process.stderr.write(`dsmip6 testbed: ${o}\n${TESTBED_USAGE}\n`);
    return 2;
  }
  const cmd = o.positional[0];
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (cmd !== undefined && cmd !== 'help' && !root) {
    return fail('needs root (network namespaces)');
  }
  const code = await dispatch(o, write);
  if (code === 2) process.stderr.write(`${TESTBED_USAGE}\n`);
  return code;
}
