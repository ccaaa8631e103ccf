/**
 * The testbed for a one-shot command (`dsmip6 demo`, the handover benchmark): use the one that
 * is up in the state directory, or build it (after removing whatever half of one is there).
 */
import { agentsReady, startAgents } from '../testbed/attach.js';
import { buildTopology } from '../testbed/build.js';
import { listNetns } from '../testbed/sh.js';
import { Testbed } from '../testbed/state.js';
import { teardown } from '../testbed/teardown.js';

/** The testbed in `dir` when it is up and whole. */
export function upTestbed(dir: string): Testbed | undefined {
  const tb = Testbed.load(dir);
  const have = new Set(listNetns());
  return tb?.state.ready && tb.plan.nodes.every((n) => have.has(tb.ns(n.name))) ? tb : undefined;
}

/** Builds the testbed (default options) in `dir` with namespaces named `prefix*`. */
export async function bringUp(dir: string, prefix: string): Promise<Testbed> {
  await teardown(dir, Testbed.load(dir)?.state.prefix ?? prefix);
  const tb = Testbed.create(dir, prefix, false, 'testbed');
  buildTopology(tb);
  startAgents(tb);
  await agentsReady(tb);
  tb.state.ready = true;
  tb.save();
  return tb;
}
