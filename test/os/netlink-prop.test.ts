/**
 * rtnetlink codec properties (conventions C9/C10): decode(encode(x)) = x for generated messages
 * of every kind (also at an offset in a dirty buffer), every truncation of an encoding fails
 * with an offset in range, and random bytes never make a decoder throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toHex } from '../../src/wire/bytes.js';
import {
  decodeDatagram, decodeRtnlMessage, encodeRtnlMessage, encodedLengthRtnlMessage, extendedAck,
  type RtnlMessage,
} from '../../src/os/netlink/message.js';
import { decodeAttrs } from '../../src/os/netlink/attr.js';
import { decodeAddress } from '../../src/os/netlink/address.js';
import { decodeLink } from '../../src/os/netlink/link.js';
import { decodeNeigh } from '../../src/os/netlink/neigh.js';
import { decodeRoute } from '../../src/os/netlink/route.js';
import { decodeRule } from '../../src/os/netlink/rule.js';
import { parseEvents } from '../../src/os/netlink/events.js';
import { checkRoundTrip, checkTruncations, type Codec } from '../harness.js';
import { rtnlMessage } from './netlink-arbitraries.js';

const RUNS = 3000;

const messageCodec: Codec<RtnlMessage> = {
  name: 'rtnl message',
  encodedLength: encodedLengthRtnlMessage,
  encode: encodeRtnlMessage,
  decode: decodeRtnlMessage,
};

test('decode(encode(x)) = x for every message kind', () => {
  const kinds = new Set<string>();
  fc.assert(fc.property(rtnlMessage, (m) => {
    kinds.add(m.body.kind);
    checkRoundTrip(messageCodec, m);
  }), { numRuns: RUNS });
  assert.deepEqual([...kinds].sort(), ['address', 'done', 'error', 'link', 'neigh', 'raw', 'route', 'rule']);
});

test('a datagram of several messages decodes to the same messages', () => {
  fc.assert(fc.property(fc.array(rtnlMessage, { minLength: 1, maxLength: 5 }), (ms) => {
    const parts = ms.map((m) => {
      const b = new Uint8Array(encodedLengthRtnlMessage(m));
      encodeRtnlMessage(m, b, 0);
      return b;
    });
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) { all.set(p, off); off += p.length; }
    const r = decodeDatagram(all);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    assert.deepStrictEqual(r.value, structuredClone(ms));
  }), { numRuns: 500 });
});

test('every truncation of an encoded message fails, with an offset in range', () => {
  fc.assert(fc.property(rtnlMessage, (m) => {
    const b = new Uint8Array(encodedLengthRtnlMessage(m));
    encodeRtnlMessage(m, b, 0);
    // nlmsg_len excludes the final padding, which a decoder may do without.
    const length = new DataView(b.buffer).getUint32(0, true);
    checkTruncations(messageCodec, b.subarray(0, length));
  }), { numRuns: 300 });
});

function noThrow(name: string, f: () => unknown, b: Uint8Array): void {
  try {
    f();
  } catch (e) {
    assert.fail(`${name} threw on ${toHex(b)}: ${String(e)}`);
  }
}

test('random bytes never make a decoder throw', () => {
  const decoders: Array<[string, (b: Uint8Array) => unknown]> = [
    ['datagram', (b) => decodeDatagram(b)],
    ['events', (b) => parseEvents(b)],
    ['attrs', (b) => decodeAttrs(b, 0, b.length)],
    ['link', (b) => decodeLink(b, 0, b.length)],
    ['address', (b) => decodeAddress(b, 0, b.length)],
    ['route', (b) => decodeRoute(b, 0, b.length)],
    ['rule', (b) => decodeRule(b, 0, b.length)],
    ['neigh', (b) => decodeNeigh(b, 0, b.length)],
    ['extack', (b) => {
      const m = decodeRtnlMessage(b, 0, b.length);
      return m.ok ? extendedAck({ ...m.value.header, flags: 0x200 }, m.value.body) : undefined;
    }],
  ];
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
    for (const [name, f] of decoders) noThrow(name, () => f(b), b);
  }), { numRuns: RUNS });
});

test('mutated valid messages decode or fail with an offset inside the buffer', () => {
  const mutated = rtnlMessage.chain((m) => {
    const b = new Uint8Array(encodedLengthRtnlMessage(m));
    encodeRtnlMessage(m, b, 0);
    return fc.tuple(fc.constant(b), fc.nat({ max: b.length - 1 }), fc.integer({ min: 0, max: 255 }));
  });
  fc.assert(fc.property(mutated, ([b, at, value]) => {
    const c = b.slice();
    c[at] = value;
    const r = decodeDatagram(c);
    if (!r.ok) assert.ok(r.error.offset >= 0 && r.error.offset <= c.length, JSON.stringify(r.error));
    const e = parseEvents(c);
    assert.ok(e.events.length + e.errors.length >= 1);
  }), { numRuns: RUNS });
});
