/**
 * tshark oracle for the DHCPv4 codec and client builders (see ./README.md): DISCOVER, OFFER,
 * REQUEST, ACK, NAK, RELEASE, DECLINE and INFORM, built with the builders of
 * src/wire/dhcpv4-client.ts and by hand, inside IPv4/UDP 68->67 and 67->68. tshark decodes the
 * pcap in one run and every BOOTP field and option it shows must equal the value we encoded
 * (./dhcp-expect.ts). Skips with a visible reason when tshark is missing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildDecline, buildDiscover, buildRelease, buildRequest, withBootpPadding,
  type DhcpClientIdentity, type DhcpDiscoverParams,
} from '../../src/wire/dhcpv4-client.js';
import {
  encodeDhcpMessage, encodedLengthDhcpMessage, type DhcpMessage, type DhcpMessageTypeName,
  type DhcpOption,
} from '../../src/wire/dhcpv4.js';
import { encodeIpv4Packet, encodedLengthIpv4Packet } from '../../src/wire/ipv4.js';
import { encodeUdp, encodedLengthUdp } from '../../src/wire/udp.js';
import {
  dhcpIgnored, DHCP_WATCHED, expectDhcpCase, NAMED_UNKNOWN_CODES, OPAQUE_OPTION_CODES,
  type DhcpCase,
} from './dhcp-expect.js';
import type { IpHeaderSpec } from './icmp-expect.js';
import { compareFields, decodePackets, probeTshark, type PacketFields } from './tshark.js';

const SEED = 0xd4c94;
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
const maybe = <T>(make: () => T): T | undefined => (coin() ? make() : undefined);
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(256));
const u16 = (): number => pick([0, 1, 0xffff, int(0x10000)]);
const u32 = (): number => pick([0, 1, 3600, 0x7fffffff, 0xffffffff, int(2 ** 32)]);
const ipv4 = (): string => pick(['0.0.0.0', '255.255.255.255',
  [1 + int(223), int(256), int(256), int(256)].join('.')]);
const unicast4 = (): string => [1 + int(223), int(256), int(256), 1 + int(254)].join('.');
const ascii = (n: number): string =>
  Array.from({ length: n }, () => pick([...'abcdefghijklmnopqrstuvwxyz0123456789.-_'])).join('');
const asciiBytes = (n: number): Uint8Array => new TextEncoder().encode(ascii(n));
/** Bytes that do not end in zero (trailing zeros are implied in sname, file, chaddr). */
const trimmed = (b: Uint8Array): Uint8Array => (b.length > 0 && b[b.length - 1] === 0
  ? Uint8Array.of(...b.subarray(0, -1), 1 + int(255)) : b);

/**
 * n octets without a zero (a string that fills its field, without terminator). A zero followed
 * by more data makes tshark warn "Trailing stray characters" (RFC 2131: null terminated).
 */
const nonZero = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => 1 + int(255));

/** Option 61 shapes tshark 4.0 reads differently (see clientIdExpect). */
function clientIdentifier(): { identifierType: number; identifier: Uint8Array } {
  const iaid = bytes(4);
  const mac = bytes(6);
  switch (int(6)) {
    case 0: return { identifierType: pick([1, 1, 6]), identifier: mac };
    case 1: return { identifierType: 0, identifier: asciiBytes(pick([1, 5, 12, 17, 30])) };
    case 2: return { identifierType: 255,
      identifier: Uint8Array.of(...iaid, 0, 1, 0, 1, ...bytes(4), ...mac) }; // DUID-LLT
    case 3: return { identifierType: 255,
      identifier: Uint8Array.of(...iaid, 0, 3, 0, 1, ...mac) }; // DUID-LL
    case 4: return { identifierType: 255,
      identifier: Uint8Array.of(...iaid, 0, 2, ...bytes(4), ...bytes(1 + int(16))) }; // DUID-EN
    default: return { identifierType: pick([48 + int(207), 1 + int(47)]),
      identifier: bytes(pick([1, 2, 5, 7, 8, 12, 20])) }; // opaque
  }
}

function unknownOption(): DhcpOption {
  const code = coin() ? pick(NAMED_UNKNOWN_CODES) : pick(OPAQUE_OPTION_CODES);
  const data = code === 57 ? Uint8Array.of(...bytes(2)) // Maximum DHCP Message Size
    : NAMED_UNKNOWN_CODES.includes(code) ? asciiBytes(1 + int(40)) : bytes(int(30));
  return { type: 'unknown', code, data };
}

const addresses = (): string[] => Array.from({ length: 1 + int(4) }, unicast4);
const requestList = (): number[] => Array.from({ length: 1 + int(12) }, () => int(256));

