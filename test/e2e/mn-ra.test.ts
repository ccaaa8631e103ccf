/**
 * Movement detection from Router Advertisements (RFC 6275 §11.5.1, §7.3, §11.5.4), with radvd:
 *
 *   [ha] inet0 ---- eth0  [mn]   link A 2001:db8:20::/64, radvd: Advertisement Interval option
 *   [ha] inet1 ---- wlan0 [mn]   link B 2001:db8:30::/64, radvd
 *   [ha] home0 ---- hl0 [home: bridge br0] hm0 ---- home1 [mn]   home link 2001:db8:1::/64, radvd
 *
 * The mobile node configures its care-of addresses by SLAAC from the RAs (the kernel's), and the
 * daemon listens to the same RAs.
 * 1. A router gone silent: link A's radvd is killed (SIGKILL: no final RA). Nothing changes for
 *    rtnetlink (carrier, address and default route stay), but after 3 Advertisement Intervals the
 *    mobile node treats the router as lost and registers from link B (preference 2).
 * 2. The home link from its RA alone: home1 has accept_ra 0 and no address, so no address can
 *    tell the node it is home; the home link's RA (home prefix on-link), which the node's Router
 *    Solicitation brings at once, does, and it deregisters.
 * 3. MnUseRouterAdvertisements disabled: no ICMPv6 socket, nothing heard, and a silent router goes
 *    unnoticed (rtnetlink alone sees nothing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { needRoot, nsExec, veth, withNamespaces } from '../runtime/netns.js';
import type { RouterEntryView, RoutersResult } from '../../src/api/views.js';
import { ctlJson, Daemon, stopAll, waitFor } from './daemon-harness.js';

const HOA = '2001:db8:1::100';

class Radvd {
  log = '';
  private constructor(readonly proc: ChildProcess) {
    proc.stderr?.on('data', (d: Buffer) => { this.log += d.toString(); });
    proc.stdout?.on('data', (d: Buffer) => { this.log += d.toString(); });
  }

  static start(ns: string, dir: string, name: string, conf: string): Radvd {
    const file = join(dir, `radvd-${name}.conf`);
    writeFileSync(file, conf);
    return new Radvd(spawn('ip', ['netns', 'exec', ns, 'radvd', '-n', '-m', 'stderr', '-d', '1', '-C', file,
      '-p', join(dir, `radvd-${name}.pid`), '-u', 'root'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}

/** radvd's smallest intervals without Mobile IPv6 options (MinRtrAdvInterval >= 3 s). */
const SLOW = '  MinRtrAdvInterval 3;\n  MaxRtrAdvInterval 10;';
/** RFC 6275 §7.5's fast RAs, with the Advertisement Interval option (RFC 6275 §7.3). */
const FAST = '  MinRtrAdvInterval 0.2;\n  MaxRtrAdvInterval 0.5;\n  AdvIntervalOpt on;\n  AdvHomeAgentFlag on;\n'
  + '  AdvDefaultLifetime 30;'; // not radvd's 3 x MaxRtrAdvInterval (1 s): the interval must decide

function radvdConf(ifname: string, prefix: string, extra: string): string {
  return `interface ${ifname} {
  AdvSendAdvert on;
${extra}
  prefix ${prefix} { AdvOnLink on; AdvAutonomous on; };
};
`;
}

function haConf(dir: string): string {
  return `NodeConfig HA;
Interface "home0";
HaDad disabled;
DefaultBindingAclPolicy allow;
ControlSocket "${dir}/ha.sock";
StateDirectory "${dir}/ha-state";
`;
}

function mnConf(dir: string, interfaces: readonly [string, number][], extra = ''): string {
  return `NodeConfig MN;
${interfaces.map(([name, pref]) => `Interface "${name}" { MnIfPreference ${pref}; }`).join('\n')}
MnHomeLink "home1" {
  HomeAgentAddress 2001:db8:1::1;
  HomeAddress ${HOA}/64;
}
ControlSocket "${dir}/mn.sock";
StateDirectory "${dir}/mn-state";
${extra}`;
}

