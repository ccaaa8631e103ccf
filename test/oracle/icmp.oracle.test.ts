/**
 * tshark oracle for the ICMPv6 (errors, echo, ND, Mobile IPv6) and ICMPv4 codecs (see
 * ./README.md): our encoders build the packets from a fixed seed, tshark decodes the pcap in one
 * run, and every field it shows must equal the value we encoded (./icmp-expect.ts). Skips with a
 * visible reason when tshark is missing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeIcmpv4, encodedLengthIcmpv4, type Icmpv4Message } from '../../src/wire/icmpv4.js';
import { encodeIcmpv6, encodedLengthIcmpv6, type Icmpv6Message } from '../../src/wire/icmpv6.js';
import { encodeIpv4Packet, encodedLengthIpv4Packet } from '../../src/wire/ipv4.js';
import { encodeIpv6Packet, encodedLengthIpv6Packet } from '../../src/wire/ipv6.js';
import type { NdOption } from '../../src/wire/nd-options.js';
import { encodeUdp, encodedLengthUdp } from '../../src/wire/udp.js';
import {
  expectIcmpCase, ICMP_WATCHED, icmpIgnored, type IcmpCase, type InvokingSpec, type IpHeaderSpec,
} from './icmp-expect.js';
import { compareFields, decodePackets, probeTshark, type PacketFields } from './tshark.js';

const SEED = 0x1c3b6;
/** Fewer compared fields than this means the oracle is comparing (almost) nothing. */
const MIN_COMPARED_FIELDS = 10000;

/** mulberry32, seeded: every run builds the same packets. */
let state = SEED;
const rnd = (): number => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
const coin = (): boolean => rnd() < 0.5;
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(256));
const u16 = (): number => pick([0, 1, 0x7fff, 0x8000, 0xffff, int(0x10000), int(0x10000)]);
const u32 = (): number => pick([0, 1, 0x7fffffff, 0xffffffff, int(2 ** 32), int(2 ** 32)]);
/** Unicast-looking IPv4 (first octet below 224: no multicast or broadcast sources). */
const ipv4 = (): string => [1 + int(223), int(256), int(256), int(256)].join('.');
/** IPv6 text, never multicast (tshark flags a multicast source). */
const ipv6 = (): string => {
  if (rnd() < 0.15) return pick(['::', '::1', `::ffff:${ipv4()}`, 'fe80::1', '2001:db8::']);
  const first = pick(['2001', 'fe80', (int(0xff00)).toString(16)]);
  return [first, ...Array.from({ length: 7 }, () => (coin() ? 0 : int(0x10000)).toString(16))]
    .join(':');
};
const ipHeader = (family: 4 | 6): IpHeaderSpec => (family === 6
  ? { source: ipv6(), destination: ipv6(), hopLimit: pick([255, 64, 1 + int(255)]),
    trafficClass: int(256), id: pick([0, 0xfffff, int(0x100000)]) }
  : { source: ipv4(), destination: ipv4(), hopLimit: 5 + int(251), // TTL < 5: expert note
    trafficClass: int(256), id: u16() });

// ---- Invoking packets (the IP + UDP packet an error message quotes) ----

function invokingSpec(family: 4 | 6): InvokingSpec {
  const payload = bytes(pick([0, 4, 8, int(64)]));
  const full = (family === 6 ? 48 : 28) + payload.length;
  // ICMPv4 must quote at least the header and 64 bits (RFC 792); keep some or all of the rest.
  const keep = pick([full, full, full - int(payload.length + 1)]);
  return { ...ipHeader(family), sourcePort: 49152 + int(16384),
    destinationPort: 49152 + int(16384), payload, keep };
}

/** A buffer of n octets filled by `write` (one of our encoders). */
function encoded(n: number, write: (out: Uint8Array) => number): Uint8Array {
  const out = new Uint8Array(n);
  assert.equal(write(out), n, 'encoder wrote its encodedLength');
  return out;
}

function encodeInvoking(inv: InvokingSpec, family: 4 | 6): Uint8Array {
  const udp = encoded(encodedLengthUdp(inv), (o) => encodeUdp(inv, o, 0,
    { family, source: inv.source, destination: inv.destination }));
  return (family === 6 ? ipv6Packet(inv, 17, udp) : ipv4Packet(inv, 17, udp, true))
    .slice(0, inv.keep);
}