/** Options a server puts in an OFFER or ACK, in random order after the message type. */
function serverOptions(type: DhcpMessageTypeName, server: string): DhcpOption[] {
  const pool = ([
    { type: 'server-identifier', address: server },
    { type: 'lease-time', leaseTimeSeconds: u32() },
    { type: 'renewal-time', renewalTimeSeconds: u32() },
    { type: 'rebinding-time', rebindingTimeSeconds: u32() },
    { type: 'subnet-mask', address: pick(['255.255.255.0', '255.255.0.0', ipv4()]) },
    { type: 'routers', addresses: addresses() },
    { type: 'dns-servers', addresses: addresses() },
    { type: 'host-name', hostName: ascii(1 + int(30)) },
    { type: 'client-identifier', ...clientIdentifier() },
    unknownOption(), unknownOption(), unknownOption(),
  ] as DhcpOption[]).filter(() => rnd() < 0.7);
  pool.sort(() => rnd() - 0.5);
  return [{ type: 'message-type', messageType: type }, ...pool];
}

/** Options a client puts in a message built by hand. */
function clientOptions(type: DhcpMessageTypeName): DhcpOption[] {
  const pool = ([
    { type: 'requested-ip-address', address: unicast4() },
    { type: 'server-identifier', address: unicast4() },
    { type: 'client-identifier', ...clientIdentifier() },
    { type: 'host-name', hostName: ascii(1 + int(20)) },
    { type: 'parameter-request-list', codes: requestList() },
    { type: 'lease-time', leaseTimeSeconds: u32() }, unknownOption(), unknownOption(),
  ] as DhcpOption[]).filter(() => rnd() < 0.5);
  return [{ type: 'message-type', messageType: type }, ...pool];
}

/** A message with every BOOTP field chosen at random (hardware type, chaddr, sname, file). */
function byHand(type: DhcpMessageTypeName, server: boolean): DhcpMessage {
  const htype = pick([1, 1, 6, 32, int(256)]);
  const hlen = htype === 1 || htype === 6 ? pick([6, 6, 6, 1 + int(16)]) : 1 + int(16);
  const m: DhcpMessage = {
    op: server ? 'boot-reply' : 'boot-request', htype, hops: pick([0, 1, int(256)]),
    xid: u32(), secs: u16(), broadcast: coin(), flagsReserved: pick([0, 0, int(0x8000)]),
    ciaddr: ipv4(), yiaddr: ipv4(), siaddr: ipv4(), giaddr: ipv4(), chaddr: bytes(hlen),
    chaddrPadding: coin() ? new Uint8Array(0) : trimmed(bytes(int(17 - hlen))),
    sname: pick([new Uint8Array(0), asciiBytes(1 + int(63)), nonZero(64)]),
    file: pick([new Uint8Array(0), asciiBytes(1 + int(127)), nonZero(128)]),
    options: server ? serverOptions(type, unicast4()) : clientOptions(type),
    padLength: int(64),
  };
  return coin() ? withBootpPadding(m) : m;
}

function identity(): DhcpClientIdentity {
  return { xid: u32(), chaddr: bytes(6), htype: pick([undefined, 1, 6]),
    clientIdentifier: maybe(clientIdentifier) };
}

function common(): Omit<DhcpDiscoverParams, keyof DhcpClientIdentity> {
  return { secs: maybe(u16), broadcast: maybe(coin), leaseTimeSeconds: maybe(u32),
    hostName: maybe(() => ascii(1 + int(30))), parameterRequestList: maybe(requestList),
    extraOptions: Array.from({ length: int(3) }, unknownOption) };
}

/** Messages from the builders (RFC 2131 Table 5), one of each state. */
function built(k: number): [string, DhcpMessage] {
  const id = identity();
  const msg = maybe(() => ascii(1 + int(40)));
  switch (k) {
    case 0: return ['DISCOVER (builder)', buildDiscover({ ...id, ...common(),
      requestedAddress: maybe(unicast4) })];
    case 1: return ['REQUEST selecting', buildRequest({ ...id, ...common(), state: 'selecting',
      requestedAddress: unicast4(), serverIdentifier: unicast4() })];
    case 2: return ['REQUEST init-reboot', buildRequest({ ...id, ...common(),
      state: 'init-reboot', requestedAddress: unicast4() })];
    case 3: return ['REQUEST renewing/rebinding', buildRequest({ ...id, ...common(),
      state: pick(['renewing', 'rebinding'] as const), clientAddress: unicast4() })];
    case 4: return ['RELEASE', buildRelease({ ...id, clientAddress: unicast4(),
      serverIdentifier: unicast4(), message: msg })];
    default: return ['DECLINE', buildDecline({ ...id, requestedAddress: unicast4(),
      serverIdentifier: unicast4(), message: msg })];
  }
}

const ipHeader = (source: string, destination: string): IpHeaderSpec => ({ source, destination,
  hopLimit: pick([64, 128, 255, 5 + int(251)]), trafficClass: pick([0, 0x10, int(256)]),
  id: u16() }); // TTL >= 5: tshark notes lower ones