interface Bul { entries: { state: string; atHome: boolean; homeInterface: string | null; careOfAddress: string | null }[] }
interface Bc { bindings: { homeAddress: string; careOfAddress: string }[] }
interface Stats { dataPlane: { traffic: Record<string, { packets: number }>; droppedByReason: Record<string, number> } }

const bul = async (dir: string): Promise<Bul['entries'][number]> => (await ctlJson<Bul>(join(dir, 'mn.sock'), 'bul')).entries[0];
const bindings = async (dir: string): Promise<Bc['bindings']> => (await ctlJson<Bc>(join(dir, 'ha.sock'), 'bc')).bindings;
const stats = async (dir: string): Promise<Stats> => ctlJson<Stats>(join(dir, 'mn.sock'), 'stats');
const routers = async (dir: string): Promise<RoutersResult> => ctlJson<RoutersResult>(join(dir, 'mn.sock'), 'routers');
const routersOn = async (dir: string, ifname: string): Promise<readonly RouterEntryView[]> =>
  (await routers(dir)).interfaces.find((i) => i.name === ifname)?.routers ?? [];

/**
 * Raw ICMPv6 sockets open in `ns` (/proc/net/raw6 shows a raw socket's protocol as its port): the
 * daemon's ICMPv6 error socket (daemon-base.ts), plus one per interface listening for RAs.
 */
function icmp6RawSockets(ns: string): number {
  return nsExec(ns, 'cat /proc/net/raw6').split('\n').filter((l) => /^\s*\d+: [0-9A-F]{32}:003A /.test(l)).length;
}

/** The SLAAC address of `prefix` on `ifname`, once DAD is done. */
async function slaac(ns: string, ifname: string, prefix: string): Promise<string> {
  return waitFor(`a SLAAC address on ${ifname}`, async () => {
    const out = nsExec(ns, `ip -6 addr show dev ${ifname} scope global`);
    if (/tentative/.test(out)) return undefined;
    return new RegExp(`inet6 (${prefix}[0-9a-f:]+)/64`).exec(out)?.[1];
  });
}

function haTopology(ns: Record<string, string>): void {
  veth(ns.ha, ns.mn, 'inet0', 'eth0', ['2001:db8:20::1/64'], []);
  veth(ns.ha, ns.mn, 'inet1', 'wlan0', ['2001:db8:30::1/64'], []);
}

