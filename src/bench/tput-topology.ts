/**
 * The throughput part's topology: four namespaces. A correspondent on the home link (<P>thome)
 * sends through the home agent's namespace (<P>tha) to the mobile node (<P>tmn), which reaches
 * the home agent directly (eth0: 198.51.100.0/24, 2001:db8:20::/64) or through a masquerading
 * nftables NAT (<P>tnat: eth1 192.168.50.0/24 -> 203.0.113.0/24). Configurations of both
 * daemons for each path.
 */
import { join } from 'node:path';
import { createNetns, deleteNetns } from '../os/linux/netns.js';
import { ipAll, sh } from './procs.js';

export interface TputNames {
  readonly home: string; readonly ha: string; readonly mn: string; readonly nat: string;
}

export function tputNames(prefix: string): TputNames {
  return { home: `${prefix}thome`, ha: `${prefix}tha`, mn: `${prefix}tmn`, nat: `${prefix}tnat` };
}

export const ADDR = {
  ha6: '2001:db8:1::1', ha4: '192.0.2.1', home6: '2001:db8:1::2', home4: '192.0.2.2',
  hoa6: '2001:db8:1::100', hoa4: '192.0.2.100', mnDirect4: '198.51.100.5', mnDirect6: '2001:db8:20::5',
  ovpnHa: '10.252.0.1', ovpnMn: '10.252.0.2',
} as const;

const veth = (a: string, an: string, b: string, bn: string): void => {
  sh(undefined, 'ip', ['link', 'add', an, 'netns', a, 'type', 'veth', 'peer', 'name', bn, 'netns', b]);
};

export function buildTputTopology(prefix: string): TputNames {
  const n = tputNames(prefix);
  for (const ns of Object.values(n)) createNetns(ns);
  veth(n.ha, 'home0', n.home, 'hl0');
  veth(n.ha, 'inet0', n.mn, 'eth0');
  veth(n.ha, 'wan0', n.nat, 'wan0');
  veth(n.nat, 'lan0', n.mn, 'eth1');
  ipAll(n.home, [
    `addr add ${ADDR.home6}/64 dev hl0 nodad`, `addr add ${ADDR.home4}/24 dev hl0`, 'link set hl0 up',
    `route add default via ${ADDR.ha4}`, `-6 route add default via ${ADDR.ha6}`,
  ]);
  ipAll(n.ha, [
    `addr add ${ADDR.ha6}/64 dev home0 nodad`, `addr add ${ADDR.ha4}/24 dev home0`,
    'addr add 198.51.100.1/24 dev inet0', 'addr add 2001:db8:20::1/64 dev inet0 nodad',
    'addr add 203.0.113.1/24 dev wan0', 'link set home0 up', 'link set inet0 up', 'link set wan0 up',
  ]);
  ipAll(n.mn, [
    `addr add ${ADDR.mnDirect4}/24 dev eth0`, `addr add ${ADDR.mnDirect6}/64 dev eth0 nodad`,
    'addr add 192.168.50.5/24 dev eth1', 'link set eth0 up', 'link set eth1 up',
  ]);
  ipAll(n.nat, [
    'addr add 203.0.113.2/24 dev wan0', 'addr add 192.168.50.1/24 dev lan0', 'link set wan0 up',
    'link set lan0 up', 'route add default via 203.0.113.1',
  ]);
  sh(n.nat, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  sh(n.nat, 'nft', ['-f', '-'],
    'table ip dbnnat {\n chain post {\n  type nat hook postrouting priority 100;\n' +
    '  oifname "wan0" masquerade\n }\n}\n');
  for (const k of ['net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']) sh(n.ha, 'sysctl', ['-qw', k]);
  return n;
}

export function removeTputTopology(prefix: string): void {
  for (const ns of Object.values(tputNames(prefix))) deleteNetns(ns);
}

/** The mobile node's default routes for one kind of attachment (replacing the previous ones). */
export function mobileRoutes(n: TputNames, via: 'direct4' | 'direct6' | 'nat'): void {
  for (const fam of ['-4', '-6']) {
    const all = fam === '-4' ? '0.0.0.0/0' : '::/0';
    try { sh(undefined, 'ip', ['-n', n.mn, fam, 'route', 'flush', 'exact', all]); } catch { /* none */ }
  }
  if (via === 'direct4') ipAll(n.mn, ['route add default via 198.51.100.1 dev eth0']);
  if (via === 'direct6') ipAll(n.mn, ['-6 route add default via 2001:db8:20::1 dev eth0']);
  if (via === 'nat') ipAll(n.mn, ['route add default via 192.168.50.1 dev eth1']);
}

export function haConfig(dir: string): string {
  return [
    'NodeConfig HA;', 'Interface "home0";', 'HaAcceptDsmip6 enabled;', 'DefaultBindingAclPolicy allow;',
    `HaAcceptIPv4Traffic ${ADDR.hoa4} ${ADDR.hoa6};`, 'TunnelMtu 1400;',
    `ControlSocket "${join(dir, 'ha.sock')}";`, `StateDirectory "${join(dir, 'ha-state')}";`, '',
  ].join('\n');
}

export function mnConfig(dir: string, iface: 'eth0' | 'eth1'): string {
  return [
    'NodeConfig MN;', 'MnUseDsmip6 enabled;', 'MnSupportIPv4Traffic enabled;', `Interface "${iface}";`,
    `MnHomeLink "${iface}" {`, `  HomeAgentAddress ${ADDR.ha6};`, `  HomeAgentV4Address ${ADDR.ha4};`,
    `  HomeAddress ${ADDR.hoa6}/64;`, `  HomeV4Address ${ADDR.hoa4}/24;`, '}', 'TunnelMtu 1400;',
    `ControlSocket "${join(dir, 'mn.sock')}";`, `StateDirectory "${join(dir, 'mn-state')}";`, '',
  ].join('\n');
}
