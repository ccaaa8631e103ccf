/**
 * Linux NetlinkPort: synchronous requests (a dump, an ACKed change, a kernel error) as raw
 * bytes, event subscriptions, and ENOBUFS reported as an overflow — after which the
 * subscription keeps receiving — instead of crashing the process.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { NetlinkSubscription } from '../../src/os/ports.js';
import { splitMessages } from '../../src/os/linux/netlink.js';
import { withNetnsNetlink } from './netns-netlink.js';
import {
  inNetns, ipIn,
} from '../../src/os/linux/netns.js';

const RTM_NEWADDR = 20;
const RTM_GETLINK = 18;
const RTNLGRP_IPV4_IFADDR = 5;
const NLM_F_REQUEST = 1;
const NLM_F_CREATE = 0x400;
const NLM_F_EXCL = 0x200;
const NLM_F_DUMP = 0x300;

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const u16 = (m: Uint8Array, at: number): number => new DataView(m.buffer, m.byteOffset).getUint16(at, true);
const u32 = (m: Uint8Array, at: number): number => new DataView(m.buffer, m.byteOffset).getUint32(at, true);
const i32 = (m: Uint8Array, at: number): number => new DataView(m.buffer, m.byteOffset).getInt32(at, true);

/** nlmsghdr + a fixed body. */
function message(type: number, flags: number, seq: number, body: Uint8Array): Uint8Array {
  const m = new Uint8Array(16 + body.length);
  const v = new DataView(m.buffer);
  v.setUint32(0, m.length, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  m.set(body, 16);
  return m;
}

/** RTM_NEWADDR for an IPv4 address/prefix on interface `ifindex` (ifaddrmsg + IFA_LOCAL + IFA_ADDRESS). */
function newAddr(seq: number, ifindex: number, ip: number[], prefix: number): Uint8Array {
  const body = new Uint8Array(8 + 8 + 8);
  const v = new DataView(body.buffer);
  body[0] = 2; // AF_INET
  body[1] = prefix;
  v.setUint32(4, ifindex, true);
  for (const [at, type] of [[8, 2], [16, 1]]) { // IFA_LOCAL, IFA_ADDRESS
    v.setUint16(at, 8, true);
    v.setUint16(at + 2, type, true);
    body.set(ip, at + 4);
  }
  return message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL, seq, body);
}

/** True when an RTM_NEWADDR message carries IPv4 address `ip`. */
function hasAddress(m: Uint8Array, ip: number[]): boolean {
  if (u16(m, 4) !== RTM_NEWADDR) return false;
  for (let at = 24; at + 8 <= m.length; at += (u16(m, at) + 3) & ~3) {
    if (u16(m, at) < 4) return false;
    if (u16(m, at + 2) === 1 && ip.every((x, i) => m[at + 4 + i] === x)) return true;
  }
  return false;
}

test('netlink: a link dump, an ACKed change and a kernel error, as raw messages', async (t) => {
  await withNetnsNetlink(t, 'nl', (ns, nl) => {
    const dump = nl.request(message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 7, new Uint8Array(16)));
    assert.ok(dump.length >= 2);
    assert.ok(dump.every((m) => u32(m, 8) === 7 && u32(m, 0) === m.length), 'seq and lengths');
    assert.equal(u16(dump[dump.length - 1], 4), 3, 'ends with NLMSG_DONE');
    const text = Buffer.from(dump[0]).toString('latin1');
    assert.ok(text.includes('lo\0'), 'the first link is lo');
    const ack = nl.request(newAddr(8, 1, [10, 66, 0, 1], 24));
    assert.deepEqual([ack.length, u16(ack[0], 4), i32(ack[0], 16)], [1, 2, 0], 'NLMSG_ERROR 0 = ACK');
    assert.match(ipIn(ns, ['-4', 'addr', 'show', 'dev', 'lo']), /10\.66\.0\.1\/24/);
    const again = nl.request(newAddr(9, 1, [10, 66, 0, 1], 24));
    assert.equal(i32(again[0], 16), -17, 'EEXIST from the kernel is a message, not a throw');
    const nodev = nl.request(newAddr(10, 999, [10, 66, 0, 2], 24));
    assert.equal(i32(nodev[0], 16), -19, 'ENODEV');
  });
});

test('netlink: events arrive, and ENOBUFS is an overflow the subscription survives', async (t) => {
  await withNetnsNetlink(t, 'nlev', async (ns, nl) => {
    const subs: NetlinkSubscription[] = [];
    try {
      const seen: Uint8Array[] = [];
      let overflows = 0;
      subs.push(inNetns(ns, () => nl.subscribe([RTNLGRP_IPV4_IFADDR], {
        onMessages: (m) => seen.push(...m), onOverflow: () => { overflows++; },
      })));
      ipIn(ns, ['addr', 'add', '10.66.1.1/24', 'dev', 'lo']);
      await waitFor(() => seen.some((m) => hasAddress(m, [10, 66, 1, 1])));
      assert.equal(overflows, 0);

      // A tiny buffer and 300 changes while the event loop is blocked (execFileSync).
      let small = 0;
      const tiny: Uint8Array[] = [];
      subs.push(inNetns(ns, () => nl.subscribe([RTNLGRP_IPV4_IFADDR], {
        onMessages: (m) => tiny.push(...m), onOverflow: () => { small++; },
      }, { receiveBuffer: 1024 })));
      const batch = Array.from({ length: 300 }, (_, i) =>
        `addr add 10.67.${i >> 8}.${(i & 0xff)}/32 dev lo`).join('\n');
      execFileSync('ip', ['-n', ns, '-batch', '-'], { input: batch });
      await waitFor(() => small > 0);
      assert.ok(tiny.length < 300, `some notifications were lost (${tiny.length} arrived)`);
      assert.equal(overflows, 0, 'the big-buffer subscription lost nothing');
      await waitFor(() => seen.filter((m) => u16(m, 4) === RTM_NEWADDR).length >= 301);
      // After the overflow the small subscription still hears new events.
      ipIn(ns, ['addr', 'add', '10.68.0.1/32', 'dev', 'lo']);
      await waitFor(() => tiny.some((m) => hasAddress(m, [10, 68, 0, 1])));
    } finally {
      for (const s of subs) s.close();
    }
  });
});

test('netlink: splitMessages hands malformed framing over instead of throwing', () => {
  const good = message(3, 2, 1, new Uint8Array(4));
  const data = new Uint8Array(good.length + 6);
  data.set(good, 0);
  data.set([200, 0, 0, 0, 1, 2], good.length); // length 200 in a 6-byte tail
  const parts = splitMessages(data, 0, data.length);
  assert.equal(parts.length, 2);
  assert.deepEqual(parts[0], good);
  assert.deepEqual([...parts[1]], [200, 0, 0, 0, 1, 2]);
  assert.deepEqual(splitMessages(new Uint8Array(3), 0, 3).map((p) => p.length), [3]);
});
