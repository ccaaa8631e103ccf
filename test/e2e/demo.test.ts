/**
 * `dsmip6 demo` end to end (root only): the real command in a child process, with namespaces
 * named dst-<pid>-* and a temporary state directory. A whole tour exits 0 with a timeline line
 * per stop (registered or at home, every traffic check passed) and the summary, and leaves
 * nothing behind: no namespace with the prefix, no process started from the state directory,
 * no state directory. Interrupted with SIGINT in the middle, it exits 130 and also leaves
 * nothing behind. On a testbed that is up it runs there and leaves it as it was (up, mr
 * unplugged, no daemon). No timing is asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NS_PREFIX } from '../runtime/netns.js';
import {
  assertLeftAsFound, assertTakenDown, canRunTestbed, ourNamespaces, processesOf, runCli, testbed, withStateDir,
  type CliRun,
} from './testbed-harness.js';

/** Runs the demo; `interruptWhen` sends SIGINT once standard output matches it. */
function demo(dir: string, interruptWhen?: RegExp): Promise<CliRun> {
  return runCli(['demo', '--prefix', NS_PREFIX, '--state', dir],
    interruptWhen && { on: 'out', when: interruptWhen }, 180_000);
}

function assertNothingLeft(dir: string): void {
  assertTakenDown(dir);
  assert.deepEqual(processesOf(dir), [], 'no process left');
}

/** The start of each stop's line: time, network, care-of address, tunnel, NAT, result. */
const STOPS: RegExp[] = [
  /^ *[\d.]+ s +home \(home link\) +\(home address\) +none +no +at home /,
  /^ *[\d.]+ s +fn2 \(IPv6-only\) +2001:db8:2::ff:fe00:100 +IPv6 +no +registered /,
  /^ *[\d.]+ s +fn1 \(IPv4-only\) +198\.51\.100\.\d+ +IPv4 +no +registered /,
  /^ *[\d.]+ s +nat \(IPv4 NAT\) +10\.1\.0\.\d+ +UDP\/IPv4 +yes +registered /,
  /^ *[\d.]+ s +fn3 \(dual-stack\) +2001:db8:3::ff:fe00:100 +IPv6 +no +registered /,
  /^ *[\d.]+ s +home \(home link\) +\(home address\) +none +no +at home /,
];

/** The rest: addr, coa, BA and data ms, lost (`-` on the first stop: no path before), traffic k/k. */
const REST = /(?: +\d+){4} +(\d+|-) +(\d+)\/(\d+)$/;

test('dsmip6 demo: the whole tour registers everywhere with traffic, then nothing is left', async (t) => {
  if (!canRunTestbed(t)) return;
  await withStateDir('demo', async (dir) => {
    const r = await demo(dir);
    t.diagnostic(r.out);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    const rows = r.out.split('\n').filter((l) => /^ *[\d.]+ s +(home|fn\d|nat)\b/.test(l));
    assert.equal(rows.length, STOPS.length, r.out);
    STOPS.forEach((re, i) => {
      assert.match(rows[i], re, `stop ${i + 1}`);
      const m = REST.exec(rows[i]);
      assert.ok(m, `stop ${i + 1}: ${rows[i]}`);
      assert.equal(m[1] === '-', i === 0, `stop ${i + 1}: loss counted when there was a path before`);
      assert.ok(Number(m[3]) >= 8 && m[2] === m[3], `stop ${i + 1}: every traffic check passed: ${rows[i]}`);
    });
    assert.match(r.out, /^time +network +care-of address +tunnel +NAT +result/m);
    assert.match(r.out, /^testbed down in \d+ ms: 12 namespaces/m);
    assert.match(r.out, /^summary: 6\/6 stops passed; 6\/6 registrations; traffic checks (\d+)\/\1 \(ping, TCP\); BU\/BA checks by tshark (\d+)\/\2$/m);
    assertNothingLeft(dir);
  });
});

test('dsmip6 demo: SIGINT in the middle of the tour cleans up and exits 130', async (t) => {
  if (!canRunTestbed(t)) return;
  await withStateDir('demo', async (dir) => {
    const r = await demo(dir, /^ *[\d.]+ s +home \(home link\)/m);
    t.diagnostic(r.out);
    assert.equal(r.code, 130, `${r.out}\n${r.err}`);
    assert.match(r.out, /^SIGINT: stopping and cleaning up$/m);
    assert.doesNotMatch(r.out, /^summary:/m);
    assertNothingLeft(dir);
  });
});

test('dsmip6 demo on a testbed that is up: runs there and leaves it as found', async (t) => {
  if (!canRunTestbed(t)) return;
  await withStateDir('demo', async (dir) => {
    assert.equal((await testbed(dir, 'up')).code, 0);
    const r = await demo(dir);
    t.diagnostic(r.out);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.out, /testbed already up: 12 namespaces/);
    assert.match(r.out, /^testbed left as found \(mr unplugged, daemons stopped\) in \d+ ms$/m);
    assert.match(r.out, /^summary: 6\/6 stops passed/m);
    assertLeftAsFound(dir);
    assert.equal(ourNamespaces().length, 12);
  });
  assert.deepEqual(ourNamespaces(), []);
});
