/**
 * The handover part: brings up the namespace testbed under the suite's prefix and its own state
 * directory, starts the daemons, calls `benchHandovers` from ./handover.js (when that module
 * exists in this build), and always tears the testbed down. Without the module the part is
 * reported as not available.
 */
import { join } from 'node:path';
import { agentsReady, startAgents } from '../testbed/attach.js';
import { buildTopology } from '../testbed/build.js';
import { startDaemons, stopDaemons } from '../testbed/daemons.js';
import { Testbed } from '../testbed/state.js';
import { teardown } from '../testbed/teardown.js';
import type { HandoverBench, HandoverBenchOptions } from './types.js';

type BenchHandovers = (tb: Testbed, opts: HandoverBenchOptions) => Promise<HandoverBench>;

export interface HandoverRunOptions {
  readonly prefix: string;
  readonly dir: string;
  readonly repeat: number;
  readonly log: (line: string) => void;
}

const unavailable = (why: string): HandoverBench => ({ ratePps: 0, pairs: [], notes: [why] });

async function loadModule(): Promise<BenchHandovers | string> {
  const name = './handover.js';
  try {
    const m = (await import(name)) as { benchHandovers?: BenchHandovers };
    return typeof m.benchHandovers === 'function' ? m.benchHandovers
      : 'handover.js exports no benchHandovers';
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'ERR_MODULE_NOT_FOUND' ? 'not available in this build (src/bench/handover.ts is missing)'
      : `cannot load handover.js: ${(e as Error).message}`;
  }
}

export async function runHandover(o: HandoverRunOptions): Promise<HandoverBench> {
  const bench = await loadModule();
  if (typeof bench === 'string') {
    o.log(`handover: ${bench}`);
    return unavailable(`Handover latency: ${bench}.`);
  }
  const state = join(o.dir, 'testbed');
  const prefix = `${o.prefix}t`;
  await teardown(state, prefix);
  const tb = Testbed.create(state, prefix, false, 'testbed');
  try {
    o.log(`handover: testbed up (${prefix}*)`);
    buildTopology(tb);
    startAgents(tb);
    await agentsReady(tb);
    tb.state.ready = true;
    tb.save();
    await startDaemons(tb);
    return await bench(tb, { repeat: o.repeat, log: o.log });
  } catch (e) {
    return unavailable(`Handover latency: failed: ${(e as Error).message}`);
  } finally {
    await stopDaemons(tb).catch(() => []);
    await teardown(state, prefix);
    o.log('handover: testbed down');
  }
}
