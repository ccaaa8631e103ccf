/** `routers`: what Router Advertisements taught the mobile node, as a result and as text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answer } from '../../src/api/handlers.js';
import { formatJson, formatResult } from '../../src/api/format.js';
import type { Response } from '../../src/api/protocol.js';
import { mobileNodeSource, type MnSource } from '../../src/api/snapshots.js';
import type { RoutersResult, StatusResult } from '../../src/api/views.js';
import { parseCtlArgs } from '../../src/cli/ctl.js';
import type { MnSnapshot } from '../../src/engine/mn/mobile-node.js';
import { World, mnConfig, registeredOn6 } from '../engine/mn-world.js';
import { FOREIGN, ra } from '../engine/ra-fixture.js';
import { CLOCK, MN_REGISTERED, MN_ROUTERS, haSource, snapshots } from './fixtures.js';

function ok(r: Response): unknown {
  if (!r.ok) assert.fail(`error response: ${JSON.stringify(r.error)}`);
  return r.result;
}

const source = (s: MnSnapshot): MnSource => ({ role: 'mn', snapshot: () => s });
const routers = (s: MnSource): RoutersResult =>
  ok(answer({ id: 1, command: 'routers' }, snapshots(s))) as RoutersResult;

const ROUTERS_TEXT = `router advertisements  enabled (a router is lost after 4 Advertisement Intervals of silence)
heard                  40 (2 invalid)
routers lost           1

eth0
  no router heard

wlan0
  ROUTER   STATE                                  LIFETIME LEFT  INTERVAL  LOST IN  LAST HEARD  HA   PREFIXES
  fe80::1  usable                                 1800 s         500 ms    1 s      0 s ago     yes  2001:db8:30::/64,2001:db8:31::/64
  fe80::2  lifetime-0 since 2025-01-02T03:03:55Z  -              -         -        10 s ago    no   2001:db8:32::/64
  fe80::3  lost since 2025-01-02T03:04:00Z        -              -         -        -           no   -
  withdrawn prefixes: 2001:db8:20::/64`;

test('routers: every field, per configured interface, withdrawn prefixes and counters', () => {
  assert.deepStrictEqual(routers(source(MN_ROUTERS)), {
    enabled: true, lostAfterIntervals: 4,
    interfaces: [
      { name: 'eth0', routers: [], withdrawnPrefixes: [] },
      {
        name: 'wlan0',
        routers: [
          {
            address: 'fe80::1', state: 'usable', unusableSince: null, homeAgent: true,
            lifetimeRemainingSeconds: 1800, advertisementIntervalMs: 500, lostInSeconds: 1,
            lastHeard: '2025-01-02T03:04:04Z', lastHeardSecondsAgo: 0,
            prefixes: ['2001:db8:30::/64', '2001:db8:31::/64'],
          },
          {
            address: 'fe80::2', state: 'lifetime-0', unusableSince: '2025-01-02T03:03:55Z', homeAgent: false,
            lifetimeRemainingSeconds: null, advertisementIntervalMs: null, lostInSeconds: null,
            lastHeard: '2025-01-02T03:03:55Z', lastHeardSecondsAgo: 10, prefixes: ['2001:db8:32::/64'],
          },
          {
            address: 'fe80::3', state: 'lost', unusableSince: '2025-01-02T03:04:00Z', homeAgent: false,
            lifetimeRemainingSeconds: null, advertisementIntervalMs: null, lostInSeconds: null,
            lastHeard: null, lastHeardSecondsAgo: null, prefixes: [],
          },
        ],
        withdrawnPrefixes: ['2001:db8:20::/64'],
      },
    ],
    routerAdvertisements: 40, routerAdvertisementsInvalid: 2, routersLost: 1,
  });
  const status = ok(answer({ id: 1, command: 'status' }, snapshots(source(MN_ROUTERS)))) as StatusResult;
  assert.deepEqual([status.mobileNode?.routersUsable, status.mobileNode?.routersKnown], [1, 3]);
});

test('routers: text and JSON renderings', () => {
  const r = routers(source(MN_ROUTERS));
  assert.equal(formatResult('routers', r), ROUTERS_TEXT);
  for (const line of ROUTERS_TEXT.split('\n')) assert.equal(line, line.trimEnd());
  assert.deepStrictEqual(JSON.parse(formatJson(r)), r);
  const off = routers(source({ ...MN_REGISTERED, useRouterAdvertisements: false }));
  assert.equal(formatResult('routers', off).split('\n')[0],
    'router advertisements  disabled (MnUseRouterAdvertisements): movement detection from rtnetlink only');
});

test('routers is a view of a mobile node; ctl parses it', () => {
  const r = answer({ id: 1, command: 'routers' }, snapshots(haSource()));
  assert.equal(r.ok ? 'ok' : r.error.code, 'wrong-role');
  assert.deepEqual(parseCtlArgs(['routers', '--json']),
    { socket: '/run/dsmip6/dsmip6.sock', json: true, request: { id: 1, command: 'routers' } });
  assert.equal(parseCtlArgs(['routers', 'eth0']), 'routers takes no arguments besides --json');
});

test('routers over a real MobileNode: an RA heard, then its router lost', () => {
  const w = new World(mnConfig({ routerLostIntervals: 2 }));
  registeredOn6(w);
  w.feed(ra('eth0', { intervalMs: 1000, homeAgent: true, prefixes: [{ prefix: FOREIGN }] }));
  const start = w.now;
  const over = { clock: () => ({ now: w.now, wallMs: CLOCK.wallMs + (w.now - start) }) };
  const at = (): RoutersResult =>
    ok(answer({ id: 1, command: 'routers' }, snapshots(mobileNodeSource(w.mn), over))) as RoutersResult;
  const eth0 = (): unknown => at().interfaces.find((i) => i.name === 'eth0');
  assert.deepStrictEqual(eth0(), {
    name: 'eth0', withdrawnPrefixes: [],
    routers: [{
      address: 'fe80::1', state: 'usable', unusableSince: null, homeAgent: true, lifetimeRemainingSeconds: 1800,
      advertisementIntervalMs: 1000, lostInSeconds: 2, lastHeard: '2025-01-02T03:04:05Z', lastHeardSecondsAgo: 0,
      prefixes: ['2001:db8:2::/64'],
    }],
  });
  w.advance(2000);
  const after = at();
  assert.deepStrictEqual(eth0(), {
    name: 'eth0', withdrawnPrefixes: ['2001:db8:2::/64'],
    routers: [{
      address: 'fe80::1', state: 'lost', unusableSince: '2025-01-02T03:04:07Z', homeAgent: false,
      lifetimeRemainingSeconds: null, advertisementIntervalMs: null, lostInSeconds: null, lastHeard: null,
      lastHeardSecondsAgo: null, prefixes: [],
    }],
  });
  assert.deepEqual([after.lostAfterIntervals, after.routersLost, after.routerAdvertisements], [2, 1, 1]);
});
