/**
 * Home Agent engine: what a Binding Cache entry keeps (one copy of its tunnel, via and strings
 * across refreshes; the via and signalling address worked out from the tunnel unless the BU
 * said otherwise), and its deadline across refreshes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CachedBinding, fieldsOf, type EntryFields } from '../../src/engine/ha/binding-cache.js';
import { HomeAgent } from '../../src/engine/ha/home-agent.js';
import { exportBinding, type PersistedBinding } from '../../src/engine/ha/persist.js';
import type { HaOutput } from '../../src/engine/ha/types.js';
import type { ReceivedMh } from '../../src/engine/types.js';
import { encodeMobilityPacket } from '../../src/wire/mh/packet.js';
import {
  BuFlag, COA4, COA6, HA, HA4, HOA, HOME, NAT4, bu4, bu6, config, events, ops, sends, theBa,
} from './ha-fixture.js';

const brrs = (out: readonly HaOutput[]) =>
  sends(out).filter((s) => s.packet.mh.message.type === 'binding-refresh-request');

test('a refresh from the same care-of keeps the tunnel the data plane holds, its texts and the via', () => {
  for (const first of [
    bu4({ seq: 1, outerSource: NAT4, outerPort: 40001 }), bu4({ seq: 1 }), bu6({ seq: 1 }),
  ]) {
    const ha = new HomeAgent(config());
    const out = ha.handle(0, first);
    const set = ops(out).find((o) => o.op === 'binding-set');
    const e1 = ha.cache.get(HOA)!;
    assert.ok(set?.op === 'binding-set' && set.tunnel === e1.tunnel, 'the data plane gets the entry\'s tunnel');
    const again = first.via.kind === 'ipv6' ? bu6({ seq: 2 })
      : bu4({ seq: 2, ...(first.via.source === NAT4 ? { outerSource: NAT4, outerPort: 40001 } : {}) });
    const refresh = ha.handle(1000, again);
    assert.equal(theBa(refresh).ba.status, 0);
    assert.deepStrictEqual(ops(refresh), [], 'nothing changes in the OS');
    const e2 = ha.cache.get(HOA)!;
    assert.notEqual(e2, e1);
    assert.equal(e2.sequence, 2);
    assert.equal(e2.tunnel, e1.tunnel, `${e1.tunnel.encapsulation}: one tunnel object per binding`);
    assert.deepStrictEqual(e2.via, theBa(refresh).send.via, 'the entry\'s via is the way the BA went');
    assert.equal(e2.signallingAddress, theBa(refresh).send.packet.destination);
    assert.equal(e2.natDetected, first.via.kind === 'udp4' && first.via.source === NAT4);
  }
});

test('a move to another care-of address: a new tunnel for the data plane, the indexes follow', () => {
  const ha = new HomeAgent(config());
  ha.handle(0, bu4({ seq: 1, outerSource: NAT4, outerPort: 40001 }));
  const before = ha.cache.get(HOA)!;
  const out = ha.handle(1000, bu4({ seq: 2, outerSource: NAT4, outerPort: 40002 }));
  const set = ops(out).find((o) => o.op === 'binding-set');
  const after = ha.cache.get(HOA)!;
  assert.notEqual(after.tunnel, before.tunnel);
  assert.ok(set?.op === 'binding-set' && set.tunnel === after.tunnel);
  assert.equal(ha.cache.homeAddressForUdp(NAT4, 40001), undefined, 'the old UDP mapping is gone');
  assert.equal(ha.cache.homeAddressForUdp(NAT4, 40002), HOA);
  const native = ha.handle(2000, bu6({ seq: 3 }));
  assert.equal(theBa(native).ba.status, 0);
  assert.equal(ha.cache.homeAddressForUdp(NAT4, 40002), undefined);
  assert.deepStrictEqual(ha.cache.get(HOA)!.via, { kind: 'ipv6' });
  assert.equal(ha.cache.get(HOA)!.signallingAddress, COA6);
  assert.equal(ha.cache.get(HOA)!.natDetected, false);
});

/** A BU over UDP whose inner source is not ::ffff:<IPv4 CoA> (a mobile node may use another). */
function oddSourceBu(seq: number): ReceivedMh {
  const bytes = encodeMobilityPacket({
    source: '::ffff:198.51.100.99', destination: HA, homeAddressOption: HOA,
    mh: {
      payloadProto: 59, message: { type: 'binding-update', sequence: seq, flags: HOME, lifetimeSeconds: 400 },
      options: [{ type: 'ipv4-care-of-address', address: COA4 }],
    },
  });
  return {
    kind: 'mh', bytes,
    via: { kind: 'udp4', source: COA4, sourcePort: 5555, destination: HA4, destinationPort: 4191 },
  };
}

