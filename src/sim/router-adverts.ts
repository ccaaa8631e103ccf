/**
 * Router Advertisements in the simulator (RFC 6275 §11.5.1, §7.3): while a mobile node is
 * attached to an IPv6 network, that network's router (fe80::1 on every network, as often in
 * practice) advertises its /64 with the Advertisement Interval option, at random times at most
 * one interval apart (RFC 4861 §6.2.4). Silent moves change the network under a link that stays
 * up: the old addresses and default route stay with the node, as a kernel keeps them, and only
 * the RAs (the old router falling silent, the new one's prefix) reveal the move.
 */
import type { ReceivedRouterAdvertisement } from '../engine/mn/types.js';
import { encodeIcmpv6 } from '../wire/icmpv6.js';
import { MN_IFNAME, type SimMobile } from './nodes.js';
import { routerAddress6, type SimNetwork } from './topology.js';
import type { World } from './world.js';

const ALL_NODES = 'ff02::1';
const ROUTER_LIFETIME_SECONDS = 1800;
const VALID_LIFETIME_SECONDS = 86_400;

export function routerAdvertisement(
  net: SimNetwork, intervalMs: number,
): ReceivedRouterAdvertisement | undefined {
  const source = routerAddress6(net);
  if (net.prefix6 === undefined || source === undefined) return undefined;
  const out = new Uint8Array(128);
  const len = encodeIcmpv6({
    type: 'router-advertisement', code: 0, curHopLimit: 64, managed: false, otherConfig: false,
    homeAgent: net.kind === 'home', otherFlags: 0, routerLifetimeSeconds: ROUTER_LIFETIME_SECONDS,
    reachableTimeMs: 0, retransTimerMs: 0,
    options: [
      {
        type: 'prefix-information', prefixLength: 64, onLink: true, autonomous: true, routerAddress: false,
        reserved: 0, validLifetimeSeconds: VALID_LIFETIME_SECONDS, preferredLifetimeSeconds: 14_400,
        prefix: net.prefix6,
      },
      { type: 'advertisement-interval', intervalMs },
    ],
  }, out, 0, source, ALL_NODES);
  return {
    kind: 'router-advertisement', ifname: MN_IFNAME, source, destination: ALL_NODES, hopLimit: 255,
    bytes: out.slice(0, len),
  };
}

/** Starts `net`'s RAs to `m` for its current attachment; they stop when the node leaves. */
export function startRouterAdvertisements(w: World, m: SimMobile, net: SimNetwork, intervalMs: number): void {
  const attachment = ++m.attachments;
  const ra = routerAdvertisement(net, intervalMs);
  if (ra === undefined) return;
  const send = (): void => {
    if (m.network !== net || m.attachments !== attachment) return;
    w.carry(net, () => { if (m.network === net) w.feedMn(m, ra); });
    w.at(w.now + intervalMs / 2 + w.prng.below(intervalMs / 2), send);
  };
  send();
}
