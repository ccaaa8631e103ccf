/** Home Agent engine: home registration rules of RFC 6275 §10.3.1 and RFC 3963 §6. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HomeAgent } from '../../src/engine/ha/home-agent.js';
import { BaFlag, BaStatus, BeStatus } from '../../src/wire/mh/constants.js';
import { encodeMobilityPacket } from '../../src/wire/mh/packet.js';
import {
  BuFlag, COA6, HA, HOA, HOA2, HOME, bu6, config, events, ops, sends, theBa,
} from './ha-fixture.js';

test('RFC 6275 §10.3.1: a valid home registration is accepted; BA to the CoA with an RH2', () => {
  const ha = new HomeAgent(config());
  const out = ha.handle(0, bu6({ seq: 10, lifetime: 400 }));
  const { ba, send } = theBa(out);
  assert.deepStrictEqual([ba.status, ba.sequence, ba.lifetimeSeconds, ba.flags], [0, 10, 400, 0]);
  assert.deepStrictEqual(send.via, { kind: 'ipv6' });
  assert.equal(send.packet.source, HA);
  assert.equal(send.packet.destination, COA6);
  assert.equal(send.packet.type2RoutingAddress, HOA);
  assert.deepStrictEqual(ops(out), [
    { op: 'binding-set', homeAddress: HOA, tunnel: { encapsulation: 'ipv6', local: HA, remote: COA6 }, addresses: [HOA], prefixes: [] },
    { op: 'proxy-nd-set', address: HOA },
  ]);
  assert.equal(ha.cache.get(HOA)?.careOfAddress, COA6);
  assert.equal(ha.nextDeadline(), 400_000);
});

test('RFC 6275 §9.5.1: a refresh with the same CoA changes no OS state; a move re-points the tunnel', () => {
  const ha = new HomeAgent(config());
  ha.handle(0, bu6({ seq: 1 }));
  assert.deepStrictEqual(ops(ha.handle(1000, bu6({ seq: 2 }))), []);
  const moved = ops(ha.handle(2000, bu6({ seq: 3, coa: '2001:db8:3::9' })));
  assert.deepStrictEqual(moved.map((o) => o.op), ['binding-set']);
});

test('RFC 6275 §10.3.1: A=0 accepted without a BA; rejections are always answered', () => {
  const ha = new HomeAgent(config());
  assert.equal(sends(ha.handle(0, bu6({ seq: 1, flags: BuFlag.H }))).length, 0);
  assert.equal(ha.cache.size, 1);
  const r = theBa(ha.handle(1, bu6({ seq: 1, flags: BuFlag.H })));
  assert.equal(r.ba.status, BaStatus.SEQUENCE_NUMBER_OUT_OF_WINDOW);
});

test('status 135: a sequence number not newer returns the last accepted number (mod 2^16)', () => {
  const ha = new HomeAgent(config());
  ha.handle(0, bu6({ seq: 65530 }));
  assert.equal(theBa(ha.handle(1, bu6({ seq: 5 }))).ba.status, 0, '5 is newer than 65530 across the wrap');
  for (const stale of [5, 4, 65530, 32774]) {
    const { ba } = theBa(ha.handle(2, bu6({ seq: stale })));
    assert.deepStrictEqual([ba.status, ba.sequence], [135, 5], `seq ${stale}`);
  }
});

test('no binding: any sequence number is accepted (RFC 6275 §9.5.1)', () => {
  for (const seq of [0, 1, 32768, 65535]) {
    assert.equal(theBa(new HomeAgent(config()).handle(0, bu6({ seq }))).ba.status, 0);
  }
});

test('status 133: deregistration without a binding; deregistration removes everything', () => {
  const ha = new HomeAgent(config());
  assert.equal(theBa(ha.handle(0, bu6({ seq: 1, lifetime: 0 }))).ba.status, 133);
  ha.handle(0, bu6({ seq: 2 }));
  const out = ha.handle(10, bu6({ seq: 3, lifetime: 0 }));
  const { ba } = theBa(out);
  assert.deepStrictEqual([ba.status, ba.lifetimeSeconds], [0, 0]);
  assert.deepStrictEqual(ops(out), [
    { op: 'binding-clear', homeAddress: HOA }, { op: 'proxy-nd-clear', address: HOA },
  ]);
  assert.equal(ha.cache.size, 0);
});

test('returning home: CoA = HoA deregisters; the BA goes to the HoA without an RH2', () => {
  const ha = new HomeAgent(config());
  ha.handle(0, bu6({ seq: 1 }));
  const { ba, send } = theBa(ha.handle(5, bu6({ seq: 2, coa: HOA })));
  assert.equal(ba.status, 0);
  assert.equal(send.packet.destination, HOA);
  assert.equal(send.packet.type2RoutingAddress, undefined);
  assert.equal(ha.cache.size, 0);
});

test('status 132: home address not on a home prefix', () => {
  const r = theBa(new HomeAgent(config()).handle(0, bu6({ seq: 1, hoa: '2001:db8:99::1' })));
  assert.equal(r.ba.status, BaStatus.NOT_HOME_SUBNET);
});

test('status 129 / ACL statuses: DefaultBindingAclPolicy and BindingAclPolicy (UMIP semantics)', () => {
  const deny = new HomeAgent(config({ defaultAclPolicy: 'deny', acl: [{ homeAddress: HOA2, prefixes: [], action: 'allow' }] }));
  assert.equal(theBa(deny.handle(0, bu6({ seq: 1 }))).ba.status, 129);
  assert.equal(theBa(deny.handle(0, bu6({ seq: 1, hoa: HOA2 }))).ba.status, 0);
  const numbered = new HomeAgent(config({ acl: [{ homeAddress: HOA, prefixes: [], action: 133 }] }));
  assert.equal(theBa(numbered.handle(0, bu6({ seq: 1 }))).ba.status, 133);
});

test('status 130: binding cache full', () => {
  const ha = new HomeAgent(config({ bindingsMax: 1 }));
  ha.handle(0, bu6({ seq: 1 }));
  assert.equal(theBa(ha.handle(0, bu6({ seq: 1, hoa: HOA2 }))).ba.status, BaStatus.INSUFFICIENT_RESOURCES);
});

test('status 129: H=0 (correspondent registration; dsmip6 does no route optimisation)', () => {
  assert.equal(theBa(new HomeAgent(config()).handle(0, bu6({ seq: 1, flags: BuFlag.A }))).ba.status, 129);
});

test('status 139: a binding may not switch between host and mobile router', () => {
  const ha = new HomeAgent(config({ acceptMobileRouter: true, acl: [{ homeAddress: HOA, prefixes: ['2001:db8:ff::/48'], action: 'allow' }] }));
  ha.handle(0, bu6({ seq: 1 }));
  assert.equal(theBa(ha.handle(1, bu6({ seq: 2, flags: HOME | BuFlag.R }))).ba.status, 139);
});

test('lifetime granted ≤ requested, ≤ HaMaxBindingLife, ≤ the prefix valid lifetime, in 4 s units', () => {
  const ha = new HomeAgent(config({ maxBindingLifetimeSeconds: 302, homePrefixes: [{ prefix: '2001:db8:1::/64', validLifetimeSeconds: 1000 }] }));
  assert.equal(theBa(ha.handle(0, bu6({ seq: 1, lifetime: 4000 }))).ba.lifetimeSeconds, 300);
  const hb = new HomeAgent(config({ homePrefixes: [{ prefix: '2001:db8:1::/64', validLifetimeSeconds: 90 }] }));
  assert.equal(theBa(hb.handle(0, bu6({ seq: 1, lifetime: 4000 }))).ba.lifetimeSeconds, 88);
});

test('status 1 (RFC 6275 §10.3.1): accepted, prefix discovery necessary when the home prefix ends first', () => {
  const ha = new HomeAgent(config({ homePrefixes: [{ prefix: '2001:db8:1::/64', validLifetimeSeconds: 90 }] }));
  const { ba } = theBa(ha.handle(0, bu6({ seq: 1, lifetime: 400 })));
  assert.deepStrictEqual([ba.status, ba.lifetimeSeconds], [1, 88]);
  assert.equal(ha.cache.size, 1, 'status 1 is a success');
  const { ba: shortBa } = theBa(ha.handle(1, bu6({ seq: 2, lifetime: 40 })));
  assert.deepStrictEqual([shortBa.status, shortBa.lifetimeSeconds], [0, 40], 'the prefix outlives it');
});

test('expiry removes the binding and its OS state at the deadline, not before', () => {
  const ha = new HomeAgent(config());
  ha.handle(0, bu6({ seq: 1, lifetime: 8 }));
  assert.deepStrictEqual(ha.onTimeout(7999), []);
  const out = ha.onTimeout(8000);
  assert.deepStrictEqual(events(out).map((e) => e.type), ['binding-expired']);
  assert.deepStrictEqual(ops(out).map((o) => o.op), ['binding-clear', 'proxy-nd-clear']);
  assert.equal(ha.nextDeadline(), undefined);
});

test('a refresh moves the expiry: the old deadline is stale and does nothing', () => {
  const ha = new HomeAgent(config());
  ha.handle(0, bu6({ seq: 1, lifetime: 8 }));
  ha.handle(5000, bu6({ seq: 2, lifetime: 8 }));
  assert.deepStrictEqual(ha.onTimeout(8000), []);
  assert.equal(ha.cache.size, 1);
  assert.equal(events(ha.onTimeout(13_000))[0].type, 'binding-expired');
});

test('Binding Refresh Request before expiry and Binding Refresh Advice (RFC 6275 §10.3.1)', () => {
  const ha = new HomeAgent(config({ refreshRequestLeadSeconds: 10, refreshAdviceSeconds: 100 }));
  const { options } = theBa(ha.handle(0, bu6({ seq: 1, lifetime: 400 })));
  assert.deepStrictEqual(options, [{ type: 'binding-refresh-advice', refreshIntervalSeconds: 100 }]);
  const brr = sends(ha.onTimeout(390_000));
  assert.equal(brr.length, 1);
  assert.equal(brr[0].packet.mh.message.type, 'binding-refresh-request');
  assert.equal(brr[0].packet.type2RoutingAddress, HOA);
  assert.deepStrictEqual(ha.onTimeout(395_000), [], 'BRR is sent once');
});

test('DAD for a new home address (and its link-local with L=1): BA only after the result', () => {
  const ha = new HomeAgent(config({ dad: true }));
  const out = ha.handle(0, bu6({ seq: 1, flags: HOME | BuFlag.L }));
  assert.deepStrictEqual(ops(out), [
    { op: 'dad-start', address: HOA }, { op: 'dad-start', address: 'fe80::100' },
  ]);
  assert.equal(sends(out).length, 0);
  assert.deepStrictEqual(ha.handle(900, { kind: 'dad-result', address: HOA, duplicate: false }), []);
  const done = ha.handle(950, { kind: 'dad-result', address: 'fe80::100', duplicate: false });
  assert.equal(theBa(done).ba.status, 0);
  assert.ok(ops(done).some((o) => o.op === 'proxy-nd-set' && o.address === 'fe80::100'));
  assert.equal(sends(ha.handle(2000, bu6({ seq: 2 }))).length, 1, 'a refresh needs no DAD');
});

test('status 134: DAD failed; a retransmission during DAD is answered once, with its own sequence', () => {
  const ha = new HomeAgent(config({ dad: true }));
  ha.handle(0, bu6({ seq: 1 }));
  assert.deepStrictEqual(sends(ha.handle(500, bu6({ seq: 2 }))), []);
  const { ba } = theBa(ha.handle(900, { kind: 'dad-result', address: HOA, duplicate: true }));
  assert.deepStrictEqual([ba.status, ba.sequence], [134, 2]);
  assert.equal(ha.cache.size, 0);
});

test('DAD with no result accepts after the DAD timeout', () => {
  const ha = new HomeAgent(config({ dad: true, dadTimeoutMs: 3000 }));
  ha.handle(0, bu6({ seq: 1 }));
  assert.equal(ha.nextDeadline(), 3000);
  assert.equal(theBa(ha.onTimeout(3000)).ba.status, 0);
});

test('DAD timeouts and binding expiries come due in one deadline order', () => {
  const ha = new HomeAgent(config({ dad: true, dadTimeoutMs: 3000 }));
  ha.handle(0, bu6({ seq: 1, lifetime: 4 }));
  ha.handle(1000, { kind: 'dad-result', address: HOA, duplicate: false });
  const expiresAt = ha.cache.get(HOA)!.expiresAt;
  ha.handle(expiresAt - 2000, bu6({ seq: 1, hoa: HOA2 })); // its DAD times out 1 s after HOA expires
  const out = ha.onTimeout(expiresAt + 5000);
  const order = out.flatMap((o) => o.kind === 'event' && o.event.type === 'binding-expired' ? ['expired']
    : o.kind === 'send-mh' ? ['ba'] : []);
  assert.deepStrictEqual(order, ['expired', 'ba'], 'the earlier deadline first');
  assert.deepStrictEqual([ha.cache.get(HOA), ha.cache.get(HOA2)?.homeAddress], [undefined, HOA2]);
});

test('NEMO (RFC 3963 §6.2): statuses 140, 141, 142, 143 and the R flag in the BA', () => {
  const acl = [{ homeAddress: HOA, prefixes: ['2001:db8:ff::/48'], action: 'allow' as const }];
  const mr = HOME | BuFlag.R;
  const mnp = (prefix: string, prefixLength: number) => [{ type: 'mobile-network-prefix' as const, prefixLength, prefix }];
  assert.equal(theBa(new HomeAgent(config({ acl })).handle(0, bu6({ seq: 1, flags: mr }))).ba.status, 140);
  const ha = (): HomeAgent => new HomeAgent(config({ acl, acceptMobileRouter: true }));
  assert.equal(theBa(ha().handle(0, bu6({ seq: 1, flags: mr, options: mnp('2001:db8:ff:1::', 0) }))).ba.status, 141);
  assert.equal(theBa(ha().handle(0, bu6({ seq: 1, flags: mr, options: mnp('fe80::', 64) }))).ba.status, 141);
  assert.equal(theBa(ha().handle(0, bu6({ seq: 1, flags: mr, options: mnp('2001:db8:ee::', 64) }))).ba.status, 142);
  const none = new HomeAgent(config({ acceptMobileRouter: true }));
  assert.equal(theBa(none.handle(0, bu6({ seq: 1, flags: mr }))).ba.status, 143);
  const ok = theBa(ha().handle(0, bu6({ seq: 1, flags: mr, options: mnp('2001:db8:ff:1::', 64) })));
  assert.deepStrictEqual([ok.ba.status, ok.ba.flags & BaFlag.R], [0, BaFlag.R]);
});

test('NEMO implicit mode routes the configured prefixes; explicit mode the registered ones', () => {
  const acl = [{ homeAddress: HOA, prefixes: ['2001:db8:ff::/48'], action: 'allow' as const }];
  const ha = new HomeAgent(config({ acl, acceptMobileRouter: true }));
  const set = ops(ha.handle(0, bu6({ seq: 1, flags: HOME | BuFlag.R }))).find((o) => o.op === 'binding-set');
  assert.deepStrictEqual(set && set.op === 'binding-set' && set.prefixes, ['2001:db8:ff::/48']);
  assert.equal(ha.cache.get(HOA)?.nemoMode, 'implicit');
});

test('malformed and hostile input: dropped and counted, never a throw, never state', () => {
  const ha = new HomeAgent(config());
  const bytes = bu6({ seq: 1 }).bytes;
  const bad = bytes.slice(); bad[bad.length - 1] ^= 0xff; // PadN data: only the checksum sees it
  const outs = [
    ha.handle(0, { kind: 'mh', via: { kind: 'ipv6' }, bytes: bad }),
    ha.handle(0, { kind: 'mh', via: { kind: 'ipv6' }, bytes: bytes.subarray(0, 50) }),
    ha.handle(0, { kind: 'mh', via: { kind: 'ipv6' }, bytes: new Uint8Array(0) }),
  ];
  assert.deepStrictEqual(outs.map((o) => events(o).map((e) => e.type === 'dropped' && e.reason)),
    [['bad-checksum'], ['malformed'], ['malformed']]);
  assert.equal(ha.cache.size, 0);
  assert.equal(ha.counters.dropped.get('malformed'), 2);
});

test('Binding Error: status 2 for an unknown MH type, status 1 for a HAO without a binding', () => {
  const ha = new HomeAgent(config());
  const unknown = encodeMobilityPacket({
    source: COA6, destination: HA,
    mh: { payloadProto: 59, message: { type: 'unknown', mhType: 30, data: new Uint8Array(2) }, options: [] },
  });
  const be = sends(ha.handle(0, { kind: 'mh', via: { kind: 'ipv6' }, bytes: unknown }));
  assert.deepStrictEqual(be[0].packet.mh.message, { type: 'binding-error', status: BeStatus.UNRECOGNIZED_MH_TYPE, homeAddress: '::' });
  assert.equal(be[0].packet.destination, COA6);
  const hoti = encodeMobilityPacket({
    source: COA6, destination: HA, homeAddressOption: HOA,
    mh: { payloadProto: 59, message: { type: 'binding-refresh-request' }, options: [] },
  });
  const be1 = sends(ha.handle(0, { kind: 'mh', via: { kind: 'ipv6' }, bytes: hoti }));
  assert.deepStrictEqual(be1[0].packet.mh.message, { type: 'binding-error', status: 1, homeAddress: HOA });
});

test('home registrations carrying Nonce Indices are discarded (RFC 6275 §9.5.1)', () => {
  const out = new HomeAgent(config()).handle(0, bu6({ seq: 1, options: [{ type: 'nonce-indices', homeNonceIndex: 1, careOfNonceIndex: 2 }] }));
  assert.equal(sends(out).length, 0);
});

test('DAD: no binding while it runs; the one made when it ends is new, from the latest BU', () => {
  const ha = new HomeAgent(config({ dad: true }));
  ha.handle(0, bu6({ seq: 1 }));
  assert.equal(ha.cache.get(HOA), undefined, 'no binding while DAD runs');
  assert.deepStrictEqual(ha.handle(300, bu6({ seq: 2, lifetime: 120 })), [], 'a newer BU waits too');
  assert.equal(ha.cache.get(HOA), undefined);
  const done = ha.handle(900, { kind: 'dad-result', address: HOA, duplicate: false });
  const accepted = events(done).find((e) => e.type === 'binding-accepted');
  assert.deepStrictEqual([accepted?.type === 'binding-accepted' && accepted.isNew, theBa(done).ba.sequence],
    [true, 2]);
  assert.deepStrictEqual(ops(done).map((o) => o.op), ['binding-set', 'proxy-nd-set']);
  assert.deepStrictEqual([ha.cache.size, ha.cache.get(HOA)?.sequence, ha.cache.get(HOA)?.lifetimeSeconds],
    [1, 2, 120]);
  assert.deepStrictEqual(ha.handle(950, { kind: 'dad-result', address: HOA, duplicate: false }), [],
    'a late second result finds nothing waiting');
  assert.equal(theBa(ha.handle(2000, bu6({ seq: 3 }))).ba.status, 0, 'the refresh finds the binding');
});

test('DAD: a deregistration while it runs is refused (133) and cancels it; the next BU starts DAD anew', () => {
  const ha = new HomeAgent(config({ dad: true, dadTimeoutMs: 3000 }));
  ha.handle(0, bu6({ seq: 1, flags: HOME | BuFlag.L }));
  const dereg = theBa(ha.handle(100, bu6({ seq: 2, lifetime: 0 })));
  assert.deepStrictEqual([dereg.ba.status, dereg.ba.sequence],
    [BaStatus.NOT_HOME_AGENT_FOR_THIS_MOBILE_NODE, 2]);
  assert.deepStrictEqual([ha.cache.size, ha.snapshot().pendingDadCount], [0, 0]);
  assert.deepStrictEqual(ha.handle(200, { kind: 'dad-result', address: HOA, duplicate: false }), [],
    'the cancelled registration is not accepted by its DAD result');
  assert.deepStrictEqual(ha.handle(210, { kind: 'dad-result', address: 'fe80::100', duplicate: false }), []);
  assert.deepStrictEqual(ha.onTimeout(3000), [], 'nor by its timeout');
  assert.equal(ha.cache.size, 0);
  const again = ha.handle(4000, bu6({ seq: 3 }));
  assert.deepStrictEqual(ops(again), [{ op: 'dad-start', address: HOA }]);
  assert.equal(theBa(ha.handle(4100, { kind: 'dad-result', address: HOA, duplicate: false })).ba.sequence, 3);
  assert.equal(ha.cache.get(HOA)?.sequence, 3);
});
