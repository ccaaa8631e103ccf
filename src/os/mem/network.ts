/**
 * An IP network in memory for runtime tests without root: hosts own addresses; UDP sockets
 * bind (address, port) and raw sockets a protocol; a datagram goes to the host that owns its
 * destination address. Deliberately simple: no routing, no fragmentation, no ICMP; a datagram
 * to nobody vanishes (counted in `undeliverable`).
 *
 * Delivery rules, as on Linux: UDP goes to the socket bound to (destination, port), else to one
 * bound to the wildcard address; raw datagrams go to EVERY raw socket of the protocol; raw IPv4
 * sockets receive a 20-byte IPv4 header before the payload; a hand-built IPv6 packet sent on an
 * IPPROTO_RAW socket reaches raw6 sockets of its first Next Header with the fixed header removed.
 *
 * Hooks: `filter` (a fault injector: return false to drop) and `trace` (every datagram that
 * entered the network). Each host is also an OsPorts, so the runtime can be handed one.
 */
import { internetChecksum } from '../../wire/checksum.js';
import { parseIpv4 } from '../../wire/addr.js';
import {
  OsError, addressBytes, addressText, type DatagramPort, type NetlinkPort, type OsPorts,
  type RawOptions, type TunOptions, type TunPort, type UdpOptions,
} from '../ports.js';
import { MemScheduler, type DeliveryMode } from './inbox.js';
import { FakeNetlink } from './netlink.js';
import { MemSocket, type MemDatagram, type MemRouter } from './socket.js';
import { memTunPair, type MemTun } from './tun.js';

export class MemNetwork {
  readonly scheduler: MemScheduler;
  /** Fault injector: return false to drop a datagram. */
  filter: ((d: MemDatagram) => boolean) | undefined;
  /** Every datagram that entered the network, in order. */
  readonly trace: MemDatagram[] = [];
  undeliverable = 0;
  private readonly owners = new Map<string, MemHost>();

  constructor(mode: DeliveryMode = 'manual') {
    this.scheduler = new MemScheduler(mode);
  }

  /** A host owning `addresses` (IPv4 and/or IPv6 text). */
  host(addresses: readonly string[]): MemHost {
    const h = new MemHost(this, addresses.map(canonical));
    for (const a of h.addresses) {
      if (this.owners.has(a)) throw new Error(`mem network: ${a} is already owned`);
      this.owners.set(a, h);
    }
    return h;
  }

  /** Delivers everything queued (mode 'manual'); returns the packets delivered. */
  flush(): number {
    return this.scheduler.flush();
  }

  route(d: MemDatagram): void {
    this.trace.push(d);
    if (this.filter !== undefined && !this.filter(d)) return;
    const host = this.owners.get(d.destination);
    if (host === undefined || !host.receive(d)) this.undeliverable++;
  }
}

export class MemHost implements OsPorts, MemRouter {
  private readonly sockets = new Set<MemSocket>();
  private readonly kernelSides = new Map<string, MemTun>();
  private nextPort = 49152;
  /** The host's rtnetlink: records requests, emits notifications. */
  readonly netlink = new FakeNetlink();

  constructor(private readonly net: MemNetwork, readonly addresses: readonly string[]) {}

  openUdp(o: UdpOptions): DatagramPort {
    const address = this.bindable(o.address, o.family);
    let port = o.port;
    if (port === 0) port = this.nextPort++;
    for (const s of this.sockets) {
      if (s.kind === `udp${o.family}` && s.localPort === port && s.address === address &&
          !o.reuseAddress) {
        throw new OsError('EADDRINUSE', 'bind', `bind: ${address} port ${port} in use`);
      }
    }
    return this.add(new MemSocket(`udp${o.family}`, 17, address, port, this,
      this.net.scheduler, o.slotSize));
  }

