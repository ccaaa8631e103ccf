/**
 * Named simulation scenarios, and `random`, which draws everything from the seed: networks,
 * movement, loss (up to 30 %), duplication, delay spread (reordering), partitions, NAT rebinding,
 * a home agent behind NAT, forced UDP, IPv4 home addresses and mobile routers.
 */
import type { Prng } from '../proto/prng.js';
import type { Impairment } from './world.js';

export interface ScenarioPlan {
  readonly name: string;
  readonly description: string;
  /** Networks each mobile node starts on (index i uses start[i % length]). */
  readonly start: readonly string[];
  /** Networks movement chooses from; empty: no movement. */
  readonly roam: readonly string[];
  /** Mean dwell time on a network between moves. */
  readonly dwellMs: number;
  readonly impairment: Impairment;
  readonly haBehindNat: boolean;
  readonly forceUdp: boolean;
  readonly ipv4HomeAddress: 'none' | 'static' | 'dynamic';
  /** Mobile node 0 is a mobile router with an explicit IPv6 MNP. */
  readonly mobileRouter: boolean;
  /** Mean time between NAT rebindings (state loss); none when undefined. */
  readonly natRebindMeanMs: number | undefined;
  /** Mean time between partitions of a random network; none when undefined. */
  readonly partitionMeanMs: number | undefined;
  /** Router Advertisements with this Advertisement Interval on IPv6 networks; none when undefined. */
  readonly raIntervalMs: number | undefined;
  /** Moves keep the link up and the old addresses: only RAs reveal them (router-adverts.ts). */
  readonly silentMoves: boolean;
  /** Scripted moves (instead of random roaming): at `atMs`, node `mobile` moves to `network`. */
  readonly script: readonly { readonly atMs: number; readonly mobile: number; readonly network: string }[];
}

const CLEAN: Impairment = { lossRate: 0, duplicateRate: 0, delayMinMs: 5, delayMaxMs: 20 };
const ALL_NETWORKS = ['home', 'fn1', 'fn2', 'fn3', 'nat', 'nat2'];

export function plan(name: string, description: string, over: Partial<ScenarioPlan>): ScenarioPlan {
  return {
    name, description, start: ['fn3'], roam: [], dwellMs: 20_000, impairment: CLEAN,
    haBehindNat: false, forceUdp: false, ipv4HomeAddress: 'none', mobileRouter: false,
    natRebindMeanMs: undefined, partitionMeanMs: undefined, raIntervalMs: undefined, silentMoves: false,
    script: [], ...over,
  };
}

export const SCENARIOS: readonly ScenarioPlan[] = [
  plan('home', 'boot at home; no tunnel, no binding', { start: ['home'] }),
  plan('ipv6-only', 'IPv6-only foreign network (IPv6-in-IPv6)', { start: ['fn2'] }),
  plan('ipv4-only', 'IPv4-only foreign network (IPv6-in-IPv4, UDP BU)', { start: ['fn1'] }),
  plan('dual-stack', 'dual-stack network: IPv6 preferred', { start: ['fn3'] }),
  plan('nat', 'all nodes behind one NAT: UDP, keepalives past the NAT timeout', { start: ['nat'] }),
  plan('force-udp', 'F flag on a public IPv4 network', { start: ['fn1'], forceUdp: true }),
  plan('ha-behind-nat', 'home agent on a private address behind a port-forwarding NAT',
    { start: ['fn1', 'nat'], haBehindNat: true }),
  plan('ipv4-hoa-static', 'static IPv4 home addresses',
    { start: ['fn1', 'nat', 'fn2'], ipv4HomeAddress: 'static' }),
  plan('ipv4-hoa-dynamic', 'dynamic IPv4 home addresses from the pool',
    { start: ['nat', 'fn1', 'fn3'], ipv4HomeAddress: 'dynamic' }),
  plan('nemo', 'a mobile router with an explicit mobile network prefix',
    { start: ['fn2', 'nat'], mobileRouter: true }),
  plan('handovers', 'every node roams across all networks',
    { start: ['home', 'fn1', 'nat'], roam: ALL_NETWORKS, dwellMs: 15_000 }),
  plan('lossy-handovers', 'roaming with 20 % loss, duplication and reordering', {
    start: ['fn2'], roam: ALL_NETWORKS, dwellMs: 25_000,
    impairment: { lossRate: 0.2, duplicateRate: 0.05, delayMinMs: 5, delayMaxMs: 400 },
  }),
  plan('nat-rebind', 'NATs lose their state now and then', {
    start: ['nat', 'nat2'], natRebindMeanMs: 60_000,
  }),
  plan('silent-moves', 'IPv6 networks change under a link that stays up; RAs alone reveal it', {
    start: ['fn2', 'fn3'], roam: ['fn2', 'fn3'], dwellMs: 20_000, raIntervalMs: 1000, silentMoves: true,
  }),
];

export function scenarioNames(): string[] {
  return [...SCENARIOS.map((s) => s.name), 'random'];
}

/** Everything drawn from the seed. */
export function randomScenario(prng: Prng): ScenarioPlan {
  const pick = <T>(xs: readonly T[]): T => xs[prng.below(xs.length)];
  const lossRate = pick([0, 0, 0.05, 0.1, 0.2, 0.3]);
  return plan('random', 'drawn from the seed', {
    start: [pick(ALL_NETWORKS), pick(ALL_NETWORKS), pick(ALL_NETWORKS)],
    roam: ALL_NETWORKS,
    dwellMs: 5000 + prng.below(40_000),
    impairment: {
      lossRate,
      duplicateRate: pick([0, 0.02, 0.1]),
      delayMinMs: 1 + prng.below(20),
      delayMaxMs: 30 + prng.below(500),
    },
    haBehindNat: prng.below(4) === 0,
    forceUdp: prng.below(4) === 0,
    ipv4HomeAddress: pick(['none', 'static', 'dynamic'] as const),
    mobileRouter: prng.below(2) === 0,
    natRebindMeanMs: prng.below(3) === 0 ? 60_000 + prng.below(120_000) : undefined,
    partitionMeanMs: prng.below(3) === 0 ? 30_000 + prng.below(90_000) : undefined,
  });
}

export function findScenario(name: string, prng: Prng): ScenarioPlan | undefined {
  return name === 'random' ? randomScenario(prng) : SCENARIOS.find((s) => s.name === name);
}
