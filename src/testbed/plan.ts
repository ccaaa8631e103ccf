/**
 * The testbed's topology and addressing plan as data (docs/testbed.md draws it): the nodes
 * (one network namespace each), the point-to-point links, the access networks (a bridge in
 * their router's namespace), the static routes and the mobile nodes' home configuration.
 * Everything uses documentation prefixes: 2001:db8::/32, 192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24, and 10/8 behind the NATs.
 */

export type NodeName =
  | 'inet' | 'ha' | 'hnat' | 'cn' | 'ar1' | 'ar2' | 'ar3' | 'nat' | 'nat2'
  | 'mr' | 'mnn' | 'mn2' | 'park';
export type NetworkName = 'home' | 'fn1' | 'fn2' | 'fn3' | 'nat' | 'nat2';
export type MobileName = 'mr' | 'mn2';
export type Role =
  | 'home-agent' | 'correspondent' | 'mobile-router' | 'mobile-node' | 'host' | 'router'
  | 'nat-router' | 'parking';

export const NETWORKS: readonly NetworkName[] = ['home', 'fn1', 'fn2', 'fn3', 'nat', 'nat2'];
export const MOBILES: readonly MobileName[] = ['mr', 'mn2'];
/** The interfaces a mobile node has; each can be attached to one network at a time. */
export const MOBILE_IFACES: readonly string[] = ['eth0', 'eth1'];

export interface NodePlan {
  readonly name: NodeName;
  readonly role: Role;
  /** Forwards packets (IPv6 forwarding and ip_forward on, rp_filter off). */
  readonly router: boolean;
}

export interface LinkEnd {
  readonly node: NodeName;
  readonly ifname: string;
  /** Addresses with prefix length. */
  readonly addresses: readonly string[];
  readonly mac?: string;
}

export interface LinkPlan { readonly a: LinkEnd; readonly b: LinkEnd }

export interface Ipv4Net {
  readonly subnet: string;
  readonly router: string;
  readonly prefixLength: number;
  /** The DHCP range dnsmasq hands out. */
  readonly dhcp: readonly [string, string];
}

export interface NetworkPlan {
  readonly name: NetworkName;
  readonly router: NodeName;
  /** The bridge in the router's namespace that is the link. */
  readonly bridge: string;
  /** Served by radvd (SLAAC) when present. */
  readonly ipv6?: { readonly prefix: string; readonly router: string };
  /** Served by dnsmasq (DHCPv4) when present. */
  readonly ipv4?: Ipv4Net;
  /** radvd advertises the home agent (H flag, Home Agent Information option). */
  readonly homeAgent: boolean;
  /** Masquerade out of this interface of the router (private IPv4 behind NAT). */
  readonly natOut?: string;
  readonly description: string;
}

export interface RoutePlan {
  readonly node: NodeName;
  readonly dst: string;
  readonly via: string;
  readonly metric?: number;
}

/**
 * The home link's routes to the mobile router's prefixes via its home addresses, for when it is
 * at home; while it is away the home agent's routes into its tunnel (lower metric) win.
 */
export const AT_HOME_ROUTE_METRIC = 2048;

export interface MobilePlan {
  readonly name: MobileName;
  readonly homeAddress: string;
  /** A static IPv4 home address, or undefined to ask the home agent for one. */
  readonly ipv4HomeAddress?: string;
  readonly mnp6: readonly string[];
  readonly mnp4: readonly string[];
  /** Ask for UDP encapsulation without a NAT (`MnForceUdp`, the BU's F flag). */
  readonly forceUdp: boolean;
  /** The MAC address of interface i is `${macBase}:0${i}`. */
  readonly macBase: string;
}

export interface NatPlan {
  readonly node: NodeName;
  readonly out: string;
  /** Masquerade only these sources (all when empty). */
  readonly sources: readonly string[];
  /** Destination NAT of UDP port 4191 to this address (the home agent behind NAT). */
  readonly forward4191?: string;
}

