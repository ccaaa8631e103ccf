/**
 * The scenarios of `dsmip6 testbed run` as data: each is a list of steps run in order against the
 * testbed (docs/testbed.md, "Scenarios"). A handover step moves a mobile node's interface to a
 * network (or unplugs one) while a 100 pps probe runs from cn, the signalling is captured and a
 * long-lived TCP connection is held open, waits (bounded) for what the daemon must reach there,
 * and measures the handover; a traffic step checks that cn reaches the node's home addresses
 * (and mnn) over IPv6 and IPv4 by ping and by TCP; a binding step checks the home agent's
 * binding cache. Named sets (`all`, `pairs`) are lists of scenarios (scenario-sets.ts).
 */
import type { Encapsulation } from '../api/views.js';
import type { DaemonNode } from './daemons.js';
import type { MobileName, NetworkName } from './plan.js';

/** What a mobile node's home registration must reach after a handover. */
export type Expect =
  | { readonly atHome: true }
  | {
    readonly atHome: false;
    /** The care-of address the daemon must use (the network's prefix). */
    readonly coa: RegExp;
    readonly encapsulation: Encapsulation;
    readonly natDetected: boolean;
  };

interface Who {
  /** mr unless given. */
  readonly node?: MobileName;
  /** eth0 unless given. */
  readonly iface?: string;
}

export type Step =
  /**
   * Attach the node's interface to `to` (or unplug it: null), wait for `expect` (at most
   * `timeoutMs`), measure the handover, check the captured BU/BA with tshark and a TCP
   * connection opened before it.
   */
  | (Who & { readonly do: 'handover'; readonly to: NetworkName | null; readonly expect: Expect;
    readonly timeoutMs: number })
  /** Unless the node's interface is on `to` and the node registered as `expect` says, make it so. */
  | (Who & {
    readonly do: 'ensure'; readonly to: NetworkName; readonly expect: Expect; readonly timeoutMs: number;
  })
  /** Attach (null: detach) an interface without measuring anything; waits for its addresses. */
  | (Who & { readonly do: 'attach'; readonly to: NetworkName | null })
  /** cn pings and opens TCP connections to the node's home addresses (and mnn), IPv6 and IPv4. */
  | (Who & { readonly do: 'traffic'; readonly pingOnly?: boolean })
  /** The home agent holds a binding for the node (with its MNP) or none. */
  | (Who & { readonly do: 'binding'; readonly present: boolean })
  /** mr and mn2 are both bound through a NAT, with distinct UDP endpoints. */
  | { readonly do: 'nat-endpoints' }
  /** Nothing but the daemons' own traffic for `ms`; the NAT mapping must stay the same. */
  | { readonly do: 'idle'; readonly ms: number }
  /** Restart a daemon (SIGTERM, start) while cn probes mnn; traffic must come back. */
  | { readonly do: 'restart'; readonly daemon: DaemonNode; readonly timeoutMs: number };

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly steps: readonly Step[];
  /** Run after the steps even when one failed (put back what the scenario changed). */
  readonly cleanup?: readonly Step[];
  /** Needs the testbed up with `--ha-behind-nat`. */
  readonly haBehindNat?: boolean;
}

export const REGISTER_MS = 10_000;

const away = (coa: RegExp, encapsulation: Encapsulation, natDetected = false): Expect =>
  ({ atHome: false, coa, encapsulation, natDetected });

const FN1 = /^198\.51\.100\.([0-9]|[1-5][0-9]|6[0-3])$/;

/** What mr (IPv6-in-IPv4 on IPv4 networks without NAT) must reach on each network. */
export const MR_EXPECT: Readonly<Record<NetworkName, Expect>> = {
  home: { atHome: true },
  fn1: away(FN1, 'ipv4'),
  fn2: away(/^2001:db8:2::/, 'ipv6'),
  fn3: away(/^2001:db8:3::/, 'ipv6'),
  nat: away(/^10\.1\.0\./, 'udp4', true),
  nat2: away(/^10\.2\.0\./, 'udp4', true),
};

/** A handover of mr's eth0 to `to`, then the binding and traffic checks. */
export const visit = (to: NetworkName, traffic = true): Step[] => [
  { do: 'handover', to, expect: MR_EXPECT[to], timeoutMs: REGISTER_MS },
  { do: 'binding', present: to !== 'home' },
  ...(traffic ? [{ do: 'traffic' } as const] : []),
];

export const ensure = (to: NetworkName, node?: MobileName): Step =>
  ({ do: 'ensure', to, node, expect: MR_EXPECT[to], timeoutMs: REGISTER_MS });

