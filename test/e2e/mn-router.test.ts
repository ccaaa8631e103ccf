/**
 * dsmip6d as a mobile router (RFC 3963 explicit mode, RFC 5555 IPv4 mobile network prefix) with a
 * mobile network node behind it:
 *
 *   [home] hl0 ---- home0 [ha] inet0 ---- eth0 [mr] mnn0 ---- eth0 [mnn]
 *   home link 2001:db8:1::/64,   foreign 2001:db8:20::/64,   MNPs 2001:db8:2::/64, 10.50.0.0/24
 *   192.0.2.0/24                 198.51.100.0/24
 *
 * The home agent accepts mobile routers and authorises the prefixes by BindingAclPolicy and
 * HaAcceptIPv4Traffic (any other home address is denied). The HA namespace, as correspondent,
 * pings the mobile network node's IPv6 and IPv4 addresses through the tunnel, and the node pings
 * the home agent, with the router on an IPv6 care-of address and then on an IPv4 one. Both
 * daemons stop, and both namespaces are as before (sysctls the router set included).
 *
 * Path MTU through the router: the node's link has MTU 1500, the router's TUN 1400. Correspondents
 * on the home link (MTU 1500; new ones after each handover, so nothing is cached) advertise a TCP
 * MSS the tunnel cannot carry (their learned path MTUs are flushed), so the node must hear the router's Packet Too Big / Fragmentation
 * Needed, sourced from the router's own address in the mobile network prefix: that error must
 * reach the node, not the tunnel. The first TCP connection (a 200 KB echo) completes and teaches
 * the node the path MTU, and so do DF pings, for both families. With the router's foreign link
 * at 1400 octets the tunnel carries only 1360, and the daemon's own errors (written into the TUN)
 * must reach the node as well.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { needRoot, nsExec, veth, withNamespaces } from '../runtime/netns.js';
import { ctlJson, Daemon, snapshotState, snapshotWith, stopAll, tcpEcho, waitFor } from './daemon-harness.js';

const HOA = '2001:db8:1::200';
const MNN6 = '2001:db8:2::10';
const MNN4 = '10.50.0.10';
/** Correspondents on the home link: [IPv6, IPv4] for the first care-of address, then the second. */
const CNS = [
  ['2001:db8:1::97', '192.0.2.97'], ['2001:db8:1::98', '192.0.2.98'], ['2001:db8:1::99', '192.0.2.99'],
] as const;
const MR_SYSCTLS = ['net/ipv6/conf/eth0/accept_ra', 'net/ipv6/conf/mnn0/forwarding'];

function haConf(dir: string): string {
  return `NodeConfig HA;
Interface "home0";
HaAcceptDsmip6 enabled;
HaAcceptMobRtr enabled;
HaDad disabled;
DefaultBindingAclPolicy deny;
BindingAclPolicy ${HOA} (2001:db8:2::/64) allow;
HaAcceptIPv4Traffic 192.0.2.50 (10.50.0.0/24) ${HOA};
ControlSocket "${dir}/ha.sock";
StateDirectory "${dir}/ha-state";
`;
}

function mrConf(dir: string): string {
  return `NodeConfig MN;
MnUseDsmip6 enabled;
MnSupportIPv4Traffic enabled;
Interface "eth0";
MnHomeLink "eth0" {
  IsMobRtr enabled;
  HomeAgentAddress 2001:db8:1::1;
  HomeAgentV4Address 192.0.2.1;
  HomeAddress ${HOA}/64 (2001:db8:2::/64);
  HomeV4Address 192.0.2.50/24 (10.50.0.0/24);
}
ControlSocket "${dir}/mr.sock";
StateDirectory "${dir}/mr-state";
`;
}

interface Binding {
  homeAddress: string; careOfAddress: string; encapsulation: string; mobileRouter: boolean; flags: string;
  mobileNetworkPrefixes: string[]; ipv4HomeAddress: string | null; ipv4MobileNetworkPrefix: string | null;
}

async function binding(dir: string, careOf: string): Promise<Binding> {
  return waitFor(`a binding from ${careOf}`, async () => {
    const bc = await ctlJson<{ bindings: Binding[] }>(join(dir, 'ha.sock'), 'bc');
    return bc.bindings.find((b) => b.homeAddress === HOA && b.careOfAddress === careOf
      && b.ipv4MobileNetworkPrefix !== null);
  }, 8000);
}

function ping(ns: string, address: string): void {
  const out = nsExec(ns, `ping -${address.includes(':') ? 6 : 4} -c 2 -i 0.2 -W 2 ${address}`);
  assert.match(out, / 0% packet loss/, out);
}

/**
 * The node, on a 1500-octet link behind the router's 1400-octet TUN, sends bulk TCP to new
 * correspondents (the first connection must complete) and learns the path MTU from the router's
 * errors; then a DF ping, after the learned MTU is flushed, teaches it again.
 */
async function pathMtuThroughRouter(
  ns: Record<string, string>, correspondents: readonly string[], mtu = 1400,
): Promise<void> {
  for (const cn of correspondents) {
    const v = cn.includes(':') ? 6 : 4;
    // What the correspondent learned about the node (its advertised MSS follows it) is forgotten.
    nsExec(ns.home, `ip -${v} route flush cache`);
    await tcpEcho(ns.mnn, ns.home, cn, 200_000);
    const afterTcp = nsExec(ns.mnn, `ip -${v} route get ${cn}`);
    assert.match(afterTcp, new RegExp(`mtu ${mtu} `), `TCP taught the node no path MTU to ${cn}: ${afterTcp}`);
    nsExec(ns.mnn, `ip -${v} route flush cache`);
    let big = '';
    for (const size of [1500, 1400]) {
      big += nsExec(ns.mnn, `ping -${v} -M do -c 2 -i 0.3 -W 1 -s ${size - (v === 6 ? 48 : 28)} ${cn} || true`);
    }
    const afterPing = nsExec(ns.mnn, `ip -${v} route get ${cn}`);
    assert.match(afterPing, new RegExp(`mtu ${mtu} `), `a DF ping taught the node no path MTU to ${cn}: ${afterPing}\n${big}`);
  }
}