/** Runs `body` in namespaces `names` with a temporary directory; the radvds it starts are killed after. */
async function withRadvds(names: readonly string[],
  body: (ns: Record<string, string>, dir: string, radvds: Radvd[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-e2e-'));
  const radvds: Radvd[] = [];
  try {
    await withNamespaces(names, (ns) => body(ns, dir, radvds));
  } finally {
    for (const r of radvds) r.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Links A (eth0, fast RAs from radvd `a`) and B (wlan0, slow RAs) and a home0 with no home link
 * behind it; returns radvd `a` and the two SLAAC care-of addresses.
 */
async function twoForeignLinks(ns: Record<string, string>, dir: string, radvds: Radvd[]):
Promise<{ a: Radvd; coaA: string; coaB: string }> {
  haTopology(ns);
  nsExec(ns.ha, 'ip link add home0 type veth peer name home0p'); // no dummy module here
  nsExec(ns.ha, 'ip addr add 2001:db8:1::1/64 dev home0');
  nsExec(ns.ha, 'ip link set home0p up');
  nsExec(ns.ha, 'ip link set home0 up');
  const a = Radvd.start(ns.ha, dir, 'a', radvdConf('inet0', '2001:db8:20::/64', FAST));
  radvds.push(a, Radvd.start(ns.ha, dir, 'b', radvdConf('inet1', '2001:db8:30::/64', SLOW)));
  const coaA = await slaac(ns.mn, 'eth0', '2001:db8:20:');
  const coaB = await slaac(ns.mn, 'wlan0', '2001:db8:30:');
  return { a, coaA, coaB };
}

/** The home agent and the mobile node (configuration `mnText`); `body` once the home agent runs. */
async function withDaemons(ns: Record<string, string>, dir: string, mnText: string,
  body: (mn: Daemon) => Promise<void>): Promise<void> {
  writeFileSync(join(dir, 'ha.conf'), haConf(dir));
  writeFileSync(join(dir, 'mn.conf'), mnText);
  const ha = Daemon.start(ns.ha, join(dir, 'ha.conf'));
  const mn = Daemon.start(ns.mn, join(dir, 'mn.conf'));
  try {
    await ha.waitLog(/home agent running/);
    await body(mn);
  } finally {
    await stopAll(mn, ha);
  }
}

test('dsmip6d MN: a router silent for 3 Advertisement Intervals is lost; the node moves to its other link', async (t) => {
  if (!needRoot(t, ['radvd'])) return;
  await withRadvds(['ha', 'mn'], async (ns, dir, radvds) => {
    const { a, coaA, coaB } = await twoForeignLinks(ns, dir, radvds);
    await withDaemons(ns, dir, mnConf(dir, [['eth0', 1], ['wlan0', 2]]), async (mn) => {
      // Link A (preference 1) wins; under load the first RA may come from B, so a binding from B
      // may come first for a moment — what is tested here is the move after A falls silent.
      const first = await waitFor('a binding', async () => (await bindings(dir)).find((x) => x.homeAddress === HOA));
      if (first.careOfAddress !== coaA) t.diagnostic(`first binding from ${first.careOfAddress}`);
      await waitFor('the binding from link A (preference 1)', async () =>
        (await bindings(dir)).find((x) => x.homeAddress === HOA && x.careOfAddress === coaA));
      await waitFor('RAs heard', async () => ((await stats(dir)).dataPlane.traffic['router-advertisements']?.packets > 2
        ? true : undefined));
      const heard = (await routersOn(dir, 'eth0'))[0];
      assert.deepEqual([heard?.state, heard?.advertisementIntervalMs, heard?.prefixes, heard?.address.startsWith('fe80:')],
        ['usable', 500, ['2001:db8:20::/64'], true], JSON.stringify(heard));
      assert.equal(icmp6RawSockets(ns.mn), 1 + 2, 'the error socket and one RA socket per interface');

      const tSilent = Date.now();
      a.kill();
      const moved = await waitFor('the binding to move to link B',
        async () => (await bindings(dir)).find((x) => x.homeAddress === HOA && x.careOfAddress === coaB));
      t.diagnostic(`router silent -> binding on link B at the HA: ${Date.now() - tSilent} ms`);
      assert.equal(moved.careOfAddress, coaB);
      const now = await bul(dir);
      assert.deepEqual([now.state, now.careOfAddress], ['registered', coaB]);
      // rtnetlink alone saw nothing: link A still has carrier, its address and its default route.
      assert.match(nsExec(ns.mn, 'ip -br link show dev eth0'), / UP /);
      assert.match(nsExec(ns.mn, 'ip -6 addr show dev eth0 scope global'), new RegExp(coaA));
      assert.match(nsExec(ns.mn, 'ip -6 route show default'), /dev eth0/);
      assert.match(mn.log, /care-of-changed ifname=wlan0/);
      assert.equal((await stats(dir)).dataPlane.droppedByReason['router-advertisement-invalid'], 0);
      const lost = await routers(dir);
      assert.deepEqual((await routersOn(dir, 'eth0')).map((r) => [r.address, r.state]), [[heard.address, 'lost']]);
      assert.deepEqual([lost.routersLost, lost.interfaces.find((i) => i.name === 'eth0')?.withdrawnPrefixes],
        [1, ['2001:db8:20::/64']]);
    });
  });
});

test('dsmip6d MN: the home link is recognised from its RA alone (no home-prefix address) and deregisters', async (t) => {
  if (!needRoot(t, ['radvd'])) return;
  await withRadvds(['home', 'ha', 'mn'], async (ns, dir, radvds) => {
    haTopology(ns);
    veth(ns.ha, ns.home, 'home0', 'hl0', ['2001:db8:1::1/64'], []);
    nsExec(ns.ha, 'sysctl -q -w net.ipv6.conf.home0.accept_ra=0'); // the home agent's own RAs
    veth(ns.home, ns.mn, 'hm0', 'home1', [], []);
    nsExec(ns.mn, 'sysctl -q -w net.ipv6.conf.home1.accept_ra=0');
    for (const c of ['ip link add br0 type bridge', 'ip link set hl0 master br0', 'ip link set hm0 master br0',
      'ip link set br0 up', 'ip link set hm0 down']) nsExec(ns.home, c);
    radvds.push(Radvd.start(ns.ha, dir, 'a', radvdConf('inet0', '2001:db8:20::/64', SLOW)));
    // Unsolicited RAs 20-30 s apart: the node hears the home link within the test's 10 s only
    // because it solicits when the link comes up (the kernel does not: accept_ra is 0).
    radvds.push(Radvd.start(ns.ha, dir, 'home', radvdConf('home0', '2001:db8:1::/64',
      '  MinRtrAdvInterval 20;\n  MaxRtrAdvInterval 30;')));
    const coaA = await slaac(ns.mn, 'eth0', '2001:db8:20:');
    await withDaemons(ns, dir, mnConf(dir, [['home1', 1], ['eth0', 2]]), async (mn) => {
      const b = await waitFor('a binding', async () => (await bindings(dir)).find((x) => x.homeAddress === HOA));
      assert.equal(b.careOfAddress, coaA);

      const tBack = Date.now();
      nsExec(ns.home, 'ip link set hm0 up');
      await mn.waitLog(/at-home ifname=home1/);
      await waitFor('the binding to go', async () => ((await bindings(dir)).length === 0 ? true : undefined));
      await mn.waitLog(/deregistered/);
      t.diagnostic(`home link up -> deregistered: ${Date.now() - tBack} ms`);
      const home = await bul(dir);
      assert.deepEqual([home.state, home.atHome, home.homeInterface], ['at-home', true, 'home1']);
      const global = [...nsExec(ns.mn, 'ip -6 addr show dev home1 scope global').matchAll(/inet6 (\S+)/g)].map((m) => m[1]);
      assert.deepEqual(global, [`${HOA}/64`], 'only the home address: the RA alone told the node it was home');
    });
  });
});

test('dsmip6d MN: MnUseRouterAdvertisements disabled: no RA socket, a silent router goes unnoticed', async (t) => {
  if (!needRoot(t, ['radvd'])) return;
  await withRadvds(['ha', 'mn'], async (ns, dir, radvds) => {
    const { a, coaA } = await twoForeignLinks(ns, dir, radvds);
    const mnText = mnConf(dir, [['eth0', 1], ['wlan0', 2]], 'MnUseRouterAdvertisements disabled;\n');
    await withDaemons(ns, dir, mnText, async (mn) => {
      await mn.waitLog(/MnUseRouterAdvertisements disabled/);
      await waitFor('the binding from link A (preference 1)', async () =>
        (await bindings(dir)).find((x) => x.homeAddress === HOA && x.careOfAddress === coaA));
      assert.equal(icmp6RawSockets(ns.mn), 1, 'the error socket only: no RA socket');
      // At start the daemon may take wlan0 for a moment, before eth0's address is there: only what
      // follows the router's silence counts.
      const before = mn.log.length;
      a.kill();
      await new Promise((r) => setTimeout(r, 3000)); // 6 Advertisement Intervals of 500 ms
      const r = await routers(dir);
      assert.deepEqual([r.enabled, r.routerAdvertisements, r.interfaces.flatMap((i) => i.routers)], [false, 0, []]);
      assert.equal((await stats(dir)).dataPlane.traffic['router-advertisements'], undefined);
      assert.deepEqual((await bindings(dir)).map((x) => x.careOfAddress), [coaA], 'still on link A: rtnetlink saw nothing');
      assert.doesNotMatch(mn.log.slice(before), /care-of-changed ifname=wlan0/);
    });
  });
});
