/**
 * What both daemons share: the journal and its recovery at start, the rtnetlink client, the
 * TUN device and the tunnel sockets, the control socket, and an orderly stop that closes
 * everything and undoes every system change in reverse order.
 */
import { join } from 'node:path';
import { ControlServer } from '../api/server.js';
import { answer } from '../api/handlers.js';
import type { Snapshots, DataPlaneCounters } from '../api/snapshots.js';
import type { Dsmip6Config } from '../config/types.js';
import { RtnlClient } from '../os/netlink/rtnl.js';
import type { DatagramPort, NetlinkPort, OsPorts, TunPort } from '../os/ports.js';
import { IpProto } from '../wire/ip-protocols.js';
import { Journal, recoverLeftovers } from './journal.js';
import type { Logger } from './logger.js';
import { System } from './system.js';
import type { TunnelPorts } from './tunnel-io.js';
import { sendMh, type MhSender } from './mh-io.js';
import type { SendMh } from '../engine/types.js';

export const VERSION = '0.1.0';

export interface DaemonContext {
  readonly cfg: Dsmip6Config;
  readonly os: OsPorts;
  readonly log: Logger;
  readonly netlink: NetlinkPort;
  readonly rtnl: RtnlClient;
  readonly system: System;
  readonly closers: (() => void)[];
  readonly startedAt: number;
}

/** Opens netlink, undoes what a crashed predecessor left, and starts a fresh journal. */
export async function openContext(
  cfg: Dsmip6Config, os: OsPorts, log: Logger,
): Promise<DaemonContext> {
  const netlink = os.openNetlink();
  const rtnl = new RtnlClient(netlink);
  const path = join(cfg.daemon.stateDirectory, `journal-${cfg.role.toLowerCase()}`);
  const journal = new Journal(path);
  const system = new System(rtnl, journal);
  const left = await recoverLeftovers(path, system.undo);
  if (left.undone > 0) log.warn('cleaned up after a previous run that did not stop', { undone: left.undone });
  for (const e of left.errors) log.warn('cleanup of a previous run failed', { entry: e });
  return { cfg, os, log, netlink, rtnl, system, closers: [], startedAt: Date.now() };
}

/** The TUN device, up, with the configured MTU. */
export function openTun(ctx: DaemonContext, name: string): TunPort {
  const slotSize = Math.max(2048, ctx.cfg.daemon.tunnelMtu + 64);
  const tun = ctx.os.openTun({ name, slotSize, offload: true });
  ctx.closers.push(() => tun.close());
  ctx.system.ownLink(tun.name); // it goes, with its routes, when the fd closes (system.ts)
  const mtu = ctx.rtnl.setMtu(tun.ifindex, ctx.cfg.daemon.tunnelMtu);
  if (!mtu.ok) throw new Error(`TUN ${tun.name}: ${mtu.error.text}`);
  const up = ctx.rtnl.setLinkUp(tun.ifindex);
  if (!up.ok) throw new Error(`TUN ${tun.name}: ${up.error.text}`);
  return tun;
}

/**
 * Receive buffer of the tunnel data sockets: the kernel's default (~208 KB, ~90 full-size
 * packets) overflows whenever the daemon is off the CPU for a moment during a TCP burst, and
 * each overflow costs the inner TCP a retransmission. SO_RCVBUFFORCE, else capped by rmem_max.
 */
const TUNNEL_RECEIVE_BUFFER = 4 << 20;

function raw(
  ctx: DaemonContext, family: 4 | 6, protocol: number, address?: string, receiveBuffer?: number,
  sendRing = false,
): DatagramPort {
  const checksum = protocol === IpProto.MOBILITY ? { checksumOffset: 4 } : {};
  const p = ctx.os.openRaw({
    family, protocol, ...checksum, ...(address !== undefined ? { address } : {}),
    ...(receiveBuffer !== undefined ? { receiveBuffer } : {}), sendRing,
  });
  ctx.closers.push(() => p.close());
  return p;
}

/** Local addresses the tunnel sockets bind to (the home agent's, so replies come from them). */
export interface TunnelLocal {
  readonly ipv6?: string;
  readonly ipv4?: string;
  /** The UDP socket's `queueBatch` goes through the send thread (UdpOptions.sendRing). */
  readonly sendRing?: boolean;
}

/**
 * SO_RCVBUF of the UDP 4191 socket: it carries the signalling of every mobile node behind an IPv4
 * care-of address, and a home agent restart or a NAT rebinding brings thousands of BUs at once
 * (the 212 KB default holds about a hundred).
 */
export const UDP_RECEIVE_BUFFER = 32 << 20;

