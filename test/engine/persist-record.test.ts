/**
 * The durable record's text (persist-record.ts): bindingJson writes exactly what
 * JSON.stringify(exportBinding(e)) writes — the binding file's format — for entries the engine
 * makes and for any entry at all, strings JSON must escape and numbers JSON writes as null
 * included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CachedBinding, type BindingCacheEntry, type EntryFields } from '../../src/engine/ha/binding-cache.js';
import { HomeAgent } from '../../src/engine/ha/home-agent.js';
import { bindingJson, exportBinding } from '../../src/engine/ha/persist-record.js';
import type { TunnelEndpoint, Via } from '../../src/engine/types.js';
import { formatIpv4, formatIpv6, ipv4MappedIpv6 } from '../../src/wire/addr.js';
import { BuFlag, HOA, HOA2, HOME, NAT4, bu4, bu6, config, theBa } from './ha-fixture.js';

const same = (e: BindingCacheEntry, offset?: number): void => {
  assert.equal(bindingJson(e, offset), JSON.stringify(exportBinding(e, offset)));
};

test('binding record text: every entry a home agent makes is written as JSON.stringify writes it', () => {
  const cfg = config({
    acl: [{ homeAddress: HOA2, prefixes: ['2001:db8:ff::/48'], action: 'allow' }], acceptMobileRouter: true,
    ipv4HomeAddressPool: '10.9.0.0/24', ipv4PrefixPool: { range: '10.128.0.0/16', prefixLength: 28 },
  });
  const ha = new HomeAgent(cfg);
  const v4hoa = (prefixLength: number, requestPrefix: boolean) =>
    ({ type: 'ipv4-home-address' as const, prefixLength, requestPrefix, address: '0.0.0.0' });
  const mnp = { type: 'mobile-network-prefix' as const, prefixLength: 64, prefix: '2001:db8:ff:1::' };
  const accepted = [
    // Native IPv6 care-of address, link-local address (L), dynamic IPv4 home address.
    ha.handle(0, bu6({ seq: 5, flags: HOME | BuFlag.L, options: [v4hoa(32, false)] })),
    // Mobile router behind a NAT (UDP tunnel): an IPv6 prefix and an IPv4 prefix.
    ha.handle(1, bu4({
      seq: 9, hoa: HOA2, flags: HOME | BuFlag.R, outerSource: NAT4, outerPort: 40001,
      options: [mnp, v4hoa(28, true)],
    })),
    // IPv4 care-of address without a NAT (IPv4-in-IPv4 tunnel, signalling over UDP).
    ha.handle(2, bu4({ seq: 1, hoa: '2001:db8:1::300' })),
    // The F flag: a UDP tunnel without a NAT.
    ha.handle(3, bu4({ seq: 1, hoa: '2001:db8:1::400', flags: HOME | BuFlag.F })),
    // Native IPv6 CoA, nothing else; then refreshed from another CoA.
    ha.handle(4, bu6({ seq: 1, hoa: '2001:db8:1::500' })),
    ha.handle(5, bu6({ seq: 2, hoa: '2001:db8:1::500', coa: '2001:db8:3::9' })),
  ];
  for (const out of accepted) assert.equal(theBa(out).ba.status, 0);
  const entries = [...ha.cache.entries()];
  assert.equal(entries.length, 5);
  assert.deepEqual(new Set(entries.map((e) => e.tunnel.encapsulation)), new Set(['ipv6', 'ipv4', 'udp4']));
  assert.ok(entries.some((e) => e.prefixes.length > 0 && e.ipv4Prefix !== undefined && e.natDetected));
  assert.ok(entries.some((e) => e.linkLocal !== undefined && e.ipv4HomeAddress !== undefined));
  for (const e of entries) {
    same(e);
    same(e, 1_764_000_000_123);
    same(e, -5);
  }
  // Restored from those lines (a restart), the entries are written back as they were read.
  const lines = entries.map((e) => bindingJson(e));
  const restarted = new HomeAgent(cfg);
  const r = restarted.restore(10, lines.map((l) => JSON.parse(l) as unknown));
  assert.deepStrictEqual([r.restored, r.skipped], [5, []]);
  for (const e of restarted.cache.entries()) {
    same(e);
    assert.equal(bindingJson(e), lines.find((l) => l.startsWith(`{"homeAddress":"${e.homeAddress}"`)));
  }
});

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const v6 = bytes(16).map((b) => formatIpv6(b));
const v4 = bytes(4).map((b) => formatIpv4(b));
const port = fc.integer({ min: 1, max: 0xffff });
/** A string JSON must escape now and then: quotes, backslashes, controls, lone surrogates, non-ASCII. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('a"b', 'a\\b', '\n', '\u0000', '\u001f', '\ud800', 'x\udc00', '\ud83d\ude00', 'é', '\u2028', '\u007f'),
);
/** Mostly addresses, now and then a hostile string (an entry built outside the engine). */
const text = (address: fc.Arbitrary<string>) => fc.oneof({ arbitrary: address, weight: 5 }, { arbitrary: hostile, weight: 1 });
const numberLike = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 0xffff }), weight: 8 },
  { arbitrary: fc.double(), weight: 1 }, // fractions, -0, NaN and infinities (which JSON writes as null)
);

