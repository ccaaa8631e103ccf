/**
 * tshark oracle for the Mobility Header codecs (see ./README.md): our encoders build ~150
 * packets, tshark decodes the pcap in one run, and every field it shows must equal the value
 * we encoded (./mh-expect.ts). Skips with a visible reason when tshark is missing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMobilityPacket, decodeMobilityPacket } from '../../src/wire/mh/packet.js';
import type { MobilityHeader } from '../../src/wire/mh/header.js';
import type { MobilityMessage } from '../../src/wire/mh/messages.js';
import type { MobilityOption } from '../../src/wire/mh/options.js';
import { EncodeError } from '../../src/wire/result.js';
import { decodeUdpEncapsulation4, encodeUdpEncapsulation4 } from '../../src/wire/udp-encap.js';
import { expectCase, ignoredField, WATCHED_PREFIXES, type OracleCase } from './mh-expect.js';
import {
  compareFields, decodePackets, probeTshark, type Mismatch, type PacketFields,
} from './tshark.js';

const SEED = 0x5eed6;
/** Fewer compared fields than this means the oracle is comparing (almost) nothing. */
const MIN_COMPARED_FIELDS = 5000;

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
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(256));
const u16 = (): number => pick([0, 1, 0x7fff, 0x8000, 0xffff, int(0x10000), int(0x10000)]);
const u32 = (): number => pick([0, 1, 110, 0xffffffff, int(2 ** 32), int(2 ** 32)]);
const ipv4 = (): string =>
  pick(['0.0.0.0', '255.255.255.255', [1, 2, 3, 4].map(() => int(256)).join('.')]);
const ipv6 = (): string => {
  if (rnd() < 0.15) return pick(['::', '::1', `::ffff:${ipv4()}`, 'fe80::1', '2001:db8::']);
  return Array.from({ length: 8 }, () => (rnd() < 0.35 ? 0 : int(0x10000)).toString(16)).join(':');
};
const nai = (n: number): Uint8Array => new TextEncoder().encode(
  Array.from({ length: n }, () => pick([...'abcdefghijklmnopqrstuvwxyz0123456789.-_@'])).join(''));
const lifetime = (): number => 4 * pick([0, 1, 0xffff, int(0x10000)]);

/** One random option of the given kind (unknown: above the 0..52, 55 Wireshark 4.0 knows). */
function option(kind: MobilityOption['type']): MobilityOption {
  switch (kind) {
    case 'binding-refresh-advice': return { type: kind, refreshIntervalSeconds: lifetime() };
    case 'alternate-care-of-address': return { type: kind, careOfAddress: ipv6() };
    case 'nonce-indices': return { type: kind, homeNonceIndex: u16(), careOfNonceIndex: u16() };
    case 'binding-authorization-data': return { type: kind, authenticator: bytes(12) };
    case 'mobile-network-prefix': return { type: kind, prefixLength: int(129), prefix: ipv6() };
    case 'mobile-node-identifier': return { type: kind, subtype: pick([1, 1, 2, 3, int(256)]),
      identifier: nai(pick([1, 2, 3, 1 + int(40)])) };
    case 'authentication': return { type: kind, subtype: pick([1, 2, int(256)]), spi: u32(),
      authenticationData: bytes(pick([12, 20, 1, 2, 3, 1 + int(40)])) };
    case 'replay-protection':
      return { type: kind, timestamp: (BigInt(u32()) << 32n) | BigInt(u32()) };
    case 'ipv4-home-address':
      return { type: kind, prefixLength: int(33), requestPrefix: rnd() < 0.5, address: ipv4() };
    case 'ipv4-address-acknowledgement': return { type: kind, prefixLength: int(33),
      status: pick([0, 128, 129, 130, 131, 132, 133, int(256)]), address: ipv4() };
    case 'nat-detection': return { type: kind, forceUdp: rnd() < 0.5, refreshTimeSeconds: u32() };
    case 'ipv4-care-of-address': return { type: kind, address: ipv4() };
    case 'unknown': return { type: kind, optionType: 56 + int(200), data: bytes(int(30)) };
  }
}

const OPTION_KINDS: readonly MobilityOption['type'][] = [
  'binding-refresh-advice', 'alternate-care-of-address', 'nonce-indices',
  'binding-authorization-data', 'mobile-network-prefix', 'mobile-node-identifier',
  'authentication', 'replay-protection', 'ipv4-home-address', 'ipv4-address-acknowledgement',
  'nat-detection', 'ipv4-care-of-address', 'unknown',
];
const BU_BITS = [0x8000, 0x4000, 0x2000, 0x1000, 0x0800, 0x0400, 0x0200, 0x0100, 0x0080, 0x0040];
const BA_BITS = [0x80, 0x40, 0x20, 0x10, 0x08];
const BA_STATUS = [0, 1, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141,
  142, 143, 144, 145, 146, 174];

