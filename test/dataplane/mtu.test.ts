/**
 * Path MTU of the tunnels: overheads, the path MTU table, the ICMP errors built (decoded back
 * with src/wire, checksums checked), IPv4 inner fragmentation, and TunnelIo's TUN → tunnel path
 * with fake ports (too-big packets, EMSGSIZE from the kernel, the rtnetlink path-MTU query).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from '../oracle/pcap.js';
import { decodePcap, probeTshark } from '../oracle/tshark.js';
import { parseIpv4, parseIpv6 } from '../../src/wire/addr.js';
import { decodeIcmpv4 } from '../../src/wire/icmpv4.js';
import { decodeIcmpv6, verifyIcmpv6Checksum } from '../../src/wire/icmpv6.js';
import { decodeIpv4Packet, encodeIpv4Packet, encodedLengthIpv4Packet } from '../../src/wire/ipv4.js';
import { decodeIpv6Packet, encodeIpv6Packet, encodedLengthIpv6Packet } from '../../src/wire/ipv6.js';
import {
  IcmpRateLimiter, PathMtuTable, encapsulationOverhead, innerMtu, plateauBelow, type MtuRoute,
} from '../../src/dataplane/mtu.js';
import {
  copiedOptions, fragmentDataSize, fragmentationNeeded, icmpv4ErrorAllowed, icmpv6ErrorAllowed,
  packetTooBig, writeIpv4Fragment,
} from '../../src/dataplane/mtu-icmp.js';
import { HaForwarding, slotOf } from '../../src/dataplane/ha-forwarding.js';
import {
  RxBatch, addressText, newPortStats, type DatagramKind, type DatagramPort, type TunPort, type TxBatch,
} from '../../src/os/ports.js';
import { attrsLength, encodeAttrs } from '../../src/os/netlink/attr.js';
import {
  NLMSG_ERROR, RTA_METRICS, RTM_GETLINK, RTM_GETROUTE, RTM_NEWLINK, RTM_NEWROUTE,
} from '../../src/os/netlink/constants.js';
import { decodeRtnlMessage, encodeRtnlMessageBytes } from '../../src/os/netlink/message.js';
import type { NetlinkTransport } from '../../src/os/netlink/rtnl.js';
import { TunnelIo, type TunnelPorts } from '../../src/runtime/tunnel-io.js';

export const CN6 = '2001:db8:cc::1';
export const HOA6 = '2001:db8:1::100';
export const CN4 = '203.0.113.9';
export const HOA4 = '192.0.2.100';

/** An IPv6 packet of exactly `size` octets carrying `proto` (payload bytes i & 0xff). */
export function v6(source: string, destination: string, size: number, proto = 17, first?: number[]): Uint8Array {
  const payload = Uint8Array.from({ length: size - 40 }, (_, i) => i & 0xff);
  if (first) payload.set(first, 0);
  const p = {
    trafficClass: 0, flowLabel: 0, hopLimit: 64, source, destination, extensions: [], upperProtocol: proto, payload,
  };
  const out = new Uint8Array(encodedLengthIpv6Packet(p));
  encodeIpv6Packet(p, out, 0);
  return out;
}

/** An IPv4 packet of exactly `size` octets. */
export function v4(
  source: string, destination: string, size: number,
  o: { df?: boolean; proto?: number; options?: Uint8Array; offset?: number; mf?: boolean; first?: number[] } = {},
): Uint8Array {
  const options = o.options ?? new Uint8Array(0);
  const payload = Uint8Array.from({ length: size - 20 - options.length }, (_, i) => (i * 7) & 0xff);
  if (o.first) payload.set(o.first, 0);
  const p = {
    typeOfService: 0, identification: 0x1234, dontFragment: o.df ?? true, moreFragments: o.mf ?? false,
    fragmentOffset: o.offset ?? 0, ttl: 64, protocol: o.proto ?? 17, source, destination, options, payload,
  };
  const out = new Uint8Array(encodedLengthIpv4Packet(p));
  encodeIpv4Packet(p, out, 0);
  return out;
}

function route(encapsulation: 'ipv6' | 'ipv4' | 'udp4', remote: string): MtuRoute {
  const tunnel = encapsulation === 'udp4'
    ? { encapsulation, local: '192.0.2.1', localPort: 4191, remote, remotePort: 40000 } as const
    : { encapsulation, local: encapsulation === 'ipv6' ? '2001:db8:20::1' : '192.0.2.1', remote };
  return { tunnel, remoteSlot: slotOf(remote) };
}

