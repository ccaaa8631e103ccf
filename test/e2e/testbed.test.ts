/**
 * `dsmip6 testbed` end to end (root only): the whole topology comes up in namespaces named
 * dst-<pid>-*, the daemons start from the generated configurations, the mobile router
 * registers on fn2 (IPv6-only, SLAAC from radvd) and then on fn1 (IPv4-only, DHCP from
 * dnsmasq), the correspondent reaches its home addresses and the host behind it over both
 * families, and `down` leaves no namespace, process or file. A second test removes the state
 * file and kills processes first, as a crash would, and `down` still removes everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runTestbed } from '../../src/cli/testbed.js';
import type { BcResult, BulResult } from '../../src/api/views.js';
import { alive, listNetns } from '../../src/testbed/sh.js';
import type { TestbedStatus } from '../../src/testbed/status.js';
import { NS_PREFIX, nsExec } from '../runtime/netns.js';
import { HOA, ctlJson, ping as pingN, waitFor } from './daemon-harness.js';
import { canRunTestbed } from './testbed-harness.js';

const ping = (ns: string, address: string): void => pingN(ns, address, 2);

const HOA4 = '192.0.2.100';
const MNN = '2001:db8:100:1::10';
const MNN4 = '198.51.100.130';

function bench(dir: string): { tb: (...args: string[]) => Promise<string[]> } {
  return {
    async tb(...args: string[]): Promise<string[]> {
      const out: string[] = [];
      const code = await runTestbed(['--state', dir, '--prefix', NS_PREFIX, ...args], (s) => { out.push(s); });
      assert.equal(code, 0, `testbed ${args.join(' ')} exited with ${code}: ${out.join('\n')}`);
      return out;
    },
  };
}

function pidsIn(dir: string): number[] {
  const d = join(dir, 'pid');
  return existsSync(d) ? readdirSync(d).map((f) => Number(readFileSync(join(d, f), 'utf8').trim())) : [];
}

type Bul = BulResult['entries'][number];

/** Waits for the MR's registration from a care-of address matching `coa`; returns it and the ms taken. */
async function registered(sock: string, coa: RegExp, since: number): Promise<{ e: Bul; ms: number }> {
  const e = await waitFor(`mr registered from ${coa}`, async () => {
    const b = await ctlJson<BulResult>(sock, 'bul');
    const x = b.entries[0];
    return x?.state === 'registered' && x.careOfAddress !== null && coa.test(x.careOfAddress) ? x : undefined;
  }, 15_000);
  return { e, ms: Date.now() - since };
}