const bu = (flags: number): MobilityMessage =>
  ({ type: 'binding-update', sequence: u16(), flags, lifetimeSeconds: lifetime() });
const ba = (flags: number): MobilityMessage => ({ type: 'binding-ack',
  status: pick([...BA_STATUS, int(256)]), flags, sequence: u16(), lifetimeSeconds: lifetime() });
const cookie = (): Uint8Array => (rnd() < 0.2 ? new Uint8Array(8) : bytes(8));

function otherMessage(i: number): MobilityMessage {
  switch (i % 7) {
    case 0: return { type: 'binding-refresh-request' };
    case 1: return { type: 'home-test-init', homeInitCookie: cookie() };
    case 2: return { type: 'care-of-test-init', careOfInitCookie: cookie() };
    case 3: return { type: 'home-test', homeNonceIndex: u16(), homeInitCookie: cookie(),
      homeKeygenToken: cookie() };
    case 4: return { type: 'care-of-test', careOfNonceIndex: u16(), careOfInitCookie: cookie(),
      careOfKeygenToken: cookie() };
    case 5: return { type: 'binding-error', status: pick([1, 2, int(256)]), homeAddress: ipv6() };
    default: return { type: 'unknown', mhType: 24 + int(232), data: bytes(2 + 8 * int(4)) };
  }
}

/** Wraps a message in one of the three encapsulations (HAO only on BU, RH2 only on BA). */
function wrap(name: string, message: MobilityMessage, options: MobilityOption[], i: number,
): OracleCase {
  const mh: MobilityHeader = { payloadProto: 59, message, options };
  const hopLimit = rnd() < 0.5 ? 64 : 1 + int(255);
  const enc = i % 3;
  const [mn, ha, hoa, mn4, ha4] = [ipv6(), ipv6(), ipv6(), ipv4(), ipv4()];
  const ext = message.type === 'binding-update' && enc !== 0 ? { homeAddressOption: hoa }
    : message.type === 'binding-ack' && enc !== 0 ? { type2RoutingAddress: hoa } : {};
  const toHa = message.type !== 'binding-ack';
  if (enc !== 2) {
    const [source, destination] = toHa ? [mn, ha] : [ha, mn];
    return { name: `${name}/ipv6`, spec: { source, destination, hopLimit, mh, ...ext } };
  }
  const mapped = `::ffff:${mn4}`;
  // Ephemeral (NAT-like) ports: above 4191, so tshark tries the 4191 Decode As first, and
  // clear of 33435-33464, which tshark's UDP dissector notes as a "possible traceroute".
  const port = 49152 + int(16384);
  const outer = { source: toHa ? mn4 : ha4, destination: toHa ? ha4 : mn4,
    sourcePort: toHa ? port : 4191, destinationPort: toHa ? 4191 : port,
    ttl: 5 + int(251), // tshark adds an expert note for an IPv4 TTL below 5
    typeOfService: int(256), zeroChecksum: rnd() < 0.25 };
  const [source, destination] = toHa ? [mapped, ha] : [ha, mapped];
  return { name: `${name}/udp4`, spec: { source, destination, hopLimit, mh, ...ext }, outer };
}

const randomOptions = (n: number): MobilityOption[] =>
  Array.from({ length: n }, () => option(pick(OPTION_KINDS)));

function generatedCases(): OracleCase[] {
  const cases: OracleCase[] = [];
  let i = 0;
  const add = (name: string, m: MobilityMessage, o: MobilityOption[]): void => {
    cases.push(wrap(`${name}#${i}`, m, o, i)); i += 1;
  };
  BU_BITS.forEach((bit) => add(`BU flag 0x${bit.toString(16)}`, bu(bit), []));
  add('BU all flags', bu(0xffc0), []);
  add('BU no flags', bu(0), []);
  for (let k = 0; k < 20; k++) add('BU random', bu(int(0x10000)), randomOptions(int(5)));
  BA_BITS.forEach((bit) => add(`BA flag 0x${bit.toString(16)}`, ba(bit), []));
  add('BA all flags', ba(0xf8), []);
  for (let k = 0; k < 20; k++) add('BA random', ba(int(0x100)), randomOptions(int(5)));
  for (let k = 0; k < 42; k++) {
    const m = otherMessage(k);
    add('other', m, k % 3 === 0 && m.type !== 'unknown' ? randomOptions(2) : []);
  }
  for (const kind of OPTION_KINDS) {
    for (let k = 0; k < 4; k++) {
      const m = k % 2 === 0 ? bu(int(0x10000)) : ba(int(0x100));
      add(`option ${kind}`, m, [option(kind), ...randomOptions(k), option(kind)]);
    }
  }
  return cases;
}

