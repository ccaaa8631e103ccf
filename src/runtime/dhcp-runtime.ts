/**
 * DHCPv4 for IPv4 care-of addresses (UMIP-DSMIP `UseDhcp enabled`): one sans-IO DhcpClient
 * (src/proto/dhcp-client.ts) per interface, each driven by its own EngineHost (one timer), wired
 * as that module's comment asks (platform.md §4):
 * - a UDP socket 0.0.0.0:68 with SO_BINDTODEVICE, SO_BROADCAST and SO_REUSEADDR per interface,
 *   open while the link is up; datagrams from port 67 go to the client;
 * - link up/down (the mobile node's rtnetlink view, mn-world.ts) → `start`/`stop`;
 * - the client's os ops go through System (journaled): the address with its prefix length and
 *   a default route via the router with metric 1000 + ifindex (so it never replaces another
 *   interface's default route). The mobile node engine then sees the address and the route
 *   through rtnetlink exactly as if another client had configured them;
 * - daemon stop releases the lease (DHCPRELEASE, then the address and route are removed).
 *
 * Reverse-path filtering: the kernel drops a DHCP reply that arrives on an interface without an
 * address whenever rp_filter is on for it (strict or loose), and the effective value is
 * max(all, interface). So the first start sets the interface's own rp_filter to 0 and, when
 * `all` is not 0, moves `all`'s value onto every other existing interface before setting `all`
 * to 0: every other interface filters as before. All journaled and restored at stop, except on
 * the daemon's own TUN, which goes away at stop. (Interfaces created later start from `default`
 * alone.)
 *
 * Not done: address conflict probing (ARP, RFC 5227), keeping the lease across restarts for
 * INIT-REBOOT, and the `source` of the default route (no preferred source is set).
 */
import type { TrafficCounter } from '../api/snapshots.js';
import { parseLladdr } from '../os/netlink/struct.js';
import type { DatagramBatch, DatagramPort } from '../os/ports.js';
import {
  DhcpClient, DHCP_DROP_REASONS, type DhcpClientInput, type DhcpClientOutput, type DhcpEvent,
  type DhcpOsOp,
} from '../proto/dhcp-client.js';
import { Xoshiro128 } from '../proto/prng.js';
import {
  DHCP_CLIENT_PORT, DHCP_SERVER_PORT, encodeDhcpMessage, encodedLengthDhcpMessage, type DhcpMessage,
} from '../wire/dhcpv4.js';
import type { DaemonContext } from './daemon-base.js';
import { EngineHost } from './engine-host.js';
import { readSysctl, sysctlPath, writeSysctl } from './sysctl.js';

/** Default routes learned by DHCP get this metric plus the interface index (as dhcpcd). */
export const DHCP_ROUTE_METRIC_BASE = 1000;
const RP_ALL = 'net.ipv4.conf.all.rp_filter';
const DEFAULT_ROUTE = '0.0.0.0/0';

/** One link item of the mobile node's world view (mn-world.ts). */
export interface LinkState {
  readonly kind: string;
  readonly ifname: string;
  readonly up?: boolean;
}

export interface DhcpCounters {
  sent: number;
  sentBytes: number;
  sendErrors: number;
  received: number;
  receivedBytes: number;
  bound: number;
  renewed: number;
  lost: number;
  naks: number;
  noReply: number;
}

const newCounters = (): DhcpCounters => ({
  sent: 0, sentBytes: 0, sendErrors: 0, received: 0, receivedBytes: 0, bound: 0, renewed: 0,
  lost: 0, naks: 0, noReply: 0,
});

/** Sets rp_filter off for DHCP interfaces without changing what the others filter. */
class RpFilter {
  private allMoved = false;

  constructor(
    private readonly ctx: DaemonContext, private readonly dhcpIfs: ReadonlySet<string>,
    private readonly tunName: string,
  ) {}

  open(ifname: string): void {
    const s = this.ctx.system;
    const all = Number(readSysctl(sysctlPath(RP_ALL)));
    if (all !== 0 && !this.allMoved) {
      const links = this.ctx.rtnl.getLinks();
      if (!links.ok) throw new Error(`links: ${links.error.text}`);
      for (const l of links.value) {
        if (this.dhcpIfs.has(l.name) || l.name.includes('.')) continue;
        const name = `net.ipv4.conf.${l.name}.rp_filter`;
        if (Number(readSysctl(sysctlPath(name))) >= all) continue;
        // The daemon's own TUN goes away at stop: nothing to restore.
        if (l.name === this.tunName) writeSysctl(sysctlPath(name), String(all));
        else s.sysctl(name, String(all));
      }
      s.sysctl(RP_ALL, '0');
      this.allMoved = true;
      this.ctx.log.info('dhcp: rp_filter of "all" moved to each interface', { value: all });
    }
    s.sysctl(`net.ipv4.conf.${ifname}.rp_filter`, '0');
  }
}