function generatedCases(): DhcpCase[] {
  const cases: DhcpCase[] = [];
  const client = (name: string, m: DhcpMessage): void => {
    const src = m.ciaddr !== '0.0.0.0' && coin() ? m.ciaddr : '0.0.0.0';
    cases.push({ name: `${name}#${cases.length}`, toServer: true, message: m,
      ip: ipHeader(src, coin() ? '255.255.255.255' : unicast4()) });
  };
  const server = (name: string, m: DhcpMessage): void => {
    cases.push({ name: `${name}#${cases.length}`, toServer: false, message: m,
      ip: ipHeader(unicast4(), coin() ? '255.255.255.255' : unicast4()) });
  };
  for (let round = 0; round < 12; round++) {
    for (let k = 0; k < 6; k++) client(...built(k));
    for (const t of ['offer', 'ack', 'nak'] as const) server(`${t} (by hand)`, byHand(t, true));
    for (const t of ['discover', 'request', 'release', 'decline', 'inform'] as const) {
      client(`${t} (by hand)`, byHand(t, false));
    }
  }
  return cases;
}

function encodeCase(c: DhcpCase): Uint8Array {
  const dhcp = new Uint8Array(encodedLengthDhcpMessage(c.message));
  encodeDhcpMessage(c.message, dhcp, 0);
  const d = { sourcePort: c.toServer ? 68 : 67, destinationPort: c.toServer ? 67 : 68,
    payload: dhcp };
  const udp = new Uint8Array(encodedLengthUdp(d));
  encodeUdp(d, udp, 0, { family: 4, source: c.ip.source, destination: c.ip.destination });
  const p = { typeOfService: c.ip.trafficClass, identification: c.ip.id, dontFragment: false,
    moreFragments: false, fragmentOffset: 0, ttl: c.ip.hopLimit, protocol: 17,
    source: c.ip.source, destination: c.ip.destination, options: new Uint8Array(0),
    payload: udp };
  const out = new Uint8Array(encodedLengthIpv4Packet(p));
  encodeIpv4Packet(p, out, 0);
  return out;
}

/** Our bytes with the BROADCAST flag flipped and the UDP checksum recomputed independently. */
function flipBroadcast(packet: Uint8Array): Uint8Array {
  const p = packet.slice();
  p[20 + 8 + 10] ^= 0x80;
  p[26] = 0; p[27] = 0;
  let sum = 17 + (p.length - 20); // pseudo-header: protocol and UDP length
  for (let i = 12; i < p.length; i += 2) sum += (p[i] << 8) | (p[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const csum = (~sum & 0xffff) || 0xffff;
  p[26] = csum >> 8; p[27] = csum & 0xff;
  return p;
}

interface OracleRun { cases: DhcpCase[]; packets: Uint8Array[]; control: DhcpCase;
  decoded: PacketFields[] }

function runOracle(): OracleRun {
  const cases = generatedCases();
  const packets = cases.map(encodeCase);
  const control = cases.find((c) => c.name.startsWith('DISCOVER') && !c.message.broadcast)!;
  const all = [...packets, flipBroadcast(packets[cases.indexOf(control)])];
  const decoded = decodePackets('dhcp', all);
  return { cases, packets, control, decoded };
}

test('tshark oracle: DHCPv4 encodings', async (t) => {
  const probe = probeTshark();
  if ('missing' in probe) { t.skip(probe.missing); return; }
  const run = runOracle();
  let compared = 0;
  const check = (c: DhcpCase, fields: PacketFields): string[] => {
    const exp = expectDhcpCase(c);
    compared += exp.length;
    return compareFields(exp, fields, DHCP_WATCHED, dhcpIgnored).map((m) =>
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

  await t.test('control: a flipped BROADCAST flag is reported, and nothing else', () => {
    const failures = check(run.control, run.decoded[run.packets.length]);
    assert.equal(failures.length, 2, failures.join('\n'));
    assert.match(failures[0], /dhcp\.flags: expected \["0x0000"\], tshark \["0x8000"\]/);
    assert.match(failures[1], /dhcp\.flags\.bc: expected \["0"\], tshark \["1"\]/);
  });

  await t.test('the generator covers every message type, option and client identifier', () => {
    const options = run.cases.flatMap((c) => c.message.options);
    const idKind = (type: number, id: Uint8Array): string => (type === 255
      ? `duid ${id[5]}` : type === 0 ? 'text' : id.length === 6 && type < 48 ? 'mac' : 'opaque');
    // 8 message types, 10 other typed options, unknown options, 6 client identifier shapes
    const kinds = new Set(options.map((o) => (o.type === 'message-type' ? `${o.messageType}`
      : o.type === 'client-identifier' ? idKind(o.identifierType, o.identifier) : o.type)));
    assert.equal(kinds.size, 8 + 10 + 1 + 6, [...kinds].sort().join(' '));
  });

  t.diagnostic(`oracle ${probe.version}: ${run.decoded.length} packets, ${compared} fields`
    + ' compared');
  assert.ok(compared >= MIN_COMPARED_FIELDS, `only ${compared} fields compared`);
});