const hex = (s: string): Uint8Array =>
  Uint8Array.from((s.match(/../g) ?? []).map((h) => parseInt(h, 16)));

/** protocol.md §3.9: the bytes and the values the document states for them. */
const VECTORS: readonly (OracleCase & { readonly hex: string })[] = [{
  name: 'vector §3.9 BU',
  hex: '4500008c0001000040111421c633640acb007101105f105f00780000'
    + '6000000000483c4000000000000000000000ffffc633640a20010db8000100000000000000000001'
    + '870201020000c91020010db8000100000000000000000100'
    + '3b0505005de01234d40000641d0682000000000020060000c633640a'
    + '0612004020010db800ff00000000000000000000',
  outer: { source: '198.51.100.10', destination: '203.0.113.1', sourcePort: 4191,
    destinationPort: 4191, zeroChecksum: true },
  spec: { source: '::ffff:198.51.100.10', destination: '2001:db8:1::1',
    homeAddressOption: '2001:db8:1::100', mh: { payloadProto: 59,
      message: { type: 'binding-update', sequence: 0x1234, flags: 0xd400, lifetimeSeconds: 400 },
      options: [
        { type: 'ipv4-home-address', prefixLength: 32, requestPrefix: true, address: '0.0.0.0' },
        { type: 'ipv4-care-of-address', address: '198.51.100.10' },
        { type: 'mobile-network-prefix', prefixLength: 64, prefix: '2001:db8:ff::' }] } },
}, {
  name: 'vector §3.9 BA',
  hex: '4500007c0001000040111431cb007101c633640a105f105f00680000'
    + '6000000000382b4020010db800010000000000000000000100000000000000000000ffffc633640a'
    + '870202010000000020010db8000100000000000000000100'
    + '3b0306004d2700c0123400641e060080c00002641f0600000000006e01020000',
  outer: { source: '203.0.113.1', destination: '198.51.100.10', sourcePort: 4191,
    destinationPort: 4191, zeroChecksum: true },
  spec: { source: '2001:db8:1::1', destination: '::ffff:198.51.100.10',
    type2RoutingAddress: '2001:db8:1::100', mh: { payloadProto: 59,
      message: { type: 'binding-ack', status: 0, flags: 0xc0, sequence: 0x1234,
        lifetimeSeconds: 400 },
      options: [
        { type: 'ipv4-address-acknowledgement', status: 0, prefixLength: 32,
          address: '192.0.2.100' },
        { type: 'nat-detection', forceUdp: false, refreshTimeSeconds: 110 }] } },
}];

/** Wireshark flags AUTH without data: "option length = 5 bytes; should be >= 6", malformed. */
const AUTH_EMPTY: OracleCase = {
  name: 'AUTH option without authentication data',
  spec: { source: '2001:db8:2::5', destination: '2001:db8:1::1', mh: { payloadProto: 59,
    message: { type: 'binding-update', sequence: 1, flags: 0xc000, lifetimeSeconds: 0 },
    options: [{ type: 'authentication', subtype: 1, spi: 256,
      authenticationData: new Uint8Array(0) }] } },
};

function encodeCase(c: OracleCase): Uint8Array {
  const inner = encodeMobilityPacket(c.spec);
  if (!c.outer) return inner;
  const { zeroChecksum, ...outer } = c.outer;
  return encodeUdpEncapsulation4({ ...outer, inner }, zeroChecksum === true);
}

/** The encoding of `c`, or undefined when the encoder refuses it (EncodeError). */
function encodeOrRefuse(c: OracleCase): Uint8Array | undefined {
  try { return encodeCase(c); } catch (e) {
    if (e instanceof EncodeError) return undefined; else throw e;
  }
}

/** The packets (pcap order: cases, control, AUTH_EMPTY if encoded) and tshark's decoding. */
interface OracleRun {
  readonly cases: readonly OracleCase[];
  readonly packets: readonly Uint8Array[];
  /** A copy of the 'BU no flags' packet with the A flag set (checksum left as it was). */
  readonly control: { readonly c: OracleCase; readonly original: Uint8Array };
  readonly authEmpty: boolean;
  readonly decoded: readonly PacketFields[];
}

function runOracle(): OracleRun {
  const cases = [...generatedCases(), ...VECTORS];
  const packets = cases.map((c) => ('hex' in c ? hex(c.hex as string) : encodeCase(c)));
  const controlCase = cases.find((c) => c.name.startsWith('BU no flags'))!;
  const original = packets[cases.indexOf(controlCase)];
  const flipped = original.slice();
  const exts = controlCase.spec.homeAddressOption !== undefined ? 24 : 0;
  flipped[(controlCase.outer ? 28 : 0) + 40 + exts + 8] ^= 0x80; // BU flags: A
  const authBytes = encodeOrRefuse(AUTH_EMPTY);
  const all = [...packets, flipped, ...(authBytes ? [authBytes] : [])];
  const decoded = decodePackets('mh', all);
  const control = { c: controlCase, original };
  return { cases, packets, decoded, control, authEmpty: authBytes !== undefined };
}

