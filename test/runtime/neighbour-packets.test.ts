/**
 * The home link's packets byte for byte (RFC 4861 §4.3/§4.4, RFC 4862 §5.4.2, RFC 7527 §4.1,
 * RFC 6275 §10.4.1, RFC 826 / RFC 5227 §3 / RFC 5944 §4.6), decoded by tshark when it is there,
 * and `dadSignal`, which must keep only valid NS/NA (RFC 4861 §7.1) and never throw.
 * The checksums 0x33d9 and 0x7662 were computed independently (a Python one's-complement sum
 * over the RFC 8200 §8.1 pseudo-header) and tshark reports them [correct].
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  AdvertisementTemplate, ETHERNET_BROADCAST, dadSignal, dadSolicitation, gratuitousArp, solicitedNode,
  unsolicitedAdvertisement,
} from '../../src/runtime/neighbour-packets.js';
import type { NdMessage } from '../../src/os/ports.js';
import { parseIpv6 } from '../../src/wire/addr.js';
import { finishChecksum, pseudoSum6, sumWords } from '../../src/wire/checksum.js';
import { pcapBytes } from '../oracle/pcap.js';
import { ipv6Address } from '../prop/arbitraries.js';
import { probeTshark, tsharkPath } from '../oracle/tshark.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const MAC = new Uint8Array([0x02, 0x00, 0x5e, 0x00, 0x53, 0x01]);
const NONCE = new Uint8Array([1, 2, 3, 4, 5, 6]);
const HOA = '2001:db8:1::100';

const NS_HEX =
  '6000000000203aff' + '00000000000000000000000000000000' + 'ff0200000000000000000001ff000100' +
  '870033d9' + '00000000' + '20010db8000100000000000000000100' + '0e01010203040506';
const NA_HEX =
  '6000000000203aff' + 'fe800000000000000000000000000001' + 'ff020000000000000000000000000001' +
  '88007662' + '20000000' + '20010db8000100000000000000000100' + '020102005e005301';
const ARP_REQUEST_HEX = '0001' + '0800' + '06' + '04' + '0001' + '02005e005301' + 'c0000281' +
  '000000000000' + 'c0000281';
const ARP_REPLY_HEX = '0001' + '0800' + '06' + '04' + '0002' + '02005e005301' + 'c0000281' +
  '02005e005301' + 'c0000281';

test('solicited-node multicast address (RFC 4291 §2.7.1)', () => {
  assert.equal(solicitedNode(HOA), 'ff02::1:ff00:100');
  assert.equal(solicitedNode('fe80::2aa:ff:fe28:9c5a'), 'ff02::1:ff28:9c5a');
  assert.equal(solicitedNode('not an address'), undefined);
});

test('DAD probe: NS from :: to the solicited-node group, hop limit 255, nonce, no SLLA', () => {
  assert.equal(hex(dadSolicitation(HOA, NONCE)), NS_HEX);
  assert.throws(() => dadSolicitation(HOA, new Uint8Array(4)), TypeError);
});

test('unsolicited NA: to ff02::1, R=0 S=0 O=1, TLLA = the MAC', () => {
  assert.equal(hex(unsolicitedAdvertisement('fe80::1', HOA, MAC)), NA_HEX);
});

test('gratuitous ARP request (THA zero) and reply (THA = SHA), SPA = TPA = the home address', () => {
  assert.equal(hex(gratuitousArp(1, '192.0.2.129', MAC)), ARP_REQUEST_HEX);
  assert.equal(hex(gratuitousArp(2, '192.0.2.129', MAC)), ARP_REPLY_HEX);
  assert.throws(() => gratuitousArp(1, '2001:db8::1', MAC), TypeError);
  assert.throws(() => gratuitousArp(1, '192.0.2.1', new Uint8Array(5)), TypeError);
});

function tsharkFields(packets: Uint8Array[], linkType: number, fields: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-nd-'));
  try {
    writeFileSync(join(dir, 'p.pcap'), pcapBytes(packets, linkType));
    const args = ['-r', join(dir, 'p.pcap'), '-T', 'fields', '-E', 'separator=|',
      ...fields.flatMap((f) => ['-e', f])];
    return execFileSync(tsharkPath(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('tshark decodes the NS and the NA, checksums correct', (t) => {
  const probe = probeTshark();
  if ('missing' in probe) { t.skip(probe.missing); return; }
  const packets = [dadSolicitation(HOA, NONCE), unsolicitedAdvertisement('fe80::1', HOA, MAC)];
  const lines = tsharkFields(packets, 101, ['ipv6.hlim', 'ipv6.src', 'ipv6.dst', 'icmpv6.type', 'icmpv6.checksum.status',
      'icmpv6.nd.ns.target_address', 'icmpv6.nd.na.target_address', 'icmpv6.nd.na.flag.r',
      'icmpv6.nd.na.flag.s', 'icmpv6.nd.na.flag.o', 'icmpv6.opt.type', 'icmpv6.opt.nonce',
      'icmpv6.opt.linkaddr']);
  assert.deepEqual(lines, [
    `255|::|ff02::1:ff00:100|135|1|${HOA}|||||14|010203040506|`,
    `255|fe80::1|ff02::1|136|1||${HOA}|0|0|1|2||02:00:5e:00:53:01`,
  ]);
});

test('tshark decodes both gratuitous ARP frames as gratuitous', (t) => {
  const probe = probeTshark();
  if ('missing' in probe) { t.skip(probe.missing); return; }
  const frame = (payload: Uint8Array): Uint8Array => {
    const f = new Uint8Array(14 + payload.length);
    f.set(ETHERNET_BROADCAST, 0);
    f.set(MAC, 6);
    f.set([0x08, 0x06], 12);
    f.set(payload, 14);
    return f;
  };
  const lines = tsharkFields([frame(gratuitousArp(1, '192.0.2.129', MAC)),
    frame(gratuitousArp(2, '192.0.2.129', MAC))], 1,
  ['eth.dst', 'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.hw_mac',
    'arp.dst.proto_ipv4', 'arp.isgratuitous']);
  const m = '02:00:5e:00:53:01';
  assert.deepEqual(lines, [
    `ff:ff:ff:ff:ff:ff|1|${m}|192.0.2.129|00:00:00:00:00:00|192.0.2.129|1`,
    `ff:ff:ff:ff:ff:ff|2|${m}|192.0.2.129|${m}|192.0.2.129|1`,
  ]);
});

/** The message a raw ICMPv6 socket would hand over for a whole IPv6 packet. */
function received(packet: Uint8Array, hopLimit = packet[7]): NdMessage {
  return {
    bytes: packet.subarray(40), source: packet.subarray(8, 24), destination: packet.subarray(24, 40),
    ifindex: 2, hopLimit,
  };
}

