/**
 * What the mobile node sees, from rtnetlink: links, addresses and default routes of the
 * configured interfaces, turned into the engine's world inputs (movement detection). An initial
 * dump and then events; when the event socket overflows (ENOBUFS) the state is dumped again and
 * only the differences are reported. Tentative (DAD-pending) addresses count as absent.
 */
import { parseEvents, type RtnlEvent } from '../os/netlink/events.js';
import {
  RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV6_ROUTE, RTNLGRP_LINK,
} from '../os/netlink/constants.js';
import type { RtnlClient } from '../os/netlink/rtnl.js';
import type { AddressInfo, LinkInfo, RouteInfo } from '../os/netlink/views.js';
import type { NetlinkPort, NetlinkSubscription } from '../os/ports.js';
import type { WorldInput } from '../engine/mn/movement.js';

const MAIN_TABLE = 254;

type Item = WorldInput;

function key(i: Item): string {
  switch (i.kind) {
    case 'link': return `link|${i.ifname}`;
    case 'address': return `addr|${i.ifname}|${i.address}|${i.prefixLength}`;
    case 'default-router': return `router|${i.ifname}|${i.family}|${i.address}`;
  }
}

export class WorldWatcher {
  private readonly names = new Map<number, string>();
  private readonly present = new Map<string, Item>();
  private sub: NetlinkSubscription | undefined;

  constructor(
    private readonly rtnl: RtnlClient,
    private readonly interfaces: ReadonlySet<string>,
    private readonly feed: (input: Item) => void,
    private readonly warn: (msg: string) => void,
  ) {}

  start(netlink: NetlinkPort): void {
    this.sub = netlink.subscribe(
      [RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE],
      {
        onMessages: (ms) => { for (const m of ms) this.events(parseEvents(m).events); },
        onOverflow: () => {
          this.warn('rtnetlink events overflowed: dumping the state again');
          this.resync();
        },
      },
    );
    this.resync();
  }

  stop(): void {
    this.sub?.close();
  }

  /** Dumps links, addresses and routes and reports what changed since the last view. */
  resync(): void {
    const links = this.rtnl.getLinks();
    const addrs = this.rtnl.getAddresses();
    const routes = this.rtnl.getRoutes(MAIN_TABLE);
    if (!links.ok || !addrs.ok || !routes.ok) {
      this.warn('rtnetlink dump failed; keeping the previous view');
      return;
    }
    for (const l of links.value) this.names.set(l.index, l.name);
    const now = new Map<string, Item>();
    const add = (i: Item | undefined): void => { if (i) now.set(key(i), i); };
    for (const l of links.value) add(this.linkItem(l, true));
    for (const a of addrs.value) add(this.addressItem(a, true));
    for (const r of routes.value) add(this.routeItem(r, true));
    for (const [k, i] of this.present) if (!now.has(k)) this.change(absent(i));
    for (const i of now.values()) this.change(i);
  }

  /**
   * IPv4 routes that the kernel flushes because their address or link went away are removed
   * without an RTM_DELROUTE notification; a link going down or an address going away therefore
   * triggers a fresh dump, so a stale default router is never reported as present.
   */
  private events(events: readonly RtnlEvent[]): void {
    let resync = false;
    for (const e of events) {
      if ((e.kind === 'link' && e.op === 'new' && !(e.link.up && e.link.running))
        || (e.kind === 'address' && e.op === 'del') || (e.kind === 'link' && e.op === 'del')) {
        resync = true;
      }
      if (e.kind === 'link') {
        this.names.set(e.link.index, e.link.name);
        const i = this.linkItem(e.link, e.op === 'new');
        if (i) this.change(i);
      } else if (e.kind === 'address') {
        const i = this.addressItem(e.address, e.op === 'new');
        if (i) this.change(i);
      } else if (e.kind === 'route' && e.route.table === MAIN_TABLE) {
        const i = this.routeItem(e.route, e.op === 'new');
        if (i) this.change(i);
      }
    }
    if (resync) this.resync();
  }

  private change(i: Item): void {
    const k = key(i);
    const was = this.present.has(k);
    const is = i.kind === 'link' ? i.up : i.present;
    if (i.kind === 'link') {
      const prev = this.present.get(k);
      if (prev?.kind === 'link' && prev.up === i.up) return;
      this.present.set(k, i);
      this.feed(i);
      return;
    }
    if (was === is) return;
    if (is) this.present.set(k, i); else this.present.delete(k);
    this.feed(i);
  }

  private linkItem(l: LinkInfo, exists: boolean): Item | undefined {
    if (!this.interfaces.has(l.name)) return undefined;
    return { kind: 'link', ifname: l.name, up: exists && l.up && l.running };
  }

  private addressItem(a: AddressInfo, exists: boolean): Item | undefined {
    const ifname = this.names.get(a.index);
    if (ifname === undefined || !this.interfaces.has(ifname)) return undefined;
    const usable = exists && !a.flagNames.includes('tentative') && !a.flagNames.includes('dadfailed');
    return {
      kind: 'address', ifname, family: a.family, address: a.address, prefixLength: a.prefixLength,
      present: usable,
    };
  }

  private routeItem(r: RouteInfo, exists: boolean): Item | undefined {
    if (r.dst !== '::/0' && r.dst !== '0.0.0.0/0') return undefined;
    const ifname = r.oif === undefined ? undefined : this.names.get(r.oif);
    if (ifname === undefined || !this.interfaces.has(ifname)) return undefined;
    const address = r.gateway ?? (r.family === 6 ? '::' : '0.0.0.0');
    return { kind: 'default-router', ifname, family: r.family, address, present: exists };
  }
}

function absent(i: Item): Item {
  return i.kind === 'link' ? { ...i, up: false } : { ...i, present: false };
}
