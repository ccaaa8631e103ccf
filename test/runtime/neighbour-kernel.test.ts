/**
 * The home link's RetransTimer comes from the kernel's per-interface value (retrans_time_ms),
 * is reused for a while, and drives DAD; DADs started together share one timer (TimerRounds),
 * and so do the announcement rounds of addresses started together.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  RETRANS_TIMER_MS, TimerRounds, cachedFor, kernelRetransTimerMs,
} from '../../src/runtime/neighbour-kernel.js';
import { HomeLink } from '../../src/runtime/neighbour.js';
import { Announcer, MAX_NEIGHBOR_ADVERTISEMENT } from '../../src/runtime/neighbour-announce.js';
import { Logger } from '../../src/runtime/logger.js';
import { newPortStats, type NdPort } from '../../src/os/ports.js';

test('kernelRetransTimerMs reads /proc/sys/net/ipv6/neigh/<if>/retrans_time_ms', () => {
  const asked: string[] = [];
  assert.equal(kernelRetransTimerMs('home0', (p) => { asked.push(p); return '250\n'; }), 250);
  assert.deepEqual(asked, ['/proc/sys/net/ipv6/neigh/home0/retrans_time_ms']);
  assert.equal(kernelRetransTimerMs('home0', () => 'junk'), RETRANS_TIMER_MS);
  assert.equal(kernelRetransTimerMs('home0', () => '0'), RETRANS_TIMER_MS);
  assert.equal(kernelRetransTimerMs('nosuch', () => { throw new Error('ENOENT'); }), RETRANS_TIMER_MS);
});

test('cachedFor reuses a value for its time to live, then reads again', () => {
  let now = 0;
  let reads = 0;
  const f = cachedFor(() => ++reads, 1000, () => now);
  assert.equal(f(), 1);
  now = 999;
  assert.equal(f(), 1);
  now = 1000;
  assert.equal(f(), 2);
});

test('TimerRounds: callbacks added in one synchronous run fire under one timer', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const r = new TimerRounds();
  const fired: number[] = [];
  r.add(100, () => fired.push(1));
  r.add(100, () => fired.push(2));
  await Promise.resolve(); // the microtask closes the round
  r.add(100, () => fired.push(3));
  t.mock.timers.tick(99);
  assert.deepEqual([...fired], []);
  t.mock.timers.tick(1);
  assert.deepEqual([...fired], [1, 2, 3]); // the second round was added at the same mocked time
  r.add(100, () => fired.push(4));
  r.clear();
  t.mock.timers.tick(200);
  assert.deepEqual([...fired], [1, 2, 3]);
});

class Nd implements NdPort {
  readonly ifindex = 2;
  readonly stats = newPortStats();
  sent = 0;
  onMessage(): void { /* no messages */ }
  send(): void { this.sent++; }
  joinGroup(): void { /* joined */ }
  leaveGroup(): void { /* left */ }
  close(): void { /* closed */ }
}

test('DAD waits the RetransTimer the kernel gives for the home interface, not a fixed 1 s', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const nd = new Nd();
  let retrans = 300;
  const link = new HomeLink({
    openNd: () => nd, openLinkLayer: () => { throw new Error('unused'); },
    facts: () => ({ mac: new Uint8Array(6), source: 'fe80::1' }),
    log: new Logger({ write: () => undefined }, 'debug', 'text', () => 0),
    retransTimerMs: () => retrans,
  });
  t.after(() => link.close());
  const results: [string, boolean][] = [];
  link.dad('2001:db8:1::100', (d) => results.push(['2001:db8:1::100', d]));
  link.dad('2001:db8:1::101', (d) => results.push(['2001:db8:1::101', d]));
  assert.equal(nd.sent, 2);
  t.mock.timers.tick(299);
  assert.deepEqual([...results], []);
  t.mock.timers.tick(1);
  assert.deepEqual([...results], [['2001:db8:1::100', false], ['2001:db8:1::101', false]]);
  retrans = 2000;
  link.dad('2001:db8:1::102', (d) => results.push(['2001:db8:1::102', d]));
  t.mock.timers.tick(1999);
  assert.equal(results.length, 2);
  t.mock.timers.tick(1);
  assert.equal(results.length, 3);
});

test('Announcer: addresses started together share one timer per round; stop and restart', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const timers = t.mock.method(globalThis, 'setTimeout');
  const lines: string[] = [];
  const sent: string[] = [];
  const again = new Set<string>();
  const a = new Announcer(() => ({ mac: new Uint8Array(6), source: 'fe80::1' }), () => 500,
    new Logger({ write: (l) => lines.push(l) }, 'debug', 'text', () => 0), (address) => {
      if (address === '2001:db8:1::bad') throw new Error('no route');
      sent.push(again.has(address) ? `again ${address}` : address);
    });
  t.after(() => a.close());
  const addresses = Array.from({ length: 100 }, (_, i) => `2001:db8:1::${i + 1}`);
  for (const hoa of addresses) a.start(hoa);
  a.start('2001:db8:1::bad');
  assert.equal(sent.length, 100, 'the first round at once');
  assert.equal(timers.mock.callCount(), 1, 'one timer for the second round of every address');
  a.stop(addresses[0]);
  again.add(addresses[1]);
  a.start(addresses[1]);
  t.mock.timers.tick(499);
  assert.equal(sent.length, 101);
  t.mock.timers.tick(1);
  assert.equal(sent.filter((s) => s === addresses[0]).length, 1, 'stopped: no more rounds');
  assert.equal(sent.filter((s) => s === addresses[1]).length, 1, 'restarted: the old rounds end');
  assert.equal(sent.filter((s) => s === addresses[2]).length, 2);
  assert.equal(timers.mock.callCount(), 2, 'one timer for every third round (the restart joined too)');
  t.mock.timers.tick(10_000);
  assert.equal(sent.filter((s) => s === addresses[2]).length, MAX_NEIGHBOR_ADVERTISEMENT);
  assert.equal(sent.filter((s) => s === `again ${addresses[1]}`).length, MAX_NEIGHBOR_ADVERTISEMENT);
  assert.ok(lines.filter((l) => /cannot announce.*no route/.test(l)).length >= 1, 'a failing round is logged');
});
