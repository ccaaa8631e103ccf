/**
 * Request batches (src/os/netlink/batch.ts, NetlinkPort.requestBatch on the mem double): the
 * framing check, NLM_F_ACK set (or cleared for a batch answered with errors only), answers
 * placed by sequence number (in order, out of order, cut short, foreign or repeated), and
 * unanswered requests left marked (or settled as applied once a no-ACK batch's errors are read).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { BatchAnswers } from '../../src/os/netlink/batch.js';
import { FakeNetlink, nlAck, nlDone } from '../../src/os/mem/netlink.js';
import { NETLINK_BATCH_MAX, NETLINK_UNANSWERED } from '../../src/os/ports.js';

/** A 20-byte request (nlmsghdr + 4 bytes) of `type`, `flags`, `seq`. */
function req(seq: number, type = 24, flags = 1): Uint8Array {
  const m = new Uint8Array(20);
  const v = new DataView(m.buffer);
  v.setUint32(0, 20, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  return m;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

test('BatchAnswers: framing is checked, NLM_F_ACK added, answers placed by seq', () => {
  const a = new BatchAnswers();
  const reqs = [req(10), req(11), req(12), req(13)];
  const bytes = concat(reqs);
  const results = new Int32Array(8).fill(7);
  a.frame(bytes, bytes.length, 4, results);
  assert.deepEqual([...results], [1, 1, 1, 1, 7, 7, 7, 7].map((x) => (x === 1 ? NETLINK_UNANSWERED : x)));
  assert.deepEqual([0, 20, 40, 60].map((at) => bytes[at + 6]), [5, 5, 5, 5], 'NLM_F_ACK set');
  assert.equal(a.open, 4);
  // Two answers in one datagram, then one out of order, a foreign seq, a repeat, a short one.
  const two = concat([nlAck(reqs[0]), nlAck(reqs[1], -17)]);
  a.read(two, 0, two.length);
  a.read(nlAck(reqs[3], -2), 0, 36);
  a.read(nlAck(req(99), -1), 0, 36);
  a.read(nlAck(reqs[0], -5), 0, 36);
  assert.deepEqual([...results.subarray(0, 4)], [0, -17, NETLINK_UNANSWERED, -2]);
  assert.equal(a.open, 1);
  const cut = nlAck(reqs[2], -22);
  a.read(cut, 0, 20);
  assert.equal(results[2], -22, 'an answer cut to 20 bytes still counts');
  assert.equal(a.open, 0);
  a.read(nlDone(reqs[2]), 0, 20);
  assert.equal(results[2], -22, 'NLMSG_DONE is not an answer to a change');
});

test('BatchAnswers: bad framing, dumps and too many requests are RangeErrors', () => {
  const a = new BatchAnswers();
  const r = new Int32Array(NETLINK_BATCH_MAX + 1);
  const two = concat([req(1), req(2)]);
  assert.throws(() => a.frame(two, two.length, 3, r), RangeError, 'fewer requests than said');
  assert.throws(() => a.frame(two, two.length, 1, r), RangeError, 'bytes left over');
  assert.throws(() => a.frame(two, 30, 2, r), RangeError, 'a request cut short');
  const dump = req(1, 26, 0x301);
  assert.throws(() => a.frame(dump, 20, 1, r), /dump/);
  const broken = req(1);
  broken[0] = 8;
  assert.throws(() => a.frame(broken, 20, 1, r), RangeError, 'nlmsg_len below 16');
  const many = concat(Array.from({ length: NETLINK_BATCH_MAX + 1 }, (_, i) => req(i + 1)));
  assert.throws(() => a.frame(many, many.length, NETLINK_BATCH_MAX + 1, r), RangeError);
  assert.throws(() => a.frame(two, two.length, 2, new Int32Array(1)), RangeError, 'results too short');
});

test('FakeNetlink.requestBatch: every request to the responder in order, its answer as the result', () => {
  const nl = new FakeNetlink();
  nl.responder = (m) => {
    const seq = new DataView(m.buffer).getUint32(8, true);
    return seq === 2 ? [nlAck(m, -19)] : seq === 3 ? [] : [nlAck(m)];
  };
  const bytes = concat([req(1), req(2), req(3), req(4)]);
  const results = new Int32Array(4);
  nl.requestBatch(bytes, bytes.length, 4, results);
  assert.deepEqual([...results], [0, -19, NETLINK_UNANSWERED, 0]);
  assert.deepEqual(nl.batches, [4]);
  assert.deepEqual(nl.requests.map((m) => new DataView(m.buffer).getUint32(8, true)), [1, 2, 3, 4]);
  assert.ok(nl.requests.every((m) => (m[6] & 4) !== 0), 'recorded with NLM_F_ACK');
  nl.close();
  assert.throws(() => nl.requestBatch(bytes, bytes.length, 4, results), { code: 'EBADF' });
});

test('BatchAnswers without ACKs: NLM_F_ACK cleared, errors placed, the rest settled as applied', () => {
  const a = new BatchAnswers();
  const reqs = [req(20, 24, 5), req(21, 24, 5), req(22, 24, 5)];
  const bytes = concat(reqs);
  const results = new Int32Array(3);
  a.frame(bytes, bytes.length, 3, results, false);
  assert.deepEqual([0, 20, 40].map((at) => bytes[at + 6]), [1, 1, 1], 'NLM_F_ACK cleared, other flags kept');
  const failed = nlAck(reqs[1], -19);
  a.read(failed, 0, failed.length);
  assert.deepEqual([...results], [NETLINK_UNANSWERED, -19, NETLINK_UNANSWERED]);
  a.settle();
  assert.deepEqual([...results], [0, -19, 0]);
  assert.equal(a.open, 0);
});