test('Binding Refresh Requests go the way the BAs went, whatever the BU\'s source and ports', () => {
  const cases: [string, ReceivedMh][] = [
    ['IPv6', bu6({ seq: 1 })], ['IPv4', bu4({ seq: 1 })],
    ['NAT', bu4({ seq: 1, outerSource: NAT4, outerPort: 40001 })], ['own source and port', oddSourceBu(1)],
  ];
  for (const [what, bu] of cases) {
    const ha = new HomeAgent(config({ refreshRequestLeadSeconds: 10 }));
    const ba = theBa(ha.handle(0, bu)).send;
    const brr = brrs(ha.onTimeout(390_000));
    assert.equal(brr.length, 1, what);
    assert.deepStrictEqual(brr[0].via, ba.via, what);
    assert.equal(brr[0].packet.destination, ba.packet.destination, what);
    assert.equal(ha.cache.get(HOA)!.refreshRequestSent, true);
  }
});

test('a refresh moves the deadline later with one heap item per binding, not one per refresh', () => {
  const ha = new HomeAgent(config({ refreshRequestLeadSeconds: 10 }));
  ha.handle(0.4, bu4({ seq: 1 }));
  assert.equal(ha.cache.get(HOA)!.expiresAt, 400_001, 'whole milliseconds, never earlier');
  for (let i = 1; i <= 5; i++) ha.handle(i * 100_000, bu4({ seq: 1 + i }));
  const heap = (ha as unknown as { deadlines: { size: number } }).deadlines;
  assert.equal(heap.size, 1);
  assert.deepStrictEqual(ha.onTimeout(390_001), [], 'the first deadline has moved on');
  assert.equal(ha.nextDeadline(), 890_000);
  assert.equal(brrs(ha.onTimeout(890_000)).length, 1, 'the refresh request comes before the new expiry');
  assert.equal(ha.cache.size, 1);
  assert.ok(events(ha.onTimeout(900_000)).some((e) => e.type === 'binding-expired'));
  assert.equal(ha.cache.size, 0);
});

test('an earlier deadline (shorter lifetime) still fires on time', () => {
  const ha = new HomeAgent(config());
  ha.handle(0, bu6({ seq: 1, lifetime: 400 }));
  ha.handle(1000, bu6({ seq: 2, lifetime: 100 }));
  assert.equal(ha.nextDeadline(), 101_000);
  assert.ok(events(ha.onTimeout(101_000)).some((e) => e.type === 'binding-expired'));
  assert.deepStrictEqual(ha.onTimeout(400_000), []);
});

