/**
 * Registrations waiting for DAD (pending-dad.ts): timeouts in the order they were made, answered
 * ones skipped without a heap item each, the link-local index kept in step, the queue compacted.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { PendingDads } from '../../src/engine/ha/pending-dad.js';
import type { BuRequest } from '../../src/engine/ha/received.js';
import type { Accepted } from '../../src/engine/ha/registration.js';

const accepted: Accepted = { nemoMode: undefined, prefixes: [], lifetimeSeconds: 60, status: 0 };
const request = (hoa: string): BuRequest => ({ homeAddress: hoa } as unknown as BuRequest);
const hoaOf = (i: number): string => `2001:db8:1::${i.toString(16)}`;

test('PendingDads: timeouts come due in order; answered registrations are skipped', () => {
  const p = new PendingDads();
  for (let i = 1; i <= 5; i++) p.start(request(hoaOf(i)), accepted, [hoaOf(i)], 1000 + i);
  assert.equal(p.size, 5);
  assert.equal(p.nextDeadline(), 1001);
  p.end(hoaOf(1)); // answered by its DAD result
  const two = p.find(hoaOf(2))!;
  assert.equal(p.unique(two, hoaOf(2)), true);
  p.end(hoaOf(2));
  assert.equal(p.nextDeadline(), 1003, 'answered ones no longer set the next deadline');
  assert.equal(p.popExpired(1002), undefined);
  assert.deepEqual([p.popExpired(1004)?.request.homeAddress, p.popExpired(1004)?.request.homeAddress],
    [hoaOf(3), hoaOf(4)]);
  assert.equal(p.popExpired(1004), undefined);
  assert.equal(p.size, 3, 'popped registrations stay pending until ended');
  p.end(hoaOf(3));
  p.end(hoaOf(4));
  assert.equal(p.nextDeadline(), 1005);
});

test('PendingDads: a link-local address finds its registration until it is unique or ended', () => {
  const p = new PendingDads();
  p.start(request(hoaOf(1)), accepted, [hoaOf(1), 'fe80::1'], 3000);
  const r = p.find('fe80::1');
  assert.equal(r?.request.homeAddress, hoaOf(1));
  assert.equal(p.unique(r!, 'fe80::1'), false, 'the home address still probes');
  assert.equal(p.find('fe80::1'), undefined);
  assert.equal(p.find(hoaOf(1)), r);
  assert.equal(p.unique(r!, hoaOf(1)), true);
  p.start(request(hoaOf(2)), accepted, [hoaOf(2), 'fe80::2'], 3000);
  p.end(hoaOf(2));
  assert.equal(p.find('fe80::2'), undefined, 'ending a registration drops its link-local too');
  assert.equal(p.find(hoaOf(2)), undefined);
});

test('PendingDads: a home address registered again is timed by its new deadline only', () => {
  const p = new PendingDads();
  p.start(request(hoaOf(1)), accepted, [hoaOf(1)], 1000);
  p.end(hoaOf(1)); // cancelled (a deregistration during DAD)
  p.start(request(hoaOf(1)), accepted, [hoaOf(1)], 2000);
  assert.equal(p.nextDeadline(), 2000, 'the stale pair (1000) is not this registration\'s');
  assert.equal(p.popExpired(1500), undefined);
  assert.equal(p.popExpired(2000)?.deadline, 2000);
});

test('PendingDads: 50,000 registrations through the queue, answered or timed out, in order', () => {
  const p = new PendingDads();
  const n = 50_000;
  const timedOut: number[] = [];
  for (let i = 0; i < n; i++) {
    p.start(request(hoaOf(i)), accepted, [hoaOf(i)], i);
    if (i % 3 !== 0) p.end(hoaOf(i)); // two in three answered by DAD before their timeout
    if (i % 1000 === 999) {
      for (let e = p.popExpired(i - 500); e; e = p.popExpired(i - 500)) {
        timedOut.push(e.deadline);
        p.end(e.request.homeAddress);
      }
    }
  }
  for (let e = p.popExpired(n); e; e = p.popExpired(n)) { timedOut.push(e.deadline); p.end(e.request.homeAddress); }
  assert.equal(timedOut.length, Math.ceil(n / 3));
  assert.ok(timedOut.every((d, i) => d % 3 === 0 && (i === 0 || d > timedOut[i - 1])), 'in deadline order');
  assert.equal(p.size, 0);
  assert.equal(p.nextDeadline(), undefined);
});

test('PendingDads: the head registration is remembered only while it waits (ended, replaced, popped)', () => {
  const p = new PendingDads();
  p.start(request(hoaOf(1)), accepted, [hoaOf(1)], 1000);
  p.start(request(hoaOf(2)), accepted, [hoaOf(2)], 1001);
  assert.equal(p.nextDeadline(), 1000);
  p.start(request(hoaOf(3)), accepted, [hoaOf(3)], 1002);
  assert.equal(p.nextDeadline(), 1000, 'a later registration leaves the head');
  p.start(request(hoaOf(1)), accepted, [hoaOf(1)], 1003); // the head registered again, without ending
  assert.equal(p.nextDeadline(), 1001, 'the head replaced: its old deadline is stale');
  const two = p.get(hoaOf(2))!;
  assert.equal(p.unique(two, hoaOf(2)), true);
  p.end(hoaOf(2), two);
  assert.equal(p.get(hoaOf(2)), undefined, 'ended with the registration the caller held');
  assert.equal(p.nextDeadline(), 1002);
  assert.equal(p.popExpired(1002)?.request.homeAddress, hoaOf(3));
  assert.equal(p.nextDeadline(), 1003, 'a popped head is not the head any more');
  p.end(hoaOf(3));
  assert.equal(p.popExpired(1003)?.request.homeAddress, hoaOf(1));
  p.end(hoaOf(1));
  assert.deepEqual([p.nextDeadline(), p.size], [undefined, 0]);
});

test('PendingDads: the only address found unique leaves nothing to wait for, and ending twice is harmless', () => {
  const p = new PendingDads();
  p.start(request(hoaOf(1)), accepted, [hoaOf(1)], 1000);
  const r = p.find(hoaOf(1))!;
  assert.equal(p.unique(r, 'fe80::9'), false, 'an address it does not wait for changes nothing');
  assert.deepEqual(r.waiting, [hoaOf(1)]);
  assert.equal(p.unique(r, hoaOf(1)), true);
  assert.deepEqual(r.waiting, []);
  p.end(hoaOf(1), r);
  p.end(hoaOf(1));
  assert.equal(p.size, 0);
});

test('PendingDads: results found in any order, at the head of the queue or not, link-local too', () => {
  const p = new PendingDads();
  p.start(request(hoaOf(1)), accepted, [hoaOf(1)], 1000);
  p.start(request(hoaOf(2)), accepted, [hoaOf(2), 'fe80::2'], 1001);
  p.start(request(hoaOf(3)), accepted, [hoaOf(3)], 1002);
  assert.equal(p.find(hoaOf(3))?.request.homeAddress, hoaOf(3), 'behind the head');
  p.end(hoaOf(3));
  assert.equal(p.find(hoaOf(3)), undefined, 'ended');
  assert.equal(p.find('fe80::2')?.request.homeAddress, hoaOf(2));
  assert.equal(p.find(hoaOf(1))?.request.homeAddress, hoaOf(1), 'the head');
  p.end(hoaOf(1));
  const two = p.find(hoaOf(2))!;
  assert.equal(two.request.homeAddress, hoaOf(2), 'the new head');
  assert.equal(p.unique(two, hoaOf(2)), false, 'its link-local still probes');
  assert.equal(p.find(hoaOf(2)), undefined, 'not waiting for its home address any more');
  assert.equal(p.nextDeadline(), 1001);
  assert.equal(p.unique(p.find('fe80::2')!, 'fe80::2'), true);
  p.end(hoaOf(2));
  assert.deepEqual([p.nextDeadline(), p.size], [undefined, 0]);
});