test('overheads: 40 for IPv6 outer, 20 for IPv4, 28 for UDP; 1472 on a 1500 link with UDP', () => {
  assert.equal(encapsulationOverhead('ipv6'), 40);
  assert.equal(encapsulationOverhead('ipv4'), 20);
  assert.equal(encapsulationOverhead('udp4'), 28);
  assert.equal(innerMtu(1500, 'udp4'), 1472);
  assert.equal(innerMtu(1500, 'ipv4'), 1480);
  assert.equal(innerMtu(1500, 'ipv6'), 1460);
  assert.deepEqual([1440, 1400, 1380, 1300, 1280, 69, 68, 70000].map(plateauBelow),
    [1400, 1380, 1280, 1280, 1006, 68, 68, 65535]);
});

test('PathMtuTable: usable MTU from the link MTU, the TUN MTU cap and the IPv6 minimum', () => {
  const t = new PathMtuTable({ tunnelMtu: 1500, linkMtu: 1500 });
  assert.equal(t.usable(route('udp4', '198.51.100.7'), 4, 0), 1472);
  assert.equal(t.usable(route('ipv4', '198.51.100.8'), 6, 0), 1480);
  assert.equal(t.usable(route('ipv6', '2001:db8:2::5'), 6, 0), 1460);
  const capped = new PathMtuTable({ tunnelMtu: 1400, linkMtu: 1500 });
  assert.equal(capped.usable(route('ipv6', '2001:db8:2::5'), 6, 0), 1400);
  const small = new PathMtuTable({ linkMtu: 1300 });
  const r = route('ipv6', '2001:db8:2::5');
  assert.equal(small.usable(r, 4, 0), 1260);
  assert.equal(small.usable(r, 6, 0), 1280, 'IPv6 never below 1280 (RFC 8200 §5)');
});

test('PathMtuTable: EMSGSIZE without a kernel query lowers to the next plateau, shared per remote, expires', () => {
  const t = new PathMtuTable({ linkMtu: 1500, expiresMs: 1000 });
  const a = route('udp4', '198.51.100.7');
  const b = { ...route('udp4', '198.51.100.7') }; // a re-registration to the same remote: a new object
  assert.equal(t.usable(a, 4, 0), 1472);
  assert.equal(t.lowered(a, 1472, 10), 1492, 'outer 1500 failed: plateau 1492');
  assert.equal(t.usable(a, 4, 10), 1464);
  assert.equal(t.lowered(a, 1464, 20), 1480);
  assert.equal(t.usable(b, 4, 20), 1452, 'the path entry is shared by tunnels to the same remote');
  assert.equal(t.entry(a.remoteSlot, 4)?.source, 'guess');
  assert.equal(t.usable(a, 4, 1019), 1452);
  assert.equal(t.usable(a, 4, 1020), 1472, 'raised back to the link MTU once expired (RFC 8201 §5.3)');
  assert.equal(t.entry(a.remoteSlot, 4)?.source, 'assumed');
  assert.equal(t.size, 1);
});

test('PathMtuTable: asks the kernel on first use, after EMSGSIZE and when the entry expires', () => {
  const asked: string[] = [];
  let answer: number | undefined = 1500;
  const t = new PathMtuTable({
    expiresMs: 500, query: (remote, family) => { asked.push(`${family}:${remote[15]}`); return answer; },
  });
  const r = route('ipv6', '2001:db8:2::5');
  assert.equal(t.usable(r, 6, 0), 1460);
  assert.equal(t.usable(r, 6, 100), 1460);
  assert.deepEqual(asked, ['6:5'], 'asked once, then cached');
  answer = 1400;
  assert.equal(t.lowered(r, 1460, 200), 1400);
  assert.equal(t.usable(r, 4, 200), 1360);
  assert.equal(t.entry(r.remoteSlot, 6)?.source, 'kernel');
  answer = undefined;
  assert.equal(t.usable(r, 4, 700), 1460, 'no answer: the link MTU is assumed again');
  assert.equal(asked.length, 3);
});

test('IcmpRateLimiter: a burst per address, then the rate; a total bucket across addresses', () => {
  const l = new IcmpRateLimiter(10, 3, 1, 5);
  const got = [0, 0, 0, 0].map(() => l.allow('a', 0));
  assert.deepEqual(got, [true, true, true, false]);
  assert.equal(l.allow('a', 99), false);
  assert.equal(l.allow('a', 100), true, 'one token per 100 ms');
  assert.equal(l.allow('b', 100), true);
  assert.equal(l.allow('c', 100), false, 'the total burst of 5 is spent');
});

