/**
 * The rtnetlink client over a scripted NetlinkTransport: sequence numbers, ACKs, kernel errors
 * as typed results (errno names, exists / absent classes, extended-ACK text), stray replies,
 * missing replies, malformed replies, transport failures, multi-datagram dumps (the captured
 * kernel route dump), interrupted dumps; and the event parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import { encodeRtnlMessageBytes, type NlHeader, type RtnlBody } from '../../src/os/netlink/message.js';
import {
  RtnlClient, alreadyExists, doesNotExist, isPlainAck, type NetlinkTransport,
} from '../../src/os/netlink/rtnl.js';
import { errnoCondition, errnoName } from '../../src/os/netlink/errno.js';
import { parseEvents } from '../../src/os/netlink/events.js';
import * as rq from '../../src/os/netlink/requests.js';
import { NLM_F_DUMP_INTR, NLM_F_MULTI } from '../../src/os/netlink/constants.js';
import { endsExchange, requestSeq } from '../../src/os/netlink/exchange.js';
import { CAPTURED } from './netlink-vectors.js';
import { REQUESTS } from './netlink-request-vectors.js';

function msg(header: Partial<NlHeader> & { type: number; seq: number }, body: RtnlBody): Uint8Array {
  return encodeRtnlMessageBytes({ header: { flags: 0, pid: 77, ...header }, body });
}

function ack(seq: number, error = 0, trailer: Uint8Array = new Uint8Array(0), flags = 0x100): Uint8Array {
  const request = { length: 16, type: 0, flags: 0, seq, pid: 0 };
  return msg({ type: 2, seq, flags }, { kind: 'error', error, request, trailer });
}

function done(seq: number, error = 0): Uint8Array {
  return msg({ type: 3, seq, flags: NLM_F_MULTI }, { kind: 'done', error, trailer: new Uint8Array(0) });
}

/** Answers each request with `script(seq)`; records what was sent. */
class Scripted implements NetlinkTransport {
  readonly sent: Uint8Array[] = [];
  constructor(private readonly script: (seq: number) => Uint8Array[]) {}
  request(message: Uint8Array): Uint8Array[] {
    this.sent.push(message);
    return this.script(new DataView(message.buffer, message.byteOffset).getUint32(8, true));
  }
}

test('requests carry increasing sequence numbers, wrapping past 0', () => {
  const t = new Scripted((seq) => [ack(seq)]);
  const c = new RtnlClient(t, { initialSeq: 0xfffffffe });
  assert.deepEqual(c.setLinkUp(3), { ok: true, value: undefined });
  assert.ok(c.setLinkDown(3).ok);
  assert.ok(c.setMtu(3, 1280).ok);
  assert.deepEqual(t.sent.map((b) => new DataView(b.buffer).getUint32(8, true)), [0xfffffffe, 0xffffffff, 1]);
  assert.equal(c.nextSeq, 2);
});

test('the client sends exactly the request vectors', () => {
  const t = new Scripted((seq) => [ack(seq)]);
  const byName = new Map(REQUESTS.map((v) => [v.name, toHex(v.bytes)]));
  assert.ok(new RtnlClient(t, { initialSeq: 7 }).addRoute({ dst: '2001:db8:5::/64', oif: 4, table: 1000, metric: 7 }).ok);
  assert.ok(new RtnlClient(t, { initialSeq: 9 }).addRule({ from: '2001:db8:1::/64', table: 1000, priority: 100 }).ok);
  assert.ok(new RtnlClient(t, { initialSeq: 10 }).addProxyNeighbour({ index: 4, address: '2001:db8:1::55' }).ok);
  assert.deepEqual(t.sent.map(toHex), [
    byName.get('addRoute 2001:db8:5::/64 dev 4 table 1000 metric 7'),
    byName.get('addRule from 2001:db8:1::/64 lookup 1000 priority 100'),
    byName.get('addProxyNeighbour 2001:db8:1::55 dev 4'),
  ]);
});

test('kernel errors are typed results naming the operation and errno', () => {
  const extack = fromHex('0900' + '0100' + '73746f7000' + '000000') as Uint8Array; // NLMSGERR_ATTR_MSG "stop"
  const codes = [-17, -3, -99, -2, -19, -22, -200];
  let i = 0;
  const t = new Scripted((seq) => [i === 5 ? ack(seq, codes[i++], extack, 0x300) : ack(seq, codes[i++])]);
  const c = new RtnlClient(t);
  const results = [
    c.addRoute({ dst: '10.0.0.0/8', oif: 2 }), c.delRoute({ dst: '10.0.0.0/8' }),
    c.delAddress({ index: 2, address: '10.0.0.1', prefixLength: 8 }),
    c.delRule({ from: '10.0.0.0/8', table: 9 }), c.getLink('nope'), c.setMtu('t0', 10), c.setLinkUp(1),
  ];
  const brief = results.map((r) => (r.ok ? 'ok' : `${r.error.kind} ${r.error.op} ${r.error.kind === 'kernel'
    ? `${r.error.name} ${r.error.condition}` : ''}`));
  assert.deepEqual(brief, [
    'kernel addRoute EEXIST exists', 'kernel delRoute ESRCH absent', 'kernel delAddress EADDRNOTAVAIL absent',
    'kernel delRule ENOENT absent', 'kernel getLink ENODEV absent', 'kernel setMtu EINVAL other',
    'kernel setLinkUp E200 other',
  ]);
  const first = results[0];
  assert.ok(!first.ok && alreadyExists(first.error) && !doesNotExist(first.error));
  assert.ok(!first.ok && first.error.text === 'addRoute 10.0.0.0/8 dev 2: EEXIST (File exists)', !first.ok ? first.error.text : '');
  const mtu = results[5];
  assert.ok(!mtu.ok && mtu.error.kind === 'kernel' && mtu.error.extack === 'stop', JSON.stringify(mtu));
  assert.ok(!mtu.ok && mtu.error.text === 'setMtu t0 mtu 10: EINVAL (Invalid argument): stop');
});

