/**
 * Path MTU end to end on the real kernel (root only): two TunnelIo instances, a home agent end
 * and a mobile node end, on real TUN devices and raw/UDP sockets in namespaces, with a router
 * whose link towards the mobile node has a smaller MTU:
 *
 *   [cn] c0 ---- h0 [ha] h1 ---- r0 [r] r1 ==MTU 1380== m0 [mn]
 *   2001:db8:1::/64, 192.0.2.0/24   2001:db8:20::/64,       2001:db8:30::/64,
 *                                    198.51.100.0/24          198.51.101.0/24
 *   home addresses 2001:db8:100::100 and 10.100.0.100 on the mobile node's TUN (MTU 1400);
 *   the home agent's TUN (MTU 1400) routes them into the tunnel.
 *
 * The correspondent pings with DF (`ping -M do`): the first large packet dies at the router,
 * whose ICMP error teaches the home agent's kernel the path MTU; the next one fails there with
 * EMSGSIZE, and the correspondent gets a Packet Too Big / Fragmentation Needed; smaller packets
 * then get through, and plain pings (the kernel fragments, or we fragment IPv4 without DF) too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { HaForwarding } from '../../src/dataplane/ha-forwarding.js';
import { MnForwarding } from '../../src/dataplane/mn-forwarding.js';
import type { TunnelEndpoint } from '../../src/engine/types.js';
import { LinuxNetlink, LinuxTun, openRaw, openUdp } from '../../src/os/linux/os.js';
import { inNetns, ipIn, linuxTestBlocker } from '../../src/os/linux/netns.js';
import { newPortStats, type DatagramPort } from '../../src/os/ports.js';
import { TunnelIo, type Forwarder, type TunnelPorts } from '../../src/runtime/tunnel-io.js';
import { needRoot, nsExec, veth, withNamespaces } from '../runtime/netns.js';

const HOA6 = '2001:db8:100::100';
const HOA4 = '10.100.0.100';
const PATH_MTU = 1380;

/** stdout and stderr of a command in a namespace, whatever its exit status (the loop keeps running). */
function run(ns: string, cmd: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, 'sh', '-c', cmd], { timeout: 30_000 },
      (_e, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
}

const received = (out: string): number => Number(/(\d+) received/.exec(out)?.[1] ?? -1);

/** A port that is never used here (signalling), so no socket is opened for it. */
function idle(): DatagramPort {
  return {
    kind: 'raw6', protocol: 0, localPort: 0, stats: newPortStats(), onBatch() {}, send() {},
    sendBatch: () => 0, close() {},
  };
}

interface End { readonly io: TunnelIo; close(): void }

function openEnd(
  ns: string, tunName: string, fwd: Forwarder, o: { netlink: boolean; udpPort: number },
): End {
  const opened = inNetns(ns, () => {
    const tun = LinuxTun.open({ name: tunName });
    const ports: TunnelPorts = {
      tun, udp: openUdp({ family: 4, address: '0.0.0.0', port: o.udpPort }),
      raw6InIpv6: openRaw({ family: 6, protocol: 41 }), raw4InIpv6: openRaw({ family: 6, protocol: 4 }),
      raw6InIpv4: openRaw({ family: 4, protocol: 41 }), raw4InIpv4: openRaw({ family: 4, protocol: 4 }),
      mhWithExtension: idle(), mhPlain: idle(), rawSender: idle(),
    };
    const icmp6 = openRaw({ family: 6, protocol: 58 });
    return { ports, icmp6, netlink: o.netlink ? new LinuxNetlink() : undefined };
  });
  const { ports, icmp6, netlink } = opened;
  const io = new TunnelIo(ports, fwd, 60, () => {}, { tunnelMtu: 1400, icmp6, ...(netlink ? { netlink } : {}) });
  io.start();
  return {
    io,
    close: () => {
      for (const p of Object.values(ports)) p.close();
      icmp6.close();
      netlink?.close();
    },
  };
}

function topology(ns: Record<string, string>): void {
  veth(ns.cn, ns.ha, 'c0', 'h0', ['2001:db8:1::2/64', '192.0.2.2/24'], ['2001:db8:1::1/64', '192.0.2.1/24']);
  veth(ns.ha, ns.r, 'h1', 'r0', ['2001:db8:20::1/64', '198.51.100.1/24'], ['2001:db8:20::2/64', '198.51.100.2/24']);
  veth(ns.r, ns.mn, 'r1', 'm0', ['2001:db8:30::2/64', '198.51.101.2/24'], ['2001:db8:30::5/64', '198.51.101.5/24']);
  nsExec(ns.r, `ip link set r1 mtu ${PATH_MTU}`);
  nsExec(ns.mn, `ip link set m0 mtu ${PATH_MTU}`);
  for (const n of [ns.ha, ns.r]) nsExec(n, 'sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1');
  nsExec(ns.cn, 'ip -6 route add default via 2001:db8:1::1');
  nsExec(ns.cn, 'ip route add default via 192.0.2.1');
  nsExec(ns.ha, 'ip -6 route add 2001:db8:30::/64 via 2001:db8:20::2');
  nsExec(ns.ha, 'ip route add 198.51.101.0/24 via 198.51.100.2');
  nsExec(ns.mn, 'ip -6 route add default via 2001:db8:30::2');
  nsExec(ns.mn, 'ip route add default via 198.51.101.2');
}

