/**
 * `testbed run` switching the testbed's mode: takes the testbed down and builds it again with or
 * without `--ha-behind-nat` (the home site behind its own NAT), as `up` does, for the
 * scenarios that need the other mode. Only done on a testbed the runner brought up itself.
 */
import { agentsReady, startAgents } from './attach.js';
import { buildTopology } from './build.js';
import { stopDaemons } from './daemons.js';
import { Testbed } from './state.js';
import { teardown } from './teardown.js';

export async function rebuild(tb: Testbed, haBehindNat: boolean): Promise<Testbed> {
  const { dir } = tb;
  const { prefix, dhcp } = tb.state;
  await stopDaemons(tb);
  await teardown(dir, prefix);
  const next = Testbed.create(dir, prefix, haBehindNat, dhcp);
  buildTopology(next);
  startAgents(next);
  await agentsReady(next);
  next.state.ready = true;
  next.save();
  return next;
}