const describe = (m: Mismatch): string =>
  `${m.field}: expected ${JSON.stringify(m.expected)}, tshark ${JSON.stringify(m.actual)}`;

test('compareFields reports a differing value, a missing and an unexpected field', () => {
  const at = (value: string): { value: string; offset: number } => ({ value, offset: 0 });
  const actual = new Map([['mip6.bu.seqnr', [at('7')]], ['mip6.ni.hni', [at('1')]],
    ['mip6.hlen', [at('1'), at('1')]]]);
  const expected = [{ field: 'mip6.bu.seqnr', value: '8' }, { field: 'mip6.hlen', value: '1' },
    { field: 'mip6.bra.interval', value: '2' }];
  const got = compareFields(expected, actual, ['mip6.'], () => false);
  assert.deepEqual(got.map((m) => [m.field, m.expected, m.actual]), [
    ['mip6.bu.seqnr', ['8'], ['7']], ['mip6.hlen', ['1'], ['1', '1']],
    ['mip6.bra.interval', ['2'], []], ['mip6.ni.hni', [], ['1']]]);
});

test('tshark oracle: Mobility Header encodings', async (t) => {
  const probe = probeTshark();
  if ('missing' in probe) { t.skip(probe.missing); return; }
  const run = runOracle();
  let compared = 0;
  const check = (c: OracleCase, b: Uint8Array, fields: PacketFields): string[] => {
    const exp = expectCase(c, b);
    compared += exp.length;
    return compareFields(exp, fields, WATCHED_PREFIXES, ignoredField)
      .map((m) => `${c.name}: ${describe(m)}`);
  };

  await t.test('every field tshark shows equals the value we encoded', () => {
    const failures = run.cases.flatMap((c, i) => check(c, run.packets[i], run.decoded[i]));
    assert.deepEqual(failures.slice(0, 40), [], `${failures.length} mismatches`);
  });

  await t.test('protocol.md §3.9 vectors: our decoder gives the stated values', () => {
    for (const v of VECTORS) {
      const outer = decodeUdpEncapsulation4(hex(v.hex));
      assert.ok(outer.ok, `${v.name}: outer decode`);
      const { source, destination, sourcePort, destinationPort } = outer.value;
      const o = v.outer!;
      assert.deepEqual([source, destination, sourcePort, destinationPort],
        [o.source, o.destination, o.sourcePort, o.destinationPort]);
      const inner = decodeMobilityPacket(outer.value.inner);
      assert.ok(inner.ok, `${v.name}: inner decode ${JSON.stringify(inner.ok || inner.error)}`);
      const got = inner.value;
      const want = v.spec;
      assert.deepEqual([got.packet.source, got.packet.destination, got.homeAddressOption,
        got.type2RoutingAddress, got.mh], [want.source, want.destination,
        want.homeAddressOption, want.type2RoutingAddress, want.mh]);
      assert.deepEqual(encodeMobilityPacket(v.spec), outer.value.inner, 're-encoded inner packet');
    }
  });

  await t.test('tshark finds nothing malformed and no expert warning or error', () => {
    run.decoded.slice(0, run.packets.length).forEach((f, i) => {
      assert.equal(f.get('_ws.malformed'), undefined, `${run.cases[i].name}: malformed`);
      const sev = (f.get('_ws.expert.severity') ?? []).map((s) => Number(s.value));
      assert.ok(sev.every((s) => s < 0x00600000), `${run.cases[i].name}: expert severity ${sev}`);
    });
  });

  await t.test('control: a flipped A flag is reported as exactly one mismatch', () => {
    const { c, original } = run.control;
    const failures = check(c, original, run.decoded[run.packets.length]);
    assert.equal(failures.length, 1, failures.join('\n'));
    assert.match(failures[0], /mip6\.bu\.a_flag: expected \["0"\], tshark \["1"\]/);
  });

  await t.test('the encoder refuses an AUTH option without data, which Wireshark flags', () => {
    assert.equal(run.authEmpty, false, 'an empty AUTH option reached the wire');
  });

  const total = `${run.decoded.length} packets, ${compared} fields compared`;
  t.diagnostic(`oracle ${probe.version}: ${total}`);
  assert.ok(compared >= MIN_COMPARED_FIELDS, `only ${compared} fields compared`);
});
