/**
 * Request batches on the real kernel (root; skipped with the reason otherwise), in a namespace
 * of their own: NetlinkPort.requestBatch gets one answer per request, matched by sequence
 * number, a refused request in the middle of a batch does not stop the rest, a full batch of
 * refusals (the longest answers) fits the receive buffer, and the home agent's TunRoutes leaves
 * the kernel with exactly the routes it was asked for: set and cleared in one turn ends deleted,
 * also when its batches go through the send thread (LinuxNetlinkQueue), whose refusals name the
 * route from the kernel's echo.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { inNetns, ipIn } from '../../src/os/linux/netns.js';
import { LinuxNetlinkQueue } from '../../src/os/linux/netlink-queue.js';
import { withNetnsNetlink } from './netns-netlink.js';
import { RouteTemplate, ROUTE_TEMPLATE_LENGTH_MAX } from '../../src/os/netlink/route-template.js';
import { NETLINK_BATCH_MAX, NETLINK_UNANSWERED } from '../../src/os/ports.js';
import { Logger } from '../../src/runtime/logger.js';
import { TunRoutes } from '../../src/runtime/tun-routes.js';

const LO = 1;

/** Encodes `routes` ([action, prefix, oif]) end to end with seqs from `seq0`. */
function batch(routes: [('replace' | 'delete'), string, number][], seq0: number): [Uint8Array, number] {
  const out = new Uint8Array(routes.length * ROUTE_TEMPLATE_LENGTH_MAX);
  let at = 0;
  routes.forEach(([action, prefix, oif], i) => {
    at += new RouteTemplate(oif).write(out, at, seq0 + i, action, prefix);
  });
  return [out, at];
}

function routesOn(ns: string, family: '-4' | '-6'): string[] {
  return ipIn(ns, [family, 'route', 'show', 'dev', 'lo', 'proto', 'static'])
    .split('\n').map((l) => l.trim().split(' ')[0]).filter((x) => x !== '');
}

test('requestBatch: one answer per request by seq; a refusal in the middle stops nothing', async (t) => {
  await withNetnsNetlink(t, 'nlb', (ns, nl) => {
    const [bytes, length] = batch([
      ['replace', '2001:db8::1/128', LO], ['replace', '2001:db8::2/128', 999],
      ['replace', '192.0.2.1/32', LO], ['delete', '2001:db8::3/128', LO], ['replace', '2001:db8:7::/48', LO],
    ], 40);
    const results = new Int32Array(5);
    nl.requestBatch(bytes, length, 5, results);
    assert.deepEqual([...results], [0, -19, 0, -3, 0], 'ACK, ENODEV, ACK, ESRCH, ACK');
    assert.deepEqual(routesOn(ns, '-6').sort(), ['2001:db8:7::/48', '2001:db8::1']);
    assert.deepEqual(routesOn(ns, '-4'), ['192.0.2.1']);
    // A full batch of refusals: the longest answers (the request echoed), all must fit.
    const refused = Array.from({ length: NETLINK_BATCH_MAX }, (_, i) =>
      ['delete', `2001:db8:9::${(i + 1).toString(16)}/128`, LO] as ['delete', string, number]);
    const [b2, l2] = batch(refused, 1000);
    const r2 = new Int32Array(NETLINK_BATCH_MAX);
    nl.requestBatch(b2, l2, NETLINK_BATCH_MAX, r2);
    assert.equal(r2.filter((x) => x === NETLINK_UNANSWERED).length, 0, 'no answer lost');
    assert.ok(r2.every((x) => x === -3), 'every one ESRCH');
    // The plain request path still works on the same socket after batches.
    assert.equal(nl.request(b2.slice(0, 64)).length, 1);
  });
});

test('TunRoutes on the kernel: a turn of routes in batches; set then cleared ends deleted', async (t) => {
  await withNetnsNetlink(t, 'nlt', async (ns, nl) => {
    const lines: string[] = [];
    let seq = 1;
    const routes = new TunRoutes(LO, {
      netlink: nl, log: new Logger({ write: (l) => lines.push(l) }),
      takeSequences: (n) => { const s = seq; seq += n; return s; },
    });
    const v6 = Array.from({ length: 600 }, (_, i) => `2001:db8:1::${(i + 1).toString(16)}`);
    const v4 = Array.from({ length: 100 }, (_, i) => `10.9.${i >> 8}.${(i & 0xff) + 1}/32`);
    for (const a of v6) routes.set(`${a}/128`);
    for (const p of v4) routes.set(p);
    routes.set('2001:db8:66::/48');
    routes.set('2001:db8:1::ffff/128');
    routes.clear('2001:db8:1::ffff/128');
    routes.clear('2001:db8:1::fffe/128'); // never set: not a failure
    await Promise.resolve();
    assert.equal(routes.pending, 0);
    assert.deepEqual(routes.counters, { requests: 704, batches: 3, failed: 0, unanswered: 0 });
    const six = routesOn(ns, '-6');
    assert.equal(six.length, 601);
    assert.ok(!six.includes('2001:db8:1::ffff'), 'set then cleared in one turn: deleted');
    assert.ok(six.includes('2001:db8:66::/48') && six.includes('2001:db8:1::258'));
    assert.equal(routesOn(ns, '-4').length, 100);
    for (const a of v6.slice(0, 300)) routes.clear(`${a}/128`);
    routes.close();
    assert.equal(routesOn(ns, '-6').length, 301, 'close sent what was queued');
    assert.deepEqual(lines, []);
  });
});

test('TunRoutes through the send thread: the routes exist once handed over and settled; refusals name the route', async (t) => {
  await withNetnsNetlink(t, 'nlq', async (ns, nl) => {
    const queue = inNetns(ns, () => LinuxNetlinkQueue.open());
    if (queue === undefined) { t.skip('no send ring in this addon'); return; }
    const lines: string[] = [];
    let seq = 1;
    const routes = new TunRoutes(LO, {
      netlink: nl, queue, log: new Logger({ write: (l) => lines.push(l) }),
      takeSequences: (n) => { const s = seq; seq += n; return s; },
    });
    try {
      const v6 = Array.from({ length: 300 }, (_, i) => `2001:db8:2::${(i + 1).toString(16)}/128`);
      for (const p of v6) routes.set(p);
      routes.set('2001:db8:2::ffff/128');
      routes.clear('2001:db8:2::ffff/128');
      routes.clear('2001:db8:2::fffe/128'); // never set: not a failure
      await Promise.resolve();
      assert.equal(routes.pending, 0);
      routes.settle();
      assert.equal(routesOn(ns, '-6').length, 300, 'applied in order: set then cleared ends deleted');
      assert.deepEqual([routes.counters.failed, lines], [0, []], 'deleting an absent route is no failure');
      routes.close();
      assert.deepEqual([routes.counters.batches, routes.counters.requests], [2, 303]);
      // Refusals the kernel echoes: routes into an interface that is not there (ENODEV).
      const gone = new TunRoutes(999, {
        netlink: nl, queue, log: new Logger({ write: (l) => lines.push(l) }),
        takeSequences: (n) => { const s = seq; seq += n; return s; },
      });
      gone.set('2001:db8:3::/64');
      gone.set('192.0.2.0/25');
      gone.close(); // hands over what is queued, then settles
      assert.equal(gone.counters.failed, 2, 'both counted');
      assert.match(lines.join('\n'), /route change into the TUN failed .*route=2001:db8:3::\/64 action=replace errno=ENODEV/);
      assert.equal(lines.length, 1, 'the same errno again is rate-limited');
    } finally {
      queue.close();
    }
  });
});