  openRaw(o: RawOptions): DatagramPort {
    const address = this.bindable(o.address ?? (o.family === 4 ? '0.0.0.0' : '::'), o.family);
    return this.add(new MemSocket(`raw${o.family}`, o.protocol, address, 0, this,
      this.net.scheduler, o.slotSize));
  }

  /** A TUN device; its other end (the "kernel") is `kernelSide(name)`. */
  openTun(o: TunOptions): TunPort {
    const name = o.name ?? `tun${this.kernelSides.size}`;
    const [dev, kernel] = memTunPair(name, `${name}-kernel`, this.net.scheduler, o.slotSize);
    this.kernelSides.set(name, kernel);
    return dev;
  }

  kernelSide(name: string): MemTun {
    const k = this.kernelSides.get(name);
    if (k === undefined) throw new Error(`mem host: no TUN named ${name}`);
    return k;
  }

  openNetlink(): NetlinkPort {
    return this.netlink;
  }

  sourceFor(family: 4 | 6): string {
    const a = this.addresses.find((x) => (parseIpv4(x) !== undefined) === (family === 4));
    if (a === undefined) throw new OsError('EADDRNOTAVAIL', 'sendmmsg', 'no source address');
    return a;
  }

  send(d: MemDatagram): void {
    this.net.route(d);
  }

  unbind(s: MemSocket): void {
    this.sockets.delete(s);
  }

  /** Hands `d` to the matching sockets; false when none wanted it. */
  receive(d: MemDatagram): boolean {
    const peer = addressBytes(d.source);
    const local = addressBytes(d.destination);
    if (d.kind === 'udp4' || d.kind === 'udp6') {
      const s = this.udpFor(d);
      s?.inbox.push(d.bytes, peer, d.sourcePort, local, 1);
      return s !== undefined;
    }
    const family = d.kind === 'raw4' ? 4 : 6;
    let any = false;
    for (const s of this.sockets) {
      if (s.kind !== d.kind || s.protocol !== d.protocol || s.protocol === 255) continue;
      if (s.family !== family) continue;
      const bytes = family === 4 ? withIpv4Header(d) : d.bytes;
      s.inbox.push(bytes, peer, 0, local, 1);
      any = true;
    }
    return any;
  }

  private udpFor(d: MemDatagram): MemSocket | undefined {
    let wildcard: MemSocket | undefined;
    for (const s of this.sockets) {
      if (s.kind !== d.kind || s.localPort !== d.destinationPort) continue;
      if (s.address === d.destination) return s;
      if (s.address === '0.0.0.0' || s.address === '::') wildcard ??= s;
    }
    return wildcard;
  }

  private bindable(address: string, family: 4 | 6): string {
    const a = canonical(address);
    if ((parseIpv4(a) !== undefined) !== (family === 4)) {
      throw new TypeError(`address ${address} does not suit an IPv${family} socket`);
    }
    if (a !== '0.0.0.0' && a !== '::' && !this.addresses.includes(a)) {
      throw new OsError('EADDRNOTAVAIL', 'bind', `bind: ${address} is not this host's`);
    }
    return a;
  }

  private add(s: MemSocket): MemSocket {
    this.sockets.add(s);
    return s;
  }
}

function canonical(text: string): string {
  return addressText(addressBytes(text));
}

/** The IPv4 header a raw IPv4 socket receives in front of the payload. */
function withIpv4Header(d: MemDatagram): Uint8Array {
  const out = new Uint8Array(20 + d.bytes.length);
  out[0] = 0x45;
  out[2] = out.length >> 8;
  out[3] = out.length & 0xff;
  out[6] = 0x40; // DF, as PMTUDISC_DO sends
  out[8] = 64;
  out[9] = d.protocol;
  out.set(parseIpv4(d.source) ?? new Uint8Array(4), 12);
  out.set(parseIpv4(d.destination) ?? new Uint8Array(4), 16);
  const sum = internetChecksum(out, 0, 20);
  out[10] = sum >> 8;
  out[11] = sum & 0xff;
  out.set(d.bytes, 20);
  return out;
}