const MN2_FN1: Expect = away(FN1, 'udp4');

/** The scenarios one by one, in the order `run all` runs them. */
export const SCENARIOS: readonly Scenario[] = [
  { name: 'boot-at-home', description: 'mr on its home link: no binding, reachable', steps: visit('home') },
  { name: 'fn2', description: 'IPv6-only network: SLAAC care-of address, IPv6-in-IPv6', steps: visit('fn2') },
  { name: 'fn1', description: 'IPv4-only network: DHCP care-of address, IPv6-in-IPv4', steps: visit('fn1') },
  { name: 'fn3', description: 'dual-stack network: the IPv6 care-of address is preferred',
    steps: visit('fn3') },
  { name: 'nat', description: 'private IPv4 behind NAT: NAT detected, UDP encapsulation',
    steps: visit('nat') },
  { name: 'nat-keepalive', description: 'behind NAT, idle past the NAT\'s UDP timeout: keepalives keep ' +
    'the mapping, cn still reaches mr and mnn',
  steps: [ensure('nat'), { do: 'idle', ms: 22_000 }, { do: 'traffic' }] },
  { name: 'mn2-forced-udp', description: 'mn2 (MnForceUdp, dynamic IPv4 HoA) on fn1: F flag, UDP ' +
    'encapsulation without NAT, IPv4 HoA from the pool',
  steps: [{ do: 'handover', node: 'mn2', to: 'fn1', expect: MN2_FN1, timeoutMs: REGISTER_MS },
    { do: 'binding', node: 'mn2', present: true }, { do: 'traffic', node: 'mn2' }] },
  { name: 'two-behind-nat', description: 'mr and mn2 behind the same NAT at once: both bound, ' +
    'distinct NAT ports, both reachable',
  steps: [ensure('nat'),
    { do: 'handover', node: 'mn2', to: 'nat', expect: MR_EXPECT.nat, timeoutMs: REGISTER_MS },
    { do: 'nat-endpoints' }, { do: 'traffic' }, { do: 'traffic', node: 'mn2' }],
  cleanup: [{ do: 'attach', node: 'mn2', to: null }] },
  { name: 'vertical', description: 'mr with eth0 on fn2 and eth1 on fn1: unplugging eth0 moves the ' +
    'registration to eth1 (IPv4), plugging it back moves it to eth0 (preferred)',
  steps: [ensure('fn2'), { do: 'attach', iface: 'eth1', to: 'fn1' },
    { do: 'handover', to: null, expect: MR_EXPECT.fn1, timeoutMs: REGISTER_MS }, { do: 'traffic' },
    { do: 'handover', to: 'fn2', expect: MR_EXPECT.fn2, timeoutMs: REGISTER_MS }, { do: 'traffic' }],
  cleanup: [{ do: 'attach', iface: 'eth1', to: null }] },
  { name: 'ha-restart', description: 'mr on fn3, the home agent restarts: traffic comes back',
    steps: [ensure('fn3'), { do: 'restart', daemon: 'ha', timeoutMs: 15_000 },
      { do: 'binding', present: true }, { do: 'traffic' }] },
  { name: 'mr-restart', description: 'mr on fn3, the mobile router restarts: it registers again',
    steps: [ensure('fn3'), { do: 'restart', daemon: 'mr', timeoutMs: 15_000 },
      { do: 'binding', present: true }, { do: 'traffic' }] },
  { name: 'returning-home', description: 'from a foreign network back home: deregistered, reachable',
    steps: [ensure('fn2'), ...visit('home')] },
];

const behindNat = (to: NetworkName, expect: Expect, what: string): Scenario => ({
  name: `ha-nat-${to}`, description: `home agent behind NAT: ${what}`, haBehindNat: true,
  steps: [{ do: 'handover', to, expect, timeoutMs: REGISTER_MS }, { do: 'binding', present: to !== 'home' },
    { do: 'traffic' }],
});

/** The home agent behind NAT (`up --ha-behind-nat`): UDP encapsulation for every IPv4 care-of address. */
export const HA_BEHIND_NAT: readonly Scenario[] = [
  behindNat('fn1', away(FN1, 'udp4'), 'IPv4 care-of address, UDP encapsulation without a NAT on mr\'s side'),
  behindNat('nat', MR_EXPECT.nat, 'mr behind NAT too (two NATs), NAT detected'),
  behindNat('fn2', MR_EXPECT.fn2, 'IPv6 care-of address, IPv6-in-IPv6 as usual'),
  behindNat('home', MR_EXPECT.home, 'back home: deregistered'),
];
