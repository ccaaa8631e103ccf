/** The Binding Cache's indexes (binding-cache.ts): `replace` with the entry the caller holds is `set`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BindingCache, CachedBinding, udpKey, type EntryFields } from '../../src/engine/ha/binding-cache.js';

const HOA = '2001:db8:1::10';
const tunnel = (remote: string, remotePort: number) =>
  ({ encapsulation: 'udp4' as const, local: '192.0.2.1', localPort: 4191, remote, remotePort });
const entry = (remote: string, remotePort: number, ipv4HomeAddress: string | undefined): CachedBinding => {
  const t = tunnel(remote, remotePort);
  const f: EntryFields = {
    homeAddress: HOA, careOfAddress: '10.0.0.7', tunnel: t,
    via: { kind: 'udp4', source: t.local, sourcePort: 4191, destination: remote, destinationPort: remotePort },
    signallingAddress: '::ffff:10.0.0.7', sequence: 1, flags: 0, lifetimeSeconds: 60, registeredAt: 0,
    expiresAt: 60_000, nemoMode: undefined, prefixes: [], linkLocal: undefined, ipv4HomeAddress,
    ipv4Prefix: undefined, refreshRequestSent: false,
  };
  return new CachedBinding(f);
};

/** What the indexes answer for the endpoints and IPv4 home addresses the entries used. */
const view = (c: BindingCache) => [
  c.size, c.get(HOA)?.tunnel, c.homeAddressForUdp('198.51.100.7', 40001), c.homeAddressForUdp('198.51.100.8', 40002),
  c.homeAddressForIpv4('172.16.0.1'), c.homeAddressForIpv4('172.16.0.2'),
];

test('BindingCache: replace(e, old) keeps every index as set(e) does', () => {
  const steps = [entry('198.51.100.7', 40001, '172.16.0.1'), entry('198.51.100.7', 40001, '172.16.0.1'),
    entry('198.51.100.8', 40002, '172.16.0.2'), entry('198.51.100.8', 40002, undefined)];
  const a = new BindingCache();
  const b = new BindingCache();
  for (const e of steps) {
    a.set(e);
    b.replace(e, b.get(HOA));
    assert.deepStrictEqual(view(b), view(a));
  }
  assert.deepStrictEqual(view(a), [1, tunnel('198.51.100.8', 40002), undefined, HOA, undefined, undefined]);
  b.delete(HOA);
  assert.deepStrictEqual(view(b), [0, undefined, undefined, undefined, undefined, undefined]);
});

test('udpKey: an IPv4 address and port as one number; -1 for text that is not IPv4', () => {
  assert.equal(udpKey('198.51.100.7', 40001), (((198 << 24) >>> 0) + (51 << 16) + (100 << 8) + 7) * 65536 + 40001);
  assert.equal(udpKey('255.255.255.255', 65535), 0xffffffff * 65536 + 65535);
  for (const bad of ['2001:db8::1', '', '1.2.3', '256.0.0.1']) assert.equal(udpKey(bad, 1), -1, bad);
});

test('BindingCache: the IPv4 home address index answers by address (any text kept as given)', () => {
  const c = new BindingCache();
  c.set(entry('198.51.100.7', 40001, '0.0.0.0'));
  assert.equal(c.homeAddressForIpv4('0.0.0.0'), HOA);
  c.set(entry('198.51.100.7', 40001, '255.255.255.255'));
  assert.deepStrictEqual([c.homeAddressForIpv4('0.0.0.0'), c.homeAddressForIpv4('255.255.255.255')], [undefined, HOA]);
  c.set(entry('198.51.100.7', 40001, 'no IPv4 text'));
  assert.deepStrictEqual([c.homeAddressForIpv4('255.255.255.255'), c.homeAddressForIpv4('no IPv4 text')],
    [undefined, HOA]);
  assert.equal(c.homeAddressForIpv4('-1'), undefined);
  c.delete(HOA);
  assert.equal(c.homeAddressForIpv4('no IPv4 text'), undefined);
});
