/**
 * `testbed run`: runs scenarios (scenarios.ts) on a testbed that is up with its daemons running,
 * step by step, and reports per scenario pass/fail, the checks and the handover measurements:
 * from the link change to (a) the new care-of address in the daemon's binding update list,
 * (b) the registration (the BA: the entry `registered` with that address, or `at-home` after a
 * deregistration), (c) the first reply of the 100 pps UDP probe stream from cn to mnn, and the probes
 * lost. (a) and (b) are polled on the control socket every few ms, so they are upper bounds.
 */
import type { ChildProcess } from 'node:child_process';
import { sendRequest } from '../api/client.js';
import type { BcResult, BulEntryView, Encapsulation } from '../api/views.js';
import { attach } from './attach.js';
import { socketPath } from './daemons.js';
import { analyse, pingCheck, Probe, startEcho, tcpCheck } from './run-probe.js';
import type { Expect, Scenario, Step } from './scenarios.js';
import { sleep } from './sh.js';
import type { Testbed } from './state.js';

const MR = 'mr';
const IFACE = 'eth0';
const POLL_MS = 5;

export interface Check { readonly name: string; readonly ok: boolean; readonly detail?: string }

export interface Handover {
  readonly from: string | null;
  readonly to: string;
  readonly careOfAddress: string | null;
  readonly encapsulation: Encapsulation | null;
  readonly natDetected: boolean;
  /** ms from the link change; null when it did not happen in time. */
  readonly coaMs: number | null;
  readonly baMs: number | null;
  readonly firstDataMs: number | null;
  readonly lost: number | null;
  readonly probeReplies: number;
}

export interface ScenarioResult {
  readonly name: string;
  readonly description: string;
  readonly pass: boolean;
  readonly ms: number;
  readonly checks: readonly Check[];
  readonly handovers: readonly Handover[];
}

async function bul(tb: Testbed): Promise<BulEntryView | undefined> {
  const r = await sendRequest(socketPath(tb, MR), { id: 1, command: 'bul' }, { timeoutMs: 1000 });
  return r.ok && r.response.ok ? (r.response.result as { entries: BulEntryView[] }).entries[0] : undefined;
}

const hasCoa = (e: BulEntryView, x: Expect): boolean =>
  x.atHome ? e.atHome : !e.atHome && e.careOfAddress !== null && x.coa.test(e.careOfAddress);
const reached = (e: BulEntryView, x: Expect): boolean =>
  hasCoa(e, x) && (x.atHome ? e.state === 'at-home' : e.state === 'registered');

interface Watch { coaAt: number | null; baAt: number | null; last: BulEntryView | undefined }

/** Polls the binding update list until `x` is reached or `timeoutMs` passes. */
async function watch(tb: Testbed, x: Expect, timeoutMs: number): Promise<Watch> {
  const w: Watch = { coaAt: null, baAt: null, last: undefined };
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const e = await bul(tb);
    const now = Date.now();
    w.last = e ?? w.last;
    if (e && w.coaAt === null && hasCoa(e, x)) w.coaAt = now;
    if (e && reached(e, x)) { w.baAt = now; break; }
    await sleep(POLL_MS);
  }
  return w;
}

function expectChecks(x: Expect, w: Watch, to: string): Check[] {
  const e = w.last;
  const state = e ? `state ${e.state}, care-of ${e.careOfAddress ?? '-'}` : 'no answer from mr';
  if (x.atHome) return [{ name: `mr at home on ${to}`, ok: w.baAt !== null, detail: state }];
  return [
    { name: `registered from ${to} (${x.coa.source})`, ok: w.baAt !== null, detail: state },
    { name: `encapsulation ${x.encapsulation}`, ok: e?.encapsulation === x.encapsulation,
      detail: String(e?.encapsulation) },
    { name: `NAT ${x.natDetected ? '' : 'not '}detected`, ok: e?.natDetected === x.natDetected },
  ];
}

type StepOf<K> = Extract<Step, { do: K }>;

