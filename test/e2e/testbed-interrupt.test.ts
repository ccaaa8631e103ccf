/**
 * `dsmip6 testbed run` interrupted (root only): the real command in a child process gets SIGINT
 * once its first scenario has ended. On a testbed it brought up itself it tears it down (no
 * namespace, state directory or process left); on a testbed it found up it puts it back as
 * found (mr unplugged, no daemon). Either way it exits 130 and writes no report. No timing is
 * asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NS_PREFIX } from '../runtime/netns.js';
import {
  assertLeftAsFound, assertTakenDown, canRunTestbed, ourNamespaces, processesOf, runCli, testbed, withStateDir,
  type CliRun,
} from './testbed-harness.js';

/** `testbed run fn1,fn2`, SIGINT once standard error says how fn1 ended (pass or not). */
function interruptedRun(dir: string): Promise<CliRun> {
  return runCli(['testbed', '--state', dir, '--prefix', NS_PREFIX, 'run', 'fn1,fn2'], { on: 'err', when: /^fn1: /m });
}

/** Exit 130 after saying so, and no report for a run cut short. */
function assertInterrupted(r: CliRun): void {
  assert.equal(r.code, 130, r.err);
  assert.match(r.err, /^SIGINT: stopping and cleaning up$/m);
  assert.equal(r.out, '', 'no report for a run cut short');
}

test('testbed run: SIGINT on a testbed it brought up tears it down and exits 130', async (t) => {
  if (!canRunTestbed(t)) return;
  await withStateDir('tbint', async (dir) => {
    const r = await interruptedRun(dir);
    t.diagnostic(r.err);
    assertInterrupted(r);
    assertTakenDown(dir);
    assert.deepEqual(processesOf(dir), [], 'no process left');
  });
});

test('testbed run: SIGINT on a testbed it found up leaves it as found and exits 130', async (t) => {
  if (!canRunTestbed(t)) return;
  await withStateDir('tbint', async (dir) => {
    assert.equal((await testbed(dir, 'up')).code, 0);
    const r = await interruptedRun(dir);
    t.diagnostic(r.err);
    assertInterrupted(r);
    assertLeftAsFound(dir);
    assert.equal(ourNamespaces().length, 12, 'still up');
  });
  assert.deepEqual(ourNamespaces(), []);
});
