/**
 * Booting at home, leaving, and returning home (RFC 6275 §11.5.4):
 *
 *   [ha] home0 ---- hl0 [home: bridge br0] hm0 ---- home1 [mn]
 *   [ha] inet0 ------------------------------------ eth0  [mn]
 *   home link 2001:db8:1::/64, 192.0.2.0/24; foreign link 2001:db8:20::/64, 198.51.100.0/24
 *
 * The node boots on the home link with its home address configured statically on home1 (and a
 * second home-prefix address, standing in for the one SLAAC would give, that tells it it is home
 * again later). At home: bul state at-home, no binding, no tunnel, and the home agent reaches the
 * home address natively. Leaving (the home link's carrier goes) registers from the IPv6 care-of
 * address on eth0 (the home-prefix route left on the carrier-less home1 must not catch the BU).
 * While away the home agent defends the home address with userspace proxy ND (no kernel proxy
 * entry; test/e2e/ha-neighbour.test.ts checks the answers). Returning deregisters: the binding
 * goes, and the home address works natively again. Stopping leaves both namespaces as they
 * were, the statically configured home address included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { needRoot, nsExec, veth, withNamespaces } from '../runtime/netns.js';
import {
  ctlJson, Daemon, HOA, haConf, logLine, mnConf, snapshotState, snapshotWith, stopAll, waitFor,
} from './daemon-harness.js';

const LINKDOWN = ['home1', 'eth0'].flatMap((i) => [4, 6].map((v) => `net/ipv${v}/conf/${i}/ignore_routes_with_linkdown`));

function topology(ns: Record<string, string>): void {
  veth(ns.ha, ns.home, 'home0', 'hl0', ['2001:db8:1::1/64', '192.0.2.1/24'], []);
  veth(ns.home, ns.mn, 'hm0', 'home1', [], [`${HOA}/64`, '2001:db8:1::101/64']);
  nsExec(ns.home, 'ip link add br0 type bridge');
  nsExec(ns.home, 'ip link set hl0 master br0');
  nsExec(ns.home, 'ip link set hm0 master br0');
  nsExec(ns.home, 'ip link set br0 up');
  veth(ns.ha, ns.mn, 'inet0', 'eth0', ['2001:db8:20::1/64', '198.51.100.1/24'], ['2001:db8:20::5/64', '198.51.100.5/24']);
  nsExec(ns.mn, 'ip route add default via 198.51.100.1');
  nsExec(ns.mn, 'ip -6 route add default via 2001:db8:20::1');
}

interface Bul { entries: { state: string; atHome: boolean; homeInterface: string | null; careOfAddress: string | null }[] }
interface Bc { bindings: { homeAddress: string; careOfAddress: string; encapsulation: string }[] }

const bul = async (dir: string): Promise<Bul['entries'][number]> => (await ctlJson<Bul>(join(dir, 'mn.sock'), 'bul')).entries[0];
const bindings = async (dir: string): Promise<Bc['bindings']> => (await ctlJson<Bc>(join(dir, 'ha.sock'), 'bc')).bindings;
const proxies = (ha: string): string => nsExec(ha, 'ip -6 neigh show proxy');

/**
 * The mobile node's state with each interface's addresses sorted: the static home address the
 * daemon moved to the TUN and put back at stop is listed in another place than before (the kernel
 * lists an interface's addresses newest first).
 */
function mnState(mn: string): Record<string, string> {
  const s = snapshotWith(mn, ['home1', 'eth0'], LINKDOWN);
  const sortLine = (l: string): string => {
    const [name, state, ...addrs] = l.trim().split(/\s+/);
    return [name, state, ...addrs.sort()].join(' ');
  };
  return { ...s, addresses: s.addresses.split('\n').map(sortLine).join('\n') };
}

async function carrier(ns: string, ifname: string): Promise<void> {
  await waitFor(`carrier on ${ifname}`, async () => (/ UP /.test(nsExec(ns, `ip -br link show dev ${ifname}`)) ? true : undefined));
}