export interface Plan {
  readonly haBehindNat: boolean;
  readonly nodes: readonly NodePlan[];
  readonly links: readonly LinkPlan[];
  readonly networks: readonly NetworkPlan[];
  readonly routes: readonly RoutePlan[];
  readonly nats: readonly NatPlan[];
  readonly mobiles: readonly MobilePlan[];
  readonly homeAgent: {
    readonly address: string;
    /** The address mobile nodes send IPv4 (UDP 4191) traffic to: the NAT's when behind one. */
    readonly ipv4ForMobiles: string;
    readonly homePrefix: string;
    readonly ipv4HomeSubnet: string;
    readonly ipv4Pool: string;
    readonly servedPrefix: string;
  };
  readonly correspondent: { readonly ipv6: string; readonly ipv4: string };
  readonly mnn: { readonly ipv6: string; readonly ipv4: string };
}

/** Conntrack UDP timeouts (seconds) set in every NAT router's namespace. */
export const NAT_UDP_TIMEOUT = 10;
export const NAT_UDP_TIMEOUT_STREAM = 20;

const p2p = (a: NodeName, aIf: string, b: NodeName, bIf: string, six: string, four: string,
  fourLen = 30): LinkPlan => {
  const v4 = four.split('.').map(Number);
  const host = (n: number): string => `${v4[0]}.${v4[1]}.${v4[2]}.${v4[3] + n}/${fourLen}`;
  return {
    a: { node: a, ifname: aIf, addresses: [`${six}1/64`, host(1)] },
    b: { node: b, ifname: bIf, addresses: [`${six}2/64`, host(2)] },
  };
};

function nodes(haBehindNat: boolean): NodePlan[] {
  const n = (name: NodeName, role: Role, router: boolean): NodePlan => ({ name, role, router });
  return [
    n('inet', 'router', true), n('ha', 'home-agent', true),
    ...(haBehindNat ? [n('hnat', 'nat-router', true)] : []),
    n('cn', 'correspondent', false), n('ar1', 'router', true), n('ar2', 'router', true),
    n('ar3', 'router', true), n('nat', 'nat-router', true), n('nat2', 'nat-router', true),
    n('mr', 'mobile-router', false), n('mnn', 'host', false), n('mn2', 'mobile-node', false),
    n('park', 'parking', false),
  ];
}

function links(haBehindNat: boolean, v4: { mrLan: string; mnnLan: string }): LinkPlan[] {
  const ha = haBehindNat
    ? [p2p('inet', 'hnat', 'hnat', 'inet0', '2001:db8:ff:7::', '203.0.113.40'),
      p2p('hnat', 'ha0', 'ha', 'inet0', '2001:db8:ff:1::', '10.0.0.0')]
    : [p2p('inet', 'ha', 'ha', 'inet0', '2001:db8:ff:1::', '203.0.113.16')];
  const cn: LinkPlan = {
    a: { node: 'inet', ifname: 'cn', addresses: ['2001:db8:c::1/64', '203.0.113.1/28'] },
    b: { node: 'cn', ifname: 'eth0', addresses: ['2001:db8:c::10/64', '203.0.113.10/28'] },
  };
  const lan: LinkPlan = {
    a: { node: 'mr', ifname: 'lan0', addresses: ['2001:db8:100:1::1/64', v4.mrLan] },
    b: { node: 'mnn', ifname: 'eth0', addresses: ['2001:db8:100:1::10/64', v4.mnnLan],
      mac: '02:00:00:00:03:00' },
  };
  return [
    ...ha, cn,
    p2p('inet', 'ar1', 'ar1', 'inet0', '2001:db8:ff:2::', '203.0.113.20'),
    p2p('inet', 'ar2', 'ar2', 'inet0', '2001:db8:ff:3::', '203.0.113.24'),
    p2p('inet', 'ar3', 'ar3', 'inet0', '2001:db8:ff:4::', '203.0.113.28'),
    p2p('inet', 'nat', 'nat', 'inet0', '2001:db8:ff:5::', '203.0.113.32'),
    p2p('inet', 'nat2', 'nat2', 'inet0', '2001:db8:ff:6::', '203.0.113.36'),
    lan,
  ];
}

