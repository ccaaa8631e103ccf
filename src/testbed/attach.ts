/**
 * `testbed attach|detach`: a mobile node's interface is one end of a veth pair whose far end
 * moves between the networks' bridges (in their routers' namespaces), like a radio moving
 * between access points. A handover is:
 *   1. the node's interface goes down: the kernel drops its SLAAC addresses and learned routes
 *      (what a connection manager does when a radio disassociates) and the interface's DHCP
 *      client (dhcp-agent.ts) gives its IPv4 address up;
 *   2. the far end leaves the old bridge for the new one and comes up;
 *   3. the node's interface comes up ("link change" time): with accept_dad=0 its link-local
 *      address is usable at once, it solicits a router (radvd answers in a few ms) and the
 *      DHCP client starts over (dnsmasq --no-ping answers at once).
 * Detaching parks the far end, down, in the `park` namespace: the interface has no carrier.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MOBILE_IFACES, farEnd, mobileOf, networkOf, type MobileName, type NetworkPlan } from './plan.js';
import { alive, ipBatch, ipJson, waitUntil } from './sh.js';
import type { Testbed } from './state.js';

const AGENT = fileURLToPath(new URL('./dhcp-agent.js', import.meta.url));

export interface AttachResult {
  readonly node: string;
  readonly iface: string;
  readonly network: string | null;
  /**
   * Wall-clock time (ms since the epoch) when the interface came up on the new network; for
   * detach, when it went down.
   */
  readonly linkChangeAt: number;
  /**
   * ms the interface was down before `linkChangeAt` while its far end moved (the testbed's
   * unplug-to-plug gap; 0 for detach): probes lost then are part of the outage.
   */
  readonly linkDownMs: number;
  /** With --wait: the addresses obtained and the ms from the link change to having them all. */
  readonly addresses?: string[];
  readonly addressMs?: number;
}

export function checkMobile(tb: Testbed, node: string, iface: string): string | undefined {
  const names = tb.plan.mobiles.map((m) => m.name).join(' or ');
  if (!mobileOf(tb.plan, node)) return `'${node}' is not a mobile node (use ${names})`;
  const ifaces = MOBILE_IFACES.join(', ');
  if (!MOBILE_IFACES.includes(iface)) return `'${iface}' is not an interface of ${node} (${ifaces})`;
  return undefined;
}

const agentName = (node: string, iface: string): string => `dhcp-${node}-${iface}`;

/** The DHCP client of every mobile interface (not when the daemons run their own). */
export function startAgents(tb: Testbed): void {
  if (tb.state.dhcp !== 'testbed') return;
  for (const m of tb.plan.mobiles) for (const iface of MOBILE_IFACES) ensureAgent(tb, m.name, iface);
}

