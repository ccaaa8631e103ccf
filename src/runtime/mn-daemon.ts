/**
 * The Mobile Node / Mobile Router daemon: the engine of src/engine/mn on the real system.
 * Movement detection comes from rtnetlink (mn-world.ts). While away, the home addresses live on
 * the TUN and policy routing sends traffic from them (and from mobile network prefixes) into it:
 * table 252 holds a default route via the TUN, and `from <home address or MNP> lookup 252` rules
 * select it; tunnel sockets send from the care-of address through the main table, so the
 * encapsulated packets never loop. At home, the home address sits on the home interface.
 */
import type { Dsmip6Config } from '../config/types.js';
import { MnForwarding } from '../dataplane/mn-forwarding.js';
import { MobileNode } from '../engine/mn/mobile-node.js';
import type { MnInput, MnOsOp, MnOutput } from '../engine/mn/types.js';
import { mobileNodeSource } from '../api/snapshots.js';
import type { OsPorts } from '../os/ports.js';
import { Xoshiro128 } from '../proto/prng.js';
import { parseIpv4 } from '../wire/addr.js';
import { IpProto } from '../wire/ip-protocols.js';
import {
  closeContext, openContext, openTun, openTunnelPorts, startControl, trafficOf, type DaemonContext,
} from './daemon-base.js';
import { EngineHost } from './engine-host.js';
import type { RunningDaemon } from './ha-daemon.js';
import type { Logger } from './logger.js';
import { sendMh } from './mh-io.js';
import { TunnelIo } from './tunnel-io.js';
import { WorldWatcher } from './mn-world.js';

/** UMIP's RT6_TABLE_MIP6. */
export const MIP6_TABLE = 252;
const RULE_PRIORITY = 1000;

const family = (a: string): 4 | 6 => (parseIpv4(a.split('/')[0]) ? 4 : 6);
const hostPrefix = (a: string): string => `${a}/${family(a) === 4 ? 32 : 128}`;

class MnOs {
  private sources: string[] = [];
  private readonly placed = new Map<string, { ifname: string; prefixLength: number }>();

  constructor(
    private readonly ctx: DaemonContext, private readonly tunName: string,
    private readonly fwd: MnForwarding,
  ) {}

  apply(op: MnOsOp): void {
    const s = this.ctx.system;
    switch (op.op) {
      case 'tunnel-set': {
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
        return;
      }
      case 'tunnel-clear':
        this.fwd.apply(op);
        for (const old of this.sources) s.rule(family(old), old, MIP6_TABLE, RULE_PRIORITY, false);
        for (const d of ['::/0', '0.0.0.0/0']) s.route(d, { ifname: this.tunName, table: MIP6_TABLE }, false);
        this.sources = [];
        return;
      case 'home-address-set': {
        const ifname = op.on === 'tunnel' ? this.tunName : op.on.ifname;
        const prefixLength = op.on === 'tunnel' ? (op.family === 6 ? 128 : 32) : op.prefixLength;
        const prev = this.placed.get(op.address);
        if (prev && (prev.ifname !== ifname || prev.prefixLength !== prefixLength)) {
          s.address(prev.ifname, op.address, prev.prefixLength, false);
        }
        s.address(ifname, op.address, prefixLength, true);
        this.placed.set(op.address, { ifname, prefixLength });
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
}

export async function runMobileNode(cfg: Dsmip6Config, os: OsPorts, log: Logger): Promise<RunningDaemon> {
  const ctx = await openContext(cfg, os, log);
  try {
    const mnCfg = cfg.mn!.engine;
    if (cfg.mobileRouter) ctx.system.sysctl('net.ipv6.conf.all.forwarding', '1');
    if (cfg.mobileRouter) ctx.system.sysctl('net.ipv4.ip_forward', '1');
    ctx.system.nftTable();
    const tun = openTun(ctx, 'dsmip6mn');
    const ports = openTunnelPorts(ctx, tun, mnCfg.udpSourcePort, IpProto.ROUTING);
    const engine = new MobileNode(mnCfg, new Xoshiro128(process.pid ^ Date.now()));
    const fwd = new MnForwarding();
    const mnOs = new MnOs(ctx, tun.name, fwd);
    const sender = { raw: ports.rawSender, udpFor: () => ports.udp };
    const host = new EngineHost<MnInput, MnOutput>(engine, (outs) => dispatch(outs, mnOs, sender, log),
      (what, e) => log.error('internal error', { what, error: String(e) }));
    const io = new TunnelIo(ports, fwd, IpProto.ROUTING, (mh) => host.input(mh));
    io.start();
    const names = new Set(cfg.interfaces.filter((i) => i.ifType === 'MN').map((i) => i.name));
    const world = new WorldWatcher(ctx.rtnl, names, (i) => host.input(i), (m) => log.warn(m));
    world.start(ctx.netlink);
    host.arm();
    const control = await startControl(ctx, {
      clock: () => ({ now: performance.now(), wallMs: Date.now() }),
      engine: () => mobileNodeSource(engine),
      dataPlane: () => trafficOf(
        [fwd.txPackets, fwd.txBytes], [fwd.rxPackets, fwd.rxBytes], fwd.drops.snapshot()),
    });
    const interfaces = [...names];
    log.info('mobile node running', { homeAddress: mnCfg.homeAddress, tun: tun.name, interfaces });
    return {
      async stop() {
        world.stop();
        host.stop();
        await control.stop();
        return closeContext(ctx);
      },
    };
  } catch (e) {
    await closeContext(ctx);
    throw e;
  }
}

function dispatch(
  outs: readonly MnOutput[], mnOs: MnOs, sender: Parameters<typeof sendMh>[1], log: Logger,
): void {
  for (const o of outs) {
    if (o.kind === 'send-mh') {
      const r = sendMh(o, sender);
      if (!r.ok) log.limited(`send ${o.packet.destination}`, 'warn', 'cannot send', { why: r.why });
    } else if (o.kind === 'os') {
      try {
        mnOs.apply(o.op);
      } catch (e) {
        log.error('system change failed', { op: o.op.op, error: String(e) });
      }
    } else if (o.event.type === 'dropped') {
      log.limited(`dropped ${o.event.reason}`, 'warn', 'dropped', { ...o.event });
    } else {
      log.info(o.event.type, { ...o.event });
    }
  }
}
