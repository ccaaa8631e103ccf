/**
 * The Mobile Node / Mobile Router daemon: the engine of src/engine/mn on the real system.
 * Movement detection comes from rtnetlink (mn-world.ts) and from the Router Advertisements heard
 * on the mobile interfaces (ra-monitor.ts). While away, the home addresses live on
 * the TUN and policy routing sends traffic from them (and from mobile network prefixes) into it:
 * table 252 holds a default route via the TUN, and `from <home address or MNP> lookup 252` rules
 * select it; tunnel sockets send from the care-of address through the main table, so the
 * encapsulated packets never loop. A mobile router's prefixes are thrown out of table 252: what
 * goes to the mobile network itself, such as the router's own ICMP errors (Packet Too Big,
 * sourced from its address in the prefix) to a node there, is routed by the main table, not
 * tunnelled to the home agent. At home, the home address sits on the home interface.
 *
 * IPv4 care-of addresses may come from the built-in DHCPv4 client (`UseDhcp enabled`,
 * dhcp-runtime.ts), which configures them like any other client would.
 *
 * A home address that was already configured on an interface before the daemon started (a node
 * booting at home with a static home address) is not the daemon's: placing it there is not
 * journaled, and if the daemon moved it away it is put back at stop.
 */
import type { Dsmip6Config } from '../config/types.js';
import { MnForwarding } from '../dataplane/mn-forwarding.js';
import { MobileNode } from '../engine/mn/mobile-node.js';
import type { MnEvent, MnInput, MnOsOp, MnOutput, MobileNodeConfig } from '../engine/mn/types.js';
import { mobileNodeSource } from '../api/snapshots.js';
import type { NdOptions, NdPort, OsPorts } from '../os/ports.js';
import { Xoshiro128 } from '../proto/prng.js';
import { canonicalIpv6, parseIpv4 } from '../wire/addr.js';
import { IpProto } from '../wire/ip-protocols.js';
import { hostPrefix } from '../proto/prefix.js';
import {
  closeContext, dispatchOutputs, mtuOptions, openContext, openTun, openTunnelPorts, startControl, trafficOf,
  type DaemonContext,
} from './daemon-base.js';
import { DhcpRuntime } from './dhcp-runtime.js';
import { EngineHost } from './engine-host.js';
import type { RunningDaemon } from './ha-daemon.js';
import type { Logger } from './logger.js';
import { TunnelIo } from './tunnel-io.js';
import { WorldWatcher } from './mn-world.js';
import { RaMonitor } from './ra-monitor.js';

/** UMIP's RT6_TABLE_MIP6. */
export const MIP6_TABLE = 252;
const RULE_PRIORITY = 1000;

const family = (a: string): 4 | 6 => (parseIpv4(a.split('/')[0]) ? 4 : 6);
const canonical = (a: string): string => (family(a) === 6 ? canonicalIpv6(a) ?? a : a);

interface Place { readonly ifname: string; readonly prefixLength: number }

/** Where the home addresses were before the daemon started (restored at stop). */
class OriginalPlaces {
  private readonly places = new Map<string, Place>();

  constructor(private readonly ctx: DaemonContext, addresses: readonly string[]) {
    const links = ctx.rtnl.getLinks();
    const addrs = ctx.rtnl.getAddresses();
    if (!links.ok || !addrs.ok) return;
    const want = new Set(addresses.map(canonical));
    for (const a of addrs.value) {
      const ifname = links.value.find((l) => l.index === a.index)?.name;
      if (ifname !== undefined && want.has(a.address)) {
        this.places.set(a.address, { ifname, prefixLength: a.prefixLength });
      }
    }
  }

  has(address: string, p: Place): boolean {
    const o = this.places.get(canonical(address));
    return o !== undefined && o.ifname === p.ifname && o.prefixLength === p.prefixLength;
  }

