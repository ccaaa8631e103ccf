/**
 * `testbed up`: namespaces, veth links, bridges (one per access network, in its router), static
 * addresses and routes, sysctls, the mobile nodes' roaming interfaces (their far ends parked in
 * the `park` namespace until attached) and the network services.
 */
import {
  MOBILE_IFACES, farEnd, type LinkEnd, type LinkPlan, type NetworkPlan, type NodePlan,
} from './plan.js';
import { startNat, startNetworkServices } from './services.js';
import { ipBatch, sysctl } from './sh.js';
import type { Testbed } from './state.js';

const family = (a: string): '6' | '4' => (a.includes(':') ? '6' : '4');
const addrCmd = (ifname: string, a: string): string =>
  `address add ${a} dev ${ifname}${family(a) === '6' ? ' nodad' : ''}`;

/** Per-namespace sysctls that must be set before interfaces exist (they apply to new ones). */
function nodeSysctls(n: NodePlan): [string, string][] {
  const s: [string, string][] = [
    ['net.ipv6.conf.default.accept_dad', '0'], ['net.ipv6.conf.all.accept_dad', '0'],
  ];
  if (n.router) {
    s.push(['net.ipv6.conf.all.forwarding', '1'], ['net.ipv4.ip_forward', '1'],
      ['net.ipv4.conf.all.rp_filter', '0'], ['net.ipv4.conf.default.rp_filter', '0']);
  }
  return s;
}

function createNamespaces(tb: Testbed): void {
  ipBatch(undefined, tb.plan.nodes.map((n) => `netns add ${tb.ns(n.name)}`));
  for (const n of tb.plan.nodes) {
    ipBatch(tb.ns(n.name), ['link set lo up']);
    if (n.name !== 'park') sysctl(tb.ns(n.name), nodeSysctls(n));
  }
}

function vethCmd(tb: Testbed, a: LinkEnd, b: LinkEnd): string {
  const mac = (e: LinkEnd): string => (e.mac ? ` address ${e.mac}` : '');
  return `link add ${a.ifname}${mac(a)} type veth peer name ${b.ifname}${mac(b)} netns ${tb.ns(b.node)}`;
}

/** Commands per namespace, run as one `ip -batch` each. */
class Batches {
  private readonly byNs = new Map<string, string[]>();

  add(ns: string, ...lines: string[]): void {
    const l = this.byNs.get(ns) ?? [];
    l.push(...lines);
    this.byNs.set(ns, l);
  }

  run(): void {
    for (const [ns, lines] of this.byNs) ipBatch(ns, lines);
    this.byNs.clear();
  }
}

function linkCommands(tb: Testbed, links: readonly LinkPlan[], out: Batches): void {
  for (const l of links) out.add(tb.ns(l.a.node), vethCmd(tb, l.a, l.b));
  out.run();
  for (const l of links) {
    for (const e of [l.a, l.b]) {
      out.add(tb.ns(e.node), ...e.addresses.map((a) => addrCmd(e.ifname, a)), `link set ${e.ifname} up`);
    }
  }
}

/**
 * A bridge per network, kept up (carrier) by a port of its own (a veth pair looped in the router's
 * namespace: this kernel has no dummy driver), so radvd and dnsmasq work from the start.
 */
function networkCommands(tb: Testbed, net: NetworkPlan, out: Batches): void {
  const br = net.bridge;
  const keep = `${br}-keep`;
  const addrs = [
    ...(net.ipv6 ? [`${net.ipv6.router}/${net.ipv6.prefix.split('/')[1]}`] : []),
    ...(net.ipv4 ? [`${net.ipv4.router}/${net.ipv4.prefixLength}`] : []),
  ];
  out.add(tb.ns(net.router),
    `link add ${br} type bridge forward_delay 0 mcast_snooping 0`,
    `link add ${keep} type veth peer name ${br}-keep1`, `link set ${keep} master ${br}`,
    `link set ${keep} up`, `link set ${br}-keep1 up`,
    ...addrs.map((a) => addrCmd(br, a)), `link set ${br} up`);
}

/** Each mobile interface is a veth whose far end waits, down, in the park namespace. */
function mobileCommands(tb: Testbed, out: Batches): void {
  for (const m of tb.plan.mobiles) {
    MOBILE_IFACES.forEach((ifname, i) => {
      const far = farEnd(m.name, ifname);
      out.add(tb.ns(m.name),
        `link add ${ifname} address ${m.macBase}:0${i} type veth peer name ${far} netns ${tb.ns('park')}`);
    });
  }
  out.run();
  for (const m of tb.plan.mobiles) {
    sysctl(tb.ns(m.name), MOBILE_IFACES.flatMap((i): [string, string][] => [
      [`net.ipv6.conf.${i}.accept_dad`, '0'], [`net.ipv6.conf.${i}.accept_ra`, '2'],
    ]));
    out.add(tb.ns(m.name), ...MOBILE_IFACES.map((i) => `link set ${i} up`));
  }
}

function routeCommands(tb: Testbed, out: Batches): void {
  for (const r of tb.plan.routes) {
    const dst = r.dst === 'default' ? (family(r.via) === '6' ? '::/0' : '0.0.0.0/0') : r.dst;
    const metric = r.metric === undefined ? '' : ` metric ${r.metric}`;
    out.add(tb.ns(r.node), `route add ${dst} via ${r.via}${metric}`);
  }
}

/** Builds the whole topology; throws (with the failing command) on the first error. */
export function buildTopology(tb: Testbed): void {
  createNamespaces(tb);
  const out = new Batches();
  linkCommands(tb, tb.plan.links, out);
  for (const net of tb.plan.networks) networkCommands(tb, net, out);
  out.run();
  mobileCommands(tb, out);
  out.run();
  routeCommands(tb, out);
  out.run();
  for (const net of tb.plan.networks) startNetworkServices(tb, net);
  for (const nat of tb.plan.nats) startNat(tb, nat);
}
