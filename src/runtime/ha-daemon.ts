/**
 * The Home Agent daemon: the engine of src/engine/ha on the real system. It learns what the
 * configuration leaves out from the home interface, sets the sysctls and the nftables table the
 * home agent needs, routes home addresses and mobile network prefixes into the TUN while they
 * are bound, defends them on the home link with proxy ND / proxy ARP, and forwards packets
 * between the TUN and the tunnels (tunnel-io.ts).
 */
import { homeAgentConfig } from '../config/engine-configs.js';
import type { Dsmip6Config } from '../config/types.js';
import { HaForwarding } from '../dataplane/ha-forwarding.js';
import { HomeAgent } from '../engine/ha/home-agent.js';
import type { HaEvent, HaOsOp, HaOutput } from '../engine/ha/types.js';
import { homeAgentSource } from '../api/snapshots.js';
import type { DatagramPort, OsPorts, TxBatch } from '../os/ports.js';
import { IpProto } from '../wire/ip-protocols.js';
import { hostPrefix } from '../proto/prefix.js';
import {
  closeContext, dispatchOutputs, mtuOptions, openContext, openTun, openTunnelPorts, startControl, trafficOf,
  type DaemonContext,
} from './daemon-base.js';
import { EngineHost } from './engine-host.js';
import { PoolRoutes, type RoutedAlready } from './ha-pool-routes.js';
import { restoreBindingStore, storeEvent } from './ha-store-daemon.js';
import type { Logger } from './logger.js';
import { SendQueue, type BatchTarget } from './send-queue.js';
import { homeLinkOf } from './neighbour-link.js';
import { TunnelIo } from './tunnel-io.js';
import { TunRoutes } from './tun-routes.js';
import {
  HEAP_TRIM_IDLE_MS, HEAP_TRIM_MIN_CHANGES, HEAP_TRIM_QUIET_CHANGES, HeapTrim,
} from './heap-trim.js';

export interface RunningDaemon {
  stop(): Promise<string[]>;
}

const NO_ROUTES: readonly string[] = [];

class HaOs {
  /**
   * Routes into the TUN per binding, to remove what a re-registration no longer needs; listed
   * only when they are not just the home address's host route (the common case at scale: an
   * IPv4 home address from a pool routed whole needs none), which is what an unlisted binding has.
   */
  private readonly routes = new Map<string, string[]>();

  /**
   * Removes the routes into the TUN a binding holds (`host`, its home address's host route, when
   * unlisted) that `keep` leaves out.
   */
  private clearRoutes(homeAddress: string, host: string, keep: readonly string[]): void {
    const had = this.routes.size > 0 ? this.routes.get(homeAddress) : undefined;
    if (had === undefined) {
      if (!keep.includes(host)) this.tun.clear(host);
      return;
    }
    for (const r of had) if (!keep.includes(r)) this.tun.clear(r);
  }

  /** The routes into the TUN a binding needs: its addresses' and prefixes' not under a pool route. */
  private routesWanted(op: Extract<HaOsOp, { op: 'binding-set' }>, host: string): string[] {
    const want: string[] = [];
    for (const a of op.addresses) {
      if (!this.pools.coversAddress(a)) want.push(a === op.homeAddress ? host : hostPrefix(a));
    }
    for (const p of op.prefixes) if (!this.pools.covers(p)) want.push(p);
    return want;
  }

  constructor(
    private readonly ctx: DaemonContext, private readonly tun: TunRoutes,
    private readonly homeIf: string, private readonly fwd: HaForwarding,
    private readonly dad: (address: string) => void, private readonly pools: PoolRoutes,
  ) {}

  apply(op: HaOsOp): void {
    const s = this.ctx.system;
    switch (op.op) {
      case 'binding-set': {
        this.fwd.apply(op);
        const host = hostPrefix(op.homeAddress);
        const want = this.routesWanted(op, host);
        for (const r of want) this.tun.set(r);
        this.clearRoutes(op.homeAddress, host, want);
        if (want.length !== 1 || want[0] !== host) this.routes.set(op.homeAddress, want);
        else if (this.routes.size > 0) this.routes.delete(op.homeAddress);
        return;
      }
      case 'binding-clear':
        this.fwd.apply(op);
        this.clearRoutes(op.homeAddress, hostPrefix(op.homeAddress), NO_ROUTES);
        if (this.routes.size > 0) this.routes.delete(op.homeAddress);
        return;
      case 'proxy-nd-set': case 'proxy-arp-set': {
        const link = homeLinkOf(this.ctx, this.homeIf);
        // IPv6: answered in userspace (neighbour-proxy.ts) unless the link has no listener.
        const user = op.op === 'proxy-nd-set' && link.defend(op.address);
        if (!user) s.proxyNeighbour(this.homeIf, op.address, true);
        // Neighbours that cached the mobile node's own MAC learn the home agent's (RFC 6275 §10.4.1).
        return op.op === 'proxy-nd-set' ? link.announceNeighbour(op.address) : link.announceArp(op.address);
      }
      case 'proxy-nd-clear': case 'proxy-arp-clear': {
        const link = homeLinkOf(this.ctx, this.homeIf);
        link.stopAnnouncing(op.address);
        if (op.op === 'proxy-nd-clear' && link.release(op.address)) return;
        return s.proxyNeighbour(this.homeIf, op.address, false);
      }
      case 'dad-start': return this.dad(op.address);
    }
  }
}