test('Packet Too Big: RFC 4443 §3.2 layout, 1280 octets at most, checksum right', () => {
  const big = v6(CN6, HOA6, 1400);
  const src = parseIpv6('2001:db8:20::1')!;
  const e = packetTooBig(big, 0, big.length, 1260, src);
  assert.equal(e.length, 1280);
  const ip = decodeIpv6Packet(e);
  assert.ok(ip.ok);
  assert.equal(ip.value.source, '2001:db8:20::1');
  assert.equal(ip.value.destination, CN6);
  assert.equal(ip.value.hopLimit, 64);
  assert.equal(ip.value.upperProtocol, 58);
  const m = decodeIcmpv6(e, 40);
  assert.ok(m.ok);
  assert.deepEqual(m.value.message, { type: 'packet-too-big', code: 0, mtu: 1260, invoking: big.slice(0, 1232) });
  assert.ok(verifyIcmpv6Checksum(e, 40, e.length, '2001:db8:20::1', CN6));
  const small = v6(CN6, HOA6, 300);
  const e2 = packetTooBig(small, 0, small.length, 1280, src);
  assert.equal(e2.length, 348, 'a short packet is included whole');
  assert.ok(verifyIcmpv6Checksum(e2, 40, e2.length, '2001:db8:20::1', CN6));
});

test('Fragmentation Needed: code 4, next-hop MTU, 576 octets at most, checksums right', () => {
  const big = v4(CN4, HOA4, 1400);
  const e = fragmentationNeeded(big, 0, big.length, 1272, parseIpv4(HOA4)!);
  assert.equal(e.length, 576);
  const ip = decodeIpv4Packet(e);
  assert.ok(ip.ok, 'the header checksum is verified by the decoder');
  assert.equal(ip.value.source, HOA4);
  assert.equal(ip.value.destination, CN4);
  assert.equal(ip.value.protocol, 1);
  assert.equal(ip.value.ttl, 64);
  const m = decodeIcmpv4(ip.value.payload);
  assert.ok(m.ok);
  assert.equal(m.value.checksumValid, true);
  assert.deepEqual(m.value.message,
    { type: 'destination-unreachable', code: 4, nextHopMtu: 1272, invoking: big.slice(0, 548) });
});

test('no error about ICMP errors, non-first fragments, or odd sources (RFC 4443 §2.4, RFC 1122 §3.2.2)', () => {
  assert.equal(icmpv6ErrorAllowed(v6(CN6, HOA6, 1400, 58, [128]), 0, 1400), true, 'echo request');
  assert.equal(icmpv6ErrorAllowed(v6(CN6, HOA6, 1400, 58, [1]), 0, 1400), false, 'destination unreachable');
  assert.equal(icmpv6ErrorAllowed(v6(CN6, HOA6, 1400, 17), 0, 1400), true);
  assert.equal(icmpv6ErrorAllowed(v6('::', HOA6, 1400), 0, 1400), false);
  assert.equal(icmpv6ErrorAllowed(v6('ff02::1', HOA6, 1400), 0, 1400), false);
  // Destination Options (8 octets of PadN) then an ICMPv6 Packet Too Big.
  const chained = v6(CN6, HOA6, 1400, 60, [58, 0, 1, 4, 0, 0, 0, 0, 2]);
  assert.equal(icmpv6ErrorAllowed(chained, 0, 1400), false);
  assert.equal(icmpv4ErrorAllowed(v4(CN4, HOA4, 1400, { proto: 1, first: [8] }), 0, 1400), true, 'echo');
  assert.equal(icmpv4ErrorAllowed(v4(CN4, HOA4, 1400, { proto: 1, first: [3, 4] }), 0, 1400), false);
  assert.equal(icmpv4ErrorAllowed(v4(CN4, HOA4, 1400, { offset: 100 }), 0, 1400), false);
  assert.equal(icmpv4ErrorAllowed(v4('0.0.0.0', HOA4, 1400), 0, 1400), false);
  assert.equal(icmpv4ErrorAllowed(v4(CN4, '224.0.0.9', 1400), 0, 1400), false);
  assert.equal(icmpv4ErrorAllowed(v4(CN4, '255.255.255.255', 1400), 0, 1400), false);
});