/** Fills the ICMPv6 checksum of the whole IPv6 packet `p` (no extension headers). */
function withChecksum(p: Uint8Array): Uint8Array {
  p[42] = 0;
  p[43] = 0;
  const sum = finishChecksum(sumWords(p, 40, p.length,
    pseudoSum6(p.subarray(8, 24), p.subarray(24, 40), p.length - 40, 58)));
  p[42] = sum >> 8;
  p[43] = sum & 0xff;
  return p;
}

function nsFrom(source: string, destination: string, target: string, options = new Uint8Array(0)): Uint8Array {
  const p = new Uint8Array(40 + 24 + options.length);
  p.set([0x60, 0, 0, 0, 0, 24 + options.length, 58, 255], 0);
  p.set(parseIpv6(source)!, 8);
  p.set(parseIpv6(destination)!, 24);
  p[40] = 135;
  p.set(parseIpv6(target)!, 48);
  p.set(options, 64);
  return withChecksum(p);
}

test('dadSignal: a valid NA and another node\'s probe count; invalid ones do not', () => {
  const na = unsolicitedAdvertisement('fe80::1', HOA, MAC);
  assert.deepEqual(dadSignal(received(na)), { kind: 'advertisement', target: HOA });
  const ns = dadSolicitation(HOA, NONCE);
  assert.deepEqual(dadSignal(received(ns)), { kind: 'solicitation', target: HOA, nonce: NONCE });
  assert.equal(dadSignal(received(na, 254)), undefined, 'hop limit 254');
  assert.equal(dadSignal(received(ns, 256)), undefined, 'hop limit unknown');
  const bad = na.slice();
  bad[43] ^= 1;
  assert.equal(dadSignal(received(bad)), undefined, 'checksum');
  assert.equal(dadSignal(received(na.subarray(0, 40 + 20))), undefined, 'shorter than 24 bytes');
  // Address resolution (a unicast source) is not DAD (RFC 4862 §5.4.3).
  assert.equal(dadSignal(received(nsFrom('2001:db8:1::2', 'ff02::1:ff00:100', HOA))), undefined);
  // A probe to a group that is not the target's solicited-node group.
  assert.equal(dadSignal(received(nsFrom('::', 'ff02::1', HOA))), undefined);
  // A probe from :: with a Source Link-Layer Address option (RFC 4861 §7.1.1).
  const slla = new Uint8Array([1, 1, ...MAC]);
  assert.equal(dadSignal(received(nsFrom('::', 'ff02::1:ff00:100', HOA, slla))), undefined);
  // A probe without a nonce (RFC 4862 nodes) counts, with no nonce.
  assert.deepEqual(dadSignal(received(nsFrom('::', 'ff02::1:ff00:100', HOA))),
    { kind: 'solicitation', target: HOA });
  // A zero-length option is malformed.
  assert.equal(dadSignal(received(nsFrom('::', 'ff02::1:ff00:100', HOA, new Uint8Array(8)))), undefined);
});