function tunUp(ns: string, name: string, addresses: string[], routes: string[]): void {
  ipIn(ns, ['link', 'set', name, 'mtu', '1400', 'up']);
  for (const a of addresses) ipIn(ns, ['addr', 'add', a, 'dev', name, ...(a.includes(':') ? ['nodad'] : [])]);
  for (const r of routes) ipIn(ns, [r.includes(':') ? '-6' : '-4', 'route', 'add', r, 'dev', name]);
}

/** Both tunnel ends: `haTunnel` / `mnTunnel` are the endpoints each side sends through. */
function ends(
  ns: Record<string, string>, haTunnel: TunnelEndpoint, mnTunnel: TunnelEndpoint, haNetlink: boolean,
): End[] {
  const ha = new HaForwarding();
  ha.set(HOA6, haTunnel, [HOA6, HOA4], []);
  const mn = new MnForwarding();
  mn.apply({ op: 'tunnel-set', endpoint: mnTunnel, homeAddresses: [HOA6, HOA4], prefixes: [] });
  const out: End[] = [];
  try {
    out.push(openEnd(ns.ha, 'dmtuha', ha, { netlink: haNetlink, udpPort: 4191 }));
    tunUp(ns.ha, 'dmtuha', [], [`${HOA6}/128`, `${HOA4}/32`]);
    out.push(openEnd(ns.mn, 'dmtumn', mn, { netlink: true, udpPort: 4191 }));
    tunUp(ns.mn, 'dmtumn', [`${HOA6}/128`, `${HOA4}/32`], ['2001:db8:1::/64', '192.0.2.0/24']);
    return out;
  } catch (e) {
    for (const x of out) x.close();
    throw e;
  }
}

test('path MTU over IPv6-in-IPv6 with a smaller link mid-path: PTB and Frag Needed, then PMTUD works', async (t) => {
  const blocker = linuxTestBlocker();
  if (blocker !== undefined) { t.skip(blocker); return; }
  if (!needRoot(t, ['ping'])) return;
  await withNamespaces(['cn', 'ha', 'r', 'mn'], async (ns) => {
    topology(ns);
    const [ha, mn] = ends(ns,
      { encapsulation: 'ipv6', local: '2001:db8:20::1', remote: '2001:db8:30::5' },
      { encapsulation: 'ipv6', local: '2001:db8:30::5', remote: '2001:db8:20::1' }, true);
    try {
      const small = await run(ns.cn, `ping -6 -c 2 -i 0.2 -W 2 ${HOA6}`);
      assert.equal(received(small), 2, small);
      // 1400-octet packets: the first dies at the router, whose PTB reaches the home agent's raw
      // ICMPv6 socket (its kernel ignores it: unconnected raw IPv6 sockets without IPV6_RECVERR);
      // the second gets our PTB (1380 - 40).
      const big = await run(ns.cn, `ping -6 -c 3 -i 0.3 -W 1 -M do -s 1352 ${HOA6}`);
      assert.match(big, /From 2001:db8:20::1 icmp_seq=2 Packet too big: mtu=1340/, big);
      assert.deepEqual([ha.io.mtuCounters.pathLowered, ha.io.mtuCounters.icmpSent], [1, 1]);
      const fits = await run(ns.cn, `ping -6 -c 3 -i 0.2 -W 2 -M do -s 1292 ${HOA6}`);
      assert.equal(received(fits), 3, fits);
      // Without DF the correspondent's kernel fragments to 1340; the mobile node's 1400-octet
      // replies get a PTB from the mobile node's end once, then leave fragmented too.
      const want = await run(ns.cn, `ping -6 -c 5 -i 0.3 -W 2 -s 1352 ${HOA6}`);
      assert.ok(received(want) >= 3, want);
      assert.ok(mn.io.mtuCounters.icmpSent >= 1, 'the mobile node end sent its own PTB');
      // IPv4 without DF: both ends fragment the inner packet; the far kernels reassemble.
      const dont4 = await run(ns.cn, `ping -4 -c 3 -i 0.2 -W 2 -M dont -s 1372 ${HOA4}`);
      assert.equal(received(dont4), 3, dont4);
      assert.deepEqual([ha.io.mtuCounters.fragmented, mn.io.mtuCounters.fragmented], [3, 3],
        JSON.stringify([ha.io.mtuCounters, mn.io.mtuCounters]));
      // IPv4 with DF: the home agent knows the path, so the first packet is answered at once.
      const big4 = await run(ns.cn, `ping -4 -c 2 -i 0.3 -W 1 -M do -s 1372 ${HOA4}`);
      assert.match(big4, /From 10\.100\.0\.100 icmp_seq=1 Frag needed and DF set \(mtu = 1340\)/, big4);
      const fits4 = await run(ns.cn, `ping -4 -c 3 -i 0.2 -W 2 -M do -s 1312 ${HOA4}`);
      assert.equal(received(fits4), 3, fits4);
      const binding = (ha.io.fwd as HaForwarding).binding(HOA6)!;
      const path = ha.io.mtu.state(binding, performance.now()).path;
      assert.deepEqual([path.mtu, path.source], [PATH_MTU, 'icmp'], 'learned from the router\'s PTB');
    } finally {
      ha.close();
      mn.close();
    }
  });
});

