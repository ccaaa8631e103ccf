/**
 * Human renderings of the control results (UMIP `bc`/`bul`/`stats` style: aligned columns and
 * aligned key/value blocks, `-` for none). `formatResult` picks the renderer per command; the
 * JSON form is the result itself (`formatJson`). Output never ends in a newline.
 */
import { BaStatus, BeStatus } from '../wire/mh/constants.js';
import type { Command } from './protocol.js';
import { formatRouters } from './routers.js';
import type { TrafficCounter } from './snapshots.js';
import { columns, duration, keyValues, orDash } from './table.js';
import type {
  BcResult, BulEntryView, BulResult, HaSignallingStats, MnSignallingStats, RoutersResult, StatsResult,
  StatusResult,
} from './views.js';

function statusNames(table: Readonly<Record<string, number>>): Map<number, string> {
  return new Map(Object.entries(table).map(([k, v]) => [v, k.toLowerCase().replace(/_/g, ' ')]));
}

const BA_NAMES = statusNames(BaStatus);
const BE_NAMES = statusNames(BeStatus);

function named(names: Map<number, string>, code: string): string {
  const n = names.get(Number(code));
  return n === undefined ? code : `${code} (${n})`;
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

export function formatStatus(r: StatusResult): string {
  const pairs: [string, string][] = [
    ['role', r.role === 'ha' ? 'home agent' : 'mobile node'],
    ['version', r.version], ['pid', String(r.pid)],
    ['uptime', duration(r.uptimeSeconds)], ['config', orDash(r.configFile)],
  ];
  const h = r.homeAgent;
  if (h) {
    pairs.push(['address', h.address], ['ipv4 address', orDash(h.ipv4Address)],
      ['udp port', String(h.udpPort)], ['dsmip6', h.acceptDsmip6 ? 'accepted' : 'refused'],
      ['bindings', `${h.bindings} of ${h.bindingsMax} (${h.pendingDad} waiting for DAD)`]);
    const l = h.homeLink;
    if (l) {
      pairs.push(['dad', `${l.dadStarted} probed: ${l.dadUnique} unique, ${l.dadDuplicate} duplicate; ` +
        `${l.dadSkipped} not performed`],
      ['home link sent', `${l.probesSent} probes, ${l.advertisementsSent} NAs, ${l.arpSent} ARP; ` +
        `${l.sendErrors} failed`]);
    }
  }
  const m = r.mobileNode;
  if (m) {
    const coa = m.careOfAddress === null ? '-' : `${m.careOfAddress} on ${orDash(m.careOfInterface)}`;
    pairs.push(['home address', m.homeAddress], ['home agent', m.homeAgentAddress],
      ['state', m.state], ['care-of address', coa], ['encapsulation', orDash(m.encapsulation)],
      ['routers', `${m.routersUsable} usable of ${m.routersKnown} (ctl routers)`]);
  }
  return keyValues(pairs).join('\n');
}

const BC_HEADER = [
  'HOME ADDRESS', 'CARE-OF ADDRESS', 'ENCAP', 'UDP ENDPOINT', 'NAT', 'LIFETIME', 'LEFT', 'SEQ',
  'FLAGS', 'NEMO', 'MNPS', 'IPV4 HOA', 'IPV4 MNP', 'REGISTERED',
];

export function formatBc(r: BcResult): string {
  if (r.total === 0) return 'no bindings';
  if (r.bindings.length === 0) return `no bindings from offset ${r.offset} (${r.total} in all)`;
  const rows = r.bindings.map((b) => [
    b.homeAddress, b.careOfAddress, b.encapsulation,
    b.udpEndpoint ? `${b.udpEndpoint.address}:${b.udpEndpoint.port}` : '-', yesNo(b.natDetected),
    String(b.lifetimeSeconds), String(b.remainingSeconds), String(b.sequence), orDash(b.flags),
    orDash(b.nemoMode), orDash(b.mobileNetworkPrefixes.join(',')), orDash(b.ipv4HomeAddress),
    orDash(b.ipv4MobileNetworkPrefix), b.registeredAt,
  ]);
  const lines = columns([BC_HEADER, ...rows]);
  const shown = r.bindings.length;
  if (shown === r.total) {
    lines.push(`${r.total} binding${r.total === 1 ? '' : 's'}`);
  } else {
    const more = r.offset + shown < r.total ? ` (next page: --offset ${r.offset + shown})` : '';
    lines.push(`bindings ${r.offset + 1}-${r.offset + shown} of ${r.total}${more}`);
  }
  return lines.join('\n');
}

function seconds(n: number | null): string {
  return n === null ? '-' : `${n} s`;
}

function bulPairs(e: BulEntryView): [string, string][] {
  const ha4 = e.homeAgentIpv4Address === null ? '' : ` (IPv4 ${e.homeAgentIpv4Address})`;
  const coa = e.careOfAddress === null ? '-' : `${e.careOfAddress} on ${orDash(e.careOfInterface)}`;
  const udp = e.udpEndpoint ? ` to ${e.udpEndpoint.address}:${e.udpEndpoint.port}` : '';
  const nat = e.natDetected ? ', NAT detected' : '';
  const encap = e.encapsulation === null ? '-' : `${e.encapsulation}${udp}${nat}`;
  const sent = e.lastSequenceSent === null ? '-'
    : `${e.lastSequenceSent}, ${seconds(e.lastSentSecondsAgo)} ago`;
  const lifetime = `requested ${e.lifetimeRequestedSeconds} s, granted ${seconds(e.lifetimeGrantedSeconds)}, `
    + `remaining ${seconds(e.remainingSeconds)}`;
  const nemo = e.nemoMode === null ? 'no' : `yes (${e.nemoMode})`;
  return [
    ['home address', e.homeAddress], ['home agent', `${e.homeAgentAddress}${ha4}`],
    ['state', e.state], ['at home', e.atHome ? `yes (${orDash(e.homeInterface)})` : 'no'],
    ['care-of address', coa], ['last sequence sent', sent], ['lifetime', lifetime],
    ['retransmissions', String(e.retransmissions)], ['next retry in', seconds(e.nextRetrySeconds)],
    ['encapsulation', encap], ['ipv4 home address', orDash(e.ipv4HomeAddress)],
    ['ipv4 mnp', orDash(e.ipv4MobileNetworkPrefix)], ['mobile router', nemo],
    ['mnps', orDash(e.mobileNetworkPrefixes.join(','))],
  ];
}

export function formatBul(r: BulResult): string {
  if (r.entries.length === 0) return 'no binding update list entries';
  return r.entries.map((e) => keyValues(bulPairs(e)).join('\n')).join('\n\n');
}

const total = (t: Readonly<Record<string, number>>): number => Object.values(t).reduce((a, b) => a + b, 0);

function breakdown(
  label: string, table: Readonly<Record<string, number>>, names?: Map<number, string>,
): [string, string][] {
  return Object.entries(table).map(([k, v]) => [`  ${label} ${names ? named(names, k) : k}`, String(v)]);
}

function haStats(c: HaSignallingStats): [string, string][] {
  return [
    ['binding updates received', String(c.bindingUpdates)], ['accepted', String(c.accepted)],
    ['rejected', String(total(c.rejectedByStatus))], ...breakdown('status', c.rejectedByStatus, BA_NAMES),
    ['dropped', String(total(c.droppedByReason))], ...breakdown('reason', c.droppedByReason),
    ['binding acks sent', String(c.bindingAcksSent)], ['binding errors sent', String(c.bindingErrorsSent)],
    ['refresh requests sent', String(c.refreshRequestsSent)], ['bindings expired', String(c.expired)],
  ];
}

function mnStats(c: MnSignallingStats): [string, string][] {
  return [
    ['binding updates sent', String(c.bindingUpdatesSent)], ['registrations', String(c.registrations)],
    ['deregistrations', String(c.deregistrations)], ['failures', String(total(c.failuresByStatus))],
    ...breakdown('status', c.failuresByStatus, BA_NAMES),
    ...Object.entries(c.bindingErrorsByStatus).map(([k, v]): [string, string] =>
      [`binding error ${named(BE_NAMES, k)}`, String(v)]),
    ...Object.entries(c.ipv4RefusedByStatus).map(([k, v]): [string, string] =>
      [`ipv4 home address refused ${k}`, String(v)]),
    ['dropped', String(total(c.droppedByReason))], ...breakdown('reason', c.droppedByReason),
    ['bindings expired', String(c.expired)], ['care-of changes', String(c.careOfChanges)],
  ];
}

function trafficRows(traffic: Readonly<Record<string, TrafficCounter>>): string[] {
  const rows = Object.entries(traffic).map(([dir, t]) => [dir, String(t.packets), String(t.bytes)]);
  return rows.length === 0 ? ['no traffic counters'] : columns([['DIRECTION', 'PACKETS', 'BYTES'], ...rows]);
}

export function formatStats(r: StatsResult): string {
  const signalling = r.homeAgent ? haStats(r.homeAgent) : r.mobileNode ? mnStats(r.mobileNode) : [];
  const dropped = r.dataPlane.droppedByReason;
  const drops: [string, string][] = [['dropped', String(total(dropped))], ...breakdown('reason', dropped)];
  return [
    'signalling', ...keyValues(signalling).map((l) => `  ${l}`),
    '', 'data plane', ...trafficRows(r.dataPlane.traffic).map((l) => `  ${l}`),
    ...keyValues(drops).map((l) => `  ${l}`),
  ].join('\n');
}

/** The human rendering of a command's result (as the daemon sent it). */
export function formatResult(command: Command, result: unknown): string {
  switch (command) {
    case 'status': return formatStatus(result as StatusResult);
    case 'bc': return formatBc(result as BcResult);
    case 'bul': return formatBul(result as BulResult);
    case 'stats': return formatStats(result as StatsResult);
    case 'routers': return formatRouters(result as RoutersResult);
  }
}

export function formatJson(result: unknown): string {
  return JSON.stringify(result, null, 2);
}
