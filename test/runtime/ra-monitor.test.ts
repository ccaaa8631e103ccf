/** RaMonitor: one RA socket per configured interface that is up, solicitations, and the feed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReceivedRouterAdvertisement } from '../../src/engine/mn/types.js';
import type { NdMessage, NdOptions, NdPort } from '../../src/os/ports.js';
import { OsError, newPortStats } from '../../src/os/ports.js';
import { Logger } from '../../src/runtime/logger.js';
import {
  MAX_RTR_SOLICITATIONS, RTR_SOLICITATION_INTERVAL_MS, RaMonitor,
} from '../../src/runtime/ra-monitor.js';
import { parseIpv6 } from '../../src/wire/addr.js';
import { decodeIcmpv6, verifyIcmpv6Checksum } from '../../src/wire/icmpv6.js';
import { decodeIpv6Header } from '../../src/wire/ipv6.js';

class FakeNd implements NdPort {
  readonly stats = newPortStats();
  readonly sent: Uint8Array[] = [];
  handler: ((m: NdMessage) => void) | undefined;
  closed = false;
  constructor(readonly options: NdOptions, readonly ifindex: number) {}
  onMessage(h: (m: NdMessage) => void): void { this.handler = h; }
  send(p: Uint8Array): void { this.sent.push(p.slice()); }
  joinGroup(): void {}
  leaveGroup(): void {}
  close(): void { this.closed = true; }
  deliver(ifindex: number, bytes = new Uint8Array([134, 0, 0, 0])): void {
    this.handler!({
      bytes, source: parseIpv6('fe80::1')!, destination: parseIpv6('ff02::1')!, ifindex, hopLimit: 255,
    });
  }
}

function setup(fail = false) {
  const ports: FakeNd[] = [];
  const fed: ReceivedRouterAdvertisement[] = [];
  const lines: string[] = [];
  const open = (o: NdOptions): NdPort => {
    if (fail) throw new OsError('EPERM', 'socket');
    const p = new FakeNd(o, 7 + ports.length);
    ports.push(p);
    return p;
  };
  const mon = new RaMonitor(open, new Set(['eth0', 'wlan0']), (rx) => fed.push(rx),
    new Logger({ write: (l) => lines.push(l) }, 'debug', 'text', () => 0));
  return { mon, ports, fed, lines };
}

test('RaMonitor: a socket for RAs (Type 134 only) per configured interface while its link is up', () => {
  const { mon, ports } = setup();
  mon.observe({ kind: 'link', ifname: 'eth0', up: true });
  mon.observe({ kind: 'link', ifname: 'eth0', up: true });
  mon.observe({ kind: 'link', ifname: 'dsmip6mn', up: true });
  mon.observe({ kind: 'address', ifname: 'wlan0', family: 6, address: '2001:db8::1', prefixLength: 64, present: true });
  assert.deepEqual(ports.map((p) => p.options), [{ device: 'eth0', icmpTypes: [134] }]);
  assert.deepEqual(mon.listening(), ['eth0']);
  mon.observe({ kind: 'link', ifname: 'eth0', up: false });
  assert.equal(ports[0].closed, true);
  mon.observe({ kind: 'link', ifname: 'eth0', up: true });
  assert.equal(ports.length, 2, 'a new socket after the link comes back');
  mon.stop();
  assert.equal(ports[1].closed, true);
  mon.observe({ kind: 'link', ifname: 'wlan0', up: true });
  assert.equal(ports.length, 2, 'nothing opens after stop');
});

test('RaMonitor: messages go to the engine with text addresses, a copy of the bytes and the hop limit', () => {
  const { mon, ports, fed } = setup();
  mon.observe({ kind: 'link', ifname: 'wlan0', up: true });
  const bytes = new Uint8Array([134, 0, 1, 2, 3]);
  ports[0].deliver(7, bytes);
  ports[0].deliver(0);
  ports[0].deliver(99);
  bytes[0] = 0;
  assert.equal(fed.length, 2);
  assert.deepEqual({ ...fed[0], bytes: [...fed[0].bytes] }, {
    kind: 'router-advertisement', ifname: 'wlan0', source: 'fe80::1', destination: 'ff02::1', hopLimit: 255,
    bytes: [134, 0, 1, 2, 3],
  });
  assert.equal(mon.counters.wrongInterface, 1);
  assert.deepEqual(mon.stats(4), {
    traffic: { 'router-advertisements': { packets: 2, bytes: 9 } },
    dropped: { 'router-advertisement-invalid': 4, 'router-advertisement-wrong-interface': 1 },
  });
  mon.stop();
});

test('RFC 4861 §6.3.7: up to 3 Router Solicitations from ::, 4 s apart, until an RA arrives', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { mon, ports } = setup();
  mon.observe({ kind: 'link', ifname: 'eth0', up: true });
  mon.observe({ kind: 'link', ifname: 'wlan0', up: true });
  t.mock.timers.tick(1000);
  const [eth, wlan] = ports;
  assert.equal(eth.sent.length, 1, 'the first within MAX_RTR_SOLICITATION_DELAY');
  const rs = eth.sent[0];
  const h = decodeIpv6Header(rs);
  assert.ok(h.ok);
  assert.deepEqual([h.value.source, h.value.destination, h.value.hopLimit, h.value.nextHeader], ['::', 'ff02::2', 255, 58]);
  assert.ok(verifyIcmpv6Checksum(rs, 40, rs.length, '::', 'ff02::2'));
  const m = decodeIcmpv6(rs, 40);
  assert.ok(m.ok);
  assert.deepEqual(m.value.message, { type: 'router-solicitation', code: 0, options: [] });
  wlan.deliver(wlan.ifindex);
  for (let i = 0; i < 5; i++) t.mock.timers.tick(RTR_SOLICITATION_INTERVAL_MS);
  assert.equal(eth.sent.length, MAX_RTR_SOLICITATIONS, 'no answer on eth0: three, then stop');
  assert.equal(wlan.sent.length, 1, 'wlan0 heard an RA: no more solicitations');
  assert.equal(mon.counters.solicitationsSent, MAX_RTR_SOLICITATIONS + 1);
  mon.observe({ kind: 'link', ifname: 'eth0', up: false });
  mon.stop();
});

test('RaMonitor: without a socket (EPERM, or no ND ports) detection rests on rtnetlink, with a warning', () => {
  const { mon, lines } = setup(true);
  mon.observe({ kind: 'link', ifname: 'eth0', up: true });
  assert.equal(mon.counters.openFailures, 1);
  assert.deepEqual(mon.listening(), []);
  assert.match(lines.join('\n'), /cannot listen for Router Advertisements.*EPERM/);
  const none: string[] = [];
  const m2 = new RaMonitor(undefined, new Set(['eth0']), () => assert.fail('fed'),
    new Logger({ write: (l) => none.push(l) }, 'debug', 'text', () => 0));
  m2.observe({ kind: 'link', ifname: 'eth0', up: true });
  assert.match(none.join('\n'), /rtnetlink only/);
});
