/**
 * `dsmip6 testbed run` interrupted (root only): the real command in a child process gets SIGINT
 * after its first scenario has passed. On a testbed it brought up itself it tears it down (no
 * namespace, state directory or process left); on a testbed it found up it puts it back as
 * found (mr unplugged, no daemon). Either way it exits 130 and writes no report. No timing is
 * asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NS_PREFIX } from '../runtime/netns.js';
import {
  assertLeftAsFound, assertTakenDown, canRunTestbed, ourNamespaces, processesOf, testbed, withStateDir,
} from './testbed-harness.js';

const CLI = fileURLToPath(new URL('../../src/cli/dsmip6.js', import.meta.url));

interface Done { code: number | null; out: string; err: string }

/** `testbed run fn1,fn2`, SIGINT once standard error says fn1 passed. */
function interruptedRun(dir: string): Promise<Done> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'testbed', '--state', dir, '--prefix', NS_PREFIX, 'run', 'fn1,fn2'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    let sent = false;
    const killer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && /^fn1: pass/m.test(err)) { sent = true; child.kill('SIGINT'); }
    });
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, out, err });
    });
  });
}

test('testbed run: SIGINT on a testbed it brought up tears it down and exits 130', async (t) => {
  if (!canRunTestbed(t)) return;
  await withStateDir('tbint', async (dir) => {
    const r = await interruptedRun(dir);
    t.diagnostic(r.err);
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /^SIGINT: stopping and cleaning up$/m);
    assert.equal(r.out, '', 'no report for a run cut short');
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
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /^SIGINT: stopping and cleaning up$/m);
    assert.equal(r.out, '', 'no report for a run cut short');
    assertLeftAsFound(dir);
    assert.equal(ourNamespaces().length, 12, 'still up');
  });
  assert.deepEqual(ourNamespaces(), []);
});
