/**
 * The home agent's home-link neighbour work end to end (root only), dsmip6d in namespaces:
 *
 *   [home] hl0 ---- home0 [ha] inet0 ---- eth0 [mn]
 *   home link 2001:db8:1::/64, 192.0.2.0/24 (HA ::1 / .1, the neighbour ::2 / .2)
 *
 * (a) The neighbour owns the mobile node's home address: the home agent's DAD hears its NA and
 *     rejects the BU with status 134; once the address is gone, DAD finds no duplicate and the
 *     binding is accepted.
 * (b) The neighbour has the home address cached with the mobile node's own MAC: when the
 *     binding starts, the unsolicited NA moves the entry to the home agent's MAC with no traffic
 *     at all; pinging the home address from the neighbour then works through the tunnel.
 * (c) The same for the IPv4 home address and the neighbour's ARP cache (gratuitous ARP).
 * (d) Userspace proxy ND: the home agent keeps no kernel proxy entry for the home address; a
 *     neighbour with nothing cached (flushed after the announcements) resolves the home address
 *     to the home agent's MAC by a Neighbor Solicitation the home agent answers from its packet
 *     socket, and pings it through the tunnel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { needRoot, nsExec, withNamespaces } from '../runtime/netns.js';
import { Daemon, HOA, ctlJson, haConf, homeAndForeignLinks, mnConf, ping, waitFor } from './daemon-harness.js';

const MN_OLD_MAC = '02:00:5e:00:53:99';

interface Bc { bindings: { homeAddress: string; ipv4HomeAddress: string | null }[] }

/** Namespaces, configuration files and both daemons; everything is removed after `body`. */
async function withDaemons(
  before: (ns: Record<string, string>) => void,
  body: (ns: Record<string, string>, d: { ha: Daemon; mn: Daemon; dir: string }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-hn-'));
  try {
    await withNamespaces(['home', 'ha', 'mn'], async (ns) => {
      homeAndForeignLinks(ns, ['2001:db8:1::2/64', '192.0.2.2/24']);
      before(ns);
      writeFileSync(join(dir, 'ha.conf'), haConf(dir, { ipv4Pool: true }));
      writeFileSync(join(dir, 'mn.conf'), mnConf(dir, { ipv4Traffic: true }));
      const daemons: Daemon[] = [];
      try {
        const ha = Daemon.start(ns.ha, join(dir, 'ha.conf'));
        daemons.push(ha);
        await ha.waitLog(/home agent running/);
        const mn = Daemon.start(ns.mn, join(dir, 'mn.conf'));
        daemons.push(mn);
        nsExec(ns.mn, 'ip addr add 2001:db8:20::5/64 dev eth0 nodad');
        nsExec(ns.mn, 'ip -6 route add default via 2001:db8:20::1 dev eth0');
        await body(ns, { ha, mn, dir });
        for (const d of daemons.reverse()) await d.stop();
      } finally {
        for (const d of daemons) d.kill(); // by pid; a no-op once stopped
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function binding(dir: string): Promise<Bc['bindings'][number]> {
  return waitFor('a binding with an IPv4 home address', async () => {
    const bc = await ctlJson<Bc>(join(dir, 'ha.sock'), 'bc');
    return bc.bindings.find((b) => b.homeAddress === HOA && b.ipv4HomeAddress !== null);
  }, 15_000);
}

function macOf(ns: string, ifname: string): string {
  return nsExec(ns, `ip -br link show ${ifname}`).split(/\s+/)[2];
}

test('dsmip6d HA: DAD on the home link rejects a BU with 134 while a neighbour owns the home address', async (t) => {
  if (!needRoot(t, ['ping', 'nft'])) return;
  await withDaemons((ns) => nsExec(ns.home, `ip addr add ${HOA}/64 dev hl0 nodad`), async (ns, d) => {
    await d.ha.waitLog(/binding-rejected .*status=134/);
    await d.mn.waitLog(/registration-failed .*status=134/);
    const bc = await ctlJson<Bc>(join(d.dir, 'ha.sock'), 'bc');
    assert.deepEqual(bc.bindings, []);
    assert.doesNotMatch(d.ha.log, /DAD not performed/);
    nsExec(ns.home, `ip addr del ${HOA}/64 dev hl0`);
    const started = Date.now();
    await binding(d.dir);
    t.diagnostic(`accepted ${Date.now() - started} ms after the address left the home link`);
    assert.match(d.ha.log, new RegExp(`DAD: no duplicate on the home link address=${HOA}`));
  });
});

test('dsmip6d HA: neighbours move to the home agent\'s MAC for both home addresses (NA, gratuitous ARP)', async (t) => {
  if (!needRoot(t, ['ping', 'nft'])) return;
  const stale = (ns: Record<string, string>, address: string): void => {
    nsExec(ns.home, `ip neigh replace ${address} lladdr ${MN_OLD_MAC} dev hl0 nud stale`);
  };
  await withDaemons((ns) => { stale(ns, HOA); stale(ns, '192.0.2.129'); }, async (ns, d) => {
    const haMac = macOf(ns.ha, 'home0');
    const b = await binding(d.dir);
    assert.equal(b.ipv4HomeAddress, '192.0.2.129');
    for (const address of [HOA, '192.0.2.129']) {
      // No traffic from the neighbour yet: only the announcements can have changed its cache.
      await waitFor(`the neighbour's entry for ${address}`, async () =>
        (nsExec(ns.home, `ip neigh show ${address} dev hl0`).includes(`lladdr ${haMac}`) ? true : undefined),
      3000).catch((e: Error) => {
        throw new Error(`${e.message}: ${nsExec(ns.home, 'ip neigh show dev hl0')}\n${d.ha.log}`);
      });
    }
    for (const address of [HOA, '192.0.2.129']) {
      ping(ns.home, address);
      const entry = nsExec(ns.home, `ip neigh show ${address} dev hl0`);
      assert.match(entry, new RegExp(`lladdr ${haMac} (REACHABLE|STALE|DELAY)`), entry);
    }
  });
});

test('dsmip6d HA: a neighbour resolves the home address to the home agent\'s MAC through userspace proxy ND', async (t) => {
  if (!needRoot(t, ['ping', 'nft'])) return;
  await withDaemons(() => undefined, async (ns, d) => {
    const haMac = macOf(ns.ha, 'home0');
    await binding(d.dir);
    assert.match(d.ha.log, /proxy ND in userspace/);
    assert.doesNotMatch(nsExec(ns.ha, 'ip -6 neigh show proxy dev home0'), new RegExp(HOA));
    // Past the unsolicited NAs (3 rounds, RetransTimer apart): only a solicitation can teach it now.
    await new Promise((r) => setTimeout(r, 2500));
    nsExec(ns.home, 'ip -6 neigh flush dev hl0');
    assert.doesNotMatch(nsExec(ns.home, `ip -6 neigh show ${HOA} dev hl0`), /lladdr/);
    ping(ns.home, HOA);
    const entry = nsExec(ns.home, `ip -6 neigh show ${HOA} dev hl0`);
    assert.match(entry, new RegExp(`lladdr ${haMac} (REACHABLE|STALE|DELAY)`), entry);
  });
});