function homeFacts(ctx: DaemonContext, ifname: string) {
  const index = ctx.system.index(ifname);
  const r = ctx.rtnl.getAddresses(undefined, index);
  if (!r.ok) throw new Error(`addresses of ${ifname}: ${r.error.text}`);
  const pick = (family: 4 | 6) => r.value.filter((a) => a.family === family)
    .map((a) => ({ address: a.address, prefixLength: a.prefixLength }));
  return { ipv6: pick(6), ipv4: pick(4) };
}

/** The IPv4 routes (main table, not the default) and addresses the system has (ha-pool-routes.ts). */
function routedAlready(ctx: DaemonContext): RoutedAlready {
  const routes = ctx.rtnl.getRoutes(254, 4);
  const addresses = ctx.rtnl.getAddresses(4);
  if (!routes.ok) throw new Error(`IPv4 routes: ${routes.error.text}`);
  if (!addresses.ok) throw new Error(`IPv4 addresses: ${addresses.error.text}`);
  return {
    routes: routes.value.filter((r) => r.dst !== '0.0.0.0/0').map((r) => r.dst),
    addresses: addresses.value.map((a) => a.address),
  };
}

function setSysctls(ctx: DaemonContext, homeIf: string): void {
  const s = ctx.system;
  s.sysctl('net.ipv6.conf.all.forwarding', '1');
  s.sysctl(`net.ipv6.conf.${homeIf}.forwarding`, '1');
  s.sysctl(`net.ipv6.conf.${homeIf}.proxy_ndp`, '1');
  s.sysctl(`net.ipv6.neigh.${homeIf}.proxy_delay`, '0');
  s.sysctl('net.ipv4.ip_forward', '1');
  s.sysctl(`net.ipv4.neigh.${homeIf}.proxy_delay`, '0');
}