function ipv6Packet(h: IpHeaderSpec, next: number, payload: Uint8Array): Uint8Array {
  const p = { trafficClass: h.trafficClass, flowLabel: h.id, hopLimit: h.hopLimit,
    source: h.source, destination: h.destination, extensions: [], upperProtocol: next, payload };
  return encoded(encodedLengthIpv6Packet(p), (o) => encodeIpv6Packet(p, o, 0));
}

function ipv4Packet(h: IpHeaderSpec, protocol: number, payload: Uint8Array, df: boolean,
): Uint8Array {
  const p = { typeOfService: h.trafficClass, identification: h.id, dontFragment: df,
    moreFragments: false, fragmentOffset: 0, ttl: h.hopLimit, protocol, source: h.source,
    destination: h.destination, options: new Uint8Array(0), payload };
  return encoded(encodedLengthIpv4Packet(p), (o) => encodeIpv4Packet(p, o, 0));
}

// ---- Messages ----

const linkLayer = (): Uint8Array => pick([() => bytes(6), () => bytes(6), () => bytes(22),
  () => Uint8Array.of(...bytes(8), 0, 0, 0, 0, 0, 0), // EUI-64 + padding
  () => Uint8Array.of(...bytes(13), 1 + int(255))])(); // 14 octets, not EUI-64

function ndOption(kind: number): NdOption {
  switch (kind) {
    case 0: return { type: 'source-link-layer-address', linkLayerAddress: linkLayer() };
    case 1: return { type: 'prefix-information', prefixLength: pick([64, 128, 0, int(129)]),
      onLink: coin(), autonomous: coin(), routerAddress: coin(), reserved: pick([0, int(32)]),
      validLifetimeSeconds: u32(), preferredLifetimeSeconds: u32(), prefix: ipv6() };
    case 2: return { type: 'mtu', mtu: pick([1280, 1500, 0, 0xffffffff, u32()]) };
    case 3: return { type: 'advertisement-interval', intervalMs: pick([1000, 0, u32()]) };
    default: return { type: 'home-agent-information', mobileRouterSupport: coin(),
      reserved: pick([0, 0x7fff, int(0x8000)]), lifetimeSeconds: u16(),
      preference: pick([0, -1, -32768, 32767, int(0x10000) - 0x8000]) };
  }
}

const raOptions = (): NdOption[] => Array.from({ length: int(7) }, () => ndOption(int(5)));
const tlla = (): NdOption[] => (coin() ? [] : [{ type: 'target-link-layer-address',
  linkLayerAddress: linkLayer() }]);
const RA_FLAGS = [0x80, 0x40, 0x20, 0xe0, 0x00];

function ra(flags: number): Icmpv6Message {
  return { type: 'router-advertisement', code: 0, curHopLimit: pick([64, 0, 255, int(256)]),
    managed: (flags & 0x80) !== 0, otherConfig: (flags & 0x40) !== 0,
    homeAgent: (flags & 0x20) !== 0, otherFlags: flags & 0x1f, routerLifetimeSeconds: u16(),
    reachableTimeMs: u32(), retransTimerMs: u32(), options: raOptions() };
}

function na(flags: number): Icmpv6Message {
  return { type: 'neighbor-advertisement', code: 0, router: (flags & 4) !== 0,
    solicited: (flags & 2) !== 0, override: (flags & 1) !== 0,
    reserved: pick([0, 0, 0x1fffffff, int(0x20000000)]), target: ipv6(), options: tlla() };
}

