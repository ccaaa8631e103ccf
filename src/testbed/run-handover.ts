/**
 * One measured handover of `testbed run`: with the probe stream (cn -> mnn, or the node's home
 * address), a capture of the node's signalling, a kernel address monitor and long-lived TCP
 * connections running, move the interface (attach it to a network, or unplug it), poll the
 * daemon until it reaches what the step expects, then check the BU/BA with tshark, the TCP
 * connections and the probe stream, and record the measurements.
 */
import type { ChildProcess } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import type { BulEntryView } from '../api/views.js';
import { attach, detach } from './attach.js';
import type { MobileName } from './plan.js';
import { AddressMonitor, Capture } from './run-capture.js';
import { analyse, Probe, startEcho } from './run-probe.js';
import { signallingChecks, acknowledged, type Check } from './run-signal-checks.js';
import { decodeSignalling, malformedFrames } from './run-signalling.js';
import { LongTcp } from './run-tcp.js';
import { bul, clientNs, mobile, type Handover, type Out } from './run.js';
import type { Expect, Step } from './scenarios.js';
import { ipJson, sleep } from './sh.js';
import type { Testbed } from './state.js';

const POLL_MS = 5;
/** How long the capture runs on after the BA. */
const CAPTURE_TAIL_MS = 300;
/**
 * Bytes each long-lived connection echoes after the handover: several full-size segments, so the
 * new path's MTU (learnt from the Packet Too Big / Fragmentation Needed on it) is exercised.
 */
const LONG_LIVED_BYTES = 20_000;

const hasCoa = (e: BulEntryView, x: Expect): boolean =>
  x.atHome ? e.atHome : !e.atHome && e.careOfAddress !== null && x.coa.test(e.careOfAddress);
const reached = (e: BulEntryView, x: Expect): boolean =>
  hasCoa(e, x) && (x.atHome ? e.state === 'at-home' : e.state === 'registered');

export interface Watch { coaAt: number | null; baAt: number | null; last: BulEntryView | undefined }

/** Polls the node's binding update list until `x` is reached or `timeoutMs` passes. */
export async function watch(tb: Testbed, node: MobileName, x: Expect, timeoutMs: number): Promise<Watch> {
  const w: Watch = { coaAt: null, baAt: null, last: undefined };
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const e = await bul(tb, node);
    const now = Date.now();
    w.last = e ?? w.last;
    if (e && w.coaAt === null && hasCoa(e, x)) w.coaAt = now;
    if (e && reached(e, x)) { w.baAt = now; break; }
    await sleep(POLL_MS);
  }
  return w;
}

/** Where the node's registration goes through: `home`, a network (`NET/IF` but for eth0), or null. */
function where(tb: Testbed, node: MobileName, e: BulEntryView | undefined): string | null {
  if (!e) return null;
  if (e.atHome) return 'home';
  if (e.state !== 'registered' && e.state !== 'refreshing') return null;
  const ifname = e.careOfInterface ?? 'eth0';
  const net = tb.state.attachments[`${node}/${ifname}`];
  if (net === undefined) return null;
  return ifname === 'eth0' ? net : `${net}/${ifname}`;
}

function expectChecks(node: string, x: Expect, w: Watch, to: string): Check[] {
  const e = w.last;
  const state = e ? `state ${e.state}, care-of ${e.careOfAddress ?? '-'}` : `no answer from ${node}`;
  if (x.atHome) return [{ name: `${node} at home on ${to}`, ok: w.baAt !== null, detail: state }];
  return [
    { name: `${node} registered from ${to} (${x.coa.source})`, ok: w.baAt !== null, detail: state },
    { name: `encapsulation ${x.encapsulation}`, ok: e?.encapsulation === x.encapsulation,
      detail: String(e?.encapsulation) },
    { name: `NAT ${x.natDetected ? '' : 'not '}detected`, ok: e?.natDetected === x.natDetected },
  ];
}

/** The addresses whose kernel appearance times the handover's new care-of address. */
function addressPattern(tb: Testbed, x: Expect): RegExp {
  if (!x.atHome) return x.coa;
  return new RegExp(`^${tb.plan.homeAgent.homePrefix.split('::')[0]}::`);
}

/** ms from `t` to the matching address appearing; 0 when it was there already; null when never. */
function addressMs(tb: Testbed, node: MobileName, mon: AddressMonitor, re: RegExp, ifname: string | null,
  t: number): number | null {
  const ev = mon.firstAdded(ifname, re, t);
  if (ev) return Math.max(0, ev.at - t);
  const links = ipJson<{ addr_info: { local: string; scope: string }[] }[]>(tb.ns(node), ['address', 'show']);
  return links.some((l) => l.addr_info.some((a) => a.scope === 'global' && re.test(a.local))) ? 0 : null;
}

type HandoverStep = Extract<Step, { do: 'handover' }>;

/** The long-lived connections for `node`: mnn over IPv6 and mr's IPv4 HoA; a node's IPv6 HoA. */
function longTargets(tb: Testbed, node: MobileName): [string, string][] {
  const m = mobile(tb, node);
  if (m.mnp6.length > 0 && m.ipv4HomeAddress !== undefined) {
    return [['mnn', tb.plan.mnn.ipv6], [node, m.ipv4HomeAddress]];
  }
  return [[node, m.homeAddress]];
}

