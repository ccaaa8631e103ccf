/**
 * `dsmip6 bench`: the benchmark suite (docs/benchmarks.md). Needs root (namespaces); writes
 * bench/results/<timestamp>.{md,json} and the charts, and latest.* copies.
 */
import { join } from 'node:path';
import { PARTS, runSuite, type Part } from '../bench/suite.js';
import { REPO_ROOT } from '../bench/procs.js';
import { resultsMarkdown } from '../bench/report.js';

export const BENCH_USAGE = `usage: dsmip6 bench [--quick] [--json] [--only PARTS] [--out DIR]
  --quick   shorter runs (1 repetition of 3 s, 5 handovers per pair, N = 1k and 10k)
  --json    print the results as JSON instead of markdown
  --only    the parts to run, comma-separated: throughput,handover,scale (default all)
  --out     results directory (default bench/results in the source tree)`;

export interface BenchArgs {
  readonly quick: boolean;
  readonly json: boolean;
  readonly only: readonly Part[];
  readonly out: string;
}

export function parseBenchArgs(args: readonly string[], defaultOut: string): BenchArgs | string {
  let quick = false; let json = false; let only: Part[] = [...PARTS]; let out = defaultOut;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case '--quick': quick = true; break;
      case '--json': json = true; break;
      case '--only': {
        const v = value();
        const list = (v ?? '').split(',').filter((x) => x !== '');
        const bad = list.filter((x) => !(PARTS as readonly string[]).includes(x));
        if (list.length === 0 || bad.length > 0) return `--only takes a list of ${PARTS.join(', ')}`;
        only = list as Part[];
        break;
      }
      case '--out': {
        const v = value();
        if (v === undefined || v === '') return '--out takes a directory';
        out = v;
        break;
      }
      default: return `unknown argument '${args[i]}'`;
    }
  }
  return { quick, json, only, out };
}

export async function runBench(args: readonly string[], write: (s: string) => void): Promise<number> {
  const a = parseBenchArgs(args, join(REPO_ROOT, 'bench', 'results'));
  if (typeof a === 'string') { process.stderr.write(`${a}\n${BENCH_USAGE}\n`); return 2; }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    process.stderr.write('dsmip6 bench needs root (it creates network namespaces): run it with sudo\n');
    return 1;
  }
  const log = (line: string): void => { process.stderr.write(`${line}\n`); };
  const { results, files } = await runSuite({ quick: a.quick, only: a.only, outDir: a.out, log });
  write(a.json ? JSON.stringify(results, null, 2) : resultsMarkdown(results));
  log(`written: ${files.join(', ')}`);
  return 0;
}