const tunnelArb: fc.Arbitrary<TunnelEndpoint> = fc.oneof(
  fc.record({ encapsulation: fc.constant('ipv6' as const), local: text(v6), remote: text(v6) }),
  fc.record({ encapsulation: fc.constant('ipv4' as const), local: text(v4), remote: text(v4) }),
  fc.record({
    encapsulation: fc.constant('udp4' as const), local: text(v4), localPort: port, remote: text(v4), remotePort: port,
  }),
);

/** A via as the engine builds one, following the tunnel (reversed) or not. */
function viaArb(t: TunnelEndpoint): fc.Arbitrary<Via> {
  const udp = fc.record({
    kind: fc.constant('udp4' as const), source: text(v4), sourcePort: port, destination: text(v4), destinationPort: port,
  });
  if (t.encapsulation === 'ipv6') return fc.constant({ kind: 'ipv6' as const });
  const own = t.encapsulation === 'ipv4' ? port.map((p): Via => ({
    kind: 'udp4', source: t.local, sourcePort: 4191, destination: t.remote, destinationPort: p,
  })) : fc.constant<Via>({
    kind: 'udp4', source: t.local, sourcePort: t.localPort, destination: t.remote, destinationPort: t.remotePort,
  });
  return fc.oneof(own, udp);
}

const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const fieldsArb: fc.Arbitrary<EntryFields> = tunnelArb.chain((tunnel) => fc.record({
  homeAddress: text(v6),
  careOfAddress: tunnel.encapsulation === 'ipv6' ? fc.constant(tunnel.remote) : text(v4),
  tunnel: fc.constant(tunnel),
  via: viaArb(tunnel),
  signallingAddress: text(v6),
  sequence: numberLike, flags: numberLike, lifetimeSeconds: numberLike,
  registeredAt: fc.integer({ min: 0, max: 1e9 }),
  expiresAt: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.double()),
  nemoMode: optional(fc.constantFrom('explicit' as const, 'implicit' as const)),
  prefixes: fc.array(fc.oneof(v6.map((a) => `${a}/64`), v4.map((a) => `${a}/28`), hostile), { maxLength: 3 }),
  linkLocal: optional(text(v6)), ipv4HomeAddress: optional(text(v4)), ipv4Prefix: optional(text(v4.map((a) => `${a}/28`))),
  refreshRequestSent: fc.boolean(),
})).map((f) => (f.tunnel.encapsulation === 'ipv6' || !f.signallingAddress.includes(':') ? f
  : { ...f, signallingAddress: ipv4MappedIpv6(f.careOfAddress) })); // the usual IPv4 signalling address too

test('binding record text: equals JSON.stringify(exportBinding(e)) for any entry, escapes and nulls included', () => {
  fc.assert(fc.property(fieldsArb, fc.oneof(fc.integer(), fc.double()), (f, offset) => {
    same(new CachedBinding(f), offset); // the entry as the cache keeps it
    same({ ...f, mobileRouter: f.nemoMode !== undefined, natDetected: false }, offset); // a plain entry
  }), { numRuns: 3000 });
});

test('binding record text: strings JSON escapes are escaped, never written as they are', () => {
  const f: EntryFields = {
    homeAddress: '2001:db8:1::100', careOfAddress: '1.2.3.4","flags":0,"x":"', via: { kind: 'ipv6' },
    tunnel: { encapsulation: 'ipv4', local: '203.0.113.1', remote: 'a\\b\n\ud800' }, signallingAddress: '::1',
    sequence: 1, flags: HOME, lifetimeSeconds: 40, registeredAt: 0, expiresAt: 10, nemoMode: undefined,
    prefixes: [], linkLocal: undefined, ipv4HomeAddress: undefined, ipv4Prefix: undefined, refreshRequestSent: false,
  };
  const text = bindingJson(new CachedBinding(f));
  const back = JSON.parse(text) as { careOfAddress: string; flags: number; tunnel: { remote: string } };
  assert.equal(back.careOfAddress, f.careOfAddress, 'a quote cannot end the string early');
  assert.equal(back.flags, HOME);
  assert.equal(back.tunnel.remote, 'a\\b\n\ud800');
  assert.match(text, /"remote":"a\\\\b\\n\\ud800"/);
});