function networks(home4: Ipv4Net): NetworkPlan[] {
  return [
    { name: 'home', router: 'ha', bridge: 'home0', homeAgent: true,
      ipv6: { prefix: '2001:db8:1::/64', router: '2001:db8:1::1' }, ipv4: home4,
      description: 'home link, dual-stack: radvd (home agent flag) + dnsmasq' },
    { name: 'fn1', router: 'ar1', bridge: 'fn1', homeAgent: false,
      ipv4: { subnet: '198.51.100.0/26', router: '198.51.100.1', prefixLength: 26,
        dhcp: ['198.51.100.10', '198.51.100.62'] },
      description: 'foreign network 1, IPv4-only: dnsmasq' },
    { name: 'fn2', router: 'ar2', bridge: 'fn2', homeAgent: false,
      ipv6: { prefix: '2001:db8:2::/64', router: '2001:db8:2::1' },
      description: 'foreign network 2, IPv6-only: radvd (SLAAC)' },
    { name: 'fn3', router: 'ar3', bridge: 'fn3', homeAgent: false,
      ipv6: { prefix: '2001:db8:3::/64', router: '2001:db8:3::1' },
      ipv4: { subnet: '198.51.100.64/26', router: '198.51.100.65', prefixLength: 26,
        dhcp: ['198.51.100.74', '198.51.100.126'] },
      description: 'foreign network 3, dual-stack: radvd + dnsmasq' },
    { name: 'nat', router: 'nat', bridge: 'nat', homeAgent: false, natOut: 'inet0',
      ipv4: { subnet: '10.1.0.0/24', router: '10.1.0.1', prefixLength: 24,
        dhcp: ['10.1.0.100', '10.1.0.199'] },
      description: 'private IPv4 behind masquerade NAT: dnsmasq' },
    { name: 'nat2', router: 'nat2', bridge: 'nat2', homeAgent: false, natOut: 'inet0',
      ipv4: { subnet: '10.2.0.0/24', router: '10.2.0.1', prefixLength: 24,
        dhcp: ['10.2.0.100', '10.2.0.199'] },
      description: 'a second private IPv4 network behind masquerade NAT: dnsmasq' },
  ];
}

function routes(haBehindNat: boolean, mrLan4: string): RoutePlan[] {
  const r = (node: NodeName, dst: string, via: string): RoutePlan => ({ node, dst, via });
  const toHa6 = haBehindNat ? '2001:db8:ff:7::2' : '2001:db8:ff:1::2';
  const core = (node: NodeName, n: number, v4: string): RoutePlan[] => [
    r(node, 'default', `2001:db8:ff:${n}::1`), r(node, 'default', v4)];
  const out: RoutePlan[] = [
    r('inet', '2001:db8:1::/64', toHa6), r('inet', '2001:db8:100::/48', toHa6),
    r('inet', '2001:db8:2::/64', '2001:db8:ff:3::2'), r('inet', '2001:db8:3::/64', '2001:db8:ff:4::2'),
    r('inet', '198.51.100.0/26', '203.0.113.22'), r('inet', '198.51.100.64/26', '203.0.113.30'),
    r('cn', 'default', '2001:db8:c::1'), r('cn', 'default', '203.0.113.1'),
    ...core('ar1', 2, '203.0.113.21'), ...core('ar2', 3, '203.0.113.25'),
    ...core('ar3', 4, '203.0.113.29'), ...core('nat', 5, '203.0.113.33'),
    ...core('nat2', 6, '203.0.113.37'),
    r('ha', 'default', '2001:db8:ff:1::1'),
    r('mnn', 'default', '2001:db8:100:1::1'), r('mnn', 'default', mrLan4.split('/')[0]),
  ];
  if (haBehindNat) {
    out.push(r('ha', 'default', '10.0.0.1'), ...core('hnat', 7, '203.0.113.41'),
      r('hnat', '2001:db8:1::/64', '2001:db8:ff:1::2'), r('hnat', '2001:db8:100::/48', '2001:db8:ff:1::2'),
      r('hnat', '10.0.1.0/24', '10.0.0.2'), r('hnat', '10.0.2.0/24', '10.0.0.2'));
  } else {
    out.push(r('ha', 'default', '203.0.113.17'), r('inet', '192.0.2.0/24', '203.0.113.18'),
      r('inet', '198.51.100.128/25', '203.0.113.18'));
  }
  return out;
}