test('errno names agree with the host; conditions classify idempotent cases', () => {
  for (const [name, n] of Object.entries(constants.errno)) {
    const ours = errnoName(n);
    if (!ours.startsWith('E') || /^E\d+$/.test(ours)) continue;
    if (name === 'ENOTSUP' || name === 'EWOULDBLOCK' || name === 'EDEADLOCK') continue;
    assert.equal(ours, name, `errno ${n}`);
  }
  assert.equal(errnoName(-17), 'EEXIST');
  assert.deepEqual([17, 2, 3, 99, 19, 22].map(errnoCondition), ['exists', 'absent', 'absent', 'absent', 'absent', 'other']);
});

test('stray replies are skipped; missing, malformed and failing replies are typed results', () => {
  const stale = new Scripted((seq) => [ack(seq - 1, -17), ack(seq)]);
  assert.ok(new RtnlClient(stale, { initialSeq: 5 }).setLinkUp(1).ok);
  const silent = new RtnlClient(new Scripted((seq) => [ack(seq + 1)]));
  const r1 = silent.setLinkUp(1);
  assert.ok(!r1.ok && r1.error.kind === 'no-reply');
  const garbage = new RtnlClient(new Scripted(() => [Uint8Array.of(0x20, 0, 0, 0, 2, 0)]));
  const r2 = garbage.getLinks();
  assert.ok(!r2.ok && r2.error.kind === 'malformed' && r2.error.wire.kind === 'truncated' && r2.error.wire.offset === 0);
  const broken = new RtnlClient({ request: () => { throw new Error('ENOBUFS'); } });
  const r3 = broken.addAddress({ index: 1, address: '::1', prefixLength: 128 });
  assert.ok(!r3.ok && r3.error.kind === 'transport' && r3.error.text.includes('ENOBUFS'));
  const noLink = new RtnlClient(new Scripted((seq) => [ack(seq)]));
  const r4 = noLink.getLink(3);
  assert.ok(!r4.ok && r4.error.kind === 'no-reply');
});

test('a dump over several datagrams: the captured kernel route dump, filtered by table', () => {
  const datagrams = CAPTURED.getroute6.map((h) => fromHex(h) as Uint8Array);
  const t = new Scripted(() => datagrams);
  const c = new RtnlClient(t, { initialSeq: 103 });
  const r = c.getRoutes(1000, 6);
  assert.ok(r.ok);
  assert.deepEqual(r.value, [{ family: 6, dst: '2001:db8:5::/64', table: 1000, protocol: 3, scope: 0, type: 1, oif: 4, metric: 7 }]);
  assert.equal(toHex(t.sent[0]), toHex(encodeRtnlMessageBytes(rq.getRoutesRequest(103, 6))));
  const all = new RtnlClient(new Scripted(() => datagrams), { initialSeq: 103 }).getRoutes();
  assert.ok(all.ok && all.value.length === 16);
});

test('interrupted dumps and errors in NLMSG_DONE', () => {
  const route = rq.getRoutesRequest(0, 6).body;
  const intr = new Scripted((seq) => [msg({ type: 24, seq, flags: NLM_F_MULTI | NLM_F_DUMP_INTR }, route), done(seq)]);
  const r1 = new RtnlClient(intr).getRoutes();
  assert.ok(!r1.ok && r1.error.kind === 'interrupted');
  const failing = new Scripted((seq) => [done(seq, -105)]);
  const r2 = new RtnlClient(failing).getAddresses();
  assert.ok(!r2.ok && r2.error.kind === 'kernel' && r2.error.name === 'ENOBUFS');
});

