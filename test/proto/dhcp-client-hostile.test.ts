/**
 * DHCPv4 client against hostile input: wrong xid, random bytes, an OFFER without server id, an
 * ACK for another chaddr and the other checks change nothing, are counted by reason and never
 * throw; a random walk of inputs, server replies and time keeps the OS model consistent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { DhcpClient, DhcpClientOutput, DhcpDropReason } from '../../src/proto/dhcp-client.js';
import { isUnicast4 } from '../../src/proto/prefix.js';
import {
  dhcpMessageCodec, dhcpMessageType, encodedLengthDhcpMessage, type DhcpMessageType,
} from '../../src/wire/dhcpv4.js';
import { arbDhcpMessage } from '../fuzz/targets-dhcp.js';
import { encodeToBytes } from '../harness.js';
import {
  bind, events, MAC, makeClient, OFFERED, received, reply, SERVER, sent, type ReplySpec,
} from './dhcp-client-fixture.test.js';

const RUNS = 300;

/** A client in `state` and the xid it waits on (undefined when it waits for nothing). */
type Scenario = () => { c: DhcpClient; xid: number };
const SCENARIOS: Record<string, Scenario> = {
  idle: () => ({ c: makeClient(1), xid: 0 }),
  selecting: () => {
    const c = makeClient(2);
    return { c, xid: sent(c.handle(0, { kind: 'start' })).message.xid };
  },
  requesting: () => {
    const c = makeClient(3);
    const d = sent(c.handle(0, { kind: 'start' }));
    return { c, xid: sent(c.handle(0, received({ type: 'offer', xid: d.message.xid }))).message.xid };
  },
  rebooting: () => {
    const c = makeClient(4);
    const previous = { address: OFFERED, expiresAt: 1e9 };
    return { c, xid: sent(c.handle(0, { kind: 'start', previous })).message.xid };
  },
  bound: () => {
    const c = makeClient(5);
    bind(c, 0);
    return { c, xid: 0 };
  },
  renewing: () => {
    const c = makeClient(6);
    bind(c, 0);
    return { c, xid: sent(c.onTimeout(c.nextDeadline()!)).message.xid };
  },
  rebinding: () => {
    const c = makeClient(7);
    bind(c, 0);
    c.onTimeout(c.nextDeadline()!);
    return { c, xid: sent(c.onTimeout(0.875 * 3_600_000)).message.xid };
  },
};

function snapshot(c: DhcpClient): unknown {
  return { state: c.state, lease: c.lease, remembered: c.remembered, deadline: c.nextDeadline() };
}

/** Feeds `bytes` and checks that the only output is one drop event (with `reason` if given). */
function assertIgnored(c: DhcpClient, bytes: Uint8Array, reason?: DhcpDropReason): void {
  const before = snapshot(c);
  const counts = c.dropCounts();
  const out = c.handle(1, { kind: 'received', bytes });
  assert.equal(out.length, 1);
  const e = events(out)[0];
  assert.ok(e.type === 'dropped', `not dropped: ${JSON.stringify(e)}`);
  if (reason) assert.equal(e.reason, reason, e.detail);
  assert.equal(c.dropCounts()[e.reason], counts[e.reason] + 1);
  assert.deepEqual(snapshot(c), before);
}

const WAITING = ['selecting', 'requesting', 'rebooting', 'renewing', 'rebinding'];
const typeFor = (state: string): 'offer' | 'ack' => (state === 'selecting' ? 'offer' : 'ack');

test('random bytes change nothing in any state', () => {
  for (const [name, make] of Object.entries(SCENARIOS)) {
    const { c } = make();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 700, size: 'max' }),
      (b) => assertIgnored(c, b)), { numRuns: RUNS, seed: name.length });
  }
});

test('a reply with the wrong xid is dropped as wrong-xid (not-waiting if nothing is pending)', () => {
  for (const [name, make] of Object.entries(SCENARIOS)) {
    const { c, xid } = make();
    const waiting = WAITING.includes(name);
    const arb = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }),
      fc.constantFrom('offer' as const, 'ack' as const, 'nak' as const));
    fc.assert(fc.property(arb, ([x, type]) => {
      if (waiting && x === xid) return;
      assertIgnored(c, reply({ type, xid: x }), waiting ? 'wrong-xid' : 'not-waiting');
    }), { numRuns: 100, seed: 3 });
  }
});

