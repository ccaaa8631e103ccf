/**
 * The mobile node's IPv4 care-of address from the built-in DHCPv4 client (`UseDhcp enabled`),
 * end to end against dnsmasq:
 *
 *   [home] hl0 ---- home0 [ha] inet0 ---- eth0 [mn]
 *                         dnsmasq on inet0: 198.51.100.100-150/24, router 198.51.100.1
 *
 * The node's eth0 starts down and unconfigured, with rp_filter=2 in "all" (as Ubuntu hosts have
 * it) so the runtime's rp_filter handling is exercised. Link up → DHCP → IPv4 care-of address
 * → Binding Update over IPv4 → the home agent pings the home address. Link down removes the
 * address; link up gets it back by INIT-REBOOT. A clean stop sends DHCPRELEASE (dnsmasq logs it
 * and forgets the lease) and leaves the namespace as it was. Timings are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { needRoot, nsExec, withNamespaces } from '../runtime/netns.js';
import {
  ctlJson, Daemon, Dnsmasq, HOA, haConf, homeAndForeignLinks, logField, logLine, mnConf, ping, snapshotState,
  snapshotWith, stopAll, waitFor,
} from './daemon-harness.js';

const RP = ['net/ipv4/conf/all/rp_filter', 'net/ipv4/conf/eth0/rp_filter', 'net/ipv4/conf/lo/rp_filter'];

interface Bc { bindings: { homeAddress: string; careOfAddress: string; encapsulation: string }[] }

async function bindingFrom(dir: string, re: RegExp): Promise<Bc['bindings'][number]> {
  return waitFor(`a binding from ${re}`, async () => {
    const bc = await ctlJson<Bc>(join(dir, 'ha.sock'), 'bc');
    return bc.bindings.find((b) => b.homeAddress === HOA && re.test(b.careOfAddress));
  }, 8000);
}

const v4Addresses = (ns: string): string => nsExec(ns, 'ip -4 -br addr show dev eth0');

test('dsmip6d MN with UseDhcp: care-of address from dnsmasq, registration, INIT-REBOOT, release at stop', async (t) => {
  if (!needRoot(t, ['ping', 'nft', 'dnsmasq'])) return;
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-e2e-'));
  try {
    await withNamespaces(['home', 'ha', 'mn'], async (ns) => {
      homeAndForeignLinks(ns);
      nsExec(ns.mn, 'ip link set eth0 down');
      nsExec(ns.mn, 'sysctl -qw net.ipv4.conf.all.rp_filter=2');
      const before = snapshotWith(ns.mn, ['eth0'], RP);
      const beforeHa = snapshotState(ns.ha, ['home0']);
      writeFileSync(join(dir, 'ha.conf'), haConf(dir, { dad: false }));
      writeFileSync(join(dir, 'mn.conf'), mnConf(dir, { interfaces: 'Interface "eth0" {\n  UseDhcp enabled;\n}' }));
      const dnsmasq = Dnsmasq.start(ns.ha, 'inet0', dir, '198.51.100.100,198.51.100.150,255.255.255.0,1h',
        '198.51.100.1');
      const ha = Daemon.start(ns.ha, join(dir, 'ha.conf'));
      const mn = Daemon.start(ns.mn, join(dir, 'mn.conf'));
      try {
        await Promise.all([ha.waitLog(/home agent running/), mn.waitLog(/mobile node running/), dnsmasq.ready()]);
        const t0 = Date.now();
        nsExec(ns.mn, 'ip link set eth0 up');
        const b = await bindingFrom(dir, /^198\.51\.100\.1\d\d$/);
        const tBinding = Date.now();
        assert.equal(b.encapsulation, 'ipv4');
        const coa = b.careOfAddress;
        assert.match(v4Addresses(ns.mn), new RegExp(`${coa.replace(/\./g, '\\.')}/24`));
        assert.match(nsExec(ns.mn, 'ip -4 route show default'), /default via 198\.51\.100\.1 dev eth0 .*metric 10\d\d/);
        assert.equal(dnsmasq.leases().length, 1, 'dnsmasq holds one lease');
        assert.ok(dnsmasq.leases()[0].includes(coa));
        ping(ns.ha, HOA);
        await mn.waitLog(/info {2}registered .*careOfAddress=198/);
        if (process.env.DSMIP6_E2E_LOGS) t.diagnostic(`--- HA ---\n${ha.log}\n--- MN ---\n${mn.log}`);
        const started = logLine(mn.log, /dhcp started/)!;
        const bound = logLine(mn.log, /dhcp bound/)!;
        const registered = logLine(mn.log, /info {2}registered .*careOfAddress=198/)!;
        assert.equal(logField(bound.line, 'via'), 'requesting');
        t.diagnostic(`link up -> DHCP bound: ${logField(bound.line, 'sinceStartMs')} ms after the link event `
          + `(${bound.at - t0} ms from the test's "ip link set up"); link up -> BA: ${registered.at - started.at} ms `
          + `(BU -> BA ${logField(registered.line, 'registrationMs')} ms); binding seen by polling after ${tBinding - t0} ms`);

        // Link down: the lease's address goes; link up: INIT-REBOOT gets the same address back.
        nsExec(ns.mn, 'ip link set eth0 down');
        await waitFor('the address removed at link down', async () => (v4Addresses(ns.mn).includes(coa) ? undefined : true));
        await mn.waitLog(/dhcp address removed .*reason=stopped/);
        const mark = mn.log.length;
        const t1 = Date.now();
        nsExec(ns.mn, 'ip link set eth0 up');
        await mn.waitLog(/dhcp bound .*via=rebooting/);
        const rebound = logLine(mn.log.slice(mark), /dhcp bound/)!;
        assert.equal(logField(rebound.line, 'address'), `${coa}/24`);
        await waitFor('registered again', async () => (/info {2}registered .*careOfAddress=198/.test(mn.log.slice(mark)) ? true : undefined));
        const again = logLine(mn.log.slice(mark), /info {2}registered .*careOfAddress=198/)!;
        t.diagnostic(`INIT-REBOOT: bound ${logField(rebound.line, 'sinceStartMs')} ms after the link event; `
          + `BA ${again.at - t1} ms after "ip link set up"`);
        ping(ns.ha, HOA);
        const stats = await ctlJson<{ dataPlane: { traffic: Record<string, { packets: number }> } }>(
          join(dir, 'mn.sock'), 'stats');
        const { 'dhcp-sent': sent, 'dhcp-received': received } = stats.dataPlane.traffic;
        assert.deepEqual([sent.packets, received.packets], [3, 3], 'DISCOVER, REQUEST, REQUEST (reboot); OFFER, ACK, ACK');

        await mn.stop();
        await mn.waitLog(/dhcp address removed .*reason=released/);
        await waitFor('DHCPRELEASE at dnsmasq', async () => (/DHCPRELEASE\(inet0\) 198\.51\.100\.1\d\d/.test(dnsmasq.log) ? true : undefined), 3000);
        await waitFor('dnsmasq forgets the lease', async () => (dnsmasq.leases().length === 0 ? true : undefined), 3000);
        assert.ok(!v4Addresses(ns.mn).includes(coa), 'the address is gone after stop');
      } finally {
        dnsmasq.kill();
        await stopAll(mn, ha);
      }
      nsExec(ns.mn, 'ip link set eth0 down'); // as it was before the test brought it up
      assert.deepStrictEqual(snapshotWith(ns.mn, ['eth0'], RP), before, 'the mobile node left state behind');
      assert.deepStrictEqual(snapshotState(ns.ha, ['home0']), beforeHa, 'the home agent left state behind');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