async function tshark(tb: Testbed, file: string, since: number, node: MobileName, x: Expect,
  e: BulEntryView | undefined, wasBound: boolean): Promise<{ checks: Check[]; flags: string | null }> {
  const m = mobile(tb, node);
  const bad = malformedFrames(file);
  const checks: Check[] = [{ name: 'tshark: no malformed packet', ok: Array.isArray(bad) && bad.length === 0,
    detail: typeof bad === 'string' ? bad : bad.slice(0, 3).join('; ') }];
  const signals = decodeSignalling(file);
  if (typeof signals === 'string') {
    return { checks: [...checks, { name: 'tshark', ok: false, detail: signals }], flags: null };
  }
  if (x.atHome && !wasBound && !signals.some((s) => s.at >= since - 5)) {
    checks.push({ name: 'tshark: no BU at home without a binding', ok: true });
    return { checks, flags: null };
  }
  const ipv4Coa = !x.atHome && e && e.encapsulation !== 'ipv6' ? e.careOfAddress : null;
  checks.push(...signallingChecks(signals, since, {
    atHome: x.atHome, router: m.mnp6.length > 0, mnp6: m.mnp6, ipv4Home: m.ipv4HomeAddress ?? '0.0.0.0',
    ipv4Coa, natDetected: !x.atHome && x.natDetected, forceUdp: m.forceUdp, haBehindNat: tb.plan.haBehindNat,
  }));
  const pair = acknowledged(signals, since);
  const f = typeof pair === 'string' ? null : pair.bu.flags;
  return { checks, flags: f ? `${f.a ? 'A' : ''}${f.h ? 'H' : ''}${f.r ? 'R' : ''}${f.f ? 'F' : ''}` : null };
}

export async function handover(tb: Testbed, step: HandoverStep, out: Out): Promise<void> {
  const node = step.node ?? 'mr';
  const iface = step.iface ?? 'eth0';
  const m = mobile(tb, node);
  const before = await bul(tb, node);
  const from = where(tb, node, before);
  const probeTo = m.mnp6.length > 0 ? ['mnn', tb.plan.mnn.ipv6] : [node, m.homeAddress];
  const servers: ChildProcess[] = [];
  const conns: LongTcp[] = [];
  const file = tb.path('log', `capture-${node}.pcapng`);
  const [probe, cap, mon] = await Promise.all([Probe.start(tb.ns('cn'), tb.ns(probeTo[0]), probeTo[1]),
    Capture.start(tb.ns(node), file), AddressMonitor.start(tb.ns(node))]);
  try {
    if (from !== null) {
      const lt = longTargets(tb, node);
      for (const ns of new Set(lt.map(([n]) => n))) servers.push(await startEcho(tb.ns(ns)));
      for (const [, a] of lt) {
        const c = await LongTcp.open(clientNs(tb, a), a).catch((err: Error) => err);
        const bad = c instanceof Error ? c.message : await c.exchange(100, 3000);
        if (!(c instanceof Error)) conns.push(c);
        out.checks.push({ name: `long-lived tcp ${a} open before the handover`, ok: bad === undefined,
          detail: bad });
      }
      if (out.checks.some((c) => !c.ok)) return;
    }
    await sleep(300);
    const { linkChangeAt, linkDownMs } = step.to === null ? await detach(tb, node, iface)
      : await attach(tb, node, iface, step.to, false);
    const w = await watch(tb, node, step.expect, step.timeoutMs);
    const to = where(tb, node, w.last) ?? step.to ?? '(unplugged)';
    out.checks.push(...expectChecks(node, step.expect, w, to));
    if (w.baAt !== null) await probe.replyAfter(linkChangeAt, 3000);
    const kept: (string | undefined)[] = [];
    for (const c of conns) kept.push(await c.exchange(LONG_LIVED_BYTES, 5000));
    conns.forEach((c, i) => out.checks.push({ name: `long-lived tcp ${c.address} after the handover`,
      ok: kept[i] === undefined, detail: kept[i] }));
    // dumpcap hands packets over in blocks; let the last ones (the BA) reach the file.
    await sleep(Math.max(100, (w.baAt ?? 0) + CAPTURE_TAIL_MS - Date.now()));
    await cap.stop();
    const p = analyse(await probe.stop(), linkChangeAt);
    const e = w.last;
    const wasBound = before !== undefined && !before.atHome &&
      (before.state === 'registered' || before.state === 'refreshing');
    const sig = await tshark(tb, file, linkChangeAt, node, step.expect, e, wasBound);
    out.checks.push(...sig.checks);
    if (sig.checks.some((c) => !c.ok)) {
      const kept = tb.path('log', `capture-${node}-${linkChangeAt}.pcapng`);
      copyFileSync(file, kept);
      out.checks.push({ name: 'tshark: capture kept', ok: true, detail: kept });
    }
    const h: Handover = {
      node, from, to, linkDownMs, careOfAddress: e?.atHome ? null : e?.careOfAddress ?? null,
      encapsulation: e?.atHome ? null : e?.encapsulation ?? null, natDetected: e?.natDetected ?? false,
      addressMs: addressMs(tb, node, mon, addressPattern(tb, step.expect), step.to === null ? null : iface,
        linkChangeAt),
      coaMs: w.coaAt === null ? null : w.coaAt - linkChangeAt,
      baMs: w.baAt === null ? null : w.baAt - linkChangeAt,
      firstDataMs: p.firstDataMs, lost: p.lost, probeReplies: p.replies,
      tcpKept: conns.length === 0 ? null : kept.every((k) => k === undefined), buFlags: sig.flags,
    };
    out.checks.push({ name: 'probe stream through the new path', ok: h.firstDataMs !== null,
      detail: `${h.probeReplies} replies` });
    out.handovers.push(h);
  } finally {
    await Promise.all([probe.stop(), cap.stop(), mon.stop(), ...conns.map((c) => c.close())]);
    for (const s of servers) s.kill('SIGKILL');
  }
}