  /** Keeps the journal from removing them and puts back the ones the daemon removed. */
  restore(): void {
    const s = this.ctx.system;
    for (const [address, p] of this.places) {
      const e = { kind: 'address', ifname: p.ifname, address, prefixLength: p.prefixLength };
      s.journal.forget((x) => x.kind === 'address' && canonical(x.address) === address
        && x.ifname === e.ifname && x.prefixLength === e.prefixLength);
      const r = this.ctx.rtnl.getLink(p.ifname);
      if (!r.ok) continue;
      const added = this.ctx.rtnl.addAddress({ index: r.value.index, address, prefixLength: p.prefixLength,
        nodad: true });
      if (added.ok) this.ctx.log.info('home address put back where it was', { address, ifname: p.ifname });
    }
  }
}

class MnOs {
  private sources: string[] = [];
  /** Mobile network prefixes thrown out of table 252 (their own destinations stay local). */
  private thrown: string[] = [];
  private readonly placed = new Map<string, Place>();
  /** The home address on the home link while deregistering (see `event`). */
  private deregistering: { address: string; place: Place } | undefined;

  constructor(
    private readonly ctx: DaemonContext, private readonly tunName: string,
    private readonly fwd: MnForwarding, private readonly originals: OriginalPlaces,
    private readonly homeAddress: string, private readonly homePrefixLength: number,
  ) {}

  /**
   * Back home with a binding, the engine deregisters (RFC 6275 §11.5.4) and keeps the home
   * address on the TUN until the BA. But the home agent's BA goes to the home address on the
   * home link, after a Neighbor Solicitation the kernel answers only for addresses of that
   * interface: so while deregistering the address is also put on the home interface (no DAD).
   * The engine's own placement after the BA takes over; leaving again removes it.
   */
  event(e: MnEvent): void {
    if (e.type === 'at-home' && this.placed.get(this.homeAddress)?.ifname === this.tunName) {
      const place = { ifname: e.ifname, prefixLength: this.homePrefixLength };
      this.ctx.system.address(e.ifname, this.homeAddress, place.prefixLength, true);
      this.deregistering = { address: this.homeAddress, place };
    } else if (e.type === 'care-of-changed' && e.careOfAddress !== undefined) {
      this.endDeregistering(undefined);
    }
  }

  private endDeregistering(keep: Place | undefined): void {
    const d = this.deregistering;
    this.deregistering = undefined;
    if (!d || (keep && keep.ifname === d.place.ifname && keep.prefixLength === d.place.prefixLength)) return;
    this.ctx.system.address(d.place.ifname, d.address, d.place.prefixLength, false);
  }

  apply(op: MnOsOp): void {
    const s = this.ctx.system;
    if (op.op === 'tunnel-set') this.endDeregistering(undefined);
    if (op.op === 'home-address-clear' && op.address === this.deregistering?.address) {
      this.endDeregistering(undefined);
    }
    switch (op.op) {
      case 'tunnel-set': return this.tunnelSet(op);
      case 'tunnel-clear':
        this.fwd.apply(op);
        for (const old of this.sources) s.rule(family(old), old, MIP6_TABLE, RULE_PRIORITY, false);
        for (const d of ['::/0', '0.0.0.0/0']) s.route(d, { ifname: this.tunName, table: MIP6_TABLE }, false);
        for (const p of this.thrown) s.route(p, { table: MIP6_TABLE, throw: true }, false);
        this.sources = [];
        this.thrown = [];
        return;
      case 'home-address-set': {
        const ifname = op.on === 'tunnel' ? this.tunName : op.on.ifname;
        const prefixLength = op.on === 'tunnel' ? (op.family === 6 ? 128 : 32) : op.prefixLength;
        const prev = this.placed.get(op.address);
        if (prev && (prev.ifname !== ifname || prev.prefixLength !== prefixLength)) {
          s.address(prev.ifname, op.address, prev.prefixLength, false);
        }
        const place = { ifname, prefixLength };
        if (op.address === this.deregistering?.address) this.endDeregistering(place);
        if (!(this.originals.has(op.address, place) && this.present(op.address, place))) {
          s.address(ifname, op.address, prefixLength, true);
        }
        this.placed.set(op.address, place);
        return;
      }
      case 'home-address-clear': {
        const prev = this.placed.get(op.address);
        if (prev) s.address(prev.ifname, op.address, prev.prefixLength, false);
        this.placed.delete(op.address);
        return;
      }
      case 'announce-home-address':
        this.ctx.log.info('home address back on the home link', { ifname: op.ifname, address: op.address });
        return;
    }
  }