test('each check names its reason: type, server id, op, client id, address, lease, server', () => {
  const cases: [string, (xid: number, state: string) => ReplySpec, DhcpDropReason][] = [
    ['offer or ack without option 54', (xid, s) => ({ type: typeFor(s), xid, serverId: null }),
      'no-server-id'],
    ['no option 53', (xid) => ({ type: undefined, xid }), 'no-message-type'],
    ['unknown message type', (xid) => ({ type: 99, xid }), 'unexpected-type'],
    ['a request echoed back', (xid, s) => ({ type: typeFor(s), xid, op: 'boot-request' }),
      'not-a-reply'],
    ['another client identifier', (xid, s) => ({ type: typeFor(s), xid,
      clientId: { identifierType: 1, identifier: Uint8Array.of(1, 2, 3) } }), 'wrong-client-id'],
    ['yiaddr 0.0.0.0', (xid, s) => ({ type: typeFor(s), xid, yiaddr: '0.0.0.0' }), 'bad-address'],
    ['yiaddr broadcast', (xid, s) => ({ type: typeFor(s), xid, yiaddr: '255.255.255.255' }),
      'bad-address'],
  ];
  for (const state of WAITING) {
    for (const [what, spec, reason] of cases) {
      const { c, xid } = SCENARIOS[state]();
      assert.doesNotThrow(() => assertIgnored(c, reply(spec(xid, state)), reason), `${state}: ${what}`);
    }
  }
  const ackOnly: [string, (xid: number) => ReplySpec, DhcpDropReason][] = [
    ['ACK without lease time', (xid) => ({ type: 'ack', xid, lease: null }), 'no-lease-time'],
    ['ACK with lease time 0', (xid) => ({ type: 'ack', xid, lease: 0 }), 'no-lease-time'],
    ['OFFER while waiting for an ACK', (xid) => ({ type: 'offer', xid }), 'unexpected-type'],
  ];
  for (const state of WAITING.slice(1)) {
    for (const [what, spec, reason] of ackOnly) {
      const { c, xid } = SCENARIOS[state]();
      assert.doesNotThrow(() => assertIgnored(c, reply(spec(xid)), reason), `${state}: ${what}`);
    }
  }
  for (const state of ['requesting', 'renewing']) {
    const { c, xid } = SCENARIOS[state]();
    assertIgnored(c, reply({ type: 'ack', xid, serverId: '192.168.77.9' }), 'wrong-server');
  }
});

test('an ACK or OFFER for another chaddr is dropped, for any other hardware address', () => {
  const arbOther = fc.uint8Array({ minLength: 1, maxLength: 16 })
    .filter((b) => !(b.length === MAC.length && b.every((v, i) => v === MAC[i])));
  for (const state of WAITING) {
    const { c, xid } = SCENARIOS[state]();
    fc.assert(fc.property(arbOther, (chaddr) => {
      assertIgnored(c, reply({ type: typeFor(state), xid, chaddr }), 'wrong-chaddr');
    }), { numRuns: 100, seed: 5 });
  }
});

test('any well-formed DHCP message with our xid and chaddr: no throw, sane outputs', () => {
  for (const state of WAITING) {
    const { xid } = SCENARIOS[state]();
    const arb = arbDhcpMessage.map((m) => ({ ...m, xid, chaddr: MAC,
      chaddrPadding: new Uint8Array(0) }));
    fc.assert(fc.property(arb, (m) => {
      const { c } = SCENARIOS[state]();
      const out = c.handle(1, { kind: 'received', bytes: encodeToBytes(dhcpMessageCodec, m) });
      for (const o of out) {
        if (o.kind === 'send') assert.doesNotThrow(() => encodedLengthDhcpMessage(o.message));
        if (o.kind === 'os' && o.op.op === 'address-set') assert.ok(isUnicast4(o.op.address));
      }
      const next = c.nextDeadline(); // BOUND may be due at once (lease 1 s) or never (infinite)
      if (c.state !== 'bound') assert.ok(next !== undefined && next > 1, `${state}: ${next}`);
    }), { numRuns: RUNS, seed: 12 });
  }
});

test('byte flips of a valid reply never throw', () => {
  for (const state of WAITING) {
    const valid = reply({ type: typeFor(state), xid: SCENARIOS[state]().xid });
    const arb = fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })),
      { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(arb, (flips) => {
      const b = valid.slice();
      for (const [i, v] of flips) b[i] = v;
      const { c } = SCENARIOS[state]();
      assert.doesNotThrow(() => c.handle(1, { kind: 'received', bytes: b }));
    }), { numRuns: RUNS, seed: 6 });
  }
});

// ---- Random walk: inputs, server replies (good and bad) and time, against an OS model ----

type Lease = { lease: number; t1?: number; t2?: number };
type Step =
  | { k: 'time'; ms: number } | { k: 'tick' } | { k: 'start' } | { k: 'stop' } | { k: 'release' }
  | { k: 'conflict'; mine: boolean }
  /** The server answers the last message sent as a server would (OFFER, or ACK/NAK). */
  | ({ k: 'serve'; nak: boolean; yiaddr: string } & Lease)
  | { k: 'reply'; type: 'offer' | 'ack' | 'nak'; goodXid: boolean; yiaddr: string;
    lease: number | null; t1?: number; t2?: number; serverId: string | null };