test('path MTU over IPv4-in-IPv4 with rtnetlink: EMSGSIZE, then the kernel\'s exact path MTU', async (t) => {
  const blocker = linuxTestBlocker();
  if (blocker !== undefined) { t.skip(blocker); return; }
  if (!needRoot(t, ['ping'])) return;
  await withNamespaces(['cn', 'ha', 'r', 'mn'], async (ns) => {
    topology(ns);
    const [ha, mn] = ends(ns,
      { encapsulation: 'ipv4', local: '198.51.100.1', remote: '198.51.101.5' },
      { encapsulation: 'ipv4', local: '198.51.101.5', remote: '198.51.100.1' }, true);
    try {
      const small = await run(ns.cn, `ping -4 -c 2 -i 0.2 -W 2 ${HOA4}`);
      assert.equal(received(small), 2, small);
      // The first 1400-octet packet dies at the router (whose error the kernel keeps), the second
      // fails with EMSGSIZE: the kernel is asked and the correspondent told 1380 - 20.
      const big = await run(ns.cn, `ping -4 -c 3 -i 0.3 -W 1 -M do -s 1372 ${HOA4}`);
      assert.match(big, /From 10\.100\.0\.100 icmp_seq=2 Frag needed and DF set \(mtu = 1360\)/, big);
      assert.deepEqual([ha.io.mtuCounters.sendTooBig, ha.io.mtuCounters.icmpSent], [1, 1]);
      const path = ha.io.mtu.state((ha.io.fwd as HaForwarding).binding(HOA6)!, performance.now()).path;
      assert.deepEqual([path.mtu, path.source], [PATH_MTU, 'kernel'], 'the path MTU asked over rtnetlink');
      const fits = await run(ns.cn, `ping -4 -c 3 -i 0.2 -W 2 -M do -s 1332 ${HOA4}`);
      assert.equal(received(fits), 3, fits);
      const v6 = await run(ns.cn, `ping -6 -c 3 -i 0.2 -W 2 -M do -s 1352 ${HOA6}`);
      assert.match(v6, /Packet too big: mtu=1360/, 'IPv6 inner packets are told the same MTU');
      assert.equal(mn.io.mtuCounters.sendTooBig, 0);
    } finally {
      ha.close();
      mn.close();
    }
  });
});

test('path MTU over UDP without rtnetlink: EMSGSIZE lowers by plateaus until packets pass', async (t) => {
  const blocker = linuxTestBlocker();
  if (blocker !== undefined) { t.skip(blocker); return; }
  if (!needRoot(t, ['ping'])) return;
  await withNamespaces(['cn', 'ha', 'r', 'mn'], async (ns) => {
    topology(ns);
    const [ha, mn] = ends(ns,
      { encapsulation: 'udp4', local: '198.51.100.1', localPort: 4191, remote: '198.51.101.5', remotePort: 4191 },
      { encapsulation: 'udp4', local: '198.51.101.5', localPort: 4191, remote: '198.51.100.1', remotePort: 4191 },
      false);
    try {
      const small = await run(ns.cn, `ping -6 -c 2 -i 0.2 -W 2 ${HOA6}`);
      assert.equal(received(small), 2, small);
      // Outer 1428 > 1380: plateau 1400 (inner 1372), then outer 1400: plateau 1380 (inner 1352).
      const seen: number[] = [];
      let size = 1400;
      for (let round = 0; round < 4; round++) {
        const out = await run(ns.cn, `ping -6 -c 3 -i 0.3 -W 1 -M do -s ${size - 48} ${HOA6}`);
        if (received(out) === 3) break;
        const m = /Packet too big: mtu=(\d+)/.exec(out);
        assert.ok(m, out);
        seen.push(Number(m[1]));
        size = Number(m[1]);
      }
      assert.deepEqual(seen, [1372, 1352]);
      assert.equal(size, PATH_MTU - 28, 'converged on the path MTU less 28');
      assert.equal(ha.io.mtuCounters.pathLowered, 2);
      const dont4 = await run(ns.cn, `ping -4 -c 3 -i 0.2 -W 2 -M dont -s 1372 ${HOA4}`);
      assert.equal(received(dont4), 3, dont4);
      assert.ok(mn.io.mtuCounters.fragmented >= 1, 'the mobile node end fragmented its replies');
    } finally {
      ha.close();
      mn.close();
    }
  });
});