/** One ICMPv6 message of kind k (0..12) and the invoking packet it quotes, if any. */
function icmpv6Message(k: number): [Icmpv6Message, InvokingSpec?] {
  const inv = invokingSpec(6);
  const invoking = encodeInvoking(inv, 6);
  const id = u16();
  switch (k) {
    case 0: return [{ type: coin() ? 'echo-request' : 'echo-reply', code: 0, identifier: id,
      sequence: u16(), data: pick([new Uint8Array(0), new Uint8Array(8), bytes(1 + int(64))]) }];
    case 1: return [{ type: 'destination-unreachable', code: int(9), invoking }, inv];
    case 2: return [{ type: 'packet-too-big', code: 0, mtu: pick([1280, 1500, u32()]),
      invoking }, inv];
    case 3: return [{ type: 'time-exceeded', code: int(2), invoking }, inv];
    case 4: return [{ type: 'parameter-problem', code: int(4),
      pointer: pick([0, 6, 40, u32()]), invoking }, inv];
    case 5: return [{ type: 'router-solicitation', code: 0,
      options: coin() ? [] : [ndOption(0)] }];
    case 6: return [ra(pick([...RA_FLAGS, int(256)]))];
    case 7: return [{ type: 'neighbor-solicitation', code: 0, target: ipv6(),
      options: coin() ? [] : [ndOption(0)] }];
    case 8: return [na(int(8))];
    case 9: return [{ type: 'haad-request', code: 0, identifier: id, mobileRouterSupport: coin(),
      reserved: pick([0, 0, int(0x8000)]) }];
    case 10: return [{ type: 'haad-reply', code: 0, identifier: id, mobileRouterSupport: coin(),
      reserved: pick([0, int(0x8000)]),
      homeAgentAddresses: Array.from({ length: int(6) }, ipv6) }];
    case 11: return [{ type: 'mobile-prefix-solicitation', code: 0, identifier: id }];
    default: return [{ type: 'mobile-prefix-advertisement', code: 0, identifier: id,
      managed: coin(), otherConfig: coin(), reserved: pick([0, 0, int(0x4000)]),
      options: Array.from({ length: 1 + int(3) }, () => ndOption(1)) }];
  }
}

/**
 * ICMPv4 echo data. tshark reads 8 or more octets as a timeval (icmp.data_time) when it falls
 * within the day before the capture time; our pcap times are 1970, so a data field starting with
 * small values would be shown as a timestamp. Setting the top bit of octets 0 and 3 rules out
 * both byte orders.
 */
function echoData4(): Uint8Array {
  const d = pick([new Uint8Array(0), bytes(1 + int(7)), bytes(8 + int(56))]);
  if (d.length >= 8) { d[0] |= 0x80; d[3] |= 0x80; }
  return d;
}

/** One ICMPv4 message of kind k (0..3) and the invoking packet it quotes, if any. */
function icmpv4Message(k: number): [Icmpv4Message, InvokingSpec?] {
  const inv = invokingSpec(4);
  const invoking = encodeInvoking(inv, 4);
  switch (k) {
    case 0: return [{ type: coin() ? 'echo-request' : 'echo-reply', code: 0, identifier: u16(),
      sequence: u16(), data: echoData4() }];
    case 1: return [{ type: 'destination-unreachable', code: 4, invoking,
      nextHopMtu: pick([0, 68, 576, 1400, 1500, 0xffff, u16()]) }, inv];
    case 2: return [{ type: 'destination-unreachable', code: pick([0, 1, 2, 3, 5, 13, 15]),
      nextHopMtu: 0, invoking }, inv];
    default: return [{ type: 'time-exceeded', code: int(2), invoking }, inv];
  }
}

function generatedCases(): IcmpCase[] {
  const cases: IcmpCase[] = [];
  const add6 = (name: string, [message, invoking]: [Icmpv6Message, InvokingSpec?]): void => {
    cases.push({ name: `${name}#${cases.length}`, family: 6, ip: ipHeader(6), message,
      invoking });
  };
  for (let round = 0; round < 20; round++) {
    for (let k = 0; k < 13; k++) add6(`icmpv6 kind ${k}`, icmpv6Message(k));
  }
  RA_FLAGS.forEach((f) => add6(`RA flags 0x${f.toString(16)}`, [ra(f)]));
  for (let f = 0; f < 8; f++) add6(`NA flags ${f}`, [na(f)]);
  for (let round = 0; round < 30; round++) {
    for (let k = 0; k < 4; k++) {
      const [message, invoking] = icmpv4Message(k);
      cases.push({ name: `icmpv4 kind ${k}#${cases.length}`, family: 4, ip: ipHeader(4),
        message, invoking });
    }
  }
  return cases;
}

function encodeCase(c: IcmpCase): Uint8Array {
  if (c.family === 4) {
    const m4 = c.message;
    const icmp = encoded(encodedLengthIcmpv4(m4), (o) => encodeIcmpv4(m4, o, 0));
    return ipv4Packet(c.ip, 1, icmp, false);
  }
  const m6 = c.message;
  return ipv6Packet(c.ip, 58, encoded(encodedLengthIcmpv6(m6),
    (o) => encodeIcmpv6(m6, o, 0, c.ip.source, c.ip.destination)));
}

