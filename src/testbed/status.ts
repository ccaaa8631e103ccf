/**
 * `testbed status [--json]`: every node's namespace, interfaces and addresses, the mobile nodes'
 * home addresses (IPv6 and IPv4), MNPs and attachments, the daemons (running, and what they
 * report: registration state and care-of address, or the number of bindings), and the
 * networks with their services.
 */
import { sendRequest } from '../api/client.js';
import type { BulEntryView, StatusResult } from '../api/views.js';
import { dhcpOf } from './attach.js';
import { DAEMON_NODES, daemonPid, socketPath, type DaemonNode } from './daemons.js';
import { MOBILE_IFACES, type NodeName } from './plan.js';
import { alive, ipJson, listNetns } from './sh.js';
import type { Testbed } from './state.js';

export interface InterfaceStatus {
  readonly name: string;
  readonly state: string;
  readonly mac: string | null;
  readonly addresses: readonly string[];
  /** Mobile interfaces: the network attached to, or null. */
  readonly network?: string | null;
  /** Mobile interfaces: the testbed's DHCP client (RFC 2131 state, address), null if not running. */
  readonly dhcp?: { readonly state: string; readonly address: string | null } | null;
}

export interface DaemonStatus {
  readonly running: boolean;
  readonly pid: number | null;
  readonly socket: string;
  /** Mobile nodes: the home registration as the daemon reports it. */
  readonly registration?: {
    readonly state: string; readonly careOfAddress: string | null; readonly careOfInterface: string | null;
    readonly encapsulation: string | null; readonly natDetected: boolean;
    readonly ipv4HomeAddress: string | null; readonly ipv4MobileNetworkPrefix: string | null;
  } | null;
  /** The home agent: bindings held. */
  readonly bindings?: number | null;
}

export interface NodeStatus {
  readonly name: NodeName;
  readonly namespace: string;
  readonly role: string;
  readonly exists: boolean;
  readonly interfaces: readonly InterfaceStatus[];
  readonly homeAddresses?: { readonly ipv6: string; readonly ipv4: string };
  readonly mnps?: { readonly ipv6: readonly string[]; readonly ipv4: readonly string[] };
  readonly daemon?: DaemonStatus;
}

export interface NetworkStatus {
  readonly name: string;
  readonly router: string;
  readonly bridge: string;
  readonly ipv6: string | null;
  readonly ipv4: string | null;
  readonly services: readonly string[];
  readonly attached: readonly string[];
  readonly description: string;
}

export interface TestbedStatus {
  readonly stateDir: string;
  readonly prefix: string;
  readonly haBehindNat: boolean;
  readonly ready: boolean;
  readonly nodes: readonly NodeStatus[];
  readonly networks: readonly NetworkStatus[];
}

interface IpAddr {
  ifname: string; operstate: string; address?: string;
  addr_info: { family: string; local: string; prefixlen: number; scope: string }[];
}

