/**
 * Bringing the testbed up from code, as `testbed up` does: `upTestbed` finds the one that is up
 * and whole in a state directory; `bringUp` builds one (after removing whatever half of one is
 * there); `rebuild` takes it down and builds it again with or without `--ha-behind-nat` (the home
 * site behind its own NAT), which `testbed run` does for the scenarios that need the other mode,
 * only on a testbed the runner brought up itself.
 */
import { agentsReady, startAgents } from './attach.js';
import { buildTopology } from './build.js';
import { stopDaemons } from './daemons.js';
import { listNetns } from './sh.js';
import { Testbed, type TestbedState } from './state.js';
import { teardown } from './teardown.js';

/** The testbed in `dir` when it is up and whole (every namespace there). */
export function upTestbed(dir: string): Testbed | undefined {
  const tb = Testbed.load(dir);
  const have = new Set(listNetns());
  return tb?.state.ready && tb.plan.nodes.every((n) => have.has(tb.ns(n.name))) ? tb : undefined;
}

/** Builds the testbed in `dir` with namespaces named `prefix*`; marked ready once its agents are. */
export async function bringUp(dir: string, prefix: string, haBehindNat = false,
  dhcp: TestbedState['dhcp'] = 'testbed'): Promise<Testbed> {
  await teardown(dir, Testbed.load(dir)?.state.prefix ?? prefix);
  const tb = Testbed.create(dir, prefix, haBehindNat, dhcp);
  buildTopology(tb);
  startAgents(tb);
  await agentsReady(tb);
  tb.state.ready = true;
  tb.save();
  return tb;
}

export async function rebuild(tb: Testbed, haBehindNat: boolean): Promise<Testbed> {
  await stopDaemons(tb);
  return bringUp(tb.dir, tb.state.prefix, haBehindNat, tb.state.dhcp);
}
