/** MobileNode: Binding Acknowledgement status handling (RFC 6275 §6.1.8, §11.7.3; RFC 3963). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BA_STATUS_RULES, classifyBaStatus } from '../../src/engine/mn/status.js';
import { seqNext } from '../../src/proto/seqno.js';
import { BaFlag, BuFlag } from '../../src/wire/mh/constants.js';
import {
  COA6, World, ba, eventsOf, mnConfig, onlyBu, ops, registeredOn6, sends, trace,
} from './mn-world.js';

const FATAL = [129, 131, 132, 133, 139, 140, 141, 142, 143, 144, 146];
const TRANSIENT = [128, 130, 134, 136, 137, 138, 145, 147, 200, 255];

test('status table: every classified code has an RFC reference', () => {
  for (const [code, rule] of Object.entries(BA_STATUS_RULES)) {
    assert.match(rule.reference, /^RFC \d+ §/, `status ${code}`);
  }
  assert.deepEqual(FATAL.filter((s) => classifyBaStatus(s) !== 'fatal'), []);
  assert.deepEqual(TRANSIENT.filter((s) => classifyBaStatus(s) !== 'transient'), []);
  assert.equal(classifyBaStatus(0), 'accepted');
  assert.equal(classifyBaStatus(1), 'accepted');
  assert.equal(classifyBaStatus(127), 'accepted');
  assert.equal(classifyBaStatus(135), 'resynchronise');
});

for (const status of FATAL) {
  test(`RFC 6275 §11.7.3: status ${status} is fatal: registration-failed, no more BUs`, () => {
    const w = new World();
    const { bu } = onlyBu(w.attach('eth0', COA6));
    const out = w.feed(ba({ sequence: bu.sequence, status }));
    assert.deepEqual(eventsOf(out, 'registration-failed'), [{ type: 'registration-failed', status, fatal: true }]);
    assert.equal(sends(out).length, 0);
    assert.equal(w.mn.nextDeadline(), undefined, 'no retransmission timer');
    assert.equal(sends(w.advance(600_000)).length, 0);
  });
}

test('RFC 6275 §11.7.3: a fatal status on a refresh clears the tunnel', () => {
  const w = new World();
  registeredOn6(w);
  const { bu } = onlyBu(w.advance(540_000));
  const out = w.feed(ba({ sequence: bu.sequence, status: 129 }));
  assert.deepEqual(trace(out), ['event registration-failed', 'os tunnel-clear']);
});

test('RFC 6275 §11.7.3: after a fatal status, a new CoA registers again', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA6));
  w.feed(ba({ sequence: bu.sequence, status: 133 }));
  w.now = 10_000;
  const again = onlyBu(w.address('eth0', COA6, false).concat(w.address('eth0', '2001:db8:2::99')));
  assert.equal(again.send.packet.source, '2001:db8:2::99');
  assert.equal(w.untilDeadline(), 1500, 'first registration again');
});

for (const status of TRANSIENT) {
  test(`RFC 6275 §11.7.3: status ${status} is transient: retry on the backoff schedule`, () => {
    const w = new World();
    const { bu } = onlyBu(w.attach('eth0', COA6));
    w.now = 200;
    const out = w.feed(ba({ sequence: bu.sequence, status }));
    assert.deepEqual(eventsOf(out, 'registration-failed'), [{ type: 'registration-failed', status, fatal: false }]);
    assert.equal(sends(out).length, 0, 'no immediate resend');
    assert.equal(w.mn.nextDeadline(), 1500, 'the retransmission timer still runs');
    const retry = onlyBu(w.advance(1300));
    assert.equal(retry.bu.sequence, seqNext(bu.sequence));
    // The rejection answered the BU: a second copy of it is dropped.
    const dup = w.feed(ba({ sequence: bu.sequence, status }));
    assert.deepEqual(eventsOf(dup, 'dropped').map((e) => e.reason), ['unexpected-ack']);
    // The retry can still be accepted.
    assert.equal(eventsOf(w.feed(ba({ sequence: retry.bu.sequence })), 'registered').length, 1);
  });
}

test('RFC 6275 §11.7.3: status 135 resynchronises to the HA sequence + 1 and resends at once', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA6));
  w.now = 300;
  const out = w.feed(ba({ sequence: 1000, status: 135 }));
  const resent = onlyBu(out);
  assert.equal(resent.bu.sequence, 1001);
  assert.notEqual(bu.sequence, 1000);
  assert.equal(eventsOf(out, 'registration-failed').length, 0);
  w.now = 400;
  const ok = w.feed(ba({ sequence: 1001 }));
  assert.deepEqual(eventsOf(ok, 'registered').map((e) => e.registrationMs), [400]);
});

test('RFC 6275 §11.7.3: status 135 resend respects the rate limit', () => {
  const w = new World();
  onlyBu(w.attach('eth0', COA6));
  const s2 = onlyBu(w.feed(ba({ sequence: 10, status: 135 }))).bu.sequence;
  assert.equal(s2, 11);
  const s3 = onlyBu(w.feed(ba({ sequence: 20, status: 135 }))).bu.sequence;
  assert.equal(s3, 21);
  // Three BUs at t = 0: the fourth waits until t = 1000.
  const out = w.feed(ba({ sequence: 30, status: 135 }));
  assert.equal(sends(out).length, 0);
  assert.equal(w.mn.nextDeadline(), 1000);
  assert.equal(onlyBu(w.advance(1000)).bu.sequence, 31);
});

test('RFC 6275 §11.7.3: status 135 without a BU outstanding is dropped', () => {
  const w = new World();
  registeredOn6(w);
  const out = w.feed(ba({ sequence: 5, status: 135 }));
  assert.deepEqual(eventsOf(out, 'dropped').map((e) => e.reason), ['unexpected-ack']);
  assert.equal(sends(out).length, 0);
});

test('RFC 3963 §5.2: mobile router BU (R = 1) accepted with R = 0 is a fatal failure', () => {
  const w = new World(mnConfig({ mobileRouter: true, explicitMode: false }));
  const { bu } = onlyBu(w.attach('eth0', COA6));
  assert.equal(bu.flags, BuFlag.A | BuFlag.H | BuFlag.R);
  const out = w.feed(ba({ sequence: bu.sequence, flags: 0 }));
  assert.deepEqual(eventsOf(out, 'registration-failed'), [{ type: 'registration-failed', status: 140, fatal: true }]);
  assert.equal(eventsOf(out, 'registered').length, 0);
  assert.deepEqual(ops(out), []);
  assert.equal(w.mn.nextDeadline(), undefined);
});

test('RFC 3963 §5.2: mobile router BU accepted with R = 1 registers', () => {
  const w = new World(mnConfig({ mobileRouter: true, explicitMode: false }));
  const { bu } = onlyBu(w.attach('eth0', COA6));
  const out = w.feed(ba({ sequence: bu.sequence, flags: BaFlag.R }));
  assert.equal(eventsOf(out, 'registered').length, 1);
});

test('RFC 6275 §11.7.3: status 1 (prefix discovery necessary) is accepted', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA6));
  assert.equal(eventsOf(w.feed(ba({ sequence: bu.sequence, status: 1 })), 'registered').length, 1);
});

test('RFC 6275 §11.7.3: granted lifetime above the request is capped at the request', () => {
  const w = new World(mnConfig({ maxBindingLifetimeSeconds: 100 }));
  const { bu } = onlyBu(w.attach('eth0', COA6));
  const out = w.feed(ba({ sequence: bu.sequence, lifetimeSeconds: 4000 }));
  assert.equal(eventsOf(out, 'registered')[0].lifetimeSeconds, 100);
  assert.equal(w.mn.nextDeadline(), 90_000);
});

test('accepted status with lifetime 0 grants nothing: transient failure, retries go on', () => {
  const w = new World();
  const { bu } = onlyBu(w.attach('eth0', COA6));
  const out = w.feed(ba({ sequence: bu.sequence, lifetimeSeconds: 0 }));
  assert.deepEqual(eventsOf(out, 'registration-failed'), [{ type: 'registration-failed', status: 0, fatal: false }]);
  assert.deepEqual(ops(out), []);
  assert.equal(w.mn.nextDeadline(), 1500);
});