/** Fragments `p` for `mtu` the way TunnelIo does; returns the fragments. */
export function fragmentAll(p: Uint8Array, mtu: number): Uint8Array[] {
  const ihl = (p[0] & 0x0f) * 4;
  const later = copiedOptions(p, 0)!;
  const out: Uint8Array[] = [];
  for (let from = 0; from < p.length - ihl;) {
    const h = from === 0 ? ihl : 20 + later.length;
    const size = Math.min(p.length - ihl - from, fragmentDataSize(mtu, h));
    const buf = new Uint8Array(h + size);
    assert.equal(writeIpv4Fragment(p, 0, from, size, from + size >= p.length - ihl, later, buf, 0), buf.length);
    out.push(buf);
    from += size;
  }
  return out;
}

/** Reassembles decoded fragments (any order); checks they tile the payload exactly. */
export function reassemble(fragments: Uint8Array[]): { payload: Uint8Array; last: boolean } {
  const parts = fragments.map((f) => { const d = decodeIpv4Packet(f); assert.ok(d.ok); return d.value; })
    .sort((a, b) => a.fragmentOffset - b.fragmentOffset);
  const chunks: Uint8Array[] = [];
  let at = parts[0].fragmentOffset * 8;
  for (const [i, f] of parts.entries()) {
    assert.equal(f.fragmentOffset * 8, at, 'fragments tile the payload');
    if (i < parts.length - 1) assert.equal(f.moreFragments, true);
    assert.equal(f.dontFragment, false);
    chunks.push(f.payload);
    at += f.payload.length;
  }
  const payload = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) { payload.set(c, o); o += c.length; }
  return { payload, last: !parts[parts.length - 1].moreFragments };
}

test('IPv4 inner fragmentation: 8-octet multiples under the MTU, headers checksummed, payload intact', () => {
  const p = v4(CN4, HOA4, 1400, { df: false });
  const frags = fragmentAll(p, 1000);
  assert.deepEqual(frags.map((f) => f.length), [996, 424]);
  const r = reassemble(frags);
  assert.deepEqual(r.payload, p.slice(20));
  assert.equal(r.last, true);
  // A fragment (MF set, offset 100) split again keeps its offset and its MF on the last piece.
  const q = v4(CN4, HOA4, 1020, { df: false, mf: true, offset: 100 });
  const again = fragmentAll(q, 600).map((f) => decodeIpv4Packet(f)).map((d) => (d.ok ? d.value : undefined)!);
  assert.deepEqual(again.map((d) => [d.fragmentOffset, d.moreFragments]), [[100, true], [172, true]]);
});

test('IPv4 inner fragmentation: later fragments carry only the copied options, padded', () => {
  // LSRR (0x83, copied, 7 octets), NOP, Record Route (0x07, not copied, 7 octets), EOL: 16 octets.
  const options = Uint8Array.from([0x83, 7, 4, 10, 0, 0, 1, 1, 0x07, 7, 4, 0, 0, 0, 0, 0]);
  const p = v4(CN4, HOA4, 700, { df: false, options });
  assert.deepEqual(copiedOptions(p, 0), Uint8Array.from([0x83, 7, 4, 10, 0, 0, 1, 0]));
  const frags = fragmentAll(p, 400);
  const d = frags.map((f) => decodeIpv4Packet(f)).map((x) => (x.ok ? x.value : undefined)!);
  assert.deepEqual(d[0].options, options);
  assert.deepEqual(d[1].options, Uint8Array.from([0x83, 7, 4, 10, 0, 0, 1, 0]));
  assert.ok(frags.every((f) => f.length <= 400));
  assert.deepEqual(reassemble(frags).payload, p.slice(36));
  assert.equal(copiedOptions(v4(CN4, HOA4, 100, { options: Uint8Array.from([0x83, 9, 0, 0]) }), 0), undefined);
});

class FakeTun implements TunPort {
  readonly name = 'fake0';
  readonly ifindex = 1;
  readonly stats = newPortStats();
  readonly written: Uint8Array[] = [];
  onBatch(): void {}
  write(p: Uint8Array): void { this.written.push(p.slice()); this.stats.txPackets++; }
  writeBatch(b: TxBatch): number {
    for (let i = 0; i < b.count; i++) this.written.push(b.data.slice(b.offsets[i], b.offsets[i] + b.lengths[i]));
    return b.count;
  }
  close(): void {}
}

