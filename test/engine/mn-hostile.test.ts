/**
 * MobileNode: hostile and unexpected packets change nothing (RFC 6275 §9.2, §11.7.3; conventions
 * C5), and random runs keep the engine's invariants.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MnInput, MnOutput } from '../../src/engine/mn/types.js';
import type { ReceivedMh } from '../../src/engine/types.js';
import { Xoshiro128 } from '../../src/proto/prng.js';
import { seqNext } from '../../src/proto/seqno.js';
import { encodeMobilityPacket } from '../../src/wire/mh/packet.js';
import {
  COA4, COA6, COA6B, HA, HA4, HA_PORT, HOA, HOME_SLAAC, MN_PORT, ROUTER4, ROUTER6, World, ba,
  events, eventsOf, fromHa, mnConfig, onlyBu, sends,
} from './mn-world.js';

/** Feeds `rx` to a node with a BU outstanding: exactly one drop, then the real BA still works. */
function assertDroppedWithoutEffect(rx: ReceivedMh, reason: string): void {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA6));
  w.now = 100;
  const deadline = w.mn.nextDeadline();
  const out = w.feed(rx);
  assert.equal(out.length, 1, JSON.stringify(out));
  assert.deepEqual(eventsOf(out, 'dropped').map((e) => e.reason), [reason]);
  assert.equal(w.mn.nextDeadline(), deadline);
  w.now = 200;
  assert.deepEqual(eventsOf(w.feed(ba({ sequence: bu.sequence })), 'registered').map((e) => e.registrationMs), [200]);
}

const good = (): Uint8Array => ba({ sequence: 32768 }).bytes;

test('RFC 6275 §9.2: a BA with a bad MH checksum is dropped as bad-checksum', () => {
  const b = good();
  b[b.length - 9] ^= 0x01; // inside the MH, after the checksum
  assertDroppedWithoutEffect({ kind: 'mh', via: { kind: 'ipv6' }, bytes: b }, 'bad-checksum');
});

test('conventions C5: truncated BAs are dropped as malformed', () => {
  const b = good();
  for (const n of [0, 1, 39, 40, 60, b.length - 1]) {
    assertDroppedWithoutEffect({ kind: 'mh', via: { kind: 'ipv6' }, bytes: b.slice(0, n) }, 'malformed');
  }
});

test('RFC 6275 §9.2: MH Payload Proto other than 59 is dropped', () => {
  const bytes = encodeMobilityPacket({
    source: HA, destination: COA6, type2RoutingAddress: HOA,
    mh: {
      payloadProto: 6, options: [],
      message: { type: 'binding-ack', status: 0, flags: 0, sequence: 32768, lifetimeSeconds: 600 },
    },
  });
  assertDroppedWithoutEffect({ kind: 'mh', via: { kind: 'ipv6' }, bytes }, 'bad-payload-proto');
});

test('RFC 6275 §11.7.3: a BA not from the home agent is dropped', () => {
  assertDroppedWithoutEffect(ba({ sequence: 32768, source: '2001:db8:1::2' }), 'unexpected-ack');
});

test('RFC 6275 §11.7.3: a BA whose Type 2 Routing Header names another home address is dropped', () => {
  assertDroppedWithoutEffect(ba({ sequence: 32768, routingAddress: '2001:db8:1::101' }), 'invalid-home-address');
});

test('RFC 6275 §11.7.3: a BA to the CoA without a Type 2 Routing Header is dropped', () => {
  assertDroppedWithoutEffect(ba({ sequence: 32768, routingAddress: null }), 'invalid-home-address');
});

test('RFC 6275 §11.7.3: a BA whose sequence does not match the last BU is dropped', () => {
  for (const s of [32767, 32769, 0, 65535]) assertDroppedWithoutEffect(ba({ sequence: s }), 'unexpected-ack');
  for (const status of [0, 129, 130]) {
    assertDroppedWithoutEffect(ba({ sequence: 1, status }), 'unexpected-ack');
  }
});

test('RFC 6275 §11.7.3: a BA when no BU is outstanding is dropped', () => {
  const w = new World();
  for (const status of [0, 128, 133, 135]) {
    assert.deepEqual(eventsOf(w.feed(ba({ sequence: 32768, status })), 'dropped').map((e) => e.reason), ['unexpected-ack']);
  }
  assert.equal(w.mn.nextDeadline(), undefined);
});

test('RFC 6275 §9.2: route-optimisation messages, BUs and unknown MH types are dropped', () => {
  const cookie = new Uint8Array(8);
  const msgs = [
    { type: 'home-test-init', homeInitCookie: cookie } as const,
    { type: 'binding-update', sequence: 32768, flags: 0xc000, lifetimeSeconds: 8 } as const,
    { type: 'unknown', mhType: 30, data: new Uint8Array(2) } as const,
  ];
  assertDroppedWithoutEffect(fromHa(msgs[0]), 'route-optimization-unsupported');
  assertDroppedWithoutEffect(fromHa(msgs[1]), 'route-optimization-unsupported');
  assertDroppedWithoutEffect(fromHa(msgs[2]), 'malformed');
});

const via = fc.oneof(
  fc.constant<ReceivedMh['via']>({ kind: 'ipv6' }),
  fc.constant<ReceivedMh['via']>({
    kind: 'udp4', source: HA4, sourcePort: HA_PORT, destination: COA4, destinationPort: MN_PORT,
  }),
);

test('conventions C5: random bytes never throw, only drop, and change no timer', () => {
  const w = new World();
  onlyBu(w.attach('eth0', COA6));
  const deadline = w.mn.nextDeadline();
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), via, (bytes, v) => {
    const out = w.feed({ kind: 'mh', via: v, bytes });
    assert.deepEqual(out.map((o) => (o.kind === 'event' ? o.event.type : o.kind)), ['dropped']);
    assert.equal(w.mn.nextDeadline(), deadline);
  }), { numRuns: 2000 });
});

