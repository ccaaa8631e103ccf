/** Home Agent engine: RFC 5555 (DSMIPv6) — IPv4 care-of addresses, NAT, IPv4 home addresses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HomeAgent } from '../../src/engine/ha/home-agent.js';
import { BaStatus, BuFlag, Ipv4AckStatus, NAT_REFRESH_NOT_NEEDED } from '../../src/wire/mh/constants.js';
import {
  COA4, HA4, HOA, HOA2, HOME, NAT4, bu4, bu6, config, events, ops, option, theBa,
} from './ha-fixture.js';

const v4hoa = (address: string, prefixLength = 32, requestPrefix = false) =>
  ({ type: 'ipv4-home-address' as const, prefixLength, requestPrefix, address });

test('IPv4 CoA without NAT: IPv6-in-IPv4 tunnel, no NAT option, BA back over UDP (RFC 5555 §4.2)', () => {
  const ha = new HomeAgent(config());
  const out = ha.handle(0, bu4({ seq: 7 }));
  const { ba, options, send } = theBa(out);
  assert.equal(ba.status, 0);
  assert.equal(option(options, 'nat-detection'), undefined);
  assert.deepStrictEqual(send.via, { kind: 'udp4', source: HA4, sourcePort: 4191, destination: COA4, destinationPort: 4191 });
  assert.equal(send.packet.destination, `::ffff:${COA4}`);
  assert.equal(send.packet.type2RoutingAddress, HOA);
  const set = ops(out)[0];
  assert.deepStrictEqual(set.op === 'binding-set' && set.tunnel, { encapsulation: 'ipv4', local: HA4, remote: COA4 });
});

test('NAT detected (IPv4 CoA option ≠ outer source): UDP tunnel to the NAT mapping, refresh 110 s', () => {
  const ha = new HomeAgent(config());
  const out = ha.handle(0, bu4({ seq: 1, outerSource: NAT4, outerPort: 40001 }));
  const { options, send } = theBa(out);
  assert.deepStrictEqual(option(options, 'nat-detection'), { type: 'nat-detection', forceUdp: false, refreshTimeSeconds: 110 });
  assert.equal(send.via.kind === 'udp4' && `${send.via.destination}:${send.via.destinationPort}`, `${NAT4}:40001`);
  const set = ops(out)[0];
  assert.deepStrictEqual(set.op === 'binding-set' && set.tunnel,
    { encapsulation: 'udp4', local: HA4, localPort: 4191, remote: NAT4, remotePort: 40001 });
  assert.equal(ha.cache.get(HOA)?.natDetected, true);
  assert.equal(ha.cache.homeAddressForUdp(NAT4, 40001), HOA);
});

test('the NAT refresh time is configurable', () => {
  const ha = new HomeAgent(config({ natRefreshSeconds: 20 }));
  const { options } = theBa(ha.handle(0, bu4({ seq: 1, outerSource: NAT4 })));
  assert.equal(option(options, 'nat-detection')?.refreshTimeSeconds, 20);
});

test('F flag without NAT: UDP honoured, NAT option F=1 with refresh 0xFFFFFFFF; or refused by policy', () => {
  const { options } = theBa(new HomeAgent(config()).handle(0, bu4({ seq: 1, flags: HOME | BuFlag.F })));
  assert.deepStrictEqual(option(options, 'nat-detection'), { type: 'nat-detection', forceUdp: true, refreshTimeSeconds: NAT_REFRESH_NOT_NEEDED });
  const strict = new HomeAgent(config({ honourForceUdp: false }));
  const out = strict.handle(0, bu4({ seq: 1, flags: HOME | BuFlag.F }));
  assert.equal(option(theBa(out).options, 'nat-detection'), undefined);
  assert.equal(strict.cache.get(HOA)?.tunnel.encapsulation, 'ipv4');
});

test('home agent behind NAT: UDP is always forced', () => {
  const ha = new HomeAgent(config({ behindNat: true }));
  const { options } = theBa(ha.handle(0, bu4({ seq: 1 })));
  assert.equal(option(options, 'nat-detection')?.forceUdp, true);
  assert.equal(ha.cache.get(HOA)?.tunnel.encapsulation, 'udp4');
});

test('T flag (TLV format) is always answered with T = 0', () => {
  const { ba } = theBa(new HomeAgent(config()).handle(0, bu4({ seq: 1, flags: HOME | BuFlag.T, outerSource: NAT4 })));
  assert.equal(ba.flags, 0);
});

test('two mobile nodes behind one NAT are told apart by UDP port; a reused mapping displaces', () => {
  const ha = new HomeAgent(config());
  ha.handle(0, bu4({ seq: 1, outerSource: NAT4, outerPort: 1000 }));
  ha.handle(0, bu4({ seq: 1, hoa: HOA2, outerSource: NAT4, outerPort: 1001 }));
  assert.equal(ha.cache.homeAddressForUdp(NAT4, 1000), HOA);
  assert.equal(ha.cache.homeAddressForUdp(NAT4, 1001), HOA2);
  const out = ha.handle(5, bu4({ seq: 2, hoa: HOA2, outerSource: NAT4, outerPort: 1000 }));
  assert.ok(events(out).some((e) => e.type === 'binding-displaced' && e.homeAddress === HOA));
  assert.equal(ha.cache.get(HOA), undefined);
  assert.equal(ha.cache.homeAddressForUdp(NAT4, 1000), HOA2);
});

test('status 174: a BU over UDP without the IPv4 Care-of Address option', () => {
  assert.equal(theBa(new HomeAgent(config()).handle(0, bu4({ seq: 1, v4coa: null }))).ba.status, BaStatus.INVALID_CARE_OF_ADDRESS);
});

test('HaAcceptDsmip6 disabled: UDP BUs are dropped; IPv4 HoA requests refused with 129', () => {
  const ha = new HomeAgent(config({ acceptDsmip6: false }));
  const out = ha.handle(0, bu4({ seq: 1 }));
  assert.deepStrictEqual(events(out).map((e) => e.type), ['dropped']);
  const { ba, options } = theBa(ha.handle(0, bu6({ seq: 1, options: [v4hoa('0.0.0.0')] })));
  assert.equal(ba.status, 0, 'the IPv6 binding is accepted');
  assert.equal(option(options, 'ipv4-address-acknowledgement')?.status, 129);
});

test('static IPv4 HoA: authorised (0, proxy ARP on the home subnet), taken (130), unauthorised (129), invalid (131)', () => {
  const cfg = config({
    ipv4HomeSubnet: '192.0.2.0/24',
    ipv4Authorizations: [{ ipv4HomeAddress: '192.0.2.17', prefixes: [], homeAddress: HOA }, { ipv4HomeAddress: '192.0.2.18', prefixes: [] }],
  });
  const ha = new HomeAgent(cfg);
  const out = ha.handle(0, bu4({ seq: 1, options: [v4hoa('192.0.2.17')] }));
  assert.deepStrictEqual(option(theBa(out).options, 'ipv4-address-acknowledgement'),
    { type: 'ipv4-address-acknowledgement', status: 0, prefixLength: 32, address: '192.0.2.17' });
  assert.ok(ops(out).some((o) => o.op === 'proxy-arp-set' && o.address === '192.0.2.17'));
  const set = ops(out).find((o) => o.op === 'binding-set');
  assert.deepStrictEqual(set && set.op === 'binding-set' && set.addresses, [HOA, '192.0.2.17']);
  const ack = (o: ReturnType<HomeAgent['handle']>) => option(theBa(o).options, 'ipv4-address-acknowledgement');
  assert.equal(ack(ha.handle(0, bu6({ seq: 1, hoa: HOA2, options: [v4hoa('192.0.2.17')] })))?.status, Ipv4AckStatus.INCORRECT_IPV4_HOME_ADDRESS);
  const other = new HomeAgent(cfg);
  assert.equal(ack(other.handle(0, bu6({ seq: 1, hoa: HOA2, options: [v4hoa('192.0.2.99')] })))?.status, Ipv4AckStatus.ADMINISTRATIVELY_PROHIBITED);
  assert.equal(ack(other.handle(0, bu6({ seq: 2, hoa: HOA2, options: [v4hoa('224.0.0.9')] })))?.status, Ipv4AckStatus.INVALID_IPV4_ADDRESS);
  assert.equal(ack(other.handle(0, bu6({ seq: 3, hoa: HOA2, options: [v4hoa('192.0.2.18')] })))?.status, 0, 'open to any MN');
});

test('dynamic IPv4 HoA (0.0.0.0): allocated from the pool, kept on refresh, released on deregistration; 132 when exhausted', () => {
  const ha = new HomeAgent(config({ ipv4HomeAddressPool: '10.9.0.0/30' }));
  const ack = (o: ReturnType<HomeAgent['handle']>) => option(theBa(o).options, 'ipv4-address-acknowledgement');
  assert.equal(ack(ha.handle(0, bu4({ seq: 1, options: [v4hoa('0.0.0.0')] })))?.address, '10.9.0.1');
  assert.equal(ack(ha.handle(1, bu4({ seq: 2, options: [v4hoa('0.0.0.0')] })))?.address, '10.9.0.1');
  assert.equal(ack(ha.handle(1, bu4({ seq: 3, options: [v4hoa('10.9.0.1')] })))?.status, 0, '3GPP: resend the assigned value');
  assert.equal(ack(ha.handle(2, bu4({ seq: 1, hoa: HOA2, options: [v4hoa('0.0.0.0')] })))?.address, '10.9.0.2');
  const third = ha.handle(2, bu6({ seq: 1, hoa: '2001:db8:1::300', options: [v4hoa('0.0.0.0')] }));
  assert.deepStrictEqual([theBa(third).ba.status, ack(third)?.status], [0, 132]);
  ha.handle(3, bu4({ seq: 4, lifetime: 0 }));
  assert.equal(ack(ha.handle(4, bu6({ seq: 2, hoa: '2001:db8:1::300', options: [v4hoa('0.0.0.0')] })))?.address, '10.9.0.1');
  assert.equal(ack(new HomeAgent(config()).handle(0, bu4({ seq: 1, options: [v4hoa('0.0.0.0')] })))?.status, 132);
});

test('IPv4 mobile network prefix (P=1): configured per MR, from a pool, 133 without R; repeated option 128', () => {
  const acl = [
    { homeAddress: HOA, prefixes: ['2001:db8:ff::/48'], action: 'allow' as const },
    { homeAddress: HOA2, prefixes: ['2001:db8:fe::/48'], action: 'allow' as const },
  ];
  const cfg = config({
    acl, acceptMobileRouter: true,
    ipv4Authorizations: [{ ipv4HomeAddress: '192.0.2.17', prefixes: ['192.0.17.0/24'], homeAddress: HOA }],
    ipv4PrefixPool: { range: '10.128.0.0/16', prefixLength: 28 },
  });
  const mr = HOME | BuFlag.R;
  const acks = (o: ReturnType<HomeAgent['handle']>) => theBa(o).options.filter((x) => x.type === 'ipv4-address-acknowledgement');
  const a = acks(new HomeAgent(cfg).handle(0, bu4({ seq: 1, flags: mr, options: [v4hoa('192.0.2.17'), v4hoa('0.0.0.0', 24, true)] })));
  assert.deepStrictEqual(a.map((x) => x.type === 'ipv4-address-acknowledgement' && [x.status, x.address, x.prefixLength]),
    [[0, '192.0.2.17', 32], [0, '192.0.17.0', 24]]);
  const pooled = acks(new HomeAgent(cfg).handle(0, bu4({ seq: 1, flags: mr, hoa: HOA2, options: [v4hoa('0.0.0.0', 28, true)] })));
  assert.deepStrictEqual(pooled.map((x) => x.type === 'ipv4-address-acknowledgement' && [x.status, x.address, x.prefixLength]),
    [[0, '10.128.0.0', 28]], 'from the IPv4 prefix pool');
  const host = acks(new HomeAgent(cfg).handle(0, bu4({ seq: 1, options: [v4hoa('0.0.0.0', 24, true)] })));
  assert.equal(host[0].type === 'ipv4-address-acknowledgement' && host[0].status, Ipv4AckStatus.PREFIX_ALLOCATION_UNAUTHORIZED);
  const rep = acks(new HomeAgent(cfg).handle(0, bu4({ seq: 1, options: [v4hoa('192.0.2.17'), v4hoa('192.0.2.17')] })));
  assert.deepStrictEqual(rep.map((x) => x.type === 'ipv4-address-acknowledgement' && x.status), [0, 128]);
});