test('testbed: up, status, daemons; mr registers on fn2 and on fn1 (DHCP), cn reaches it and mnn; down leaves nothing',
  async (t) => {
    if (!canRunTestbed(t, false)) return;
    const parent = mkdtempSync(join(tmpdir(), 'dsmip6-tb-'));
    const dir = join(parent, 'state');
    const { tb } = bench(dir);
    const ns = (n: string): string => `${NS_PREFIX}${n}`;
    try {
      let t0 = Date.now();
      await tb('up');
      t.diagnostic(`up: ${Date.now() - t0} ms`);
      const status = JSON.parse((await tb('status', '--json')).join('\n')) as TestbedStatus;
      for (const name of ['ha', 'cn', 'mr', 'mnn', 'mn2', 'inet', 'ar1', 'ar2', 'ar3', 'nat', 'nat2']) {
        const n = status.nodes.find((x) => x.name === name);
        assert.ok(n?.exists, `node ${name} in status`);
        assert.equal(n.namespace, ns(name));
      }
      const mr = status.nodes.find((x) => x.name === 'mr')!;
      assert.deepEqual(mr.homeAddresses, { ipv6: HOA, ipv4: HOA4 });
      assert.deepEqual(mr.mnps, { ipv6: ['2001:db8:100:1::/64'], ipv4: ['198.51.100.128/28'] });
      assert.deepEqual(status.networks.map((n) => n.name), ['home', 'fn1', 'fn2', 'fn3', 'nat', 'nat2']);

      t0 = Date.now();
      await tb('daemons', 'start');
      t.diagnostic(`daemons start: ${Date.now() - t0} ms`);
      const sock = join(dir, 'run', 'mr.sock');

      let att = JSON.parse((await tb('attach', 'mr', 'fn2', '--json'))[0]) as { linkChangeAt: number };
      const v6 = await registered(sock, /^2001:db8:2::/, att.linkChangeAt);
      t.diagnostic(`fn2 (IPv6 CoA ${v6.e.careOfAddress}): registered ${v6.ms} ms after the link change`);
      assert.equal(v6.e.careOfAddress, '2001:db8:2::ff:fe00:100', 'SLAAC address from the fixed MAC');
      assert.equal(v6.e.encapsulation, 'ipv6');
      assert.equal(v6.e.ipv4HomeAddress, HOA4);
      assert.equal(v6.e.ipv4MobileNetworkPrefix, '198.51.100.128/28');
      const bc = await ctlJson<BcResult>(join(dir, 'run', 'ha.sock'), 'bc');
      const b = bc.bindings.find((x) => x.homeAddress === HOA);
      assert.deepEqual(b?.mobileNetworkPrefixes, ['2001:db8:100:1::/64']);
      for (const a of [HOA, MNN, HOA4, MNN4]) ping(ns('cn'), a);

      att = JSON.parse((await tb('attach', 'mr', 'fn1', '--json'))[0]) as { linkChangeAt: number };
      const v4 = await registered(sock, /^198\.51\.100\./, att.linkChangeAt);
      t.diagnostic(`fn1 (DHCP CoA ${v4.e.careOfAddress}): registered ${v4.ms} ms after the link change`);
      assert.equal(v4.e.encapsulation, 'ipv4');
      assert.equal(v4.e.natDetected, false);
      for (const a of [HOA, MNN, HOA4, MNN4]) ping(ns('cn'), a);

      const code = await runTestbed(['--state', dir, '--prefix', NS_PREFIX, 'exec', 'cn', '--', 'sh', '-c', 'exit 3'],
        () => undefined);
      assert.equal(code, 3, 'exec passes the exit code through');
      await tb('daemons', 'stop');

      const pids = pidsIn(dir);
      assert.ok(pids.length >= 8, `pid files: ${pids.length}`);
      t0 = Date.now();
      await tb('down');
      t.diagnostic(`down: ${Date.now() - t0} ms`);
      assert.deepEqual(listNetns().filter((n) => n.startsWith(NS_PREFIX)), []);
      assert.deepEqual(pids.filter(alive), [], 'no process left');
      assert.equal(existsSync(dir), false, 'state directory removed');
      await tb('down');
    } finally {
      await runTestbed(['--state', dir, '--prefix', NS_PREFIX, 'down'], () => undefined);
      rmSync(parent, { recursive: true, force: true });
    }
  });

test('testbed down after a crash: no state file, processes killed with SIGKILL', async (t) => {
  if (!canRunTestbed(t, false)) return;
  const parent = mkdtempSync(join(tmpdir(), 'dsmip6-tb-'));
  const dir = join(parent, 'state');
  const { tb } = bench(dir);
  try {
    await tb('up');
    await tb('attach', 'mn2', 'fn3', '--wait');
    const pids = pidsIn(dir);
    process.kill(pids[0], 'SIGKILL');
    rmSync(join(dir, 'state.json'));
    await tb('down');
    assert.deepEqual(listNetns().filter((n) => n.startsWith(NS_PREFIX)), []);
    assert.deepEqual(pids.filter(alive), []);
    assert.equal(existsSync(dir), false);
  } finally {
    await runTestbed(['--state', dir, '--prefix', NS_PREFIX, 'down'], () => undefined);
    rmSync(parent, { recursive: true, force: true });
  }
});