/** Every socket a tunnel end needs; `extension` is 60 (home agent) or 43 (mobile node). */
export function openTunnelPorts(
  ctx: DaemonContext, tun: TunPort, udpPort: number, extension: number, local: TunnelLocal = {},
): TunnelPorts {
  const address = local.ipv4 ?? '0.0.0.0';
  const udp = ctx.os.openUdp({
    family: 4, address, port: udpPort, reuseAddress: true, receiveBuffer: UDP_RECEIVE_BUFFER,
    sendRing: local.sendRing === true,
  });
  ctx.closers.push(() => udp.close());
  const rb = TUNNEL_RECEIVE_BUFFER;
  return {
    tun, udp,
    raw6InIpv6: raw(ctx, 6, IpProto.IPV6, local.ipv6, rb),
    raw4InIpv6: raw(ctx, 6, IpProto.IPV4, local.ipv6, rb),
    raw6InIpv4: raw(ctx, 4, IpProto.IPV6, local.ipv4, rb),
    raw4InIpv4: raw(ctx, 4, IpProto.IPV4, local.ipv4, rb),
    mhWithExtension: raw(ctx, 6, extension), mhPlain: raw(ctx, 6, IpProto.MOBILITY),
    // With the send thread, its BAs (IPv6 care-of addresses) leave after the routes handed over first.
    rawSender: raw(ctx, 6, 255, undefined, undefined, local.sendRing === true),
  };
}

/**
 * Path-MTU options for TunnelIo: the TUN MTU as the cap, rtnetlink for the kernel's path MTU,
 * and a raw ICMPv6 socket to hear Packet Too Big about IPv6-outer tunnels (an unconnected raw
 * IPv6 socket does not let the kernel learn from them).
 */
export function mtuOptions(ctx: DaemonContext, icmpSource6?: string) {
  const icmp6 = raw(ctx, 6, IpProto.ICMPV6);
  return {
    tunnelMtu: ctx.cfg.daemon.tunnelMtu, netlink: ctx.netlink, icmp6,
    ...(icmpSource6 !== undefined ? { icmpSource6 } : {}),
  };
}

/** Starts the control socket over the daemon's snapshots. */
export async function startControl(
  ctx: DaemonContext, snapshots: Omit<Snapshots, 'daemon'>,
): Promise<ControlServer> {
  const full: Snapshots = {
    ...snapshots,
    daemon: () => ({
      version: VERSION, pid: process.pid,
      uptimeSeconds: Math.floor((Date.now() - ctx.startedAt) / 1000),
      configFile: ctx.cfg.mainFile,
    }),
  };
  const server = new ControlServer({
    path: ctx.cfg.daemon.controlSocket, mode: ctx.cfg.daemon.controlSocketMode,
    answer: (r) => answer(r, full), log: (m) => ctx.log.warn(m),
  });
  await server.start();
  return server;
}

/** Closes ports and undoes every journaled change; returns the undo failures. */
export async function closeContext(ctx: DaemonContext): Promise<string[]> {
  for (const close of ctx.closers.reverse()) {
    try { close(); } catch (e) { ctx.log.warn('close failed', { error: String(e) }); }
  }
  const errors = await ctx.system.journal.undoAll(ctx.system.undo);
  ctx.netlink.close();
  return errors;
}

export function trafficOf(
  tx: [number, number], rx: [number, number], dropped: Record<string, number>,
): DataPlaneCounters {
  return {
    traffic: { tunnelled: { packets: tx[0], bytes: tx[1] }, decapsulated: { packets: rx[0], bytes: rx[1] } },
    dropped,
  };
}

/** How a daemon applies its engine's outputs (everything but sending, which is common). */
export interface OutputHandlers<Op, Ev> {
  apply(op: Op): void;
  event(e: Ev): void;
}

/**
 * Dispatches engine outputs: Mobility Header packets are sent, OS operations applied (a failure
 * is logged, never thrown: the engine's view stays authoritative), events handed on.
 */
export function dispatchOutputs<Op extends { op: string }, Ev>(
  outs: readonly ({ kind: 'send-mh' } & SendMh | { kind: 'os'; op: Op } | { kind: 'event'; event: Ev })[],
  handlers: OutputHandlers<Op, Ev>, sender: MhSender, log: Logger,
): void {
  for (const o of outs) {
    if (o.kind === 'send-mh') {
      const r = sendMh(o, sender);
      if (!r.ok) log.limited(`send ${o.packet.destination}`, 'warn', 'cannot send', { why: r.why });
    } else if (o.kind === 'os') {
      try {
        handlers.apply(o.op);
      } catch (e) {
        log.error('system change failed', { op: o.op.op, error: String(e) });
      }
    } else {
      handlers.event(o.event);
    }
  }
}
