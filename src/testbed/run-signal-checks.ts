/**
 * The checks `testbed run` makes on the BU/BA of a handover as tshark decoded them
 * (run-signalling.ts): the acknowledged BU is the one whose sequence number the last accepting
 * BA carries; its flags, options and lifetime, and the BA's, must be what the registration
 * calls for.
 */
import type { Signal } from './run-signalling.js';

export interface Check { readonly name: string; readonly ok: boolean; readonly detail?: string }

/** What the registration the handover ends in must look like on the wire. */
export interface SignalExpect {
  /** A deregistration from the home link (lifetime 0). */
  readonly atHome: boolean;
  /** A mobile router: R flag in BU and BA, and its MNPs in the BU (explicit mode). */
  readonly router: boolean;
  readonly mnp6: readonly string[];
  /** The IPv4 home address asked for: a static one, `0.0.0.0` (assign one), or none. */
  readonly ipv4Home: string | null;
  /** The IPv4 care-of address (BU over UDP 4191, IPv4 CoA option), or null for an IPv6 one. */
  readonly ipv4Coa: string | null;
  readonly natDetected: boolean;
  readonly forceUdp: boolean;
  /** The home agent is behind a NAT: it always asks for UDP encapsulation (F in its NAT option). */
  readonly haBehindNat: boolean;
}

const flagText = (s: Signal): string =>
  `${s.flags.a ? 'A' : ''}${s.flags.h ? 'H' : ''}${s.flags.r ? 'R' : ''}${s.flags.f ? 'F' : ''}` || '-';

const show = (s: Signal): string => `#${s.frame} ${s.kind.toUpperCase()} seq ${s.seq} ${flagText(s)} ` +
  `life ${s.lifetime}${s.status === null ? '' : ` status ${s.status}`}${s.udp ? ` udp ${s.udp.dport}` : ''}`;

/** The accepted BA after `since` (the last one) and the BU it acknowledges. */
export function acknowledged(signals: readonly Signal[], since: number):
{ bu: Signal; ba: Signal } | string {
  const after = signals.filter((s) => s.at >= since - 5);
  const ba = after.filter((s) => s.kind === 'ba' && s.status !== null && s.status < 128).at(-1);
  const seen = after.map(show).join('; ') || 'no BU or BA captured';
  if (!ba) return seen;
  const bu = after.filter((s) => s.kind === 'bu' && s.seq === ba.seq && s.at <= ba.at).at(-1);
  return bu ? { bu, ba } : `no BU with seq ${ba.seq}: ${seen}`;
}

const check = (name: string, ok: boolean, detail: string): Check => ({ name: `tshark: ${name}`, ok, detail });

const NO_KEEPALIVE = 0xffffffff;

/**
 * The BA's NAT detection option: with a NAT, a refresh time (keepalive interval); forced UDP
 * without a NAT, F set and refresh all ones (no keepalives needed); else none (protocol.md 3.5).
 */
function natCheck(ba: Signal, x: SignalExpect): Check {
  const got = ba.natDetection ? `F ${ba.natForce ? 1 : 0}, refresh ${ba.natRefresh}` : 'absent';
  if (x.haBehindNat) {
    // The home agent behind a NAT always asks for UDP encapsulation.
    const r = ba.natRefresh;
    const refresh = x.natDetected ? r !== null && r > 0 && r !== NO_KEEPALIVE : r === NO_KEEPALIVE;
    return check(`BA NAT detection option: F set (home agent behind NAT), ${x.natDetected ? 'a refresh time'
      : 'refresh all ones'}`, ba.natDetection && ba.natForce && refresh, got);
  }
  if (x.natDetected) {
    const r = ba.natRefresh ?? 0;
    return check('BA NAT detection option with a refresh time',
      ba.natDetection && r > 0 && r !== NO_KEEPALIVE, got);
  }
  if (x.forceUdp) {
    return check('BA NAT detection option: F set, refresh all ones (no NAT)',
      ba.natDetection && ba.natForce && ba.natRefresh === NO_KEEPALIVE, got);
  }
  return check('BA without NAT detection option', !ba.natDetection, got);
}

function ipv4Checks(bu: Signal, ba: Signal, x: SignalExpect): Check[] {
  const out: Check[] = [];
  if (x.ipv4Coa !== null) {
    out.push(check(`BU over UDP 4191 with IPv4 CoA option ${x.ipv4Coa}`,
      bu.udp?.dport === 4191 && bu.ipv4Coa.length === 1 && bu.ipv4Coa[0] === x.ipv4Coa,
      `udp ${bu.udp ? `${bu.udp.src}:${bu.udp.sport} -> ${bu.udp.dst}:${bu.udp.dport}` : 'none'}, ` +
      `IPv4 CoA ${bu.ipv4Coa.join(' ') || 'none'}`));
    out.push(natCheck(ba, x));
  } else {
    out.push(check('BU over IPv6, no IPv4 CoA option', bu.udp === null && bu.ipv4Coa.length === 0,
      `udp ${bu.udp ? bu.udp.dport : 'none'}, IPv4 CoA ${bu.ipv4Coa.join(' ') || 'none'}`));
  }
  if (x.ipv4Home !== null) {
    const given = ba.ipv4Addresses[0];
    const dynamic = x.ipv4Home === '0.0.0.0';
    const okAddr = dynamic ? given !== undefined && given !== '0.0.0.0' : given === x.ipv4Home;
    out.push(check(`IPv4 HoA ${dynamic ? 'requested (0.0.0.0)' : x.ipv4Home} and acknowledged`,
      (bu.ipv4Addresses[0] === x.ipv4Home || (x.ipv4Home === '0.0.0.0' && bu.ipv4Addresses[0] === given)) &&
      ba.ipv4AckStatus[0] === 0 && okAddr,
      `BU ${bu.ipv4Addresses[0] ?? 'none'}, BA status ${ba.ipv4AckStatus[0] ?? 'none'} ${given ?? ''}`));
  }
  return out;
}

/** Checks of the acknowledged BU/BA of a handover. */
export function signallingChecks(signals: readonly Signal[], since: number, x: SignalExpect): Check[] {
  const pair = acknowledged(signals, since);
  if (typeof pair === 'string') return [check('accepted BA after the link change', false, pair)];
  const { bu, ba } = pair;
  const wantF = x.forceUdp && x.ipv4Coa !== null;
  const flags = `AH${x.router ? 'R' : ''}${wantF ? 'F' : ''}`;
  const out: Check[] = [
    check(`BU ${flags} acknowledged (BA status 0)`, ba.status === 0 && bu.flags.a && bu.flags.h &&
      bu.flags.r === x.router && bu.flags.f === wantF, `${show(bu)}; ${show(ba)}`),
    check(`BA R flag ${x.router ? 'set' : 'clear'}`, ba.flags.r === x.router, flagText(ba)),
  ];
  if (x.atHome) {
    out.push(check('deregistration: BU and BA lifetime 0', bu.lifetime === 0 && ba.lifetime === 0,
      `BU ${bu.lifetime} s, BA ${ba.lifetime} s`));
    return out;
  }
  out.push(check('lifetimes: 0 < BA <= BU', ba.lifetime > 0 && ba.lifetime <= bu.lifetime,
    `BU ${bu.lifetime} s, BA ${ba.lifetime} s`));
  if (x.router) {
    out.push(check(`BU MNP option ${x.mnp6.join(' ')}`, x.mnp6.every((p) => bu.mnp.includes(p)),
      bu.mnp.join(' ') || 'none'));
  }
  out.push(...ipv4Checks(bu, ba, x));
  return out;
}