/** A tunnel socket whose "kernel" refuses (EMSGSIZE) what exceeds `pathMtu` once encapsulated. */
class FakeSocket implements DatagramPort {
  readonly stats = newPortStats();
  readonly localPort = 0;
  readonly sent: { bytes: Uint8Array; to: string; port: number }[] = [];
  constructor(readonly kind: DatagramKind, readonly protocol: number, readonly overhead: number, public pathMtu = 65535) {}
  onBatch(): void {}
  send(): void { throw new Error('not used'); }
  sendBatch(b: TxBatch): number {
    let ok = 0;
    for (let i = 0; i < b.count; i++) {
      if (b.lengths[i] + this.overhead > this.pathMtu) {
        this.stats.txErrors++;
        this.stats.lastError = 'EMSGSIZE';
        continue;
      }
      const bytes = b.data.slice(b.offsets[i], b.offsets[i] + b.lengths[i]);
      this.sent.push({ bytes, to: addressText(b.addresses, i * 16), port: b.ports[i] });
      ok++;
    }
    this.stats.txPackets += ok;
    return ok;
  }
  close(): void {}
}

interface Fakes extends TunnelPorts {
  readonly tun: FakeTun;
  readonly udp: FakeSocket;
  readonly raw6InIpv6: FakeSocket;
  readonly raw4InIpv6: FakeSocket;
  readonly raw4InIpv4: FakeSocket;
}

function fakes(): Fakes {
  return {
    tun: new FakeTun(), udp: new FakeSocket('udp4', 17, 28),
    raw6InIpv6: new FakeSocket('raw6', 41, 40), raw4InIpv6: new FakeSocket('raw6', 4, 40),
    raw6InIpv4: new FakeSocket('raw4', 41, 20), raw4InIpv4: new FakeSocket('raw4', 4, 20),
    mhWithExtension: new FakeSocket('raw6', 60, 0), mhPlain: new FakeSocket('raw6', 135, 0),
    rawSender: new FakeSocket('raw6', 255, 0),
  };
}

function tunBatch(packets: Uint8Array[]): RxBatch {
  const b = new RxBatch(2048, false);
  packets.forEach((p, i) => { b.data.set(p, i * 2048); b.lengths[i] = p.length; });
  b.count = packets.length;
  return b;
}

function haFwd(tunnel: 'ipv6' | 'udp4' = 'ipv6'): HaForwarding {
  const f = new HaForwarding();
  f.apply({
    op: 'binding-set', homeAddress: HOA6,
    tunnel: tunnel === 'ipv6' ? { encapsulation: 'ipv6', local: '2001:db8:20::1', remote: '2001:db8:20::5' }
      : { encapsulation: 'udp4', local: '192.0.2.1', localPort: 4191, remote: '198.51.100.7', remotePort: 40000 },
    addresses: [HOA6, HOA4], prefixes: [],
  });
  return f;
}

function ptbOf(e: Uint8Array): { src: string; dst: string; mtu: number; invoking: number } {
  const ip = decodeIpv6Packet(e);
  assert.ok(ip.ok);
  const m = decodeIcmpv6(e, 40);
  assert.ok(m.ok && m.value.message.type === 'packet-too-big', 'a Packet Too Big');
  assert.ok(verifyIcmpv6Checksum(e, 40, e.length, ip.value.source, ip.value.destination));
  return { src: ip.value.source, dst: ip.value.destination, mtu: m.value.message.mtu, invoking: m.value.message.invoking.length };
}

function fragNeededOf(e: Uint8Array): { src: string; dst: string; mtu: number } {
  const ip = decodeIpv4Packet(e);
  assert.ok(ip.ok);
  const m = decodeIcmpv4(ip.value.payload);
  assert.ok(m.ok && m.value.checksumValid && m.value.message.type === 'destination-unreachable');
  assert.equal(m.value.message.code, 4);
  return { src: ip.value.source, dst: ip.value.destination, mtu: m.value.message.nextHopMtu };
}

