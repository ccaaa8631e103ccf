/**
 * `dsmip6 sim --seed N [--duration S] [--mns K] [--scenario NAME|random] [--seeds COUNT]
 *  [--verbose] [--json]`: runs the deterministic whole-system simulator. With --seeds it runs
 * seeds N .. N+COUNT-1. A violation prints the seed, the scenario and the virtual time, with the
 * command that replays it, and the exit status is 1.
 */
import { runSim, type SimResult } from '../sim/run.js';
import { scenarioNames } from '../sim/scenarios.js';

export const SIM_USAGE = 'usage: dsmip6 sim --seed N [--duration S] [--mns K] '
  + `[--scenario ${scenarioNames().join('|')}] [--seeds COUNT] [--verbose] [--json]`;

interface SimArgs {
  seed: number; durationS: number; mns: number; scenario: string; seeds: number;
  verbose: boolean; json: boolean;
}

function parseArgs(args: string[]): SimArgs | string {
  const a: SimArgs = {
    seed: 1, durationS: 300, mns: 3, scenario: 'random', seeds: 1, verbose: false, json: false,
  };
  for (let i = 0; i < args.length; i++) {
    const k = args[i];
    if (k === '--verbose') { a.verbose = true; continue; }
    if (k === '--json') { a.json = true; continue; }
    const v = args[++i];
    if (v === undefined) return `${k} needs a value`;
    const n = Number(v);
    const int = (min: number, max: number): number | string =>
      (Number.isInteger(n) && n >= min && n <= max ? n : `${k} expects an integer ${min}..${max}, got ${v}`);
    let r: number | string;
    switch (k) {
      case '--seed': r = int(0, 0xffffffff); if (typeof r === 'number') a.seed = r; break;
      case '--duration': r = int(1, 86_400); if (typeof r === 'number') a.durationS = r; break;
      case '--mns': r = int(1, 50); if (typeof r === 'number') a.mns = r; break;
      case '--seeds': r = int(1, 1_000_000); if (typeof r === 'number') a.seeds = r; break;
      case '--scenario':
        if (!scenarioNames().includes(v)) return `unknown scenario ${v} (${scenarioNames().join(', ')})`;
        a.scenario = v; r = 0; break;
      default: return `unknown option ${k}`;
    }
    if (typeof r === 'string') return r;
  }
  return a;
}

function summary(r: SimResult): string {
  const p = r.probes;
  return `seed ${r.seed} ${r.scenario.name}: ${r.counts.handovers} attachments, `
    + `${r.counts.busSent} BUs, ${r.counts.accepted} accepted, ${r.counts.rejected} rejected, `
    + `${r.counts.expired} expired; probes ${p.delivered}/${p.sent} delivered `
    + `(${p.lostToImpairment} lost to impairment, ${p.unsettled} while unsettled); `
    + `${r.violations.length === 0 ? 'OK' : 'VIOLATION'}`;
}

export function runSimCommand(args: string[], write: (s: string) => void): number {
  const a = parseArgs(args);
  if (typeof a === 'string') { write(`${a}\n${SIM_USAGE}`); return 2; }
  let failed = 0;
  const results: SimResult[] = [];
  for (let seed = a.seed; seed < a.seed + a.seeds; seed++) {
    const r = runSim({
      seed, durationMs: a.durationS * 1000, mobiles: a.mns, scenario: a.scenario,
      ...(a.verbose ? { log: write } : {}),
    });
    results.push(r);
    if (!a.json && (a.seeds === 1 || r.violations.length > 0)) write(summary(r));
    for (const v of r.violations) {
      failed++;
      write(`violation at ${(v.atMs / 1000).toFixed(3)} s: ${v.message}`);
      const flags = `--scenario ${a.scenario} --mns ${a.mns} --duration ${a.durationS}`;
      write(`replay: dsmip6 sim --seed ${seed} ${flags} --verbose`);
    }
  }
  if (a.json) write(JSON.stringify(results.map((r) => ({ ...r, scenario: r.scenario.name }))));
  else if (a.seeds > 1) {
    const clean = results.filter((r) => r.violations.length === 0).length;
    write(`${a.seeds} seeds, ${clean} clean`);
  }
  return failed > 0 ? 1 : 0;
}