test('conventions C5: mutated valid BAs, BRRs and BEs never throw', () => {
  const seeds = [
    ba({ sequence: 32768 }).bytes, ba({ sequence: 32768, to: COA4 }).bytes,
    fromHa({ type: 'binding-refresh-request' }).bytes,
    fromHa({ type: 'binding-error', status: 1, homeAddress: HOA }).bytes,
    ba({ sequence: 32768, options: [{ type: 'nat-detection', forceUdp: true, refreshTimeSeconds: 0 }] }).bytes,
  ];
  fc.assert(fc.property(
    fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
    fc.nat(), via,
    (which, flips, cut, v) => {
      const w = new World();
      onlyBu(w.attach('eth0', COA6));
      const b = seeds[which].slice(0, seeds[which].length - (cut % 4));
      for (const [at, x] of flips) if (b.length > 0) b[at % b.length] ^= x;
      w.feed({ kind: 'mh', via: v, bytes: b });
      w.advance(100_000);
    },
  ), { numRuns: 2000 });
});

type Action =
  | { readonly t: 'world'; readonly input: MnInput }
  | { readonly t: 'ba'; readonly status: number; readonly match: boolean; readonly v4: boolean }
  | { readonly t: 'brr' }
  | { readonly t: 'wait'; readonly ms: number };

const worldInput: fc.Arbitrary<MnInput> = fc.oneof(
  fc.record({ kind: fc.constant('link' as const), ifname: fc.constantFrom('eth0', 'wlan0'), up: fc.constantFrom(true, true, false) }),
  fc.record({
    kind: fc.constant('address' as const), ifname: fc.constantFrom('eth0', 'wlan0'),
    family: fc.constant(6 as const), address: fc.constantFrom(COA6, COA6B, HOME_SLAAC),
    prefixLength: fc.constant(64), present: fc.constantFrom(true, true, false),
  }),
  fc.record({
    kind: fc.constant('address' as const), ifname: fc.constantFrom('eth0', 'wlan0'),
    family: fc.constant(4 as const), address: fc.constantFrom(COA4), prefixLength: fc.constant(24),
    present: fc.constantFrom(true, true, false),
  }),
  fc.record({
    kind: fc.constant('default-router' as const), ifname: fc.constantFrom('eth0', 'wlan0'),
    family: fc.constantFrom(4 as const, 6 as const), address: fc.constant(''), present: fc.constantFrom(true, true, false),
  }).map((r) => ({ ...r, address: r.family === 6 ? ROUTER6 : ROUTER4 })),
);

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: worldInput.map((input) => ({ t: 'world' as const, input })) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('ba' as const), status: fc.constantFrom(0, 0, 0, 128, 129, 135, 140, 200),
      match: fc.constantFrom(true, true, false), v4: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'brr' as const }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 700_000 }) }) },
);

test('random runs: never throw; ≤ 3 BUs a second; consecutive sequence numbers; no busy timers', (t) => {
  const seen = new Map<string, number>();
  fc.assert(fc.property(fc.array(action, { minLength: 40, maxLength: 80 }), fc.integer(), (actions, seed) => {
    const w = new World(mnConfig({ ipv4HomeAddress: '0.0.0.0' }), new Xoshiro128(seed));
    const bus: { at: number; seq: number }[] = [];
    let lastSeq: number | undefined;
    let resync: number | undefined;
    let lastV4 = false;
    const record = (at: number, out: MnOutput[]): void => {
      for (const s of sends(out)) {
        const m = s.packet.mh.message;
        assert.ok(m.type === 'binding-update');
        const want = resync ?? (lastSeq === undefined ? undefined : seqNext(lastSeq));
        if (want !== undefined) assert.equal(m.sequence, want);
        resync = undefined;
        lastSeq = m.sequence;
        lastV4 = s.via.kind === 'udp4';
        bus.push({ at, seq: m.sequence });
      }
      assert.equal(events(out).filter((e) => e.type === 'bu-sent').length, sends(out).length);
      for (const e of events(out)) seen.set(e.type, (seen.get(e.type) ?? 0) + 1);
    };
    for (const a of actions) {
      if (a.t === 'world') record(w.now, w.feed(a.input));
      else if (a.t === 'brr') record(w.now, w.feed(fromHa({ type: 'binding-refresh-request' })));
      else if (a.t === 'ba') {
        const sequence = a.match && lastSeq !== undefined ? lastSeq : 7;
        const v4 = a.match ? lastV4 : a.v4;
        const out = w.feed(ba({ sequence, status: a.status, to: v4 ? COA4 : COA6 }));
        // An accepted 135 moves the next sequence number to the HA's + 1.
        if (a.status === 135 && eventsOf(out, 'dropped').length === 0) resync = seqNext(sequence);
        record(w.now, out);
      } else {
        for (const s of w.steps(a.ms)) {
          record(s.at, s.out);
          const d = w.mn.nextDeadline();
          assert.ok(d === undefined || d > s.at, `deadline ${d} not after onTimeout(${s.at})`);
        }
      }
    }
    for (const b of bus) {
      const n = bus.filter((c) => c.at >= b.at && c.at < b.at + 1000).length;
      assert.ok(n <= 3, `${n} BUs in the second from ${b.at}`);
    }
  }), { numRuns: 300 });
  t.diagnostic(JSON.stringify([...seen]));
  // The generator must reach the interesting states, or the invariants are checked on nothing.
  for (const type of ['registered', 'deregistered', 'at-home', 'registration-failed', 'care-of-changed']) {
    assert.ok((seen.get(type) ?? 0) > 0, `no ${type} event in any run`);
  }
});