  private tunnelSet(op: Extract<MnOsOp, { op: 'tunnel-set' }>): void {
    const s = this.ctx.system;
    this.fwd.apply(op);
    const want = [...op.homeAddresses.map(hostPrefix), ...op.prefixes];
    for (const f of [6, 4] as const) {
      const used = want.some((w) => family(w) === f);
      s.route(f === 6 ? '::/0' : '0.0.0.0/0', { ifname: this.tunName, table: MIP6_TABLE }, used);
    }
    for (const src of want) s.rule(family(src), src, MIP6_TABLE, RULE_PRIORITY, true);
    for (const old of this.sources) {
      if (!want.includes(old)) s.rule(family(old), old, MIP6_TABLE, RULE_PRIORITY, false);
    }
    this.sources = want;
    for (const p of op.prefixes) s.route(p, { table: MIP6_TABLE, throw: true }, true);
    for (const old of this.thrown) {
      if (!op.prefixes.includes(old)) s.route(old, { table: MIP6_TABLE, throw: true }, false);
    }
    this.thrown = [...op.prefixes];
  }

  private present(address: string, p: Place): boolean {
    const r = this.ctx.rtnl.getAddresses(family(address), this.ctx.system.index(p.ifname));
    const a = canonical(address);
    return r.ok && r.value.some((x) => x.address === a && x.prefixLength === p.prefixLength);
  }
}

/**
 * Routes through an interface that lost its carrier are ignored (ignore_routes_with_linkdown):
 * away from home, the home link's interface keeps its home-prefix address and that prefix's
 * route, which would otherwise catch the Binding Updates to the home agent. A mobile router
 * forwards, and keeps SLAAC on its mobile interfaces (accept_ra=2, platform.md §5).
 */
function setSysctls(ctx: DaemonContext, interfaces: readonly string[], router: boolean): void {
  const s = ctx.system;
  if (router) {
    s.sysctl('net.ipv6.conf.all.forwarding', '1');
    s.sysctl('net.ipv4.ip_forward', '1');
  }
  for (const i of interfaces) {
    try {
      s.sysctl(`net.ipv6.conf.${i}.ignore_routes_with_linkdown`, '1');
      s.sysctl(`net.ipv4.conf.${i}.ignore_routes_with_linkdown`, '1');
      if (router) s.sysctl(`net.ipv6.conf.${i}.accept_ra`, '2');
    } catch (e) {
      ctx.log.warn('cannot set the interface\'s sysctls (no such interface yet?)',
        { ifname: i, error: String(e) });
    }
  }
}

/** The RA listener, or none with MnUseRouterAdvertisements disabled (no sockets, no solicitations). */
function raMonitor(
  mnCfg: MobileNodeConfig, ...args: ConstructorParameters<typeof RaMonitor>
): RaMonitor | undefined {
  if (mnCfg.useRouterAdvertisements === false) {
    args[3].info('MnUseRouterAdvertisements disabled: movement detection from rtnetlink only');
    return undefined;
  }
  return new RaMonitor(...args);
}

function dhcpInterfaces(cfg: Dsmip6Config): string[] {
  return cfg.interfaces.filter((i) => i.ifType === 'MN' && i.useDhcp && i.preference > 0).map((i) => i.name);
}