async function handover(tb: Testbed, step: StepOf<'handover'>, out: ScenarioResult): Promise<void> {
  const probe = await Probe.start(tb.ns('cn'), tb.ns('mnn'), tb.plan.mnn.ipv6);
  const from = tb.state.attachments[`${MR}/${IFACE}`] ?? null;
  let h: Handover;
  try {
    await sleep(300);
    const { linkChangeAt } = await attach(tb, MR, IFACE, step.to, false);
    const w = await watch(tb, step.expect, step.timeoutMs);
    (out.checks as Check[]).push(...expectChecks(step.expect, w, step.to));
    if (w.baAt !== null) await probe.replyAfter(linkChangeAt, 3000);
    await sleep(200);
    const p = analyse(await probe.stop(), linkChangeAt);
    const e = w.last;
    h = {
      from, to: step.to, careOfAddress: e?.atHome ? null : e?.careOfAddress ?? null,
      encapsulation: e?.atHome ? null : e?.encapsulation ?? null, natDetected: e?.natDetected ?? false,
      coaMs: w.coaAt === null ? null : w.coaAt - linkChangeAt,
      baMs: w.baAt === null ? null : w.baAt - linkChangeAt,
      firstDataMs: p.firstDataMs, lost: p.lost, probeReplies: p.replies,
    };
  } finally {
    await probe.stop();
  }
  (out.checks as Check[]).push({ name: 'probe stream through the new path', ok: h.firstDataMs !== null,
    detail: `${h.probeReplies} replies` });
  (out.handovers as Handover[]).push(h);
}

async function ensureAway(tb: Testbed, step: StepOf<'ensure-away'>, out: ScenarioResult): Promise<void> {
  const e = await bul(tb);
  if (e && !e.atHome && e.state === 'registered') return;
  await attach(tb, MR, IFACE, step.to, false);
  const w = await watch(tb, step.expect, step.timeoutMs);
  (out.checks as Check[]).push({ name: `set-up: registered from ${step.to}`, ok: w.baAt !== null });
}

async function binding(tb: Testbed, present: boolean): Promise<Check> {
  const hoa = tb.plan.mobiles[0].homeAddress;
  const r = await sendRequest(socketPath(tb, 'ha'), { id: 1, command: 'bc', offset: 0, limit: 100 },
    { timeoutMs: 1000 });
  if (!r.ok || !r.response.ok) return { name: 'home agent binding cache', ok: false, detail: 'no answer' };
  const b = (r.response.result as BcResult).bindings.find((x) => x.homeAddress === hoa);
  if (!present) return { name: `no binding for ${hoa}`, ok: b === undefined, detail: b?.careOfAddress };
  const mnp = tb.plan.mobiles[0].mnp6;
  const ok = b !== undefined && mnp.every((p) => b.mobileNetworkPrefixes.includes(p));
  return { name: `binding for ${hoa} with ${mnp.join(' ')}`, ok, detail: b ? b.careOfAddress : 'none' };
}

/** cn -> mr's home addresses and mnn, IPv6 and IPv4: ping, then a TCP echo. */
async function traffic(tb: Testbed): Promise<Check[]> {
  const m = tb.plan.mobiles[0];
  const targets: [string, string][] = [
    [MR, m.homeAddress], [MR, m.ipv4HomeAddress ?? ''],
    ['mnn', tb.plan.mnn.ipv6], ['mnn', tb.plan.mnn.ipv4],
  ];
  const cn = tb.ns('cn');
  const checks: Check[] = targets.map(([, a]) => {
    const bad = pingCheck(cn, a);
    return { name: `ping ${a}`, ok: bad === undefined, detail: bad };
  });
  const servers: ChildProcess[] = [];
  try {
    servers.push(await startEcho(tb.ns(MR)), await startEcho(tb.ns('mnn')));
    for (const [, a] of targets) {
      const bad = tcpCheck(cn, a);
      checks.push({ name: `tcp ${a}`, ok: bad === undefined, detail: bad });
    }
  } catch (e) {
    checks.push({ name: 'tcp echo servers', ok: false, detail: (e as Error).message });
  } finally {
    for (const s of servers) s.kill('SIGKILL');
  }
  return checks;
}

/** Runs one scenario; never throws (a failure is a failed check). */
export async function runScenario(tb: Testbed, s: Scenario): Promise<ScenarioResult> {
  const t0 = Date.now();
  const out = { name: s.name, description: s.description, pass: false, ms: 0, checks: [] as Check[],
    handovers: [] as Handover[] };
  try {
    for (const step of s.steps) {
      if (step.do === 'handover') await handover(tb, step, out);
      else if (step.do === 'ensure-away') await ensureAway(tb, step, out);
      else if (step.do === 'binding') out.checks.push(await binding(tb, step.present));
      else out.checks.push(...await traffic(tb));
      if (out.checks.some((c) => !c.ok)) break;
    }
  } catch (e) {
    out.checks.push({ name: 'step', ok: false, detail: (e as Error).message });
  }
  return { ...out, pass: out.checks.length > 0 && out.checks.every((c) => c.ok), ms: Date.now() - t0 };
}
