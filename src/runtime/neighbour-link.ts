/** The home link of a running home agent (neighbour.ts), one per daemon context. */
import type { DaemonContext } from './daemon-base.js';
import { HomeLink } from './neighbour.js';
import { KERNEL_FACTS_TTL_MS, cachedFor, kernelRetransTimerMs } from './neighbour-kernel.js';
import { ICMPV6_NA, ICMPV6_NS, linkFacts } from './neighbour-packets.js';

const LINKS = new WeakMap<DaemonContext, HomeLink>();
const ARPHRD_ETHER = 1;

/** The link is Ethernet (veth, bridges and VLANs included): its multicast maps to 33:33 MACs. */
function isEthernet(ctx: DaemonContext, ifname: string): boolean {
  const link = ctx.rtnl.getLink(ifname);
  return link.ok && link.value.type === ARPHRD_ETHER;
}

/** The home link of the daemon in `ctx`, created on first use and closed with the context. */
export function homeLinkOf(ctx: DaemonContext, homeIf: string): HomeLink {
  const known = LINKS.get(ctx);
  if (known) return known;
  const none = (what: string): never => { throw new Error(`these OS ports have no ${what}`); };
  const h = new HomeLink({
    openNd: () => ctx.os.openNd?.({
      device: homeIf, icmpTypes: [ICMPV6_NS, ICMPV6_NA], ethernetMulticast: isEthernet(ctx, homeIf),
      sendRing: ctx.cfg.ha?.sendThread === true,
    }) ?? none('Neighbor Discovery port'),
    openLinkLayer: () => ctx.os.openLinkLayer?.({ device: homeIf }) ?? none('link-layer port'),
    openListener: () => ctx.os.openNdListener?.({ device: homeIf }) ?? none('link listener'),
    facts: cachedFor(() => linkFacts(ctx.rtnl, homeIf), KERNEL_FACTS_TTL_MS),
    retransTimerMs: cachedFor(() => kernelRetransTimerMs(homeIf), KERNEL_FACTS_TTL_MS),
    log: ctx.log,
  });
  ctx.closers.push(() => h.close());
  LINKS.set(ctx, h);
  return h;
}