export async function runHomeAgent(cfg: Dsmip6Config, os: OsPorts, log: Logger): Promise<RunningDaemon> {
  const ctx = await openContext(cfg, os, log);
  try {
    const homeIf = cfg.ha!.homeInterface;
    const built = homeAgentConfig(cfg, homeFacts(ctx, homeIf));
    if (!built.ok) throw new Error(built.reason);
    for (const l of built.learned) log.info('learned from the home interface', { setting: l });
    setSysctls(ctx, homeIf);
    ctx.system.nftTable();
    const tun = openTun(ctx, 'dsmip6ha');
    const v4 = built.value.ipv4Address;
    const local = {
      ipv6: built.value.address, ...(v4 !== undefined ? { ipv4: v4 } : {}), sendRing: cfg.ha!.sendThread,
    };
    const ports = openTunnelPorts(ctx, tun, built.value.udpPort, IpProto.DESTINATION_OPTIONS, local);
    const engine = new HomeAgent(built.value);
    const fwd = new HaForwarding();
    let host: EngineHost<Parameters<HomeAgent['handle']>[1], HaOutput> | undefined;
    const dad = (address: string): void => {
      // Duplicate Address Detection on the home link (RFC 4862 §5.4, RFC 6275 §10.3.1): neighbour.ts.
      homeLinkOf(ctx, homeIf)
        .dad(address, (duplicate) => host?.input({ kind: 'dad-result', address, duplicate }));
    };
    const pools = new PoolRoutes(built.value, routedAlready(ctx));
    for (const r of pools.routes) ctx.system.route(r, { ifname: tun.name }, true);
    if (pools.routes.length > 0) log.info('IPv4 pools routed into the TUN', { pools: pools.routes });
    for (const k of pools.kept) log.info('IPv4 pool routed per binding', k);
    // Per-binding routes into the TUN, batched (tun-routes.ts); sent before the TUN closes.
    // With the send thread, route batches go through it, ahead of the BAs that announce them.
    const routeQueue = cfg.ha!.sendThread ? ctx.os.openNetlinkQueue?.() : undefined;
    if (routeQueue !== undefined) ctx.closers.push(() => routeQueue.close());
    const tunRoutes = new TunRoutes(tun.ifindex, {
      netlink: ctx.netlink, takeSequences: (n) => ctx.rtnl.takeSequences(n), log,
      ...(routeQueue !== undefined ? { queue: routeQueue } : {}),
    });
    ctx.closers.push(() => tunRoutes.close());
    const haOs = new HaOs(ctx, tunRoutes, homeIf, fwd, dad, pools);
    const routesFirst = () => tunRoutes.flush();
    const udp = new BatchedSend(ports.udp, log, routesFirst);
    const sender = { raw: new BatchedSend(ports.rawSender, log, routesFirst), udpFor: () => udp };
    // The durable Binding Cache (ha-store.ts): bindings of the previous run, back before the data plane.
    const kept = restoreBindingStore(cfg.daemon.stateDirectory, engine, log, cfg.ha!.keepBindings);
    ctx.closers.push(() => kept.store.close());
    // After a burst of binding changes, one full collection once quiet (heap-trim.ts).
    const trim = cfg.ha!.heapTrim
      ? new HeapTrim({
        minChanges: HEAP_TRIM_MIN_CHANGES, idleMs: HEAP_TRIM_IDLE_MS, quietChanges: HEAP_TRIM_QUIET_CHANGES,
        log,
      }) : undefined;
    if (trim) ctx.closers.push(() => trim.close());
    const handlers = {
      apply: (op: HaOsOp) => haOs.apply(op),
      event: (e: HaEvent) => { logEvent(e, log); if (storeEvent(kept.store, e)) trim?.changed(); },
    };
    dispatchOutputs(kept.outputs, handlers, sender, log);
    host = new EngineHost(engine, (outs) => dispatchOutputs(outs, handlers, sender, log),
      (what, e) => log.error('internal error', { what, error: String(e) }));
    const io = new TunnelIo(ports, fwd, IpProto.DESTINATION_OPTIONS, (mh) => host?.input(mh),
      mtuOptions(ctx, built.value.address));
    io.start();
    host.arm();
    const control = await startControl(ctx, {
      clock: () => ({ now: performance.now(), wallMs: Date.now() }),
      engine: () => homeAgentSource(engine, () => ({ ...homeLinkOf(ctx, homeIf).counters })),
      dataPlane: () => {
        let tx = 0; let txb = 0; let rx = 0; let rxb = 0;
        for (const e of engine.cache.entries()) {
          const b = fwd.binding(e.homeAddress);
          if (b) { tx += b.txPackets; txb += b.txBytes; rx += b.rxPackets; rxb += b.rxBytes; }
        }
        return trafficOf([tx, txb], [rx, rxb], fwd.drops.snapshot());
      },
    });
    const { address, udpPort } = built.value;
    log.info('home agent running', { address, tun: tun.name, udpPort });
    return {
      async stop() {
        host?.stop();
        await control.stop();
        return closeContext(ctx);
      },
    };
  } catch (e) {
    await closeContext(ctx);
    throw e;
  }
}

function logEvent(e: HaEvent, log: Logger): void {
  if (e.type === 'binding-rejected' || e.type === 'dropped') {
    log.limited(`${e.type} ${'homeAddress' in e ? e.homeAddress : e.reason}`, 'warn', e.type, { ...e });
  } else if (e.type === 'binding-accepted' && !e.isNew) {
    log.debug('binding-refreshed', e); // every mobile node, every few minutes: not news
  } else {
    log.info(e.type, e);
  }
}

/**
 * A datagram port whose `send` queues (send-queue.ts): the Binding Acknowledgements answering
 * one received batch of BUs leave together in one sendmmsg. Per-packet failures are counted in
 * the port's stats and logged (rate-limited), as a batch send does not throw.
 */
class BatchedSend implements DatagramPort {
  private readonly queue: SendQueue;

  /** The queue's target: the port's send thread when it has one (DatagramPort.queueBatch). */
  private readonly target: BatchTarget;

  /** `first` runs before queued packets leave (the routes the acknowledgements announce). */
  constructor(private readonly port: DatagramPort, log: Logger, private readonly first: () => void) {
    this.queue = new SendQueue((lost, error) => {
      log.limited('batched-send', 'warn', 'cannot send', { lost, error });
    }, undefined, first);
    this.target = {
      sendBatch: (b) => (port.queueBatch !== undefined ? port.queueBatch(b) : port.sendBatch(b)),
      get stats() { return port.stats; },
    };
  }

  get kind() { return this.port.kind; }
  get protocol() { return this.port.protocol; }
  get localPort() { return this.port.localPort; }
  get stats() { return this.port.stats; }
  onBatch(...a: Parameters<DatagramPort['onBatch']>): void { this.port.onBatch(...a); }
  sendBatch(b: TxBatch): number { return this.port.sendBatch(b); }
  close(): void { this.queue.flush(); this.port.close(); }

  send(address: string | Uint8Array, port: number, bytes: Uint8Array): void {
    if (this.queue.push(this.target, bytes, address, port)) return;
    this.first();
    this.port.send(address, port, bytes);
  }
}
