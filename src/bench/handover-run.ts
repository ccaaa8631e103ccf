/**
 * The handover part of the suite: a testbed of its own (the suite's prefix + `t`, state under the
 * suite's directory), its daemons, `benchHandovers`, and always the teardown. A failure is
 * reported in the notes, never thrown: the other parts' results still get written.
 */
import { join } from 'node:path';
import { stopDaemons } from '../testbed/daemons.js';
import { benchHandovers, withHandoverTestbed } from './handover.js';
import type { HandoverBench } from './types.js';

export interface HandoverRunOptions {
  readonly prefix: string;
  readonly dir: string;
  readonly repeat: number;
  readonly log: (line: string) => void;
}

export async function runHandover(o: HandoverRunOptions): Promise<HandoverBench> {
  const state = join(o.dir, 'testbed');
  const prefix = `${o.prefix}t`;
  o.log(`handover: testbed ${prefix}*, ${o.repeat} rounds`);
  try {
    return await withHandoverTestbed(state, prefix, async (tb) => {
      try {
        return await benchHandovers(tb, { repeat: o.repeat, log: o.log });
      } finally {
        await stopDaemons(tb).catch(() => []);
      }
    });
  } catch (e) {
    return { ratePps: 0, pairs: [], notes: [`Handover latency: failed: ${(e as Error).message}`] };
  } finally {
    o.log('handover: testbed down');
  }
}
