/**
 * `dsmip6 bench`: runs the parts asked for (throughput, handover, scale) one after the other,
 * each in its own namespaces (prefix `dbn-<pid>-`, always removed), and writes
 * bench/results/<timestamp>.{md,json} with the charts, and latest.* copies.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo } from './machine.js';
import { REPO_ROOT } from './procs.js';
import { resultsMarkdown } from './report.js';
import type { BenchResults } from './results.js';
import { benchScale } from './scale.js';
import { handoverSvg, throughputSvg } from './svg.js';
import { benchThroughput } from './throughput.js';
import { runHandover } from './handover-run.js';

/**
 * BUs the scale load generator keeps unanswered. Every new home address waits out DAD (RetransTimer,
 * 1 s) before its BA, and a burst queues at the home agent too, so a round runs at most window ÷ its
 * latency (Little's law): at 20,000 BU/s the BU-to-BA latency measured 1.7–2.1 s (p50), which takes
 * 40k in flight. This leaves room for that, stays within the home agent's UDP receive buffer (no
 * drops measured), and keeps the latency under the generator's 3 s retransmission (p99 2.6 s).
 */
export const SCALE_WINDOW = 49_152;

export type Part = 'throughput' | 'handover' | 'scale';
export const PARTS: readonly Part[] = ['throughput', 'handover', 'scale'];

export interface SuiteOptions {
  readonly quick: boolean;
  readonly only: readonly Part[];
  readonly outDir: string;
  readonly log: (line: string) => void;
}

export interface Written {
  readonly results: BenchResults;
  readonly files: readonly string[];
}

export async function runSuite(o: SuiteOptions): Promise<Written> {
  const started = new Date();
  const t0 = performance.now();
  const prefix = `dbn-${process.pid}-`;
  const dir = mkdtempSync(`/tmp/${prefix}`);
  const notes: string[] = [];
  try {
    const throughput = o.only.includes('throughput')
      ? await benchThroughput({
        prefix, dir, seconds: o.quick ? 3 : 5, repeats: o.quick ? 1 : 3, log: o.log,
        udpRates: [500, 1000, 0],
      })
      : null;
    const handover = o.only.includes('handover')
      ? await runHandover({ prefix, dir, repeat: o.quick ? 5 : 20, log: o.log })
      : null;
    const scale = o.only.includes('scale')
      ? await benchScale({
        prefix, dir, sizes: o.quick ? [1000, 10_000] : [1000, 10_000, 100_000], window: SCALE_WINDOW,
        log: o.log,
      })
      : null;
    const results: BenchResults = {
      startedAt: started.toISOString(), durationSeconds: (performance.now() - t0) / 1000, quick: o.quick,
      machine: machineInfo(REPO_ROOT), throughput, handover, scale, notes,
    };
    return { results, files: write(o.outDir, results) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function write(outDir: string, r: BenchResults): string[] {
  mkdirSync(outDir, { recursive: true });
  const stamp = r.startedAt.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  const files: string[] = [];
  const put = (name: string, text: string): void => {
    writeFileSync(join(outDir, `${stamp}${name}`), text);
    copyFileSync(join(outDir, `${stamp}${name}`), join(outDir, `latest${name}`));
    files.push(join(outDir, `${stamp}${name}`));
  };
  if (r.throughput) put('-throughput.svg', throughputSvg(r.throughput.rows));
  if (r.handover && r.handover.pairs.length > 0) put('-handover.svg', handoverSvg(r.handover));
  put('.json', `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(outDir, `${stamp}.md`), resultsMarkdown(r, stamp));
  writeFileSync(join(outDir, 'latest.md'), resultsMarkdown(r, 'latest'));
  files.push(join(outDir, `${stamp}.md`));
  return files;
}