test('TunnelIo: a too-big IPv6 packet gets a PTB from the tunnel end, IPv4+DF a Fragmentation Needed', () => {
  const ports = fakes();
  const fwd = haFwd();
  const io = new TunnelIo(ports, fwd, 60, () => {}, { tunnelMtu: 1400, linkMtu: 1340, now: () => 0 });
  io.fromTun(tunBatch([v6(CN6, HOA6, 1000), v6(CN6, HOA6, 1301), v4(CN4, HOA4, 1301), v4(CN4, HOA4, 1300)]));
  assert.deepEqual(ports.raw6InIpv6.sent.map((s) => [s.bytes.length, s.to]), [[1000, '2001:db8:20::5']]);
  assert.deepEqual(ports.raw4InIpv6.sent.map((s) => [s.bytes.length, s.to]), [[1300, '2001:db8:20::5']]);
  assert.equal(ports.tun.written.length, 2);
  assert.deepEqual(ptbOf(ports.tun.written[0]), { src: '2001:db8:20::1', dst: CN6, mtu: 1300, invoking: 1232 });
  assert.deepEqual(fragNeededOf(ports.tun.written[1]), { src: HOA4, dst: CN4, mtu: 1300 });
  const low = new TunnelIo(fakes(), haFwd(), 60, () => {}, { linkMtu: 1300, now: () => 0 });
  assert.deepEqual([6, 4].map((v) => low.mtu.usable(haFwd().binding(HOA6)!, v as 4 | 6, 0)), [1280, 1260],
    'IPv6 inner packets are never refused below 1280');
  assert.equal(fwd.drops.get('too-big'), 2);
  assert.equal(io.mtuCounters.tooBig, 2);
  assert.equal(io.mtuCounters.icmpSent, 2);
  const b = fwd.binding(HOA6)!;
  assert.deepEqual([b.txPackets, b.txBytes], [2, 2300], 'the dropped packets are not counted as tunnelled');
});

test('TunnelIo: IPv4 without DF is fragmented before encapsulation (RFC 4459 §3.2), nothing dropped', () => {
  const ports = fakes();
  const fwd = haFwd();
  const io = new TunnelIo(ports, fwd, 60, () => {}, { linkMtu: 1340, now: () => 0 });
  const p = v4(CN4, HOA4, 1400, { df: false });
  io.fromTun(tunBatch([p]));
  const frags = ports.raw4InIpv6.sent.map((s) => s.bytes);
  assert.deepEqual(frags.map((f) => f.length), [1300, 120]);
  assert.deepEqual(reassemble(frags).payload, p.slice(20));
  assert.equal(ports.tun.written.length, 0);
  assert.equal(fwd.drops.get('too-big'), 0);
  assert.deepEqual([io.mtuCounters.fragmented, io.mtuCounters.fragments], [1, 2]);
});

test('TunnelIo: errors are rate-limited per source; sources from the options; UDP tunnel without options', () => {
  const ports = fakes();
  let now = 0;
  const io = new TunnelIo(ports, haFwd(), 60, () => {}, {
    linkMtu: 1300, now: () => now, icmpSource6: '2001:db8:1::1', icmpSource4: '192.0.2.1',
  });
  io.fromTun(tunBatch(Array.from({ length: 30 }, () => v6(CN6, HOA6, 1400))));
  assert.deepEqual([io.mtuCounters.icmpSent, io.mtuCounters.icmpRateLimited], [10, 20]);
  now = 1000;
  io.fromTun(tunBatch([v6(CN6, HOA6, 1400), v6('2001:db8:cc::2', HOA6, 1400), v4(CN4, HOA4, 1400)]));
  assert.equal(io.mtuCounters.icmpSent, 13);
  assert.equal(ptbOf(ports.tun.written[10]).src, '2001:db8:1::1');
  assert.equal(fragNeededOf(ports.tun.written[12]).src, '192.0.2.1');
  const udp = fakes();
  const io2 = new TunnelIo(udp, haFwd('udp4'), 60, () => {}, { tunnelMtu: 1500, now: () => 0 });
  io2.fromTun(tunBatch([v6(CN6, HOA6, 1472), v6(CN6, HOA6, 1473), v4(CN4, HOA4, 1473)]));
  assert.deepEqual(udp.udp.sent.map((s) => [s.bytes.length, s.to, s.port]), [[1472, '198.51.100.7', 40000]]);
  assert.deepEqual(ptbOf(udp.tun.written[0]), { src: HOA6, dst: CN6, mtu: 1472, invoking: 1232 });
  assert.deepEqual(fragNeededOf(udp.tun.written[1]), { src: HOA4, dst: CN4, mtu: 1472 });
});

