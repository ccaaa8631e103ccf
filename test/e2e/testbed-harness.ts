/**
 * What the testbed's end-to-end tests (root only) share: the tools they need, `dsmip6 testbed`
 * run in-process with this process's namespace prefix (dst-<pid>-*), a temporary state directory
 * taken down and removed after, and the checks on what a run leaves.
 */
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runTestbed } from '../../src/cli/testbed.js';
import { linuxTestBlocker } from '../../src/os/linux/netns.js';
import { DAEMON_NODES, daemonPid } from '../../src/testbed/daemons.js';
import { cmdline, listNetns } from '../../src/testbed/sh.js';
import { Testbed } from '../../src/testbed/state.js';
import { teardown } from '../../src/testbed/teardown.js';
import { NS_PREFIX, needRoot } from '../runtime/netns.js';

const TOOLS = ['nft', 'dnsmasq', 'radvd', 'ping', 'sysctl'];

/** Root, the testbed's tools (and tshark when `run` captures), and a kernel that can run it. */
export function canRunTestbed(t: TestContext, capture = true): boolean {
  if (!needRoot(t, capture ? [...TOOLS, 'tshark', 'dumpcap'] : TOOLS)) return false;
  const blocker = linuxTestBlocker();
  if (blocker) { t.skip(blocker); return false; }
  return true;
}

/** `dsmip6 testbed --state dir --prefix NS_PREFIX ARGS`: its exit code and output. */
export async function testbed(dir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await runTestbed(['--state', dir, '--prefix', NS_PREFIX, ...args], (s) => { out.push(s); });
  return { code, out: out.join('\n') };
}

/** Runs `body` with a state directory (not created yet) in a temporary parent; all removed after. */
export async function withStateDir(tag: string, body: (dir: string) => Promise<void>): Promise<void> {
  const parent = mkdtempSync(join(tmpdir(), `dsmip6-${tag}-`));
  const dir = join(parent, 'state');
  try {
    await body(dir);
  } finally {
    await teardown(dir, Testbed.load(dir)?.state.prefix ?? NS_PREFIX);
    rmSync(parent, { recursive: true, force: true });
  }
}

/** This process's testbed namespaces. */
export const ourNamespaces = (): string[] => listNetns().filter((n) => n.startsWith(NS_PREFIX));

/** Taken down: no namespace with the prefix, no state directory. */
export function assertTakenDown(dir: string): void {
  assert.deepEqual(ourNamespaces(), [], 'no namespace left');
  assert.equal(existsSync(dir), false, 'state directory removed');
}

/** A testbed that was up with mr unplugged and no daemon, left so by a run. */
export function assertLeftAsFound(dir: string): void {
  const tb = Testbed.load(dir);
  assert.ok(tb?.state.ready, 'still up');
  assert.equal(tb.state.attachments['mr/eth0'], undefined, 'mr unplugged again');
  for (const n of DAEMON_NODES) assert.equal(daemonPid(tb, n), undefined, `${n} daemon stopped`);
}

/** Processes whose command line mentions `dir` (the daemons' and DHCP clients' do). */
export function processesOf(dir: string): string[] {
  const out: string[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    const cmd = cmdline(Number(p)); // undefined: exited
    if (cmd?.includes(dir) === true) out.push(`${p}: ${cmd}`);
  }
  return out;
}

const CLI = fileURLToPath(new URL('../../src/cli/dsmip6.js', import.meta.url));

export interface CliRun { code: number | null; signal: string | null; out: string; err: string }

/**
 * Runs `dsmip6 ARGS` in a child process (SIGKILL after `limitMs`); with `interrupt`, SIGINT is
 * sent once the named output stream matches its pattern.
 */
export function runCli(
  args: readonly string[], interrupt?: { readonly on: 'out' | 'err'; readonly when: RegExp }, limitMs = 240_000,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const text = { out: '', err: '' };
    let sent = false;
    const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    const watch = (which: 'out' | 'err') => (d: Buffer): void => {
      text[which] += d.toString();
      if (interrupt && !sent && interrupt.on === which && interrupt.when.test(text[which])) {
        sent = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', watch('out'));
    child.stderr.on('data', watch('err'));
    child.on('close', (code, signal) => { clearTimeout(killer); resolve({ code, signal, ...text }); });
  });
}