test('events: link, address and route notifications become typed events', () => {
  const link = {
    kind: 'link',
    link: { family: 0, type: 65534, index: 4, flags: 0x11, change: 0, name: 't0', mtu: 1400, operstate: 6, unknown: [] },
  } as const;
  const addr = {
    kind: 'address',
    address: { family: 10, prefixLength: 64, flags: 0x40, scope: 0, index: 4, address: '2001:db8::1', unknown: [] },
  } as const;
  const route = {
    kind: 'route',
    route: {
      family: 2, dstLength: 24, srcLength: 0, tos: 0, table: 100, protocol: 4, scope: 253, type: 1, flags: 0,
      dst: '10.1.2.0', oif: 4, unknown: [],
    },
  } as const;
  const d = new Uint8Array([
    ...msg({ type: 16, seq: 0 }, link), ...msg({ type: 20, seq: 0 }, addr), ...msg({ type: 25, seq: 0 }, route),
    ...msg({ type: 36, seq: 0 }, { kind: 'raw', payload: Uint8Array.of(1, 2, 3, 4) }),
  ]);
  const { events, errors } = parseEvents(d);
  assert.deepEqual(errors, []);
  assert.deepStrictEqual(events, [
    {
      kind: 'link', op: 'new',
      link: {
        index: 4, name: 't0', flags: 0x11, up: true, running: false, lowerUp: false, operState: 'up',
        type: 65534, mtu: 1400,
      },
    },
    {
      kind: 'address', op: 'new',
      address: {
        family: 6, index: 4, address: '2001:db8::1', prefixLength: 64, scope: 0, flags: 0x40,
        flagNames: ['tentative'],
      },
    },
    {
      kind: 'route', op: 'del',
      route: { family: 4, dst: '10.1.2.0/24', table: 100, protocol: 4, scope: 253, type: 1, oif: 4 },
    },
    { kind: 'other', type: 36 },
  ]);
});

test('events: a bad body is reported and skipped, broken framing stops the datagram', () => {
  const good = CAPTURED.getproxy6.map((h) => fromHex(h) as Uint8Array)[0];
  const badBody = fromHex('14000000140000000000000000000000' + '0a400000') as Uint8Array; // ifaddrmsg cut short
  const r = parseEvents(new Uint8Array([...badBody, ...good]));
  assert.equal(r.errors.length, 1);
  assert.deepEqual([r.errors[0].kind, r.errors[0].offset], ['truncated', 16]);
  assert.deepEqual(r.events.map((e) => e.kind), ['neigh', 'other']);
  const framing = parseEvents(new Uint8Array([...good.subarray(0, 48), 0x08, 0, 0, 0]));
  assert.deepEqual(framing.events.map((e) => e.kind), ['neigh']);
  assert.deepEqual([framing.errors[0].kind, framing.errors[0].offset], ['truncated', 48]);
});

test('transport helpers: the request sequence and the datagram that ends an exchange', () => {
  assert.equal(requestSeq(encodeRtnlMessageBytes(rq.getRoutesRequest(103, 6))), 103);
  assert.equal(requestSeq(new Uint8Array(15)), undefined);
  const [dump, last] = CAPTURED.getroute6.map((h) => fromHex(h) as Uint8Array);
  assert.deepEqual([endsExchange(dump, 103), endsExchange(last, 103), endsExchange(last, 104)], [false, true, false]);
  assert.equal(endsExchange(ack(9), 9), true);
  assert.equal(endsExchange(Uint8Array.of(0x20, 0, 0, 0), 9), true, 'broken framing ends it');
  assert.equal(endsExchange(new Uint8Array(0), 9), false);
});

test('a change answered by one datagram: only an exact ACK of success for the request is taken as done', () => {
  const spec = { dst: '2001:db8:1::5', oif: 3 };
  const run = (reply: (seq: number) => Uint8Array[]) => new RtnlClient(new Scripted(reply), { initialSeq: 40 })
    .replaceRoute(spec);
  assert.deepEqual(run((seq) => [ack(seq)]), { ok: true, value: undefined });
  const failed = run((seq) => [ack(seq, -19)]);
  assert.ok(!failed.ok && failed.error.kind === 'kernel' && failed.error.name === 'ENODEV', JSON.stringify(failed));
  assert.ok(!failed.ok && failed.error.text.startsWith('replaceRoute 2001:db8:1::5'), 'the detail is in the text');
  const other = run((seq) => [ack(seq + 1)]);
  assert.ok(!other.ok && other.error.kind === 'no-reply', 'an ACK for another request is not ours');
  const two = run((seq) => [new Uint8Array([...ack(seq - 1, -17), ...ack(seq)])]);
  assert.ok(two.ok, 'a stale error before our ACK in one datagram: decoded in full, our ACK found');
  const staleFirst = run((seq) => [new Uint8Array([...ack(seq), ...ack(seq, -17)])]);
  assert.ok(staleFirst.ok, 'the first answer for the sequence decides');
});

test('the plain-ACK test itself: exactly one NLMSG_ERROR, error 0, our sequence, nothing after it', () => {
  assert.equal(isPlainAck(ack(9), 9), true);
  assert.equal(isPlainAck(ack(9), 10), false, 'another sequence');
  assert.equal(isPlainAck(ack(9, -17), 9), false, 'an error');
  assert.equal(isPlainAck(new Uint8Array([...ack(9), ...ack(10)]), 9), false, 'a second message follows');
  assert.equal(isPlainAck(ack(9).subarray(0, 30), 9), false, 'short');
  assert.equal(isPlainAck(done(9), 9), false, 'NLMSG_DONE is not an ACK');
});