test('TunnelIo: EMSGSIZE without netlink lowers by plateaus and answers the failed packets; IPv6 floor 1280', () => {
  const ports = fakes();
  ports.raw6InIpv6.pathMtu = 1300;
  ports.raw4InIpv6.pathMtu = 1300;
  const fwd = haFwd();
  const io = new TunnelIo(ports, fwd, 60, () => {}, { tunnelMtu: 1500, now: () => 0 });
  io.fromTun(tunBatch([v6(CN6, HOA6, 1000), v6(CN6, HOA6, 1400), v6(CN6, HOA6, 1000)]));
  assert.equal(ports.raw6InIpv6.sent.length, 2);
  const b = fwd.binding(HOA6)!;
  assert.deepEqual([b.txPackets, b.txBytes], [2, 2000], 'the refused packet is taken back');
  assert.equal(ptbOf(ports.tun.written[0]).mtu, 1360, 'outer 1440 failed: plateau 1400, less 40');
  const mtus = [1360, 1340, 1280].map((size) => {
    io.fromTun(tunBatch([v6(CN6, HOA6, size)]));
    return ports.tun.written.length > 0 ? ptbOf(ports.tun.written[ports.tun.written.length - 1]).mtu : 0;
  });
  assert.deepEqual(mtus, [1340, 1280, 1280]);
  assert.equal(ports.tun.written.length, 3, 'no PTB below 1280: a 1280-octet packet over this path is lost');
  assert.equal(ports.raw6InIpv6.stats.txErrors, 4);
  assert.deepEqual([io.mtuCounters.sendTooBig, io.mtuCounters.pathLowered], [4, 3]);
  io.fromTun(tunBatch([v4(CN4, HOA4, 1260), v4(CN4, HOA4, 1240)]));
  assert.equal(fragNeededOf(ports.tun.written[3]).mtu, 1240, 'IPv4 inner packets go down to the path');
  assert.equal(ports.raw4InIpv6.sent.length, 1);
});