/** The whole plan; `haBehindNat` puts the home site (IPv4 10.0.1.0/24) behind ds-hnat. */
export function makePlan(haBehindNat: boolean): Plan {
  const h = haBehindNat
    ? { net: '10.0.1', mnp4: '10.0.2.0/28', mrLan: '10.0.2.1/28', mnnLan: '10.0.2.2/28' }
    : { net: '192.0.2', mnp4: '198.51.100.128/28', mrLan: '198.51.100.129/28',
      mnnLan: '198.51.100.130/28' };
  const home4: Ipv4Net = { subnet: `${h.net}.0/24`, router: `${h.net}.1`, prefixLength: 24,
    dhcp: [`${h.net}.20`, `${h.net}.59`] };
  const nats: NatPlan[] = [
    { node: 'nat', out: 'inet0', sources: [] }, { node: 'nat2', out: 'inet0', sources: [] },
    ...(haBehindNat ? [{ node: 'hnat' as const, out: 'inet0', sources: ['10.0.0.0/8'],
      forward4191: home4.router }] : []),
  ];
  const mr = { home6: '2001:db8:1::100', home4: `${h.net}.100` };
  const atHome: RoutePlan[] = [
    { node: 'ha', dst: '2001:db8:100:1::/64', via: mr.home6, metric: AT_HOME_ROUTE_METRIC },
    { node: 'ha', dst: h.mnp4, via: mr.home4, metric: AT_HOME_ROUTE_METRIC },
  ];
  return {
    haBehindNat, nodes: nodes(haBehindNat), networks: networks(home4),
    routes: [...routes(haBehindNat, h.mrLan), ...atHome],
    links: links(haBehindNat, h), nats,
    mobiles: [
      { name: 'mr', homeAddress: mr.home6, ipv4HomeAddress: mr.home4,
        mnp6: ['2001:db8:100:1::/64'], mnp4: [h.mnp4], forceUdp: false, macBase: '02:00:00:00:01' },
      { name: 'mn2', homeAddress: '2001:db8:1::200', mnp6: [], mnp4: [], forceUdp: true,
        macBase: '02:00:00:00:02' },
    ],
    homeAgent: {
      address: '2001:db8:1::1', ipv4ForMobiles: haBehindNat ? '203.0.113.42' : home4.router,
      homePrefix: '2001:db8:1::/64', ipv4HomeSubnet: home4.subnet,
      ipv4Pool: `${h.net}.128/25`, servedPrefix: '2001:db8:100::/48',
    },
    correspondent: { ipv6: '2001:db8:c::10', ipv4: '203.0.113.10' },
    mnn: { ipv6: '2001:db8:100:1::10', ipv4: h.mnnLan.split('/')[0] },
  };
}

/** The far end of a mobile node's interface (it moves between networks' bridges). */
export const farEnd = (node: MobileName, ifname: string): string => `${node}-${ifname}`;

export function networkOf(plan: Plan, name: string): NetworkPlan | undefined {
  return plan.networks.find((n) => n.name === name);
}

export function mobileOf(plan: Plan, name: string): MobilePlan | undefined {
  return plan.mobiles.find((m) => m.name === name);
}
