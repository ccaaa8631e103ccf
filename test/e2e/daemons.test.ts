/**
 * The daemons end to end on the real kernel (issue: Linux runtime). Three namespaces:
 *
 *   [home] hl0 ---- home0 [ha] inet0 ---- eth0 [mn]
 *   home link 2001:db8:1::/64,     foreign link 2001:db8:20::/64, 198.51.100.0/24
 *   192.0.2.0/24 (HA .1 / ::1)
 *
 * dsmip6d runs as a home agent in `ha` and as a mobile node in `mn`, from configuration files.
 * The HA namespace is also the correspondent: it pings and opens TCP connections to the mobile
 * node's IPv6 and IPv4 home addresses, with the node on an IPv6 care-of address, on an IPv4
 * care-of address (IPv6-in-IPv4), and with UDP encapsulation forced (F flag). Then both daemons
 * stop, and every address, route, rule, proxy neighbour, nftables table and touched sysctl must be
 * as before. A second test kills the home agent with SIGKILL and checks that the next start
 * cleans up what it left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { needRoot, nsExec, sh, withNamespaces } from '../runtime/netns.js';
import {
  Daemon, HOA, ctlJson, haConf, homeAndForeignLinks, mnConf, ping, snapshotState, tcpEcho, waitFor,
} from './daemon-harness.js';

function useIpv6CareOf(mn: string, on: boolean): void {
  if (!on) nsExec(mn, 'ip -6 route del default via 2001:db8:20::1 dev eth0');
  nsExec(mn, `ip addr ${on ? 'add' : 'del'} 2001:db8:20::5/64 dev eth0${on ? ' nodad' : ''}`);
  if (on) nsExec(mn, 'ip -6 route add default via 2001:db8:20::1 dev eth0');
}

function useIpv4CareOf(mn: string, on: boolean): void {
  nsExec(mn, `ip addr ${on ? 'add' : 'del'} 198.51.100.5/24 dev eth0`);
  if (on) nsExec(mn, 'ip route add default via 198.51.100.1');
}

interface Bc { bindings: { homeAddress: string; careOfAddress: string; encapsulation: string; ipv4HomeAddress: string | null }[] }

async function binding(dir: string, careOf: string): Promise<Bc['bindings'][number]> {
  return waitFor(`a binding from ${careOf}`, async () => {
    const bc = await ctlJson<Bc>(join(dir, 'ha.sock'), 'bc');
    return bc.bindings.find((b) => b.homeAddress === HOA && b.careOfAddress === careOf && b.ipv4HomeAddress !== null);
  });
}

test('dsmip6d HA + MN: ping and TCP to both home addresses over IPv6, IPv4 and UDP care-of addresses; clean stop', async (t) => {
  if (!needRoot(t, ['ping', 'nft'])) return;
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-e2e-'));
  try {
    await withNamespaces(['home', 'ha', 'mn'], async (ns) => {
      homeAndForeignLinks(ns);
      const before = { ha: snapshotState(ns.ha, ['home0']), mn: snapshotState(ns.mn, ['eth0']) };
      writeFileSync(join(dir, 'ha.conf'), haConf(dir, { ipv4Pool: true }));
      writeFileSync(join(dir, 'mn.conf'), mnConf(dir, { ipv4Traffic: true }));
      writeFileSync(join(dir, 'mn-udp.conf'), mnConf(dir, { ipv4Traffic: true, forceUdp: true }));
      const ha = Daemon.start(ns.ha, join(dir, 'ha.conf'));
      let mn = Daemon.start(ns.mn, join(dir, 'mn.conf'));
      try {
        await ha.waitLog(/home agent running/);
        useIpv6CareOf(ns.mn, true);
        let b = await binding(dir, '2001:db8:20::5');
        assert.equal(b.encapsulation, 'ipv6');
        const v4hoa = b.ipv4HomeAddress!;
        assert.equal(v4hoa, '192.0.2.129', 'dynamic IPv4 home address from the pool');
        ping(ns.ha, HOA);
        ping(ns.ha, v4hoa);
        await tcpEcho(ns.ha, ns.mn, HOA, 200_000);
        useIpv6CareOf(ns.mn, false);
        useIpv4CareOf(ns.mn, true);
        b = await binding(dir, '198.51.100.5');
        assert.equal(b.encapsulation, 'ipv4');
        ping(ns.ha, HOA);
        ping(ns.ha, v4hoa);
        await tcpEcho(ns.ha, ns.mn, v4hoa, 200_000);
        await mn.stop();
        mn = Daemon.start(ns.mn, join(dir, 'mn-udp.conf'));
        b = await waitFor('a UDP binding', async () => {
          const bc = await ctlJson<Bc>(join(dir, 'ha.sock'), 'bc');
          return bc.bindings.find((x) => x.encapsulation === 'udp4' && x.ipv4HomeAddress !== null);
        });
        ping(ns.ha, HOA);
        ping(ns.ha, b.ipv4HomeAddress!);
        await tcpEcho(ns.ha, ns.mn, HOA, 200_000);
      } finally {
        await mn.stop();
        await ha.stop();
      }
      useIpv4CareOf(ns.mn, false);
      assert.deepStrictEqual(snapshotState(ns.ha, ['home0']), before.ha, 'the home agent left state behind');
      assert.deepStrictEqual(snapshotState(ns.mn, ['eth0']), before.mn, 'the mobile node left state behind');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    sh(`pkill -KILL -f "dsmip6d[.]js -c ${dir}/" || true`);
  }
});

test('dsmip6d HA killed with SIGKILL: the next start cleans up what it left', async (t) => {
  if (!needRoot(t, ['nft'])) return;
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-e2e-'));
  try {
    await withNamespaces(['home', 'ha', 'mn'], async (ns) => {
      homeAndForeignLinks(ns);
      const before = snapshotState(ns.ha, ['home0']);
      writeFileSync(join(dir, 'ha.conf'), haConf(dir, { ipv4Pool: true }));
      writeFileSync(join(dir, 'mn.conf'), mnConf(dir, { ipv4Traffic: true }));
      const ha = Daemon.start(ns.ha, join(dir, 'ha.conf'));
      const mn = Daemon.start(ns.mn, join(dir, 'mn.conf'));
      await ha.waitLog(/home agent running/);
      useIpv6CareOf(ns.mn, true);
      await binding(dir, '2001:db8:20::5');
      await mn.stop();
      ha.kill();
      const left = snapshotState(ns.ha, ['home0']);
      assert.notDeepStrictEqual(left, before, 'SIGKILL leaves state (sysctls, nft table, proxy ND)');
      const again = Daemon.start(ns.ha, join(dir, 'ha.conf'));
      await again.waitLog(/cleaned up after a previous run/);
      await again.stop();
      assert.deepStrictEqual(snapshotState(ns.ha, ['home0']), before);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    sh(`pkill -KILL -f "dsmip6d[.]js -c ${dir}/" || true`);
  }
});

test('dsmip6d HA with an IPv4 pool off the home subnet: one route for the pool, none per binding, no proxy ARP', async (t) => {
  if (!needRoot(t, ['ping', 'nft'])) return;
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-e2e-'));
  try {
    await withNamespaces(['home', 'ha', 'mn'], async (ns) => {
      homeAndForeignLinks(ns, ['192.0.2.2/24']);
      const before = snapshotState(ns.ha, ['home0']);
      writeFileSync(join(dir, 'ha.conf'), haConf(dir, { ipv4Pool: '10.99.0.0/24' }));
      writeFileSync(join(dir, 'mn.conf'), mnConf(dir, { ipv4Traffic: true }));
      const ha = Daemon.start(ns.ha, join(dir, 'ha.conf'));
      const mn = Daemon.start(ns.mn, join(dir, 'mn.conf'));
      try {
        await ha.waitLog(/home agent running/);
        assert.match(ha.log, /IPv4 pools routed into the TUN/);
        useIpv4CareOf(ns.mn, true);
        const b = await binding(dir, '198.51.100.5');
        assert.equal(b.ipv4HomeAddress, '10.99.0.1', 'dynamic IPv4 home address from the off-link pool');
        const routes = nsExec(ns.ha, 'ip -4 route show dev dsmip6ha');
        assert.match(routes, /^10\.99\.0\.0\/24 /m, routes);
        assert.doesNotMatch(routes, /10\.99\.0\.1 /, 'no per-binding /32 under the pool route');
        assert.equal(nsExec(ns.ha, 'ip -4 neigh show proxy').trim(), '', 'no proxy ARP for an off-link pool');
        // A correspondent on the home link reaches the pool through the home agent.
        nsExec(ns.home, 'ip route add 10.99.0.0/24 via 192.0.2.1');
        ping(ns.home, '10.99.0.1');
        await tcpEcho(ns.ha, ns.mn, '10.99.0.1', 200_000);
        // An address of the pool that no binding holds goes nowhere: dropped by the home agent.
        const out = nsExec(ns.home, 'ping -c 2 -i 0.2 -W 1 10.99.0.77 || true');
        assert.match(out, / 100% packet loss/, out);
        const stats = await ctlJson<{ dataPlane: { droppedByReason: Record<string, number> } }>(
          join(dir, 'ha.sock'), 'stats');
        const dropped = stats.dataPlane.droppedByReason;
        assert.ok((dropped['no-binding'] ?? 0) >= 2, JSON.stringify(dropped));
      } finally {
        await mn.stop();
        await ha.stop();
      }
      useIpv4CareOf(ns.mn, false);
      assert.deepStrictEqual(snapshotState(ns.ha, ['home0']), before, 'the home agent left state behind');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    sh(`pkill -KILL -f "dsmip6d[.]js -c ${dir}/" || true`);
  }
});