/** Records as the bindings file holds them (every field written out, as before). */
const RECORDS: PersistedBinding[] = [
  {
    homeAddress: HOA, careOfAddress: COA4,
    tunnel: { encapsulation: 'udp4', local: HA4, localPort: 4191, remote: NAT4, remotePort: 40001 },
    via: { kind: 'udp4', source: HA4, sourcePort: 4191, destination: NAT4, destinationPort: 40001 },
    signallingAddress: `::ffff:${COA4}`, sequence: 7, flags: HOME, lifetimeSeconds: 400, expiresAt: 350_000,
    nemoMode: null, prefixes: [], linkLocal: null, ipv4HomeAddress: null, ipv4Prefix: null, natDetected: true,
  },
  {
    homeAddress: '2001:db8:1::200', careOfAddress: COA4,
    tunnel: { encapsulation: 'ipv4', local: HA4, remote: COA4 },
    via: { kind: 'udp4', source: HA4, sourcePort: 4191, destination: COA4, destinationPort: 5555 },
    signallingAddress: '::ffff:198.51.100.99', sequence: 1, flags: HOME, lifetimeSeconds: 400,
    expiresAt: 300_000, nemoMode: null, prefixes: [], linkLocal: null, ipv4HomeAddress: null, ipv4Prefix: null,
    natDetected: false,
  },
  {
    homeAddress: '2001:db8:1::300', careOfAddress: COA6,
    tunnel: { encapsulation: 'ipv6', local: HA, remote: COA6 }, via: { kind: 'ipv6' }, signallingAddress: COA6,
    sequence: 3, flags: HOME | BuFlag.L, lifetimeSeconds: 400, expiresAt: 360_000, nemoMode: null, prefixes: [],
    linkLocal: 'fe80::300', ipv4HomeAddress: null, ipv4Prefix: null, natDetected: false,
  },
  {
    homeAddress: '2001:db8:1::400', careOfAddress: '198.51.100.11',
    tunnel: { encapsulation: 'ipv4', local: HA4, remote: '198.51.100.11' },
    via: { kind: 'udp4', source: '203.0.113.2', sourcePort: 40000, destination: '198.51.100.11', destinationPort: 4191 },
    signallingAddress: '::ffff:198.51.100.11', sequence: 1, flags: HOME, lifetimeSeconds: 400,
    expiresAt: 300_000, nemoMode: null, prefixes: [], linkLocal: null, ipv4HomeAddress: null, ipv4Prefix: null,
    natDetected: false,
  },
];

test('restore: records with every field written out come back and export unchanged', () => {
  const ha = new HomeAgent(config());
  const r = ha.restore(100_000, JSON.parse(JSON.stringify(RECORDS)) as unknown[]);
  assert.deepStrictEqual([r.restored, r.skipped], [4, []]);
  for (const rec of RECORDS) {
    const e = ha.cache.get(rec.homeAddress)!;
    assert.deepStrictEqual(JSON.parse(JSON.stringify(exportBinding(e))), rec);
    assert.equal(e.registeredAt, rec.expiresAt - 400_000);
  }
});

test('restore: fractional instants (another clock) become whole milliseconds, never earlier', () => {
  const ha = new HomeAgent(config());
  ha.restore(100_000.5, [{ ...RECORDS[0], expiresAt: 350_000.25 }]);
  const e = ha.cache.get(HOA)!;
  assert.equal(e.expiresAt, 350_001);
  assert.equal(e.registeredAt, -50_000, 'the start, a whole millisecond not after it');
  assert.ok(Number.isInteger(e.expiresAt) && Number.isInteger(e.registeredAt));
});

test('CachedBinding: every field reads back as given, the rare ones too; flags keep 16 bits', () => {
  const tunnel = { encapsulation: 'udp4' as const, local: '192.0.2.1', localPort: 4191, remote: '198.51.100.7', remotePort: 40001 };
  const via = { kind: 'udp4' as const, source: '192.0.2.1', sourcePort: 4191, destination: '198.51.100.7', destinationPort: 40001 };
  const usual: EntryFields = {
    homeAddress: HOA, careOfAddress: '10.0.0.7', tunnel, via, signallingAddress: '::ffff:10.0.0.7',
    sequence: 65535, flags: 0xffff, lifetimeSeconds: 3600, registeredAt: 5, expiresAt: 3_600_005,
    nemoMode: undefined, prefixes: [], linkLocal: undefined, ipv4HomeAddress: '172.16.0.9',
    ipv4Prefix: undefined, refreshRequestSent: false,
  };
  const rare: EntryFields = {
    ...usual, signallingAddress: '2001:db8:9::1', nemoMode: 'explicit', prefixes: ['2001:db8:ff::/64'],
    linkLocal: 'fe80::100', ipv4Prefix: '10.1.0.0/24', refreshRequestSent: true, flags: 0x8000,
  };
  for (const f of [usual, rare, { ...usual, refreshRequestSent: true }]) {
    const e = new CachedBinding(f);
    assert.deepStrictEqual(fieldsOf(e), f);
    assert.equal(e.mobileRouter, f.nemoMode !== undefined);
  }
});
