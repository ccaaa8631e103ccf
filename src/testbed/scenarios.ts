/**
 * The scenarios of `dsmip6 testbed run` as data: each is a list of steps run in order against the
 * testbed (docs/testbed.md, "Scenarios"). A handover step moves the mobile router's eth0 to a
 * network while a 100 pps probe runs from cn, waits (bounded) for what the daemon must reach
 * there, and measures the handover; a traffic step checks that cn reaches the router's home
 * addresses and mnn over IPv6 and IPv4 by ping and by TCP; a binding step checks the home agent's
 * binding cache.
 */
import type { Encapsulation } from '../api/views.js';
import type { NetworkName } from './plan.js';

/** What the mobile router's home registration must reach after a handover. */
export type Expect =
  | { readonly atHome: true }
  | {
    readonly atHome: false;
    /** The care-of address the daemon must use (the network's prefix). */
    readonly coa: RegExp;
    readonly encapsulation: Encapsulation;
    readonly natDetected: boolean;
  };

export type Step =
  /** Attach mr's eth0 to `to`, wait for `expect` (at most `timeoutMs`), measure the handover. */
  | { readonly do: 'handover'; readonly to: NetworkName; readonly expect: Expect; readonly timeoutMs: number }
  /** Unless mr is registered away from home already, attach it to `to` and wait (not measured). */
  | {
    readonly do: 'ensure-away'; readonly to: NetworkName; readonly expect: Expect; readonly timeoutMs: number;
  }
  /** cn pings and opens TCP connections to mr's home addresses and to mnn, over IPv6 and IPv4. */
  | { readonly do: 'traffic' }
  /** The home agent holds a binding for mr (with its MNP) or none. */
  | { readonly do: 'binding'; readonly present: boolean };

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly steps: readonly Step[];
}

const REGISTER_MS = 10_000;

const away = (coa: RegExp, encapsulation: Encapsulation, natDetected = false): Expect =>
  ({ atHome: false, coa, encapsulation, natDetected });

const FN2 = away(/^2001:db8:2::/, 'ipv6');

const visit = (to: NetworkName, expect: Expect): Step[] => [
  { do: 'handover', to, expect, timeoutMs: REGISTER_MS },
  { do: 'binding', present: !expect.atHome },
  { do: 'traffic' },
];

/** In the order `run all` runs them: each starts where the one before left mr. */
export const SCENARIOS: readonly Scenario[] = [
  { name: 'boot-at-home', description: 'mr on its home link: no binding, reachable',
    steps: visit('home', { atHome: true }) },
  { name: 'fn2', description: 'IPv6-only network: SLAAC care-of address, IPv6-in-IPv6',
    steps: visit('fn2', FN2) },
  { name: 'fn1', description: 'IPv4-only network: DHCP care-of address, IPv6-in-IPv4',
    steps: visit('fn1', away(/^198\.51\.100\.([0-9]|[1-5][0-9]|6[0-3])$/, 'ipv4')) },
  { name: 'fn3', description: 'dual-stack network: the IPv6 care-of address is preferred',
    steps: visit('fn3', away(/^2001:db8:3::/, 'ipv6')) },
  { name: 'nat', description: 'private IPv4 behind NAT: NAT detected, UDP encapsulation',
    steps: visit('nat', away(/^10\.1\.0\./, 'udp4', true)) },
  { name: 'returning-home', description: 'from a foreign network back home: deregistered, reachable',
    steps: [{ do: 'ensure-away', to: 'fn2', expect: FN2, timeoutMs: REGISTER_MS },
      ...visit('home', { atHome: true })] },
];

/** The scenarios `names` selects (`all`, or names separated by commas, run in that order). */
export function selectScenarios(names: string): readonly Scenario[] | string {
  if (names === 'all') return SCENARIOS;
  const out: Scenario[] = [];
  for (const name of names.split(',')) {
    const s = SCENARIOS.find((x) => x.name === name);
    if (!s) return `unknown scenario '${name}' (all, ${SCENARIOS.map((x) => x.name).join(', ')})`;
    out.push(s);
  }
  return out;
}