/** The home agent pings the home address; returns the device its route uses. */
function pingFromHa(ha: string): string {
  const out = nsExec(ha, `ping -6 -c 2 -i 0.2 -W 2 ${HOA}`);
  assert.match(out, / 0% packet loss/, out);
  return / dev (\S+)/.exec(nsExec(ha, `ip -6 route get ${HOA}`))?.[1] ?? '?';
}

test('dsmip6d MN: boots at home, registers when it leaves, deregisters when it returns', async (t) => {
  if (!needRoot(t, ['ping', 'nft'])) return;
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-e2e-'));
  try {
    await withNamespaces(['home', 'ha', 'mn'], async (ns) => {
      topology(ns);
      await carrier(ns.mn, 'home1');
      await carrier(ns.mn, 'eth0');
      const before = { ha: snapshotState(ns.ha, ['home0']), mn: mnState(ns.mn) };
      writeFileSync(join(dir, 'ha.conf'), haConf(dir, { dad: false }));
      writeFileSync(join(dir, 'mn.conf'), mnConf(dir, { interfaces: 'Interface "home1";\nInterface "eth0";', homeLink: 'home1' }));
      const ha = Daemon.start(ns.ha, join(dir, 'ha.conf'));
      const mn = Daemon.start(ns.mn, join(dir, 'mn.conf'));
      try {
        // The node can log at-home before its control socket is open: wait for both.
        await Promise.all([
          ha.waitLog(/home agent running/), mn.waitLog(/at-home ifname=home1/), mn.waitLog(/mobile node running/),
        ]);
        const home = await bul(dir);
        assert.deepEqual([home.state, home.atHome, home.homeInterface], ['at-home', true, 'home1']);
        assert.deepEqual(await bindings(dir), []);
        assert.equal(pingFromHa(ns.ha), 'home0', 'at home: native');

        const tAway = Date.now();
        nsExec(ns.home, 'ip link set hm0 down');
        const b = await waitFor('a binding', async () => (await bindings(dir)).find((x) => x.homeAddress === HOA));
        t.diagnostic(`leaving home -> binding seen at the HA: ${Date.now() - tAway} ms`);
        assert.deepEqual([b.careOfAddress, b.encapsulation], ['2001:db8:20::5', 'ipv6']);
        assert.match(ha.log, /proxy ND in userspace/);
        assert.doesNotMatch(proxies(ns.ha), new RegExp(HOA), 'no kernel proxy entry');
        assert.equal(pingFromHa(ns.ha), 'dsmip6ha', 'away: through the tunnel');
        assert.doesNotMatch(nsExec(ns.mn, 'ip -6 -br addr show dev home1'), new RegExp(HOA), 'not on home1 while away');
        assert.match(nsExec(ns.mn, 'ip -6 -br addr show dev dsmip6mn'), new RegExp(`${HOA}/128`));

        const mark = mn.log.length;
        const tBack = Date.now();
        nsExec(ns.home, 'ip link set hm0 up');
        await waitFor('the binding to go', async () => ((await bindings(dir)).length === 0 ? true : undefined));
        await mn.waitLog(/deregistered/);
        const dereg = logLine(mn.log.slice(mark), /info {2}deregistered/)!;
        t.diagnostic(`returning home -> deregistered: ${dereg.at - tBack} ms`);
        assert.doesNotMatch(proxies(ns.ha), new RegExp(HOA), 'no kernel proxy entry');
        const back = await bul(dir);
        assert.deepEqual([back.state, back.atHome, back.homeInterface], ['at-home', true, 'home1']);
        assert.match(nsExec(ns.mn, 'ip -6 -br addr show dev home1'), new RegExp(`${HOA}/64`));
        assert.equal(pingFromHa(ns.ha), 'home0', 'home again: native');
      } finally {
        await stopAll(mn, ha);
      }
      assert.deepStrictEqual(snapshotState(ns.ha, ['home0']), before.ha, 'the home agent left state behind');
      assert.deepStrictEqual(mnState(ns.mn), before.mn, 'the mobile node left state behind');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
