/**
 * The `testbed run` steps beyond handovers and traffic: two mobile nodes behind one NAT (their
 * bindings' UDP endpoints), idling behind a NAT past its conntrack UDP timeout (the keepalives
 * must keep the mapping), and restarting a daemon while cn probes mnn (the outage).
 */
import { daemonPid, startDaemons, type DaemonNode } from './daemons.js';
import { NAT_UDP_TIMEOUT_STREAM } from './plan.js';
import { Probe } from './run-probe.js';
import type { Check } from './run-signal-checks.js';
import { bindings, bul, type Out } from './run.js';
import { sleep, terminate, tryRun } from './sh.js';
import type { Testbed } from './state.js';

/** mr and mn2 are bound through a NAT (UDP, NAT detected) with the same address, distinct ports. */
export async function natEndpoints(tb: Testbed): Promise<Check[]> {
  const bc = await bindings(tb);
  if (!bc) return [{ name: 'home agent binding cache', ok: false, detail: 'no answer' }];
  const of = tb.plan.mobiles.map((m) => bc.find((b) => b.homeAddress === m.homeAddress));
  const ends = of.map((b) => (b?.udpEndpoint ? `${b.udpEndpoint.address}:${b.udpEndpoint.port}` : 'none'));
  const natted = of.every((b) => b !== undefined && b.natDetected && b.encapsulation === 'udp4');
  const [a, b] = of.map((x) => x?.udpEndpoint);
  return [
    { name: 'mr and mn2 both bound through the NAT (udp4, NAT detected)', ok: natted,
      detail: ends.join(' ') },
    { name: 'distinct NAT ports in the binding cache', detail: ends.join(' '),
      ok: !!a && !!b && a.address === b.address && a.port !== b.port },
  ];
}

/** The conntrack entries of UDP 4191 flows from `source` in a NAT router's namespace. */
function mappings(tb: Testbed, router: string, source: string): string[] {
  const r = tryRun('ip', ['netns', 'exec', tb.ns(router), 'cat', '/proc/net/nf_conntrack']);
  return r.stdout.split('\n').filter((l) => / udp /.test(l) && l.includes(`src=${source} `) &&
    l.includes('dport=4191'));
}

/**
 * Waits `ms` with nothing but the daemons' own traffic, sampling the NAT's conntrack table every
 * second: mr's mapping must be there at every sample and its binding's UDP endpoint unchanged.
 */
export async function idle(tb: Testbed, ms: number): Promise<Check[]> {
  const e = await bul(tb, 'mr');
  const router = tb.state.attachments['mr/eth0'];
  const hoa = tb.plan.mobiles[0].homeAddress;
  const endpoint = async (): Promise<string> => {
    const b = (await bindings(tb))?.find((x) => x.homeAddress === hoa);
    return b?.udpEndpoint ? `${b.udpEndpoint.address}:${b.udpEndpoint.port}` : 'none';
  };
  const was = await endpoint();
  let samples = 0;
  let missing = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await sleep(1000);
    samples++;
    if (mappings(tb, router ?? 'nat', e?.careOfAddress ?? '?').length === 0) missing++;
  }
  const now = await endpoint();
  return [
    { name: `idle ${ms / 1000} s (> the NAT's ${NAT_UDP_TIMEOUT_STREAM} s UDP timeout): mapping kept`,
      ok: missing === 0 && samples > 0, detail: `missing at ${missing} of ${samples} samples` },
    { name: 'NAT endpoint unchanged', ok: was === now && was !== 'none', detail: `${was} -> ${now}` },
  ];
}

/** The longest gap between consecutive probe replies after `t` (ms). */
function longestGap(replies: readonly { at: number }[], t: number): number | null {
  const after = replies.filter((r) => r.at >= t);
  const last = replies.filter((r) => r.at < t).at(-1);
  const seq = last ? [last, ...after] : after;
  if (seq.length < 2) return null;
  let gap = 0;
  for (let i = 1; i < seq.length; i++) gap = Math.max(gap, seq[i].at - seq[i - 1].at);
  return gap;
}

/** SIGTERM to `daemon`, start it again, wait for the probe stream cn -> mnn to flow again. */
export async function restart(tb: Testbed, daemon: DaemonNode, timeoutMs: number, out: Out): Promise<void> {
  const probe = await Probe.start(tb.ns('cn'), tb.ns('mnn'), tb.plan.mnn.ipv6);
  try {
    await sleep(300);
    const t0 = Date.now();
    const pid = daemonPid(tb, daemon);
    if (pid !== undefined) await terminate([pid], 10_000);
    tb.removePid(`dsmip6d-${daemon}`);
    await startDaemons(tb);
    const up = Date.now();
    await probe.replyAfter(up, timeoutMs);
    await sleep(200);
    const replies = await probe.stop();
    const back = replies.some((r) => r.at > up);
    const before = replies.filter((r) => r.at <= t0);
    const after = replies.filter((r) => r.at > t0);
    const from = before.at(-1)?.seq;
    const lost = from === undefined || after.length === 0 ? null
      : Math.max(...after.map((r) => r.seq)) - from - after.filter((r) => r.seq > from).length;
    const outageMs = back ? longestGap(replies, t0) : null;
    out.restarts.push({ daemon, outageMs, lost });
    out.checks.push({ name: `traffic cn -> mnn back after restarting ${daemon}`, ok: back,
      detail: back ? `outage ${outageMs} ms, ${lost} probes lost`
        : `no probe reply ${timeoutMs} ms after the restart` });
  } finally {
    await probe.stop();
  }
}
