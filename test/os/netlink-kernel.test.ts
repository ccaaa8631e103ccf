/**
 * The codec against the real kernel: replies captured from this machine's kernel
 * (netlink-vectors.ts) decode to the values `ip` showed; the kernel's echo of requests packed
 * by hand in Python equals what this codec encodes; and (as root) every hand-built request
 * vector is sent to the kernel in a throwaway namespace and must be ACKed, with the effect
 * checked through `ip -json`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import {
  decodeDatagram, encodeRtnlMessageBytes, extendedAck, type RtnlMessage,
} from '../../src/os/netlink/message.js';
import * as rq from '../../src/os/netlink/requests.js';
import { addressInfo, linkInfo, neighInfo, routeInfo, ruleInfo } from '../../src/os/netlink/views.js';
import { NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_MULTI } from '../../src/os/netlink/constants.js';
import { CAPTURED } from './netlink-vectors.js';
import { REQUESTS } from './netlink-request-vectors.js';
import { TestNetns, liveSkipReason } from './netlink-netns.js';

function messages(name: string): RtnlMessage[] {
  const out: RtnlMessage[] = [];
  for (const h of CAPTURED[name]) {
    const r = decodeDatagram(fromHex(h) as Uint8Array);
    assert.ok(r.ok, `${name}: ${JSON.stringify(!r.ok && r.error)}`);
    out.push(...r.value);
  }
  return out;
}

test('captured RTM_GETLINK reply: t0 with its MTU, flags and state, then the ACK', () => {
  const [link, ack] = messages('getlink');
  assert.ok(link.body.kind === 'link');
  if (link.body.kind !== 'link') return;
  assert.deepStrictEqual(linkInfo(link.body.link), {
    index: 4, name: 't0', flags: 0x1091, up: true, running: false, lowerUp: false,
    operState: 'down', type: 65534, mtu: 1400,
  });
  assert.equal(link.body.link.unknown.length, 34);
  assert.equal(link.header.seq, 101);
  assert.ok(ack.body.kind === 'error' && ack.body.error === 0);
  assert.equal(ack.header.flags & NLM_F_CAPPED, NLM_F_CAPPED);
  const mine = encodeRtnlMessageBytes(rq.getLinkRequest(101, 't0'));
  if (ack.body.kind === 'error') {
    assert.deepStrictEqual(ack.body.request, { length: mine.length, type: 18, flags: 5, seq: 101, pid: 0 });
  }
});

test('captured address dump: tentative, dadfailed, nodad, labels, lifetimes', () => {
  const ms = messages('getaddr');
  assert.equal(ms.at(-1)?.body.kind, 'done');
  const infos = ms.flatMap((m) => (m.body.kind === 'address' ? [addressInfo(m.body.address)] : []));
  const brief = infos.map((a) => `${a?.index} ${a?.address}/${a?.prefixLength} ${a?.flagNames.join(',')}`);
  assert.deepEqual(brief, [
    '1 127.0.0.1/8 permanent', '4 192.0.2.1/24 permanent', '1 ::1/128 permanent',
    '2 2001:db8:3::1/64 nodad,permanent', '2 fe80::ff:fe00:2/64 permanent',
    '3 2001:db8:2::1/64 tentative,permanent', '3 2001:db8:3::1/64 dadfailed,tentative,permanent',
    '3 fe80::ff:fe00:1/64 permanent', '4 2001:db8:1::1/64 nodad,permanent',
  ]);
  assert.equal(infos[1]?.label, 't0');
  assert.equal(infos[1]?.scope, 0);
  assert.equal(infos[0]?.scope, 254);
  assert.equal(infos[6]?.validLifetime, 0xffffffff);
  assert.ok(ms.every((m) => m.header.flags === NLM_F_MULTI && m.header.seq === 102));
});

test('captured route dumps: table 1000 through RTA_TABLE, gateway, metric, prefsrc', () => {
  const six = messages('getroute6').flatMap((m) => (m.body.kind === 'route' ? [m.body.route] : []));
  assert.equal(six.length, 16);
  const t1000 = six.find((r) => r.tableId === 1000);
  assert.ok(t1000);
  assert.equal(t1000.table, 252, 'rtm_table is RT_TABLE_COMPAT for ids above 255');
  assert.deepStrictEqual(routeInfo(t1000), {
    family: 6, dst: '2001:db8:5::/64', table: 1000, protocol: 3, scope: 0, type: 1, oif: 4, metric: 7,
  });
  assert.deepStrictEqual(routeInfo(six[0]), {
    family: 6, dst: '2001:db8:6::/48', table: 100, protocol: 3, scope: 0, type: 1, oif: 4,
    gateway: '2001:db8:1::99', metric: 1024,
  });
  const four = messages('getroute4').flatMap((m) => (m.body.kind === 'route' ? [routeInfo(m.body.route)] : []));
  assert.deepStrictEqual(four[0], {
    family: 4, dst: '198.51.100.0/24', table: 100, protocol: 3, scope: 253, type: 1, oif: 4,
    prefsrc: '192.0.2.1',
  });
  assert.deepEqual(four.map((r) => r?.dst), ['198.51.100.0/24', '192.0.2.0/24', '127.0.0.0/8',
    '127.0.0.1/32', '127.255.255.255/32', '192.0.2.1/32', '192.0.2.255/32']);
});

test('captured rule and proxy-neighbour dumps', () => {
  const rules = messages('getrule6').flatMap((m) => (m.body.kind === 'rule' ? [ruleInfo(m.body.rule)] : []));
  assert.deepStrictEqual(rules, [
    { family: 6, table: 255, priority: 0, action: 1 },
    { family: 6, table: 1000, priority: 100, action: 1, from: '2001:db8:1::/64' },
    { family: 6, table: 254, priority: 32766, action: 1 },
  ]);
  const proxies = messages('getproxy6').flatMap((m) => (m.body.kind === 'neigh' ? [neighInfo(m.body.neigh)] : []));
  assert.deepStrictEqual(proxies, [
    { family: 6, index: 4, address: '2001:db8:1::55', state: 0, flags: 8, proxy: true },
  ]);
});

test('the kernel echoes our encoding of requests packed by hand in Python', () => {
  const [rule] = messages('rule_eexist');
  assert.ok(rule.body.kind === 'error' && rule.body.error === -17);
  const myRule = encodeRtnlMessageBytes(rq.ruleRequest(107, true, { from: '2001:db8:1::/64', table: 1000, priority: 100 }));
  if (rule.body.kind === 'error') {
    assert.equal(rule.body.request.length, myRule.length);
    assert.equal(toHex(rule.body.trailer), toHex(myRule.subarray(16)));
  }
  assert.equal(extendedAck(rule.header, rule.body), undefined);
  const [addr] = messages('addr_eexist_extack');
  const myAddr = encodeRtnlMessageBytes(rq.addressRequest(108, true,
    { index: 4, address: '2001:db8:1::1', prefixLength: 64, nodad: true }));
  assert.ok(addr.body.kind === 'error' && addr.body.error === -17);
  assert.equal(addr.header.flags & NLM_F_ACK_TLVS, NLM_F_ACK_TLVS);
  if (addr.body.kind === 'error') assert.equal(toHex(addr.body.trailer.subarray(0, myAddr.length - 16)), toHex(myAddr.subarray(16)));
  assert.deepStrictEqual(extendedAck(addr.header, addr.body), { message: 'ipv6: address already assigned' });
  const [ack] = messages('setmtu_ack');
  const myMtu = encodeRtnlMessageBytes(rq.setMtuRequest(109, 4, 1400));
  assert.ok(ack.body.kind === 'error' && ack.body.error === 0 && ack.body.request.length === myMtu.length);
});

test('decode(encode(decode(kernel bytes))) = decode(kernel bytes)', () => {
  for (const name of Object.keys(CAPTURED)) {
    for (const m of messages(name)) {
      const again = decodeDatagram(encodeRtnlMessageBytes(m));
      assert.ok(again.ok, name);
      assert.deepStrictEqual(again.value, [m], name);
    }
  }
});

test('every truncation of a captured datagram fails or ends on a message boundary', () => {
  let prefixes = 0;
  for (const name of Object.keys(CAPTURED)) {
    for (const h of CAPTURED[name]) {
      const b = fromHex(h) as Uint8Array;
      const ends = new Set<number>([0]);
      for (let p = 0; p < b.length;) {
        p += (new DataView(b.buffer, b.byteOffset + p).getUint32(0, true) + 3) & ~3;
        ends.add(p);
      }
      for (let len = 0; len < b.length; len++, prefixes++) {
        const r = decodeDatagram(b.subarray(0, len));
        if (r.ok) assert.ok(ends.has(len), `${name}: prefix ${len} decoded`);
        else assert.ok(r.error.offset >= 0 && r.error.offset <= len, `${name}: offset ${r.error.offset}`);
      }
    }
  }
  assert.equal(prefixes, 5104, "bytes in all captured datagrams");
});

test('live: every hand-built request vector is ACKed by the kernel', (t) => {
  const skip = liveSkipReason();
  if (skip) { t.skip(skip); return; }
  const ns = new TestNetns();
  try {
    ns.ip('link', 'set', 'lo', 'up');
    ns.ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    ns.ip('tuntap', 'add', 'dev', 't0', 'mode', 'tun');
    const names = ns.ipJson<Array<{ ifindex: number; ifname: string }>>('link', 'show').map((l) => `${l.ifindex}:${l.ifname}`);
    assert.deepEqual(names, ['1:lo', '2:v1', '3:v0', '4:t0'], 'the vectors assume these indexes');
    ns.ip('link', 'set', 'v1', 'up');
    ns.ip('link', 'set', 't0', 'up');
    ns.ip('addr', 'add', '192.0.2.1/24', 'dev', 't0');
    ns.ip('route', 'add', '198.51.100.0/24', 'dev', 't0', 'table', '100');
    const transport = ns.transport();
    for (const v of REQUESTS) {
      const replies = transport.request(v.bytes).flatMap((d) => {
        const r = decodeDatagram(d);
        assert.ok(r.ok, v.name);
        return r.value;
      });
      const last = replies.at(-1);
      assert.ok(last && (last.body.kind === 'error' || last.body.kind === 'done'), v.name);
      if (last.body.kind === 'error' || last.body.kind === 'done') assert.equal(last.body.error, 0, v.name);
      assert.equal(last.header.seq, v.message.header.seq, v.name);
    }
    checkNamespaceState(ns);
  } finally {
    ns.destroy();
  }
});

function checkNamespaceState(ns: TestNetns): void {
  const t0 = ns.ipJson<Array<{ mtu: number; flags: string[] }>>('link', 'show', 't0')[0];
  assert.equal(t0.mtu, 1400);
  assert.ok(t0.flags.includes('UP'));
  const addrs = ns.ipJson<Array<{ addr_info: Array<{ local: string; prefixlen: number; nodad?: boolean }> }>>(
    'addr', 'show', 'dev', 't0')[0].addr_info;
  assert.deepEqual(addrs.filter((a) => !a.local.startsWith('fe80')).map((a) => `${a.local}/${a.prefixlen}${a.nodad ? ' nodad' : ''}`),
    ['2001:db8:1::1/64 nodad']);
  const t1000 = ns.ipJson<Array<{ dst: string; dev: string; metric: number }>>('-6', 'route', 'show', 'table', '1000');
  assert.deepEqual(t1000.map((r) => `${r.dst} ${r.dev} ${r.metric}`), ['2001:db8:5::/64 t0 7']);
  const main = ns.ipJson<Array<{ dst: string; gateway?: string; dev: string; prefsrc?: string }>>('-6', 'route', 'show', 'default');
  assert.deepEqual(main.map((r) => `${r.dst} ${r.gateway} ${r.dev} ${r.prefsrc}`), ['default fe80::1 v1 2001:db8:1::1']);
  assert.deepEqual(ns.ipJson('route', 'show', 'table', '100'), []);
  const rules = ns.ipJson<Array<{ priority: number; src?: string; srclen?: number; table: string }>>('-6', 'rule', 'show');
  assert.ok(rules.some((r) => r.priority === 100 && r.src === '2001:db8:1::' && r.srclen === 64 && r.table === '1000'),
    JSON.stringify(rules));
  assert.match(ns.ip('-6', 'neigh', 'show', 'proxy'), /^2001:db8:1::55 dev t0 proxy\s*$/m);
}
