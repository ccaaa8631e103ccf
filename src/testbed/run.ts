/**
 * `testbed run`: runs scenarios (scenarios.ts) on a testbed that is up with its daemons running,
 * step by step, and reports per scenario pass/fail, the checks and the handover measurements:
 * from the link change to (a) the new care-of address in the kernel (`ip monitor`) and in the
 * daemon's binding update list, (b) the registration (the BA: the entry `registered` with that
 * address, or `at-home` after a deregistration), (c) the first reply of the 100 pps UDP probe
 * stream from cn, and the probes lost (run-handover.ts). The daemon's state is polled on the
 * control socket every few ms, so (a) and (b) are upper bounds.
 */
import type { ChildProcess } from 'node:child_process';
import { sendRequest } from '../api/client.js';
import type { BcResult, BindingView, BulEntryView, Encapsulation } from '../api/views.js';
import { attach, detach } from './attach.js';
import { socketPath } from './daemons.js';
import { mobileOf, type MobileName, type MobilePlan } from './plan.js';
import { pingCheck, startEcho, tcpCheck } from './run-probe.js';
import type { Check } from './run-signal-checks.js';
import { handover, watch } from './run-handover.js';
import { idle, natEndpoints, restart } from './run-steps.js';
import type { Scenario, Step } from './scenarios.js';
import type { Testbed } from './state.js';
import { interrupted } from './interrupt.js';

export type { Check } from './run-signal-checks.js';

export interface Handover {
  /** The mobile node (mr unless said). */
  readonly node: string;
  /** The network the registration was through before and after (`NET/IF` for an interface but eth0). */
  readonly from: string | null;
  readonly to: string;
  /** ms the interface was down before the link change (the testbed's unplug-to-plug gap). */
  readonly linkDownMs: number;
  readonly careOfAddress: string | null;
  readonly encapsulation: Encapsulation | null;
  readonly natDetected: boolean;
  /** ms from the link change; null when it did not happen in time. */
  readonly addressMs: number | null;
  readonly coaMs: number | null;
  readonly baMs: number | null;
  readonly firstDataMs: number | null;
  readonly lost: number | null;
  readonly probeReplies: number;
  /** A TCP connection opened before the handover carried bytes both ways after it (null: none open). */
  readonly tcpKept: boolean | null;
  /** The acknowledged BU's flags as tshark decoded them (e.g. `AHR`), null if none was captured. */
  readonly buFlags: string | null;
}

/** A daemon restart: from SIGTERM to the probe stream flowing again. */
export interface Restart {
  readonly daemon: string;
  readonly outageMs: number | null;
  readonly lost: number | null;
}

export interface ScenarioResult {
  readonly name: string;
  readonly description: string;
  readonly pass: boolean;
  readonly ms: number;
  readonly checks: readonly Check[];
  readonly handovers: readonly Handover[];
  readonly restarts: readonly Restart[];
}

/** A scenario's result while it runs. */
export interface Out {
  readonly checks: Check[];
  readonly handovers: Handover[];
  readonly restarts: Restart[];
}

export const mobile = (tb: Testbed, node: MobileName | undefined): MobilePlan =>
  mobileOf(tb.plan, node ?? 'mr')!;

export async function bul(tb: Testbed, node: MobileName): Promise<BulEntryView | undefined> {
  const r = await sendRequest(socketPath(tb, node), { id: 1, command: 'bul' }, { timeoutMs: 1000 });
  return r.ok && r.response.ok ? (r.response.result as { entries: BulEntryView[] }).entries[0] : undefined;
}

export async function bindings(tb: Testbed): Promise<BindingView[] | undefined> {
  const r = await sendRequest(socketPath(tb, 'ha'), { id: 1, command: 'bc', offset: 0, limit: 100 },
    { timeoutMs: 1000 });
  return r.ok && r.response.ok ? [...(r.response.result as BcResult).bindings] : undefined;
}

type StepOf<K> = Extract<Step, { do: K }>;

async function ensure(tb: Testbed, step: StepOf<'ensure'>, out: Out): Promise<void> {
  const node = step.node ?? 'mr';
  const iface = step.iface ?? 'eth0';
  const e = await bul(tb, node);
  const x = step.expect;
  const there = tb.state.attachments[`${node}/${iface}`] === step.to;
  const done = e !== undefined && (x.atHome ? e.state === 'at-home'
    : e.state === 'registered' && x.coa.test(e.careOfAddress ?? ''));
  if (there && done) return;
  await attach(tb, node, iface, step.to, false);
  const w = await watch(tb, node, x, step.timeoutMs);
  out.checks.push({ name: `set-up: ${node} registered from ${step.to}`, ok: w.baAt !== null,
    detail: w.last ? `${w.last.state} ${w.last.careOfAddress ?? ''}` : 'no answer' });
}

async function plainAttach(tb: Testbed, step: StepOf<'attach'>, out: Out): Promise<void> {
  const node = step.node ?? 'mr';
  const iface = step.iface ?? 'eth0';
  if (step.to === null) {
    if (tb.state.attachments[`${node}/${iface}`] !== undefined) await detach(tb, node, iface);
    return;
  }
  try {
    await attach(tb, node, iface, step.to, true);
  } catch (e) {
    out.checks.push({ name: `set-up: ${node} ${iface} on ${step.to}`, ok: false,
      detail: (e as Error).message });
  }
}