/** The MTU of the link between the home agent and the router (both ends). */
function linkMtu(ns: Record<string, string>, mtu: number): void {
  nsExec(ns.mr, `ip link set eth0 mtu ${mtu}`);
  nsExec(ns.ha, `ip link set inet0 mtu ${mtu}`);
}

function topology(ns: Record<string, string>): void {
  veth(ns.ha, ns.home, 'home0', 'hl0', ['2001:db8:1::1/64', '192.0.2.1/24'],
    CNS.flat().map((a) => `${a}/${a.includes(':') ? 64 : 24}`));
  nsExec(ns.home, 'ip -6 route add default via 2001:db8:1::1');
  nsExec(ns.home, 'ip route add default via 192.0.2.1');
  veth(ns.ha, ns.mr, 'inet0', 'eth0', ['2001:db8:20::1/64', '198.51.100.1/24'], []);
  veth(ns.mr, ns.mnn, 'mnn0', 'eth0', ['2001:db8:2::1/64', '10.50.0.1/24'], [`${MNN6}/64`, `${MNN4}/24`]);
  nsExec(ns.mnn, 'ip -6 route add default via 2001:db8:2::1');
  nsExec(ns.mnn, 'ip route add default via 10.50.0.1');
}

function careOf(mr: string, v: 4 | 6, on: boolean): void {
  const [addr, gw] = v === 6 ? ['2001:db8:20::5/64', '2001:db8:20::1'] : ['198.51.100.5/24', '198.51.100.1'];
  const nodad = v === 6 ? ' nodad' : '';
  if (!on) nsExec(mr, `ip -${v} route del default via ${gw} dev eth0`);
  nsExec(mr, `ip addr ${on ? 'add' : 'del'} ${addr} dev eth0${on ? nodad : ''}`);
  if (on) nsExec(mr, `ip -${v} route add default via ${gw} dev eth0`);
}

test('dsmip6d mobile router: the correspondent reaches a mobile network node over IPv6 and IPv4 care-of addresses', async (t) => {
  if (!needRoot(t, ['ping', 'nft'])) return;
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-e2e-'));
  try {
    await withNamespaces(['home', 'ha', 'mr', 'mnn'], async (ns) => {
      topology(ns);
      const before = { ha: snapshotState(ns.ha, ['home0']), mr: snapshotWith(ns.mr, ['eth0', 'mnn0'], MR_SYSCTLS) };
      writeFileSync(join(dir, 'ha.conf'), haConf(dir));
      writeFileSync(join(dir, 'mr.conf'), mrConf(dir));
      const ha = Daemon.start(ns.ha, join(dir, 'ha.conf'));
      const mr = Daemon.start(ns.mr, join(dir, 'mr.conf'));
      try {
        await Promise.all([ha.waitLog(/home agent running/), mr.waitLog(/mobile node running .*mobileRouter=true/)]);
        assert.equal(nsExec(ns.mr, 'cat /proc/sys/net/ipv6/conf/all/forwarding').trim(), '1');
        assert.equal(nsExec(ns.mr, 'cat /proc/sys/net/ipv6/conf/eth0/accept_ra').trim(), '2');
        careOf(ns.mr, 6, true);
        let b = await binding(dir, '2001:db8:20::5');
        assert.equal(b.encapsulation, 'ipv6');
        assert.ok(b.mobileRouter && b.flags.includes('R'), `R flag: ${b.flags}`);
        assert.deepEqual(b.mobileNetworkPrefixes, ['2001:db8:2::/64']);
        assert.equal(b.ipv4HomeAddress, '192.0.2.50');
        assert.equal(b.ipv4MobileNetworkPrefix, '10.50.0.0/24');
        ping(ns.ha, MNN6);
        ping(ns.ha, MNN4);
        ping(ns.mnn, '2001:db8:1::1');
        ping(ns.mnn, '192.0.2.1');
        await pathMtuThroughRouter(ns, CNS[0]);
        // A 1400-octet foreign link: the tunnel carries 1360, so the daemon writes the errors.
        linkMtu(ns, 1400);
        await pathMtuThroughRouter(ns, CNS[1], 1360);
        linkMtu(ns, 1500);
        careOf(ns.mr, 6, false);
        careOf(ns.mr, 4, true);
        b = await binding(dir, '198.51.100.5');
        assert.equal(b.encapsulation, 'ipv4');
        ping(ns.ha, MNN6);
        ping(ns.ha, MNN4);
        ping(ns.mnn, '2001:db8:1::1');
        await pathMtuThroughRouter(ns, CNS[2]);
        const stats = await ctlJson<{ dataPlane: { traffic: Record<string, { packets: number }> } }>(
          join(dir, 'mr.sock'), 'stats');
        const { tunnelled, decapsulated } = stats.dataPlane.traffic;
        assert.ok(tunnelled.packets >= 14 && decapsulated.packets >= 14, JSON.stringify(stats.dataPlane.traffic));
      } finally {
        await stopAll(mr, ha);
      }
      careOf(ns.mr, 4, false);
      assert.deepStrictEqual(snapshotState(ns.ha, ['home0']), before.ha, 'the home agent left state behind');
      assert.deepStrictEqual(snapshotWith(ns.mr, ['eth0', 'mnn0'], MR_SYSCTLS), before.mr,
        'the mobile router left state behind');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