/** A fake rtnetlink answering RTM_GETROUTE (with an MTU exception when set) and RTM_GETLINK. */
function fakeKernel(state: { exception?: number; linkMtu: number; routeQueries: number }): NetlinkTransport {
  const u32 = (n: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
  return {
    request(msg: Uint8Array): Uint8Array[] {
      const d = decodeRtnlMessage(msg, 0, msg.length);
      assert.ok(d.ok);
      const h = d.value.header;
      let reply: Uint8Array;
      if (h.type === RTM_GETROUTE) {
        state.routeQueries++;
        const nested = state.exception === undefined ? [] : [{ type: 2, data: u32(state.exception) }];
        const metrics = new Uint8Array(attrsLength(nested));
        encodeAttrs(nested, metrics, 0);
        const route = {
          family: 10, dstLength: 128, srcLength: 0, tos: 0, table: 254, protocol: 0, scope: 0, type: 1, flags: 0,
          oif: 2, unknown: nested.length ? [{ type: RTA_METRICS, data: metrics }] : [],
        };
        reply = encodeRtnlMessageBytes({ header: { type: RTM_NEWROUTE, flags: 0, seq: h.seq, pid: 0 }, body: { kind: 'route', route } });
      } else {
        assert.equal(h.type, RTM_GETLINK);
        const link = { family: 0, type: 1, index: 2, flags: 0, change: 0, mtu: state.linkMtu, unknown: [] };
        reply = encodeRtnlMessageBytes({ header: { type: RTM_NEWLINK, flags: 0, seq: h.seq, pid: 0 }, body: { kind: 'link', link } });
      }
      const ack = encodeRtnlMessageBytes({
        header: { type: NLMSG_ERROR, flags: 0, seq: h.seq, pid: 0 },
        body: { kind: 'error', error: 0, request: { ...h, length: msg.length }, trailer: new Uint8Array(0) },
      });
      const out = new Uint8Array(reply.length + ack.length);
      out.set(reply, 0);
      out.set(ack, reply.length);
      return [out];
    },
  };
}

test('TunnelIo with netlink: the path MTU from the kernel at first use and exactly after EMSGSIZE', () => {
  const kernel: { exception?: number; linkMtu: number; routeQueries: number } = { linkMtu: 1400, routeQueries: 0 };
  const ports = fakes();
  const io = new TunnelIo(ports, haFwd(), 60, () => {}, { tunnelMtu: 1500, netlink: fakeKernel(kernel), now: () => 0 });
  io.fromTun(tunBatch([v6(CN6, HOA6, 1360), v6(CN6, HOA6, 1361)]));
  assert.equal(ports.raw6InIpv6.sent.length, 1);
  assert.equal(ptbOf(ports.tun.written[0]).mtu, 1360, 'link MTU 1400 of the route\'s output link');
  assert.equal(kernel.routeQueries, 1);
  ports.raw6InIpv6.pathMtu = 1340; // a router on the path reported 1340: the kernel holds an exception
  kernel.exception = 1340;
  io.fromTun(tunBatch([v6(CN6, HOA6, 1350), v6(CN6, HOA6, 1200), v6(CN6, HOA6, 1320)]));
  assert.equal(ports.raw6InIpv6.sent.length, 2);
  assert.deepEqual(ports.tun.written.slice(1).map((e) => ptbOf(e).mtu), [1300, 1300],
    'both failed packets (1350 and 1320) answered with the exact MTU');
  assert.equal(kernel.routeQueries, 2);
  assert.equal(io.mtu.entry(slotOf('2001:db8:20::5'), 6)?.source, 'kernel');
  io.fromTun(tunBatch([v6(CN6, HOA6, 1301)]));
  assert.equal(ports.tun.written.length, 4, 'the next one is answered before it is sent');
  assert.equal(ports.raw6InIpv6.stats.txErrors, 2);
});

/** What a raw ICMPv6 socket delivers for a router's PTB about one of our tunnel packets. */
function routerPtb(mtu: number, remote: string, nextHeader = 41): Uint8Array {
  const outer = v6('2001:db8:20::1', remote, 120, nextHeader);
  const e = packetTooBig(outer, 0, outer.length, mtu, parseIpv6('2001:db8:20::2')!);
  return e.slice(40);
}

test('TunnelIo: a router\'s Packet Too Big heard on the raw ICMPv6 socket lowers the path in use only', () => {
  const ports = fakes();
  const io = new TunnelIo(ports, haFwd(), 60, () => {}, { tunnelMtu: 1400, now: () => 0 });
  io.fromTun(tunBatch([v6(CN6, HOA6, 1400)]));
  assert.equal(ports.raw6InIpv6.sent.length, 1, 'sent: the router on the path drops it');
  const remote = slotOf('2001:db8:20::5');
  const heard = [routerPtb(1380, '2001:db8:20::5'), routerPtb(1380, '2001:db8:20::99'),
    routerPtb(1200, '2001:db8:20::5'), routerPtb(1300, '2001:db8:20::5', 17)];
  const rx = new RxBatch(2048, true);
  heard.forEach((p, i) => { rx.data.set(p, i * 2048); rx.lengths[i] = p.length; });
  rx.count = heard.length;
  io.fromIcmp6(rx);
  assert.deepEqual([io.mtu.entry(remote, 6)?.mtu, io.mtu.entry(remote, 6)?.source], [1380, 'icmp'],
    'unknown remotes, MTUs below 1280 and non-tunnel packets are ignored');
  assert.equal(io.mtu.entry(slotOf('2001:db8:20::99'), 6), undefined);
  assert.equal(io.mtuCounters.pathLowered, 1);
  io.fromTun(tunBatch([v6(CN6, HOA6, 1400)]));
  assert.equal(ptbOf(ports.tun.written[0]).mtu, 1340, 'the next one is answered: 1380 - 40');
});

test('tshark reads the errors and the fragments as we meant them (checksums good, reassembled)', (t) => {
  const probe = probeTshark();
  if ('missing' in probe) { t.skip(probe.missing); return; }
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-mtu-'));
  try {
    const big6 = v6(CN6, HOA6, 1400, 58, [128]);
    const big4 = v4(CN4, HOA4, 1400, { proto: 1, first: [8] });
    const frags = fragmentAll(v4(CN4, HOA4, 1400, { df: false, proto: 253 }), 1000);
    writePcap(join(dir, 'mtu.pcap'), [
      packetTooBig(big6, 0, 1400, 1260, parseIpv6('2001:db8:20::1')!),
      fragmentationNeeded(big4, 0, 1400, 1272, parseIpv4(HOA4)!), ...frags,
    ]);
    const f = decodePcap(join(dir, 'mtu.pcap'));
    const first = (i: number, k: string): string | undefined => f[i].get(k)?.[0]?.value;
    assert.deepEqual([first(0, 'icmpv6.type'), first(0, 'icmpv6.checksum.status'), first(0, 'icmpv6.mtu')],
      ['2', '1', '1260']);
    assert.deepEqual(['ip.checksum.status', 'icmp.type', 'icmp.code', 'icmp.checksum.status', 'icmp.mtu']
      .map((k) => first(1, k)), ['1', '3', '4', '1', '1272']);
    assert.deepEqual([2, 3].map((i) => first(i, 'ip.checksum.status')), ['1', '1']);
    assert.equal(first(3, 'ip.reassembled.length'), '1380');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