/** Our bytes with the RA H flag flipped and the ICMPv6 checksum recomputed independently. */
function flipHomeAgentFlag(packet: Uint8Array): Uint8Array {
  const p = packet.slice();
  p[40 + 5] ^= 0x20;
  p[40 + 2] = 0; p[40 + 3] = 0;
  let sum = (p.length - 40) + 58; // pseudo-header: upper-layer length and next header
  for (let i = 8; i < p.length; i += 2) sum += (p[i] << 8) | (p[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const csum = ~sum & 0xffff;
  p[42] = csum >> 8; p[43] = csum & 0xff;
  return p;
}

interface OracleRun { cases: IcmpCase[]; packets: Uint8Array[]; control: IcmpCase;
  decoded: PacketFields[] }

function runOracle(): OracleRun {
  const cases = generatedCases();
  const packets = cases.map(encodeCase);
  const control = cases.find((c) => c.message.type === 'router-advertisement'
    && !c.message.homeAgent)!;
  const all = [...packets, flipHomeAgentFlag(packets[cases.indexOf(control)])];
  const decoded = decodePackets('icmp', all);
  return { cases, packets, control, decoded };
}

test('tshark oracle: ICMPv6 and ICMPv4 encodings', async (t) => {
  const probe = probeTshark();
  if ('missing' in probe) { t.skip(probe.missing); return; }
  const run = runOracle();
  let compared = 0;
  const check = (c: IcmpCase, fields: PacketFields): string[] => {
    const exp = expectIcmpCase(c);
    compared += exp.length;
    return compareFields(exp, fields, ICMP_WATCHED, icmpIgnored).map((m) =>
      `${c.name}: ${m.field}: expected ${JSON.stringify(m.expected)}, `
      + `tshark ${JSON.stringify(m.actual)}`);
  };

  await t.test('every field tshark shows equals the value we encoded', () => {
    const failures = run.cases.flatMap((c, i) => check(c, run.decoded[i]));
    assert.deepEqual(failures.slice(0, 40), [], `${failures.length} mismatches`);
  });

  await t.test('tshark finds nothing malformed and no expert info', () => {
    run.decoded.slice(0, run.packets.length).forEach((f, i) => {
      assert.equal(f.get('_ws.malformed'), undefined, `${run.cases[i].name}: malformed`);
      assert.equal(f.get('_ws.expert.severity'), undefined, `${run.cases[i].name}: expert`);
    });
  });

  await t.test('control: a flipped RA H flag is reported, and nothing else', () => {
    const failures = check(run.control, run.decoded[run.packets.length]);
    assert.equal(failures.length, 2, failures.join('\n'));
    assert.match(failures[0], /icmpv6\.nd\.ra\.flag: expected \["0x[0-9a-f]{2}"\]/);
    assert.match(failures[1], /icmpv6\.nd\.ra\.flag\.h: expected \["0"\], tshark \["1"\]/);
  });

  await t.test('the generator covers every message type, option and tricky value', () => {
    const options = run.cases.flatMap((c) => ('options' in c.message ? c.message.options : []));
    const types = new Set([...run.cases.map((c) => `${c.family}:${c.message.type}`),
      ...options.map((o) => o.type)]);
    assert.equal(types.size, 18 + 6, [...types].join(' '));
    const lla = options.flatMap((o) => ('linkLayerAddress' in o ? [o.linkLayerAddress] : []));
    assert.ok(new Set(lla.map((a) => a.length)).size === 3, 'LLA of 6, 14 and 22 octets');
    assert.ok(options.some((o) => o.type === 'home-agent-information' && o.preference < 0));
    assert.ok(run.cases.some((c) => c.invoking && c.invoking.keep < 48 + c.invoking.payload.length
      && c.family === 6), 'a truncated invoking packet');
  });

  t.diagnostic(`oracle ${probe.version}: ${run.decoded.length} packets, ${compared} fields`
    + ' compared');
  assert.ok(compared >= MIN_COMPARED_FIELDS, `only ${compared} fields compared`);
});
