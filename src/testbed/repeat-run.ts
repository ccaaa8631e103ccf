/**
 * `testbed run SCENARIOS --repeat N`: runs the selection N times in a row on the same testbed
 * and daemons (one `runScenarios` over the selection repeated, so the daemons are started once
 * and mr's attachment is put back once), then summarises the handovers per pair (repeat.ts).
 */
import { aggregateHandovers, formatPairs, type PairStats } from './repeat.js';
import { runScenarios } from './run-report.js';
import type { ScenarioResult } from './run.js';
import type { Scenario } from './scenarios.js';
import type { Testbed } from './state.js';

export interface RepeatReport {
  readonly repeat: number;
  /** Every scenario of every run passed. */
  readonly pass: boolean;
  readonly ms: number;
  readonly broughtUp: boolean;
  readonly startedDaemons: boolean;
  /** The results of each run, in order. */
  readonly runs: readonly (readonly ScenarioResult[])[];
  /** The handovers of all runs by pair. */
  readonly pairs: readonly PairStats[];
}

/** Splits the results of `repeat` runs of `per` scenarios each into runs. */
export function splitRuns(results: readonly ScenarioResult[], per: number): ScenarioResult[][] {
  const runs: ScenarioResult[][] = [];
  for (let i = 0; i < results.length; i += per) runs.push(results.slice(i, i + per));
  return runs;
}

export async function runRepeated(
  tb: Testbed, scenarios: readonly Scenario[], repeat: number, broughtUp: boolean,
  progress: (run: number, r: ScenarioResult) => void = () => undefined,
): Promise<RepeatReport> {
  const all = Array.from({ length: repeat }, () => scenarios).flat();
  let done = 0;
  const rep = await runScenarios(tb, all, broughtUp, (r) => {
    progress(Math.floor(done / scenarios.length) + 1, r);
    done++;
  });
  const runs = splitRuns(rep.scenarios, scenarios.length);
  return {
    repeat, pass: rep.pass && runs.length === repeat, ms: rep.ms, broughtUp: rep.broughtUp,
    startedDaemons: rep.startedDaemons, runs,
    pairs: aggregateHandovers(rep.scenarios.flatMap((s) => s.handovers)),
  };
}

/** Per-run pass counts and failed checks, then the per-pair table. */
export function formatRepeat(rep: RepeatReport): string {
  const lines: string[] = [];
  rep.runs.forEach((run, i) => {
    const passed = run.filter((s) => s.pass).length;
    lines.push(`run ${i + 1}: ${passed}/${run.length} scenarios passed`);
    for (const s of run.filter((x) => !x.pass)) {
      for (const c of s.checks.filter((x) => !x.ok)) {
        lines.push(`  ${s.name}: failed: ${c.name}${c.detail ? ` (${c.detail})` : ''}`);
      }
    }
  });
  const n = rep.pairs.reduce((a, p) => a + p.n, 0);
  lines.push(formatPairs(rep.pairs,
    `${n} handovers in ${rep.repeat} runs, ${(rep.ms / 1000).toFixed(1)} s:`));
  return lines.join('\n');
}
