/**
 * The kernel's path MTU towards a tunnel's remote end, over rtnetlink (what `ip route get ADDR`
 * prints): RTM_GETROUTE for the address, whose RTA_METRICS carry RTAX_MTU when the kernel holds a
 * path-MTU exception (learned from an ICMP error) or the route has an `mtu`; capped by the MTU of
 * the route's output link (RTM_GETLINK). The unconnected tunnel sockets cannot be asked
 * (getsockopt IP_MTU / IPV6_MTU answer only on connected sockets). Two synchronous requests of
 * about 15 µs each, made when a remote end is first used, when its entry expires, and after a
 * send fails with EMSGSIZE; never per packet.
 */
import { formatIpv4, formatIpv6 } from '../wire/addr.js';
import { decodeAttrs } from '../os/netlink/attr.js';
import { AF_INET, AF_INET6, NLM_F_REQUEST, RTA_METRICS, RTM_GETROUTE } from '../os/netlink/constants.js';
import { decodeDatagram, encodeRtnlMessageBytes } from '../os/netlink/message.js';
import type { RouteMessage } from '../os/netlink/route.js';
import { RtnlClient, type NetlinkTransport } from '../os/netlink/rtnl.js';

/** RTAX_MTU inside RTA_METRICS (linux/rtnetlink.h). */
const RTAX_MTU = 2;
/** Sequence numbers of these requests, away from the daemon's own client. */
const SEQ_ROUTE = 0x6d740000;
const SEQ_LINK = 0x6d750000;

/** RTM_GETROUTE for one address (a 16-byte slot; IPv4 as ::ffff:a.b.c.d). */
export function routeGetRequest(seq: number, remote: Uint8Array, family: 4 | 6): Uint8Array {
  const route: RouteMessage = {
    family: family === 6 ? AF_INET6 : AF_INET, dstLength: family === 6 ? 128 : 32, srcLength: 0,
    tos: 0, table: 0, protocol: 0, scope: 0, type: 0, flags: 0,
    dst: family === 6 ? formatIpv6(remote, 0) : formatIpv4(remote, 12), unknown: [],
  };
  return encodeRtnlMessageBytes({
    header: { type: RTM_GETROUTE, flags: NLM_F_REQUEST, seq, pid: 0 }, body: { kind: 'route', route },
  });
}

/** RTAX_MTU of a route reply's RTA_METRICS, if present. */
export function routeMtuMetric(route: RouteMessage): number | undefined {
  for (const a of route.unknown) {
    if ((a.type & 0x3fff) !== RTA_METRICS) continue;
    const nested = decodeAttrs(a.data, 0, a.data.length);
    if (!nested.ok) return undefined;
    for (const m of nested.value) {
      if ((m.type & 0x3fff) === RTAX_MTU && m.data.length >= 4) {
        return new DataView(m.data.buffer, m.data.byteOffset, 4).getUint32(0, true);
      }
    }
  }
  return undefined;
}

/** A `query` for PathMtuTable: undefined when there is no route or the exchange fails. */
export function kernelPathMtu(
  netlink: NetlinkTransport,
): (remote: Uint8Array, family: 4 | 6) => number | undefined {
  const links = new RtnlClient(netlink, { initialSeq: SEQ_LINK });
  let seq = SEQ_ROUTE;
  return (remote, family) => {
    let replies: Uint8Array[];
    try {
      replies = netlink.request(routeGetRequest(seq, remote, family));
    } catch {
      return undefined;
    }
    seq = (seq + 1) >>> 0;
    for (const d of replies) {
      const messages = decodeDatagram(d);
      if (!messages.ok) return undefined;
      for (const m of messages.value) {
        if (m.body.kind !== 'route') continue;
        const metric = routeMtuMetric(m.body.route);
        const oif = m.body.route.oif;
        const link = oif !== undefined ? links.getLink(oif) : undefined;
        const linkMtu = link?.ok ? link.value.mtu : undefined;
        if (metric === undefined) return linkMtu;
        return linkMtu === undefined ? metric : Math.min(metric, linkMtu);
      }
    }
    return undefined;
  };
}