async function binding(tb: Testbed, node: MobileName | undefined, present: boolean): Promise<Check> {
  const m = mobile(tb, node);
  const bc = await bindings(tb);
  if (!bc) return { name: 'home agent binding cache', ok: false, detail: 'no answer' };
  const b = bc.find((x) => x.homeAddress === m.homeAddress);
  if (!present) {
    return { name: `no binding for ${m.homeAddress}`, ok: b === undefined, detail: b?.careOfAddress };
  }
  const ok = b !== undefined && m.mnp6.every((p) => b.mobileNetworkPrefixes.includes(p));
  const what = m.mnp6.length > 0 ? ` with ${m.mnp6.join(' ')}` : '';
  return { name: `binding for ${m.homeAddress}${what}`, ok, detail: b ? b.careOfAddress : 'none' };
}

/** The addresses cn must reach for `node`: its home addresses, and mnn behind mr. */
export async function targets(tb: Testbed, node: MobileName | undefined): Promise<[string, string][]> {
  const m = mobile(tb, node);
  const v4 = m.ipv4HomeAddress ?? (await bul(tb, m.name))?.ipv4HomeAddress ?? '(no IPv4 HoA)';
  const own: [string, string][] = [[m.name, m.homeAddress], [m.name, v4]];
  if (m.mnp6.length === 0) return own;
  return [...own, ['mnn', tb.plan.mnn.ipv6], ['mnn', tb.plan.mnn.ipv4]];
}

/**
 * Where traffic to `address` comes from: cn, but for IPv4 with the home agent behind NAT (the
 * home addresses and the IPv4 MNP are private then), the home agent's namespace in the home site.
 */
export const clientNs = (tb: Testbed, address: string): string =>
  tb.ns(tb.plan.haBehindNat && !address.includes(':') ? 'ha' : 'cn');

const via = (tb: Testbed, a: string): string => (clientNs(tb, a) === tb.ns('cn') ? '' : ' from ha');

/** cn -> the node's home addresses (and mnn), IPv6 and IPv4: ping, then (unless `pingOnly`) a TCP echo. */
async function traffic(tb: Testbed, node: MobileName | undefined, pingOnly: boolean): Promise<Check[]> {
  const to = await targets(tb, node);
  const checks: Check[] = to.map(([, a]) => {
    const bad = pingCheck(clientNs(tb, a), a);
    return { name: `ping ${a}${via(tb, a)}`, ok: bad === undefined, detail: bad };
  });
  if (pingOnly) return checks;
  const servers: ChildProcess[] = [];
  try {
    for (const ns of new Set(to.map(([n]) => n))) servers.push(await startEcho(tb.ns(ns)));
    for (const [, a] of to) {
      const bad = tcpCheck(clientNs(tb, a), a);
      checks.push({ name: `tcp ${a}${via(tb, a)}`, ok: bad === undefined, detail: bad });
    }
  } catch (e) {
    checks.push({ name: 'tcp echo servers', ok: false, detail: (e as Error).message });
  } finally {
    for (const s of servers) s.kill('SIGKILL');
  }
  return checks;
}

async function runStep(tb: Testbed, step: Step, out: Out): Promise<void> {
  switch (step.do) {
    case 'handover': await handover(tb, step, out); break;
    case 'ensure': await ensure(tb, step, out); break;
    case 'attach': await plainAttach(tb, step, out); break;
    case 'binding': out.checks.push(await binding(tb, step.node, step.present)); break;
    case 'traffic': out.checks.push(...await traffic(tb, step.node, step.pingOnly === true)); break;
    case 'nat-endpoints': out.checks.push(...await natEndpoints(tb)); break;
    case 'idle': out.checks.push(...await idle(tb, step.ms)); break;
    case 'restart': await restart(tb, step.daemon, step.timeoutMs, out); break;
  }
}

/** Runs one scenario; never throws (a failure is a failed check). Stops early once interrupted. */
export async function runScenario(tb: Testbed, s: Scenario): Promise<ScenarioResult> {
  const t0 = Date.now();
  const out: Out = { checks: [], handovers: [], restarts: [] };
  try {
    for (const step of s.steps) {
      if (interrupted()) break;
      await runStep(tb, step, out);
      if (out.checks.some((c) => !c.ok)) break;
    }
  } catch (e) {
    out.checks.push({ name: 'step', ok: false, detail: (e as Error).message });
  }
  // Interrupted: the command's clean-up puts the testbed back (interrupt.ts), not the scenario's.
  for (const step of interrupted() ? [] : s.cleanup ?? []) {
    await runStep(tb, step, out).catch((e: Error) => {
      out.checks.push({ name: 'clean-up', ok: false, detail: e.message });
    });
  }
  const pass = out.checks.length > 0 && out.checks.every((c) => c.ok);
  return { name: s.name, description: s.description, pass, ms: Date.now() - t0, ...out };
}
