/**
 * Router Advertisements on the mobile interfaces (RFC 6275 §11.5.1), for the engine's movement
 * detection (src/engine/mn/routers.ts). One NdPort per configured interface whose link is up: a
 * raw ICMPv6 socket bound to the interface (SO_BINDTODEVICE) whose ICMP6_FILTER passes only
 * Type 134, with IPV6_RECVPKTINFO (destination, interface) and IPV6_RECVHOPLIMIT; the kernel
 * still does SLAAC and default routes from the same RAs (accept_ra), this is a second listener.
 *
 * The socket follows the link: it opens when rtnetlink reports the link up and closes when it
 * goes down (an interface deleted and created again gets a new index, which the socket would
 * not follow). When it opens, the node solicits (RFC 4861 §6.3.7): after a random delay of up to
 * MAX_RTR_SOLICITATION_DELAY, up to MAX_RTR_SOLICITATIONS Router Solicitations from the
 * unspecified address (no Source Link-Layer Address option, as §4.1 requires for it) to
 * all-routers, RTR_SOLICITATION_INTERVAL apart, until an RA arrives. Routers answer a
 * solicitation from :: by multicast, so the kernel's SLAAC hears the answer too. Without this, a
 * daemon started on a link whose router advertises every 10 minutes would learn nothing for that
 * long, and a link with accept_ra 0 would only be seen through its unsolicited RAs.
 *
 * Opening may fail (no CAP_NET_RAW, OS ports without links): detection then rests on rtnetlink
 * alone, with one warning per interface and failure. Every message goes to the
 * engine, which validates it (hop limit 255, link-local source, checksum, format: RFC 4861
 * §6.1.2) and counts what it drops; a message that arrived on another interface than the
 * socket's is dropped and counted here.
 */
import type { TrafficCounter } from '../api/snapshots.js';
import type { NdMessage, NdOptions, NdPort } from '../os/ports.js';
import type { ReceivedRouterAdvertisement } from '../engine/mn/types.js';
import type { WorldInput } from '../engine/mn/movement.js';
import { formatIpv6 } from '../wire/addr.js';
import type { Logger } from './logger.js';
import { UNSPECIFIED, ndPacket } from './neighbour-packets.js';

export const ICMPV6_ROUTER_ADVERTISEMENT = 134;
/** RFC 4861 §10 host constants. */
export const MAX_RTR_SOLICITATION_DELAY_MS = 1000;
export const RTR_SOLICITATION_INTERVAL_MS = 4000;
export const MAX_RTR_SOLICITATIONS = 3;
const ALL_ROUTERS = 'ff02::2';

/** The Router Solicitation the monitor sends: from ::, hop limit 255, no options. */
export function routerSolicitation(): Uint8Array {
  return ndPacket(UNSPECIFIED, ALL_ROUTERS, { type: 'router-solicitation', code: 0, options: [] });
}

export interface RaMonitorCounters {
  /** Messages handed to the engine. */
  received: number;
  bytes: number;
  /** Messages whose pktinfo named another interface. */
  wrongInterface: number;
  rxErrors: number;
  openFailures: number;
  solicitationsSent: number;
  sendErrors: number;
}

export class RaMonitor {
  readonly counters: RaMonitorCounters = {
    received: 0, bytes: 0, wrongInterface: 0, rxErrors: 0, openFailures: 0, solicitationsSent: 0,
    sendErrors: 0,
  };
  private readonly ports = new Map<string, NdPort>();
  private readonly soliciting = new Map<string, ReturnType<typeof setTimeout>>();
  private stopped = false;

  constructor(
    private readonly open: ((o: NdOptions) => NdPort) | undefined,
    private readonly interfaces: ReadonlySet<string>,
    private readonly feed: (rx: ReceivedRouterAdvertisement) => void,
    private readonly log: Logger,
  ) {
    if (open === undefined) log.warn('no Neighbor Discovery ports: movement detection from rtnetlink only');
  }

  /** Follows the links of the configured interfaces (call with every world input). */
  observe(i: WorldInput): void {
    if (i.kind !== 'link' || !this.interfaces.has(i.ifname) || this.stopped) return;
    if (i.up) this.start(i.ifname);
    else this.close(i.ifname);
  }

  /**
   * For the control socket's data-plane view: RAs heard, and those refused (`invalid`: the
   * engine's count of RAs it dropped; `wrong-interface`: counted here).
   */
  stats(invalid: number): { traffic: Record<string, TrafficCounter>; dropped: Record<string, number> } {
    return {
      traffic: { 'router-advertisements': { packets: this.counters.received, bytes: this.counters.bytes } },
      dropped: {
        'router-advertisement-invalid': invalid,
        'router-advertisement-wrong-interface': this.counters.wrongInterface,
      },
    };
  }

  /** Interfaces listening now. */
  listening(): string[] {
    return [...this.ports.keys()];
  }

  stop(): void {
    this.stopped = true;
    for (const ifname of [...this.ports.keys()]) this.close(ifname);
  }

  private start(ifname: string): void {
    if (this.ports.has(ifname) || this.open === undefined) return;
    let port: NdPort;
    try {
      port = this.open({ device: ifname, icmpTypes: [ICMPV6_ROUTER_ADVERTISEMENT] });
    } catch (e) {
      this.counters.openFailures++;
      this.log.limited(`ra-open ${ifname}`, 'warn', 'cannot listen for Router Advertisements',
        { ifname, error: String(e) });
      return;
    }
    this.ports.set(ifname, port);
    port.onMessage((m) => this.message(ifname, port.ifindex, m), (err) => {
      this.counters.rxErrors++;
      this.log.limited(`ra-rx ${ifname}`, 'warn', 'Router Advertisement receive error',
        { ifname, error: err.code });
    });
    this.log.debug('listening for Router Advertisements', { ifname });
    this.solicit(ifname, port, MAX_RTR_SOLICITATIONS, Math.random() * MAX_RTR_SOLICITATION_DELAY_MS);
  }

  /** Sends `left` solicitations, the first after `delayMs`, until an RA arrives (`message`). */
  private solicit(ifname: string, port: NdPort, left: number, delayMs: number): void {
    if (left === 0) {
      this.soliciting.delete(ifname);
      return;
    }
    this.soliciting.set(ifname, setTimeout(() => {
      if (this.ports.get(ifname) !== port) return;
      try {
        port.send(routerSolicitation());
        this.counters.solicitationsSent++;
      } catch (e) {
        this.counters.sendErrors++;
        this.log.limited(`ra-rs ${ifname}`, 'warn', 'cannot send a Router Solicitation',
          { ifname, error: String(e) });
      }
      this.solicit(ifname, port, left - 1, RTR_SOLICITATION_INTERVAL_MS);
    }, delayMs));
  }

  private stopSoliciting(ifname: string): void {
    clearTimeout(this.soliciting.get(ifname));
    this.soliciting.delete(ifname);
  }

  private close(ifname: string): void {
    const port = this.ports.get(ifname);
    if (port === undefined) return;
    this.stopSoliciting(ifname);
    this.ports.delete(ifname);
    port.close();
  }

  private message(ifname: string, ifindex: number, m: NdMessage): void {
    if (m.ifindex !== 0 && m.ifindex !== ifindex) {
      this.counters.wrongInterface++;
      return;
    }
    this.counters.received++;
    this.counters.bytes += m.bytes.length;
    this.stopSoliciting(ifname);
    this.feed({
      kind: 'router-advertisement', ifname, source: formatIpv6(m.source),
      destination: formatIpv6(m.destination), hopLimit: m.hopLimit, bytes: m.bytes.slice(),
    });
  }
}