class DhcpInterface {
  readonly counters = newCounters();
  client: DhcpClient | undefined;
  private host: EngineHost<DhcpClientInput, DhcpClientOutput> | undefined;
  private socket: DatagramPort | undefined;
  private metric = DHCP_ROUTE_METRIC_BASE;
  private startedAt = 0;
  private closed = false;

  constructor(
    private readonly ctx: DaemonContext, readonly ifname: string, private readonly rp: RpFilter,
  ) {}

  link(up: boolean): void {
    if (up) this.start();
    else this.end({ kind: 'stop' });
  }

  /** Releases the lease and closes the socket; the client is not used again. */
  close(): void {
    this.end({ kind: 'release', message: 'dsmip6d stopping' });
    this.host?.stop();
    this.closed = true;
  }

  private start(): void {
    if (this.socket || this.closed) return;
    const log = this.ctx.log;
    const link = this.ctx.rtnl.getLink(this.ifname);
    if (!link.ok) return log.warn('dhcp: no such interface', { ifname: this.ifname, error: link.error.text });
    const chaddr = parseLladdr(link.value.address ?? '');
    if (!chaddr || chaddr.length < 1 || chaddr.length > 16) {
      return log.warn('dhcp: the interface has no hardware address', { ifname: this.ifname });
    }
    const client = this.client ??= new DhcpClient({
      chaddr, prng: new Xoshiro128((process.pid * 7919) ^ Date.now() ^ link.value.index),
    });
    this.host ??= new EngineHost(client, (outs) => this.dispatch(outs),
      (what, e) => log.error('dhcp: internal error', { ifname: this.ifname, what, error: String(e) }));
    try {
      this.rp.open(this.ifname);
      this.socket = this.openSocket();
    } catch (e) {
      return log.error('dhcp: cannot start', { ifname: this.ifname, error: String(e) });
    }
    this.metric = DHCP_ROUTE_METRIC_BASE + link.value.index;
    this.startedAt = performance.now();
    const remembered = client.remembered?.address;
    log.info('dhcp started', { ifname: this.ifname, ...(remembered ? { rebooting: remembered } : {}) });
    this.host.input({ kind: 'start' });
  }

  private end(input: Extract<DhcpClientInput, { kind: 'stop' | 'release' }>): void {
    if (!this.socket) return;
    this.host?.input(input);
    this.socket.close();
    this.socket = undefined;
  }

  private openSocket(): DatagramPort {
    const s = this.ctx.os.openUdp({
      family: 4, address: '0.0.0.0', port: DHCP_CLIENT_PORT, device: this.ifname,
      broadcast: true, reuseAddress: true,
    });
    s.onBatch((b) => this.receive(b), (e) => this.ctx.log.limited(`dhcp rx ${this.ifname}`, 'warn',
      'dhcp: receive error', { ifname: this.ifname, error: e.code }));
    return s;
  }

  private receive(b: DatagramBatch): void {
    for (let i = 0; i < b.count; i++) {
      if (b.peerPort(i) !== DHCP_SERVER_PORT) continue;
      this.counters.received++;
      this.counters.receivedBytes += b.length(i);
      this.host?.input({ kind: 'received', bytes: b.packet(i).slice() });
    }
  }

  private dispatch(outs: readonly DhcpClientOutput[]): void {
    for (const o of outs) {
      if (o.kind === 'send') this.send(o.message, o.udp.destination);
      else if (o.kind === 'os') this.apply(o.op);
      else this.event(o.event);
    }
  }

  private send(m: DhcpMessage, destination: string): void {
    const type = m.options.find((o) => o.type === 'message-type');
    const what = type?.type === 'message-type' ? String(type.messageType) : 'message';
    try {
      const bytes = new Uint8Array(encodedLengthDhcpMessage(m));
      encodeDhcpMessage(m, bytes, 0);
      this.socket?.send(destination, DHCP_SERVER_PORT, bytes);
      this.counters.sent++;
      this.counters.sentBytes += bytes.length;
      this.ctx.log.debug(`dhcp ${what} sent`, { ifname: this.ifname, to: destination, xid: m.xid });
    } catch (e) {
      this.counters.sendErrors++;
      this.ctx.log.limited(`dhcp tx ${this.ifname}`, 'warn', 'dhcp: cannot send',
        { ifname: this.ifname, message: what, to: destination, error: String(e) });
    }
  }

