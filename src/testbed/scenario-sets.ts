/**
 * Named sets of scenarios for `testbed run`: `all` (every scenario of scenarios.ts, then every
 * handover pair, then the home agent behind NAT, which rebuilds the testbed in that mode),
 * `ha-behind-nat` and `pairs` (every ordered pair of the six networks, 30 handovers, in an
 * order where each starts where the one before ended: an Eulerian circuit of the complete
 * directed graph, from home back to home).
 */
import { NETWORKS, type NetworkName } from './plan.js';
import { ensure, HA_BEHIND_NAT, SCENARIOS, visit, type Scenario } from './scenarios.js';

/**
 * An Eulerian circuit through every ordered pair of `nodes`, from and back to `nodes[0]`
 * (Hierholzer's algorithm; every node has in-degree = out-degree, so one exists).
 */
export function everyPair<T>(nodes: readonly T[]): [T, T][] {
  const out = new Map<T, T[]>(nodes.map((n) => [n, nodes.filter((m) => m !== n)]));
  const stack: T[] = [nodes[0]];
  const circuit: T[] = [];
  while (stack.length > 0) {
    const v = stack[stack.length - 1];
    const next = out.get(v)!;
    if (next.length > 0) stack.push(next.shift()!);
    else circuit.push(stack.pop()!);
  }
  circuit.reverse();
  return circuit.slice(1).map((to, i) => [circuit[i], to]);
}

/** `ho-FROM-TO`: mr to FROM (unless there), then the measured handover to TO. */
export function pairScenario(from: NetworkName, to: NetworkName): Scenario {
  return {
    name: `ho-${from}-${to}`,
    description: `handover of mr from ${from} to ${to}`,
    steps: [ensure(from), ...visit(to, false), { do: 'traffic', pingOnly: true }],
  };
}

export const PAIRS: readonly Scenario[] = everyPair(NETWORKS).map(([a, b]) => pairScenario(a, b));

export const SETS: Readonly<Record<string, readonly Scenario[]>> = {
  all: [...SCENARIOS, ...PAIRS, ...HA_BEHIND_NAT],
  pairs: PAIRS,
  'ha-behind-nat': HA_BEHIND_NAT,
};

/** The scenarios `names` selects (set names and scenario names separated by commas, in order). */
export function selectScenarios(names: string): readonly Scenario[] | string {
  const out: Scenario[] = [];
  for (const name of names.split(',')) {
    const set = SETS[name];
    if (set) { out.push(...set); continue; }
    const s = [...SCENARIOS, ...PAIRS, ...HA_BEHIND_NAT].find((x) => x.name === name);
    if (!s) {
      return `unknown scenario '${name}' (${Object.keys(SETS).join(', ')}, ` +
        `${SCENARIOS.map((x) => x.name).join(', ')}, ho-FROM-TO for two of ${NETWORKS.join(' ')})`;
    }
    out.push(s);
  }
  return out;
}
