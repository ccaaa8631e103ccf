/** Data-plane forwarding tables: routing into tunnels and ingress filtering (RFC 6275 §10.4). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4, parseIpv6 } from '../../src/wire/addr.js';
import { encodeIpv4Packet, encodedLengthIpv4Packet } from '../../src/wire/ipv4.js';
import { encodeIpv6Packet, encodedLengthIpv6Packet } from '../../src/wire/ipv6.js';
import { HaForwarding, slotOf } from '../../src/dataplane/ha-forwarding.js';
import { MnForwarding } from '../../src/dataplane/mn-forwarding.js';
import { u32At } from '../../src/dataplane/addr-table.js';
import { ipv6UpperProtocol, ipTotalLength } from '../../src/dataplane/packet.js';
import { encodeMobilityPacket } from '../../src/wire/mh/packet.js';

function v6(source: string, destination: string): Uint8Array {
  const p = {
    trafficClass: 0, flowLabel: 0, hopLimit: 64, source, destination, extensions: [],
    upperProtocol: 59, payload: new Uint8Array(8),
  };
  const out = new Uint8Array(encodedLengthIpv6Packet(p));
  encodeIpv6Packet(p, out, 0);
  return out;
}

function v4(source: string, destination: string): Uint8Array {
  const p = {
    typeOfService: 0, identification: 0, dontFragment: true, moreFragments: false, fragmentOffset: 0,
    ttl: 64, protocol: 17, source, destination, options: new Uint8Array(0), payload: new Uint8Array(8),
  };
  const out = new Uint8Array(encodedLengthIpv4Packet(p));
  encodeIpv4Packet(p, out, 0);
  return out;
}

const n4 = (a: string): number => u32At(parseIpv4(a)!, 0);
const HOA = '2001:db8:1::100';
const CN = '2001:db8:cc::1';
const COA = '2001:db8:2::5';

function ha(): HaForwarding {
  const f = new HaForwarding();
  f.apply({
    op: 'binding-set', homeAddress: HOA,
    tunnel: { encapsulation: 'ipv6', local: '2001:db8:1::1', remote: COA },
    addresses: [HOA, '192.0.2.100'], prefixes: ['2001:db8:ff::/48', '198.18.0.0/24'],
  });
  f.apply({
    op: 'binding-set', homeAddress: '2001:db8:1::200',
    tunnel: { encapsulation: 'udp4', local: '192.0.2.1', localPort: 4191, remote: '198.51.100.7', remotePort: 40000 },
    addresses: ['2001:db8:1::200'], prefixes: ['2001:db8:ff:1::/64'],
  });
  return f;
}

test('HA routes home addresses, IPv4 home addresses and MNPs (longest prefix) into tunnels', () => {
  const f = ha();
  const route = (p: Uint8Array) => f.route(p, 0, p.length)?.homeAddress;
  assert.equal(route(v6(CN, HOA)), HOA);
  assert.equal(route(v4('203.0.113.9', '192.0.2.100')), HOA);
  assert.equal(route(v6(CN, '2001:db8:ff:2::1')), HOA, '/48 of the first binding');
  assert.equal(route(v6(CN, '2001:db8:ff:1::1')), '2001:db8:1::200', 'the longer /64 wins');
  assert.equal(route(v4('203.0.113.9', '198.18.0.77')), HOA);
  assert.equal(route(v6(CN, '2001:db8:1::999')), undefined);
  assert.equal(route(new Uint8Array(10)), undefined);
  assert.deepStrictEqual(f.drops.snapshot(), { 'no-binding': 1, malformed: 1 });
  assert.equal(f.binding(HOA)?.txPackets, 0, 'routing is not sending: TunnelIo counts what it sends');
  f.txCount(f.binding(HOA)!, 2, 300);
  assert.deepEqual([f.binding(HOA)?.txPackets, f.binding(HOA)?.txBytes], [2, 300]);
});

test('HA ingress: only from the registered endpoint, only inner sources of that binding', () => {
  const f = ha();
  const coa = parseIpv6(COA)!;
  const ok = v6(HOA, CN);
  assert.equal(f.ingress('ipv6', coa, 0, 0, 0, ok, 0, ok.length)?.homeAddress, HOA);
  const mnn = v6('2001:db8:ff:7::9', CN);
  assert.ok(f.ingress('ipv6', coa, 0, 0, 0, mnn, 0, mnn.length), 'a mobile network node behind the MR');
  const spoof = v6('2001:db8:1::200', CN);
  assert.equal(f.ingress('ipv6', coa, 0, 0, 0, spoof, 0, spoof.length), undefined);
  const other = parseIpv6('2001:db8:9::9')!;
  assert.equal(f.ingress('ipv6', other, 0, 0, 0, ok, 0, ok.length), undefined);
  const u = v6('2001:db8:1::200', CN);
  assert.ok(f.ingress('udp4', undefined, 0, n4('198.51.100.7'), 40000, u, 0, u.length));
  assert.equal(f.ingress('udp4', undefined, 0, n4('198.51.100.7'), 40001, u, 0, u.length), undefined, 'port matters');
  assert.deepStrictEqual(f.drops.snapshot(), { 'ingress-source': 1, 'unknown-endpoint': 2 });
});

test('HA: clearing a binding removes its routes but not a prefix re-registered by another', () => {
  const f = ha();
  f.apply({
    op: 'binding-set', homeAddress: '2001:db8:1::300',
    tunnel: { encapsulation: 'ipv4', local: '192.0.2.1', remote: '198.51.100.9' },
    addresses: ['2001:db8:1::300'], prefixes: ['2001:db8:ff::/48'],
  });
  f.apply({ op: 'binding-clear', homeAddress: HOA });
  const p = v6(CN, '2001:db8:ff:2::1');
  assert.equal(f.route(p, 0, p.length)?.homeAddress, '2001:db8:1::300');
  const q = v6(CN, HOA);
  assert.equal(f.route(q, 0, q.length), undefined);
  const ep = v6(HOA, CN);
  assert.equal(f.ingress('ipv6', parseIpv6(COA)!, 0, 0, 0, ep, 0, ep.length), undefined);
  assert.equal(f.size, 2);
});

test('HA: a binding\'s addresses, usual ([HoA, IPv4 HoA]) or not, route while set and are gone when cleared', () => {
  const f = new HaForwarding();
  const tunnel = { encapsulation: 'ipv6' as const, local: '2001:db8:1::1', remote: COA };
  const other = { encapsulation: 'ipv6' as const, local: '2001:db8:1::1', remote: '2001:db8:2::6' };
  f.set(HOA, tunnel, [HOA, '192.0.2.100'], []);
  f.set('2001:db8:1::400', other, ['2001:db8:1::401', '2001:db8:1::400', '192.0.2.101', '192.0.2.102'], []);
  const route = (p: Uint8Array) => f.route(p, 0, p.length)?.homeAddress;
  assert.equal(f.binding(HOA)?.address4, n4('192.0.2.100') | 0);
  assert.deepStrictEqual(f.binding(HOA)?.otherAddresses, [], 'no array for the usual addresses');
  assert.equal(f.binding('2001:db8:1::400')?.otherAddresses.length, 4);
  for (const a of ['2001:db8:1::401', '2001:db8:1::400']) assert.equal(route(v6(CN, a)), '2001:db8:1::400');
  for (const a of ['192.0.2.101', '192.0.2.102']) assert.equal(route(v4('203.0.113.9', a)), '2001:db8:1::400');
  assert.equal(route(v4('203.0.113.9', '192.0.2.100')), HOA);
  const inner = v4('192.0.2.100', '203.0.113.9');
  assert.equal(f.ingress('ipv6', parseIpv6(COA)!, 0, 0, 0, inner, 0, inner.length)?.homeAddress, HOA);
  f.set(HOA, tunnel, [HOA], []);
  assert.equal(route(v4('203.0.113.9', '192.0.2.100')), undefined, 'the IPv4 home address left with the update');
  assert.equal(route(v6(CN, HOA)), HOA);
  f.clear(HOA);
  f.clear('2001:db8:1::400');
  for (const a of [HOA, '2001:db8:1::401', '2001:db8:1::400']) assert.equal(route(v6(CN, a)), undefined);
  for (const a of ['192.0.2.100', '192.0.2.101', '192.0.2.102']) assert.equal(route(v4('203.0.113.9', a)), undefined);
  assert.equal(f.size, 0);
});

test('HA: every binding is found by its home address, even when another lists that address', () => {
  const f = new HaForwarding();
  const t = (remote: string) => ({ encapsulation: 'ipv6' as const, local: '2001:db8:1::1', remote });
  const A = HOA;
  const B = '2001:db8:1::500';
  const C = '2001:db8:1::600';
  f.set(A, t(COA), [A], []);
  f.set(B, t('2001:db8:2::6'), [B, A], []); // takes A's address over (the last set wins, as before)
  f.set(C, t('2001:db8:2::7'), ['2001:db8:1::601'], []); // its own home address left out
  assert.deepStrictEqual([A, B, C].map((h) => f.binding(h)?.homeAddress), [A, B, C]);
  assert.equal(f.size, 3);
  const p = v6(CN, A);
  assert.equal(f.route(p, 0, p.length)?.homeAddress, B);
  f.clear(B);
  assert.equal(f.binding(A)?.homeAddress, A);
  assert.equal(f.binding(B), undefined);
  f.set(A, t(COA), [A], []);
  assert.equal(f.route(p, 0, p.length)?.homeAddress, A);
  f.clear(A);
  f.clear(C);
  assert.deepStrictEqual([f.size, f.binding(A), f.binding(C)], [0, undefined, undefined]);
  assert.equal(f.route(p, 0, p.length), undefined);
});

test('MN: reverse-tunnels only home-address traffic; accepts only the HA and only for itself', () => {
  const f = new MnForwarding();
  const p = v6(HOA, CN);
  assert.equal(f.route(p, 0, p.length), undefined, 'no tunnel yet');
  f.apply({
    op: 'tunnel-set', endpoint: { encapsulation: 'udp4', local: '10.1.0.17', localPort: 4191, remote: '192.0.2.1', remotePort: 4191 },
    homeAddresses: [HOA, '192.0.2.100'], prefixes: ['2001:db8:ff::/64'],
  });
  assert.ok(f.route(p, 0, p.length));
  const mnn = v6('2001:db8:ff::5', CN);
  assert.ok(f.route(mnn, 0, mnn.length));
  const other = v6('2001:db8:7::1', CN);
  assert.equal(f.route(other, 0, other.length), undefined);
  const back = v4('203.0.113.9', '192.0.2.100');
  assert.ok(f.ingress('udp4', undefined, 0, n4('192.0.2.1'), 4191, back, 0, back.length));
  assert.ok(!f.ingress('udp4', undefined, 0, n4('192.0.2.2'), 4191, back, 0, back.length));
  const notOurs = v4('203.0.113.9', '192.0.2.101');
  assert.ok(!f.ingress('udp4', undefined, 0, n4('192.0.2.1'), 4191, notOurs, 0, notOurs.length));
  assert.deepStrictEqual(f.drops.snapshot(), {
    'no-tunnel': 1, 'not-from-home-address': 1, 'unknown-endpoint': 1, 'not-for-home-address': 1,
  });
  f.apply({ op: 'tunnel-clear' });
  assert.equal(f.route(p, 0, p.length), undefined);
});

test('packet views: upper protocol through HAO/RH2 headers; total length checks', () => {
  const bu = encodeMobilityPacket({
    source: COA, destination: '2001:db8:1::1', homeAddressOption: HOA,
    mh: { payloadProto: 59, message: { type: 'binding-refresh-request' }, options: [] },
  });
  assert.equal(ipv6UpperProtocol(bu, 0, bu.length), 135);
  assert.equal(ipv6UpperProtocol(bu, 0, 50), -1, 'truncated chain');
  assert.equal(ipTotalLength(bu, 0, bu.length, 6), bu.length);
  assert.equal(ipTotalLength(bu, 0, bu.length - 1, 6), 0);
  const p4 = v4('10.0.0.1', '10.0.0.2');
  assert.equal(ipTotalLength(p4, 0, p4.length + 4, 4), p4.length);
});

test('slotOf: IPv6 text as its bytes, IPv4 as ::ffff:a.b.c.d (high addresses too), other text as ::ffff:0.0.0.0', () => {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  assert.equal(hex(slotOf('2001:db8::1')), '20010db8000000000000000000000001');
  assert.equal(hex(slotOf('203.0.113.9')), '00000000000000000000ffffcb007109');
  assert.equal(hex(slotOf('255.255.255.255')), '00000000000000000000ffffffffffff');
  assert.equal(hex(slotOf('not an address')), '00000000000000000000ffff00000000');
});