test('dadSignal: an NA to a multicast address with S set, or for a multicast target, is invalid', () => {
  const na = unsolicitedAdvertisement('fe80::1', HOA, MAC).slice();
  na[44] |= 0x40; // S
  assert.equal(dadSignal(received(withChecksum(na))), undefined);
  const mcast = unsolicitedAdvertisement('fe80::1', 'ff02::1', MAC);
  assert.equal(dadSignal(received(mcast)), undefined);
});

test('dadSignal never throws on random bytes', () => {
  let seed = 7;
  const next = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 24; };
  for (let i = 0; i < 5000; i++) {
    const b = new Uint8Array(next() % 80).map(() => next());
    if (b.length > 0) b[0] = i % 2 === 0 ? 135 : 136;
    if (b.length > 1) b[1] = 0;
    const src = new Uint8Array(16).map(() => (i % 3 === 0 ? 0 : next()));
    const dst = new Uint8Array(16).map(() => next());
    dadSignal({ bytes: b, source: src, destination: dst, ifindex: 1, hopLimit: 255 });
  }
});

test('NA template: byte for byte the encoded unsolicited NA, for any target, source and MAC', () => {
  fc.assert(fc.property(ipv6Address, ipv6Address, fc.uint8Array({ minLength: 6, maxLength: 6 }), (source, target, mac) => {
    const t = new AdvertisementTemplate(source, mac);
    assert.equal(hex(t.build(target)), hex(unsolicitedAdvertisement(source, target, mac)));
  }), { numRuns: 3000, seed: 7 });
  const t = new AdvertisementTemplate('fe80::1', MAC);
  assert.equal(hex(t.build(HOA)), NA_HEX);
  assert.equal(AdvertisementTemplate.of(t, { source: 'fe80::1', mac: MAC }), t, 'same facts: kept');
  assert.notEqual(AdvertisementTemplate.of(t, { source: 'fe80::2', mac: MAC }), t, 'new source: rebuilt');
  assert.throws(() => t.build('not-an-address'), TypeError);
});
