/**
 * tshark oracle for the Mobility Header codecs: our encoders build ~150 packets (every MH type,
 * every mobility option, three encapsulations, the two vectors of protocol.md §3.9 and one
 * deliberately corrupted control packet), tshark 4.0 decodes the whole pcap in one run, and
 * every field it shows must equal the value we encoded (expectations: ./mh-expect.ts).
 * Skips with a visible reason when tshark is missing. See ./README.md.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeMobilityPacket, decodeMobilityPacket } from '../../src/wire/mh/packet.js';
import type { MobilityHeader } from '../../src/wire/mh/header.js';
import type { MobilityMessage } from '../../src/wire/mh/messages.js';
import type { MobilityOption } from '../../src/wire/mh/options.js';
import { EncodeError } from '../../src/wire/result.js';
import { decodeUdpEncapsulation4, encodeUdpEncapsulation4 } from '../../src/wire/udp-encap.js';
import { expectCase, ignoredField, WATCHED_PREFIXES, type OracleCase } from './mh-expect.js';
import { writePcap } from './pcap.js';
import {
  compareFields, decodePcap, tsharkUnavailable, type Mismatch, type PacketFields,
} from './tshark.js';

const SEED = 0x5eed6;
/** Fewer compared fields than this means the oracle is comparing (almost) nothing. */
const MIN_COMPARED_FIELDS = 5000;