/** Starts the interface's DHCP client unless it runs. */
export function ensureAgent(tb: Testbed, node: string, iface: string): void {
  const name = agentName(node, iface);
  const pid = tb.readPid(name);
  if (tb.state.dhcp !== 'testbed' || (pid !== undefined && alive(pid))) return;
  rmSync(tb.path('lease', `${name}.json`), { force: true });
  const log = openSync(tb.path('log', `${name}.log`), 'a');
  try {
    const metric = String(100 * (MOBILE_IFACES.indexOf(iface) + 1));
    const child = spawn('ip', ['netns', 'exec', tb.ns(node), process.execPath, AGENT, '--iface', iface,
      '--state', tb.path('lease', `${name}.json`), '--metric', metric],
    { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    if (child.pid !== undefined) tb.writePid(name, child.pid);
  } finally {
    closeSync(log);
  }
}

/** Waits until every DHCP client has started (written its state file). */
export async function agentsReady(tb: Testbed, timeoutMs = 10_000): Promise<void> {
  if (tb.state.dhcp !== 'testbed') return;
  for (const m of tb.plan.mobiles) {
    for (const iface of MOBILE_IFACES) {
      await waitUntil(`the DHCP client of ${m.name} ${iface}`, () => dhcpOf(tb, m.name, iface), timeoutMs);
    }
  }
}

/** The namespace holding the far end of `node`'s `iface` now. */
function farNs(tb: Testbed, node: string, iface: string): string {
  const net = tb.state.attachments[`${node}/${iface}`];
  const plan = net === undefined ? undefined : networkOf(tb.plan, net);
  return tb.ns(plan ? plan.router : 'park');
}

/** Moves the far end; returns when the node's interface went down and when it came up again. */
function move(tb: Testbed, node: MobileName, iface: string, to: NetworkPlan | undefined):
{ downAt: number; upAt: number } {
  const far = farEnd(node, iface);
  const from = farNs(tb, node, iface);
  const target = tb.ns(to ? to.router : 'park');
  const downAt = Date.now();
  ipBatch(tb.ns(node), [`link set ${iface} down`]);
  ipBatch(from, [`link set ${far} nomaster`, `link set ${far} down`,
    ...(from === target ? [] : [`link set ${far} netns ${target}`])]);
  if (to) ipBatch(target, [`link set ${far} master ${to.bridge}`, `link set ${far} up`]);
  const upAt = Date.now();
  ipBatch(tb.ns(node), [`link set ${iface} up`]);
  return { downAt, upAt };
}

export async function attach(
  tb: Testbed, node: MobileName, iface: string, network: string, wait: boolean,
): Promise<AttachResult> {
  const net = networkOf(tb.plan, network);
  const known = tb.plan.networks.map((n) => n.name).join(', ');
  if (!net) throw new Error(`unknown network '${network}' (${known})`);
  ensureAgent(tb, node, iface);
  const { downAt, upAt: at } = move(tb, node, iface, net);
  tb.state.attachments[`${node}/${iface}`] = net.name;
  tb.save();
  const moved = { node, iface, network: net.name, linkChangeAt: at, linkDownMs: at - downAt };
  if (!wait) return moved;
  const addresses = await waitUntil(`${node} ${iface} addresses on ${net.name}`,
    () => addressesOn(tb, node, iface, net), 10_000, 5);
  return { ...moved, addresses, addressMs: Date.now() - at };
}

/** Unplugs the interface; its link change is when it went down (it stays without carrier). */
export async function detach(tb: Testbed, node: MobileName, iface: string): Promise<AttachResult> {
  const at = move(tb, node, iface, undefined).downAt;
  delete tb.state.attachments[`${node}/${iface}`];
  tb.save();
  return { node, iface, network: null, linkChangeAt: at, linkDownMs: 0 };
}

interface IpAddr {
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number; scope: string; tentative?: boolean }[];
}

/** The interface's global addresses once it has one of each family the network offers. */
function addressesOn(tb: Testbed, node: string, iface: string, net: NetworkPlan): string[] | undefined {
  const [link] = ipJson<IpAddr[]>(tb.ns(node), ['address', 'show', 'dev', iface]);
  const global = (link?.addr_info ?? []).filter((a) => a.scope === 'global' && !a.tentative);
  const v6 = global.filter((a) => a.family === 'inet6');
  const v4 = global.filter((a) => a.family === 'inet');
  if (net.ipv6 && v6.length === 0) return undefined;
  if (net.ipv4 && v4.length === 0) return undefined;
  return [...v6, ...v4].map((a) => `${a.local}/${a.prefixlen}`);
}

export interface DhcpState {
  readonly pid: number;
  readonly link: 'up' | 'down';
  /** The client's RFC 2131 state (init, selecting, requesting, rebooting, bound, ...). */
  readonly state: string;
  readonly address: string | null;
}

/** What the interface's DHCP client last recorded, if it runs. */
export function dhcpOf(tb: Testbed, node: string, iface: string): DhcpState | undefined {
  try {
    const file = tb.path('lease', `${agentName(node, iface)}.json`);
    const s = JSON.parse(readFileSync(file, 'utf8')) as DhcpState;
    return alive(s.pid) ? s : undefined;
  } catch {
    return undefined;
  }
}