const LEASES = [1, 30, 600, 3600, 0xffffffff];
const arbTimes = {
  t1: fc.option(fc.nat(4000), { nil: undefined }), t2: fc.option(fc.nat(4000), { nil: undefined }),
};
const arbYiaddr = fc.constantFrom(OFFERED, '192.168.77.121');
const arbStep: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('serve' as const),
    nak: fc.nat(9).map((n) => n < 1), yiaddr: arbYiaddr, lease: fc.constantFrom(...LEASES),
    ...arbTimes }, { requiredKeys: ['k', 'nak', 'yiaddr', 'lease'] }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('time' as const), ms: fc.oneof(
    fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 4_000_000 })) }) },
  { weight: 3, arbitrary: fc.constant<Step>({ k: 'tick' }) },
  { weight: 2, arbitrary: fc.constant<Step>({ k: 'start' }) },
  { weight: 1, arbitrary: fc.constantFrom<Step>({ k: 'stop' }, { k: 'release' }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('conflict' as const), mine: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({
    k: fc.constant('reply' as const), type: fc.constantFrom('offer' as const, 'ack' as const,
      'nak' as const), goodXid: fc.boolean(), yiaddr: arbYiaddr,
    lease: fc.constantFrom(null, 0, ...LEASES), ...arbTimes,
    serverId: fc.constantFrom(SERVER, '192.168.77.2', null),
  }, { requiredKeys: ['k', 'type', 'goodXid', 'yiaddr', 'lease', 'serverId'] }) },
);

class OsModel {
  readonly addresses = new Set<string>();
  readonly routes = new Set<string>();
  apply(out: readonly DhcpClientOutput[]): void {
    for (const o of out) {
      if (o.kind === 'send') {
        assert.doesNotThrow(() => encodedLengthDhcpMessage(o.message));
        assert.deepEqual([o.udp.sourcePort, o.udp.destinationPort], [68, 67]);
        const t = dhcpMessageType(o.message);
        if (t === 'discover' || t === 'request') {
          assert.equal(o.message.broadcast, o.udp.source === '0.0.0.0', 'BROADCAST flag');
        }
      }
      if (o.kind !== 'os') continue;
      const op = o.op;
      if (op.op === 'address-set') this.addresses.add(op.address);
      if (op.op === 'address-clear') assert.ok(this.addresses.delete(op.address), 'clear unknown');
      if (op.op === 'default-route-set') this.routes.add(op.gateway);
      if (op.op === 'default-route-clear') assert.ok(this.routes.delete(op.gateway));
    }
  }
  check(c: DhcpClient): void {
    assert.deepEqual([...this.addresses], c.lease ? [c.lease.address] : []);
    assert.deepEqual([...this.routes], c.lease?.routers.slice(0, 1) ?? []);
  }
}

/** Runs the steps against a new client; counts events (type:reason/via) in `seen`. */
function walk(seed: number, steps: readonly Step[], seen: Map<string, number>): void {
  const c = makeClient(seed);
  const os = new OsModel();
  let now = 0;
  let xid = 0;
  let last: DhcpMessageType | undefined;
  const run = (out: DhcpClientOutput[]): void => {
    os.apply(out);
    for (const o of out) {
      if (o.kind === 'send') [xid, last] = [o.message.xid, dhcpMessageType(o.message)];
      if (o.kind !== 'event') continue;
      const e = o.event;
      const key = [e.type, 'reason' in e ? e.reason : '', 'via' in e ? e.via : ''].join(':');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    os.check(c);
  };
  for (const s of steps) {
    if (s.k === 'time' || s.k === 'tick') {
      const until = s.k === 'time' ? now + s.ms : c.nextDeadline() ?? now;
      for (let d = c.nextDeadline(); d !== undefined && d <= until; d = c.nextDeadline()) {
        now = Math.max(now, d);
        run(c.onTimeout(now));
        const next = c.nextDeadline();
        assert.ok(next === undefined || next > now, `deadline ${next} not after ${now}`);
      }
      now = Math.max(now, until);
    } else if (s.k === 'serve') {
      const { k: _k, nak, ...spec } = s;
      const type = last === 'discover' ? 'offer' : nak ? 'nak' : 'ack';
      if (last === 'discover' || last === 'request') {
        run(c.handle(now, received({ ...spec, type, xid })));
      }
    } else if (s.k === 'reply') {
      const { k: _k, goodXid, ...spec } = s;
      run(c.handle(now, received({ ...spec, xid: goodXid ? xid : (xid + 1) >>> 0 })));
    } else if (s.k === 'conflict') {
      const address = s.mine ? c.lease?.address ?? OFFERED : '10.9.9.9';
      run(c.handle(now, { kind: 'address-conflict', address }));
    } else {
      run(c.handle(now, { kind: s.k }));
    }
  }
}

test('random walk: never throws, OS model matches the lease, deadlines move forward', () => {
  const seen = new Map<string, number>();
  const arbSteps = fc.array(arbStep, { maxLength: 80, size: 'max' });
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), arbSteps,
    (seed, steps) => walk(seed, steps, seen)), { numRuns: 1000, seed: 8 });
  const want = ['bound::requesting', 'bound::rebooting', 'renewed::renewing', 'renewed::rebinding',
    'lost:expired:', 'lost:nak:', 'lost:stopped:', 'lost:released:', 'lost:declined:',
    'lost:replaced:', 'nak::', 'no-reply::', 'declined::', 'dropped:wrong-xid:'];
  const missing = want.filter((k) => !seen.has(k));
  assert.deepEqual(missing, [], `walk coverage: ${JSON.stringify([...seen].sort())}`);
});