export async function runMobileNode(cfg: Dsmip6Config, os: OsPorts, log: Logger): Promise<RunningDaemon> {
  const ctx = await openContext(cfg, os, log);
  try {
    const mnCfg = cfg.mn!.engine;
    const names = new Set(cfg.interfaces.filter((i) => i.ifType === 'MN').map((i) => i.name));
    setSysctls(ctx, [...names], cfg.mobileRouter);
    ctx.system.nftTable();
    const tun = openTun(ctx, 'dsmip6mn');
    const ports = openTunnelPorts(ctx, tun, mnCfg.udpSourcePort, IpProto.ROUTING);
    const engine = new MobileNode(mnCfg, new Xoshiro128(process.pid ^ Date.now()));
    const fwd = new MnForwarding();
    const v4 = mnCfg.ipv4HomeAddress;
    const originals = new OriginalPlaces(ctx, [mnCfg.homeAddress, ...(v4 && v4 !== '0.0.0.0' ? [v4] : [])]);
    const mnOs = new MnOs(ctx, tun.name, fwd, originals, mnCfg.homeAddress, mnCfg.homePrefixLength);
    const sender = { raw: ports.rawSender, udpFor: () => ports.udp };
    const host = new EngineHost<MnInput, MnOutput>(engine, (outs) => dispatchOutputs(outs,
      { apply: (op) => mnOs.apply(op), event: (e) => onEvent(e, mnOs, log) }, sender, log),
      (what, e) => log.error('internal error', { what, error: String(e) }));
    const io = new TunnelIo(ports, fwd, IpProto.ROUTING, (mh) => host.input(mh), mtuOptions(ctx));
    io.start();
    const dhcp = new DhcpRuntime(ctx, dhcpInterfaces(cfg), tun.name);
    const openNd = ctx.os.openNd;
    const nd = openNd && ((o: NdOptions): NdPort => openNd.call(ctx.os, o));
    const ra = raMonitor(mnCfg, nd, names, (rx) => host.input(rx), log);
    const world = new WorldWatcher(ctx.rtnl, names, (i) => {
      dhcp.observe(i);
      ra?.observe(i);
      host.input(i);
    }, (m) => log.warn(m));
    world.start(ctx.netlink);
    host.arm();
    const control = await startControl(ctx, {
      clock: () => ({ now: performance.now(), wallMs: Date.now() }),
      engine: () => mobileNodeSource(engine),
      dataPlane: () => {
        const d = dhcp.counters();
        const r = ra?.stats(engine.snapshot(performance.now()).counters.routerAdvertisementsDropped)
          ?? { traffic: {}, dropped: {} };
        const t = trafficOf([fwd.txPackets, fwd.txBytes], [fwd.rxPackets, fwd.rxBytes], fwd.drops.snapshot());
        return {
          traffic: { ...t.traffic, ...d.traffic, ...r.traffic },
          dropped: { ...t.dropped, ...d.dropped, ...r.dropped },
        };
      },
    });
    const interfaces = [...names];
    log.info('mobile node running', {
      homeAddress: mnCfg.homeAddress, tun: tun.name, interfaces, dhcp: dhcp.interfaces,
      mobileRouter: cfg.mobileRouter, routerAdvertisements: ra !== undefined,
    });
    return {
      async stop() {
        world.stop();
        ra?.stop();
        dhcp.stop();
        host.stop();
        await control.stop();
        originals.restore();
        return closeContext(ctx);
      },
    };
  } catch (e) {
    await closeContext(ctx);
    throw e;
  }
}

function onEvent(e: MnEvent, mnOs: MnOs, log: Logger): void {
  if (e.type === 'dropped') {
    log.limited(`dropped ${e.reason}`, 'warn', 'dropped', { ...e });
    return;
  }
  try {
    mnOs.event(e);
  } catch (err) {
    log.error('system change failed', { event: e.type, error: String(err) });
  }
  log.info(e.type, { ...e });
}