  private apply(op: DhcpOsOp): void {
    const s = this.ctx.system;
    const route = (gateway: string) => ({ ifname: this.ifname, gateway, metric: this.metric });
    try {
      switch (op.op) {
        case 'address-set': return s.address(this.ifname, op.address, op.prefixLength, true);
        case 'address-clear': return s.address(this.ifname, op.address, op.prefixLength, false);
        case 'default-route-set': return s.route(DEFAULT_ROUTE, route(op.gateway), true);
        case 'default-route-clear': return s.route(DEFAULT_ROUTE, route(op.gateway), false);
      }
    } catch (e) {
      this.ctx.log.error('dhcp: system change failed', { ifname: this.ifname, op: op.op, error: String(e) });
    }
  }

  private event(e: DhcpEvent): void {
    const log = this.ctx.log;
    const ifname = this.ifname;
    const c = this.counters;
    switch (e.type) {
      case 'bound': case 'renewed': {
        if (e.type === 'bound') c.bound++; else c.renewed++;
        const l = e.lease;
        return log.info(`dhcp ${e.type}`, {
          ifname, address: `${l.address}/${l.prefixLength}`, router: l.routers[0] ?? 'none',
          server: l.serverId, leaseSeconds: l.leaseSeconds, via: e.via,
          sinceStartMs: Math.round(performance.now() - this.startedAt),
        });
      }
      case 'lost': c.lost++; return log.info('dhcp address removed', { ifname, ...e });
      case 'nak': c.naks++; return log.warn('dhcp NAK', { ifname, ...e });
      case 'declined': return log.warn('dhcp address declined', { ifname, ...e });
      case 'no-reply': c.noReply++; return log.warn('dhcp: no reply', { ifname, ...e });
      case 'dropped':
        return log.limited(`dhcp drop ${ifname} ${e.reason}`, 'debug', 'dhcp message dropped',
          { ifname, ...e });
    }
  }
}

/** The DHCPv4 clients of the mobile node, one per `UseDhcp enabled` interface. */
export class DhcpRuntime {
  private readonly ifs = new Map<string, DhcpInterface>();

  /** `tunName`: the daemon's TUN device (its rp_filter needs no restoring). */
  constructor(ctx: DaemonContext, ifnames: readonly string[], tunName: string) {
    const rp = new RpFilter(ctx, new Set(ifnames), tunName);
    for (const n of ifnames) this.ifs.set(n, new DhcpInterface(ctx, n, rp));
  }

  get interfaces(): string[] {
    return [...this.ifs.keys()];
  }

  /** A world item from rtnetlink: link up starts the interface's client, link down stops it. */
  observe(item: LinkState): void {
    if (item.kind === 'link') this.ifs.get(item.ifname)?.link(item.up === true);
  }

  /** Releases every lease (DHCPRELEASE; the address and route are removed) and closes sockets. */
  stop(): void {
    for (const d of this.ifs.values()) d.close();
  }

  /** The lease of `ifname`, if bound. */
  lease(ifname: string): DhcpClient['lease'] {
    return this.ifs.get(ifname)?.client?.lease;
  }

  /** Counters for the control socket's data-plane view (traffic and drops named `dhcp-...`). */
  counters(): { traffic: Record<string, TrafficCounter>; dropped: Record<string, number> } {
    const t = newCounters();
    const dropped: Record<string, number> = {};
    for (const d of this.ifs.values()) {
      for (const k of Object.keys(t) as (keyof DhcpCounters)[]) t[k] += d.counters[k];
      const drops = d.client?.dropCounts();
      for (const r of DHCP_DROP_REASONS) {
        if (drops && drops[r] > 0) dropped[`dhcp-${r}`] = (dropped[`dhcp-${r}`] ?? 0) + drops[r];
      }
    }
    if (t.sendErrors > 0) dropped['dhcp-send-error'] = t.sendErrors;
    if (this.ifs.size === 0) return { traffic: {}, dropped };
    return {
      traffic: {
        'dhcp-sent': { packets: t.sent, bytes: t.sentBytes },
        'dhcp-received': { packets: t.received, bytes: t.receivedBytes },
      },
      dropped,
    };
  }
}