function interfaces(ns: string): InterfaceStatus[] {
  // Left out: loopback and the ports that keep each network's bridge up (build.ts).
  const shown = (l: IpAddr): boolean => l.ifname !== 'lo' && !/-keep1?$/.test(l.ifname);
  return ipJson<IpAddr[]>(ns, ['address', 'show']).filter(shown).map((l) => ({
    name: l.ifname, state: l.operstate, mac: l.address ?? null,
    addresses: l.addr_info.filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`),
  }));
}

async function daemonOf(tb: Testbed, node: DaemonNode): Promise<DaemonStatus> {
  const pid = daemonPid(tb, node) ?? null;
  const socket = socketPath(tb, node);
  if (pid === null) return { running: false, pid, socket };
  if (node === 'ha') {
    const r = await sendRequest(socket, { id: 1, command: 'status' }, { timeoutMs: 1000 });
    const s = r.ok && r.response.ok ? r.response.result as StatusResult : undefined;
    return { running: true, pid, socket, bindings: s?.homeAgent?.bindings ?? null };
  }
  const r = await sendRequest(socket, { id: 1, command: 'bul' }, { timeoutMs: 1000 });
  const e = r.ok && r.response.ok ? (r.response.result as { entries: BulEntryView[] }).entries[0] : undefined;
  const registration = e === undefined ? null : {
    state: e.state, careOfAddress: e.careOfAddress, careOfInterface: e.careOfInterface,
    encapsulation: e.encapsulation, natDetected: e.natDetected, ipv4HomeAddress: e.ipv4HomeAddress,
    ipv4MobileNetworkPrefix: e.ipv4MobileNetworkPrefix,
  };
  return { running: true, pid, socket, registration };
}

async function nodeStatus(
  tb: Testbed, name: NodeName, role: string, present: Set<string>,
): Promise<NodeStatus> {
  const namespace = tb.ns(name);
  const exists = present.has(namespace);
  let ifs = exists ? interfaces(namespace) : [];
  const m = tb.plan.mobiles.find((x) => x.name === name);
  type Mutable = { -readonly [K in keyof NodeStatus]: NodeStatus[K] };
  const out: Mutable = { name, namespace, role, exists, interfaces: ifs };
  if (m) {
    ifs = ifs.map((i) => {
      if (!MOBILE_IFACES.includes(i.name)) return i;
      const d = tb.state.dhcp === 'testbed' ? dhcpOf(tb, name, i.name) : undefined;
      const dhcp = d === undefined ? null : { state: d.state, address: d.address };
      return { ...i, network: tb.state.attachments[`${name}/${i.name}`] ?? null, dhcp };
    });
    out.interfaces = ifs;
    const ipv4 = m.ipv4HomeAddress ?? `dynamic from ${tb.plan.homeAgent.ipv4Pool}`;
    out.homeAddresses = { ipv6: m.homeAddress, ipv4 };
    out.mnps = { ipv6: m.mnp6, ipv4: m.mnp4 };
  }
  if ((DAEMON_NODES as readonly string[]).includes(name) && exists) {
    out.daemon = await daemonOf(tb, name as DaemonNode);
    const v4 = out.daemon.registration?.ipv4HomeAddress;
    if (out.homeAddresses && m?.ipv4HomeAddress === undefined && v4) {
      out.homeAddresses = { ...out.homeAddresses, ipv4: v4 };
    }
  }
  return out;
}

export async function collectStatus(tb: Testbed): Promise<TestbedStatus> {
  const present = new Set(listNetns());
  const nodes: NodeStatus[] = [];
  for (const n of tb.plan.nodes) nodes.push(await nodeStatus(tb, n.name, n.role, present));
  const networks = tb.plan.networks.map((n): NetworkStatus => {
    const services = [['radvd', n.ipv6], ['dnsmasq', n.ipv4]].filter(([, on]) => on).map(([s]) => {
      const pid = tb.readPid(`${s as string}-${n.name}`);
      return `${s as string} ${pid !== undefined && alive(pid) ? `running (pid ${pid})` : 'not running'}`;
    });
    const attached = Object.entries(tb.state.attachments).filter(([, v]) => v === n.name).map(([k]) => k);
    return {
      name: n.name, router: tb.ns(n.router), bridge: n.bridge, ipv6: n.ipv6?.prefix ?? null,
      ipv4: n.ipv4?.subnet ?? null, services, attached, description: n.description,
    };
  });
  return {
    stateDir: tb.dir, prefix: tb.state.prefix, haBehindNat: tb.state.haBehindNat, ready: tb.state.ready,
    nodes, networks,
  };
}

function daemonLine(d: DaemonStatus): string {
  if (!d.running) return 'daemon: not running';
  const head = `daemon: running (pid ${d.pid}, ${d.socket})`;
  if (d.bindings !== undefined) return `${head}, ${d.bindings ?? '?'} binding(s)`;
  const r = d.registration;
  if (!r) return `${head}, no answer`;
  const via = r.careOfAddress ? ` via ${r.careOfInterface} ${r.careOfAddress} (${r.encapsulation ?? '-'}` +
    `${r.natDetected ? ', NAT' : ''})` : '';
  return `${head}, ${r.state}${via}`;
}

export function formatStatus(s: TestbedStatus): string {
  const lines = [
    `testbed ${s.prefix}* (state ${s.stateDir})${s.haBehindNat ? ', home agent behind NAT' : ''}` +
    `${s.ready ? '' : ' — NOT READY (a failed or interrupted up): run up again, or down'}`, '',
  ];
  for (const n of s.nodes) {
    lines.push(`${n.name} (${n.role}) namespace ${n.namespace}${n.exists ? '' : ' MISSING'}`);
    if (n.homeAddresses) lines.push(`  home addresses ${n.homeAddresses.ipv6}, ${n.homeAddresses.ipv4}`);
    if (n.mnps && (n.mnps.ipv6.length > 0 || n.mnps.ipv4.length > 0)) {
      lines.push(`  mobile network prefixes ${[...n.mnps.ipv6, ...n.mnps.ipv4].join(', ')}`);
    }
    if (n.daemon) lines.push(`  ${daemonLine(n.daemon)}`);
    for (const i of n.interfaces) {
      const dhcp = i.dhcp ? `, dhcp ${i.dhcp.state}` : '';
      const att = i.network === undefined ? '' : ` [${i.network ?? 'detached'}${dhcp}]`;
      lines.push(`  ${i.name.padEnd(9)} ${i.state.padEnd(14)}${att} ${i.addresses.join(' ')}`.trimEnd());
    }
  }
  lines.push('', 'networks:');
  for (const n of s.networks) {
    const addrs = [n.ipv6, n.ipv4].filter((x) => x !== null).join(' ');
    const attached = n.attached.length > 0 ? `; attached: ${n.attached.join(' ')}` : '';
    lines.push(`  ${n.name.padEnd(5)} ${addrs.padEnd(34)} bridge ${n.bridge} in ${n.router}; ` +
      `${n.services.join(', ')}${attached}`);
  }
  return lines.join('\n');
}