/** mulberry32: a small seeded PRNG, so every run builds the same packets. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = prng(SEED);
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(256));
const u16 = (): number => pick([0, 1, 0x7fff, 0x8000, 0xffff, int(0x10000), int(0x10000)]);
const u32 = (): number => pick([0, 1, 110, 0xffffffff, int(2 ** 32), int(2 ** 32)]);
const ipv4 = (): string => pick(['0.0.0.0', '255.255.255.255', [1, 2, 3, 4].map(() => int(256)).join('.')]);
const ipv6 = (): string => {
  if (rnd() < 0.15) return pick(['::', '::1', `::ffff:${ipv4()}`, 'fe80::1', '2001:db8::']);
  return Array.from({ length: 8 }, () => (rnd() < 0.35 ? 0 : int(0x10000)).toString(16)).join(':');
};
const nai = (n: number): Uint8Array => new TextEncoder().encode(
  Array.from({ length: n }, () => pick([...'abcdefghijklmnopqrstuvwxyz0123456789.-_@'])).join(''));
const lifetime = (): number => 4 * pick([0, 1, 0xffff, int(0x10000)]);

/** One random option of the given kind (unknown types avoid the 0..55 Wireshark knows). */
function option(kind: MobilityOption['type']): MobilityOption {
  switch (kind) {
    case 'binding-refresh-advice': return { type: kind, refreshIntervalSeconds: lifetime() };
    case 'alternate-care-of-address': return { type: kind, careOfAddress: ipv6() };
    case 'nonce-indices': return { type: kind, homeNonceIndex: u16(), careOfNonceIndex: u16() };
    case 'binding-authorization-data': return { type: kind, authenticator: bytes(12) };
    case 'mobile-network-prefix': return { type: kind, prefixLength: int(129), prefix: ipv6() };
    case 'mobile-node-identifier':
      return { type: kind, subtype: pick([1, 1, 2, 3, int(256)]), identifier: nai(pick([1, 2, 3, 1 + int(40)])) };
    case 'authentication': return {
      type: kind, subtype: pick([1, 2, int(256)]), spi: u32(),
      authenticationData: bytes(pick([12, 20, 1, 2, 3, 1 + int(40)])),
    };
    case 'replay-protection':
      return { type: kind, timestamp: (BigInt(u32()) << 32n) | BigInt(u32()) };
    case 'ipv4-home-address':
      return { type: kind, prefixLength: int(33), requestPrefix: rnd() < 0.5, address: ipv4() };
    case 'ipv4-address-acknowledgement': return {
      type: kind, status: pick([0, 128, 129, 130, 131, 132, 133, int(256)]),
      prefixLength: int(33), address: ipv4(),
    };
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
const ba = (flags: number): MobilityMessage => ({
  type: 'binding-ack', status: pick([...BA_STATUS, int(256)]), flags, sequence: u16(),
  lifetimeSeconds: lifetime(),
});
const cookie = (): Uint8Array => (rnd() < 0.2 ? new Uint8Array(8) : bytes(8));

function otherMessage(i: number): MobilityMessage {
  switch (i % 7) {
    case 0: return { type: 'binding-refresh-request' };
    case 1: return { type: 'home-test-init', homeInitCookie: cookie() };
    case 2: return { type: 'care-of-test-init', careOfInitCookie: cookie() };
    case 3: return {
      type: 'home-test', homeNonceIndex: u16(), homeInitCookie: cookie(), homeKeygenToken: cookie(),
    };
    case 4: return {
      type: 'care-of-test', careOfNonceIndex: u16(), careOfInitCookie: cookie(),
      careOfKeygenToken: cookie(),
    };
    case 5: return { type: 'binding-error', status: pick([1, 2, int(256)]), homeAddress: ipv6() };
    default: return { type: 'unknown', mhType: 24 + int(232), data: bytes(2 + 8 * int(4)) };
  }
}

/** Wraps a message in one of the three encapsulations (HAO only on BU, RH2 only on BA). */
function wrap(name: string, message: MobilityMessage, options: MobilityOption[], i: number): OracleCase {
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
  const outer = {
    source: toHa ? mn4 : ha4, destination: toHa ? ha4 : mn4,
    sourcePort: toHa ? port : 4191, destinationPort: toHa ? 4191 : port,
    ttl: 5 + int(251), // tshark adds an expert note for an IPv4 TTL below 5
    typeOfService: int(256), zeroChecksum: rnd() < 0.25,
  };
  const [source, destination] = toHa ? [mapped, ha] : [ha, mapped];
  return { name: `${name}/udp4`, spec: { source, destination, hopLimit, mh, ...ext }, outer };
}

function randomOptions(n: number): MobilityOption[] {
  return Array.from({ length: n }, () => option(pick(OPTION_KINDS)));
}

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

const hex = (s: string): Uint8Array => Uint8Array.from((s.match(/../g) ?? []).map((h) => parseInt(h, 16)));

/** protocol.md §3.9, with the values the document states for them. */
const VECTORS: readonly { readonly hex: string; readonly c: OracleCase }[] = [
  {
    hex: '4500008c0001000040111421c633640acb007101105f105f00780000'
      + '6000000000483c4000000000000000000000ffffc633640a20010db8000100000000000000000001'
      + '870201020000c91020010db8000100000000000000000100'
      + '3b0505005de01234d40000641d0682000000000020060000c633640a0612004020010db800ff00000000000000000000',
    c: {
      name: 'vector §3.9 BU',
      outer: {
        source: '198.51.100.10', destination: '203.0.113.1', sourcePort: 4191,
        destinationPort: 4191, zeroChecksum: true,
      },
      spec: {
        source: '::ffff:198.51.100.10', destination: '2001:db8:1::1',
        homeAddressOption: '2001:db8:1::100',
        mh: {
          payloadProto: 59,
          message: { type: 'binding-update', sequence: 0x1234, flags: 0xd400, lifetimeSeconds: 400 },
          options: [
            { type: 'ipv4-home-address', prefixLength: 32, requestPrefix: true, address: '0.0.0.0' },
            { type: 'ipv4-care-of-address', address: '198.51.100.10' },
            { type: 'mobile-network-prefix', prefixLength: 64, prefix: '2001:db8:ff::' },
          ],
        },
      },
    },
  },
  {
    hex: '4500007c0001000040111431cb007101c633640a105f105f00680000'
      + '6000000000382b4020010db800010000000000000000000100000000000000000000ffffc633640a'
      + '870202010000000020010db8000100000000000000000100'
      + '3b0306004d2700c0123400641e060080c00002641f0600000000006e01020000',
    c: {
      name: 'vector §3.9 BA',
      outer: {
        source: '203.0.113.1', destination: '198.51.100.10', sourcePort: 4191,
        destinationPort: 4191, zeroChecksum: true,
      },
      spec: {
        source: '2001:db8:1::1', destination: '::ffff:198.51.100.10',
        type2RoutingAddress: '2001:db8:1::100',
        mh: {
          payloadProto: 59,
          message: { type: 'binding-ack', status: 0, flags: 0xc0, sequence: 0x1234, lifetimeSeconds: 400 },
          options: [
            { type: 'ipv4-address-acknowledgement', status: 0, prefixLength: 32, address: '192.0.2.100' },
            { type: 'nat-detection', forceUdp: false, refreshTimeSeconds: 110 },
          ],
        },
      },
    },
  },
];

function encodeCase(c: OracleCase): Uint8Array {
  const inner = encodeMobilityPacket(c.spec);
  if (!c.outer) return inner;
  const { zeroChecksum, ...outer } = c.outer;
  return encodeUdpEncapsulation4({ ...outer, inner }, zeroChecksum === true);
}

/** Wireshark flags AUTH with no data ("option length 5, should be >= 6") as malformed. */
const AUTH_EMPTY: OracleCase = {
  name: 'AUTH option without authentication data',
  spec: {
    source: '2001:db8:2::5', destination: '2001:db8:1::1',
    mh: {
      payloadProto: 59,
      message: { type: 'binding-update', sequence: 1, flags: 0xc000, lifetimeSeconds: 0 },
      options: [{ type: 'authentication', subtype: 1, spi: 256, authenticationData: new Uint8Array(0) }],
    },
  },
};

/** The encoding of `c`, or undefined when the encoder refuses it. */
function encodeOrRefuse(c: OracleCase): Uint8Array | undefined {
  try {
    return encodeCase(c);
  } catch (e) {
    if (e instanceof EncodeError) return undefined;
    throw e;
  }
}

const describe = (m: Mismatch): string =>
  `${m.field}: expected ${JSON.stringify(m.expected)}, tshark ${JSON.stringify(m.actual)}`;

test('tshark oracle: Mobility Header encodings', async (t) => {
  const missing = tsharkUnavailable();
  if (missing !== undefined) { t.skip(missing); return; }
  const cases = generatedCases();
  const packets = cases.map(encodeCase);
  const control = cases.find((c) => c.name.startsWith('BU no flags'))!;
  const flipped = encodeCase(control);
  const buFlagsAt = (control.outer ? 28 : 0) + 40 + (control.spec.homeAddressOption ? 24 : 0) + 8;
  flipped[buFlagsAt] ^= 0x80; // sets A without fixing the checksum (tshark does not verify it)
  const authEmpty = encodeOrRefuse(AUTH_EMPTY);
  const all = [...packets, ...VECTORS.map((v) => hex(v.hex)), flipped, ...(authEmpty ? [authEmpty] : [])];
  const controlIndex = packets.length + VECTORS.length;
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-oracle-'));
  let decoded: PacketFields[] = [];
  try {
    writePcap(join(dir, 'mh.pcap'), all);
    decoded = decodePcap(join(dir, 'mh.pcap'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(decoded.length, all.length, 'tshark returned one record per packet');
  let compared = 0;
  const check = (c: OracleCase, b: Uint8Array, fields: PacketFields): string[] => {
    const exp = expectCase(c, b);
    compared += exp.length;
    return compareFields(exp, fields, WATCHED_PREFIXES, ignoredField).map((m) => `${c.name}: ${describe(m)}`);
  };

  await t.test('generated packets: every field tshark shows equals the encoded value', () => {
    const failures = cases.flatMap((c, i) => check(c, packets[i], decoded[i]));
    assert.deepEqual(failures.slice(0, 40), [], `${failures.length} mismatches`);
  });

  await t.test('protocol.md §3.9 vectors: our decoder and tshark agree with the stated values', () => {
    VECTORS.forEach((v, k) => {
      const b = hex(v.hex);
      const outer = decodeUdpEncapsulation4(b);
      assert.ok(outer.ok, `${v.c.name}: outer decode`);
      const o = v.c.outer!;
      assert.deepEqual([outer.value.source, outer.value.destination, outer.value.sourcePort,
        outer.value.destinationPort], [o.source, o.destination, o.sourcePort, o.destinationPort]);
      const inner = decodeMobilityPacket(outer.value.inner);
      assert.ok(inner.ok, `${v.c.name}: inner decode ${JSON.stringify(inner.ok || inner.error)}`);
      assert.deepEqual(inner.value.mh, v.c.spec.mh);
      assert.equal(inner.value.packet.source, v.c.spec.source);
      assert.equal(inner.value.packet.destination, v.c.spec.destination);
      assert.equal(inner.value.homeAddressOption, v.c.spec.homeAddressOption);
      assert.equal(inner.value.type2RoutingAddress, v.c.spec.type2RoutingAddress);
      assert.deepEqual(encodeMobilityPacket(v.c.spec), outer.value.inner, 're-encoded inner packet');
      assert.deepEqual(check(v.c, b, decoded[packets.length + k]), []);
    });
  });

  await t.test('no malformed packet or expert warning/error for our packets', () => {
    decoded.slice(0, packets.length + VECTORS.length).forEach((f, i) => {
      assert.equal(f.get('_ws.malformed'), undefined, `packet ${i + 1} malformed`);
      const sev = (f.get('_ws.expert.severity') ?? []).map((s) => Number(s.value));
      assert.ok(sev.every((s) => s < 0x00600000), `packet ${i + 1} expert severity ${sev}`);
    });
  });

  await t.test('control: a flipped A flag is reported as exactly one mismatch', () => {
    const failures = check(control, packets[cases.indexOf(control)], decoded[controlIndex]);
    assert.equal(failures.length, 1, failures.join('\n'));
    assert.match(failures[0], /mip6\.bu\.a_flag: expected \["0"\], tshark \["1"\]/);
  });

  await t.test('encoder refuses an AUTH option that Wireshark flags (no authentication data)', {
    todo: 'src/wire/mh/options-encode.ts accepts empty AUTH data; Wireshark needs >= 1 octet',
  }, () => {
    if (authEmpty === undefined) return; // the encoder refuses it: nothing on the wire to flag
    const messages = (decoded[controlIndex + 1].get('_ws.expert.message') ?? []).map((f) => f.value);
    assert.deepEqual(messages, [], 'tshark expert messages for our AUTH option');
  });

  t.diagnostic(`tshark oracle: ${all.length} packets, ${compared} (field, value) pairs compared`);
  assert.ok(compared >= MIN_COMPARED_FIELDS, `only ${compared} fields compared`);
});
