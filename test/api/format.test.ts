/** Human renderings: golden strings (aligned columns, `-` for none, no trailing spaces). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answer } from '../../src/api/handlers.js';
import { formatBc, formatBul, formatJson, formatResult, formatStats } from '../../src/api/format.js';
import type { Command, Request } from '../../src/api/protocol.js';
import type { EngineSource } from '../../src/api/snapshots.js';
import { columns, duration } from '../../src/api/table.js';
import type { BcResult, BulResult, StatsResult } from '../../src/api/views.js';
import { MN_REGISTERED, haSource, snapshots } from './fixtures.js';

const mn: EngineSource = { role: 'mn', snapshot: () => MN_REGISTERED };

function shown(command: Command, engine: EngineSource, extra: object = {}): string {
  const r = answer({ id: 1, command, ...extra } as Request, snapshots(engine));
  if (!r.ok) assert.fail(JSON.stringify(r.error));
  return formatResult(command, r.result);
}

const STATUS_HA = `role            home agent
version         0.1.0
pid             4242
uptime          1d 02:03:04
config          /etc/dsmip6/ha.conf
address         2001:db8:1::1
ipv4 address    203.0.113.1
udp port        4191
dsmip6          accepted
bindings        2 of 1000 (1 waiting for DAD)
dad             9 probed: 7 unique, 1 duplicate; 2 not performed
home link sent  9 probes, 21 NAs, 6 ARP; 0 failed`;

const STATUS_MN = `role             mobile node
version          0.1.0
pid              4242
uptime           1d 02:03:04
config           /etc/dsmip6/ha.conf
home address     2001:db8:1::100
home agent       2001:db8:1::1
state            registered
care-of address  198.51.100.10 on wlan0
encapsulation    udp4
routers          0 usable of 0 (ctl routers)`;

const BC_ALL = `HOME ADDRESS     CARE-OF ADDRESS  ENCAP  UDP ENDPOINT      NAT  LIFETIME  LEFT  SEQ    FLAGS  NEMO      MNPS                               IPV4 HOA  IPV4 MNP     REGISTERED
2001:db8:1::100  2001:db8:2::5    ipv6   -                 no   400       300   10     AH     -         -                                  -         -            2025-01-02T03:02:25Z
2001:db8:1::200  198.51.100.10    udp4   192.0.2.77:40001  yes  3600      3599  65535  AHR    explicit  2001:db8:ff::/64,2001:db8:fe::/64  10.0.0.7  10.1.0.0/24  2025-01-02T03:04:04Z
2 bindings`;

const BC_PAGE = `HOME ADDRESS     CARE-OF ADDRESS  ENCAP  UDP ENDPOINT      NAT  LIFETIME  LEFT  SEQ    FLAGS  NEMO      MNPS                               IPV4 HOA  IPV4 MNP     REGISTERED
2001:db8:1::200  198.51.100.10    udp4   192.0.2.77:40001  yes  3600      3599  65535  AHR    explicit  2001:db8:ff::/64,2001:db8:fe::/64  10.0.0.7  10.1.0.0/24  2025-01-02T03:04:04Z
bindings 2-2 of 2`;

const BUL = `home address        2001:db8:1::100
home agent          2001:db8:1::1 (IPv4 203.0.113.1)
state               registered
at home             no
care-of address     198.51.100.10 on wlan0
last sequence sent  32768, 12 s ago
lifetime            requested 600 s, granted 600 s, remaining 588 s
retransmissions     0
next retry in       -
encapsulation       udp4 to 203.0.113.1:4191, NAT detected
ipv4 home address   10.0.0.7
ipv4 mnp            -
mobile router       no
mnps                -`;

const STATS_HA = `signalling
  binding updates received                      12
  accepted                                      8
  rejected                                      3
    status 129 (administratively prohibited)    2
    status 135 (sequence number out of window)  1
  dropped                                       4
    reason bad-checksum                         1
    reason malformed                            3
  binding acks sent                             11
  binding errors sent                           1
  refresh requests sent                         2
  bindings expired                              4

data plane
  DIRECTION      PACKETS  BYTES
  tun-to-tunnel  7        900
  tunnel-to-tun  10       1200
  dropped                  2
    reason ingress-source  2`;

const STATS_MN = `signalling
  binding updates sent                   3
  registrations                          1
  deregistrations                        0
  failures                               1
    status 130 (insufficient resources)  1
  dropped                                2
    reason unexpected-ack                2
  bindings expired                       0
  care-of changes                        2

data plane
  DIRECTION      PACKETS  BYTES
  tun-to-tunnel  7        900
  tunnel-to-tun  10       1200
  dropped                  2
    reason ingress-source  2`;

test('status, home agent and mobile node', () => {
  assert.equal(shown('status', haSource()), STATUS_HA);
  assert.equal(shown('status', mn), STATUS_MN);
});

test('bc: a table with aligned columns and a footer; a page says where the next one starts', () => {
  assert.equal(shown('bc', haSource(), { offset: 0, limit: 10 }), BC_ALL);
  assert.equal(shown('bc', haSource(), { offset: 1, limit: 1 }), BC_PAGE);
  const first = shown('bc', haSource(), { offset: 0, limit: 1 }).split('\n');
  assert.equal(first.at(-1), 'bindings 1-1 of 2 (next page: --offset 1)');
  const empty: BcResult = { total: 0, offset: 0, limit: 10, bindings: [] };
  assert.equal(formatBc(empty), 'no bindings');
  assert.equal(formatBc({ ...empty, total: 5, offset: 9 }), 'no bindings from offset 9 (5 in all)');
});

test('bul and stats', () => {
  assert.equal(shown('bul', mn), BUL);
  assert.equal(formatBul({ entries: [] } as BulResult), 'no binding update list entries');
  assert.equal(shown('stats', haSource()), STATS_HA);
  assert.equal(shown('stats', mn), STATS_MN);
  const bare: StatsResult = {
    role: 'ha', homeAgent: null, mobileNode: null, dataPlane: { traffic: {}, droppedByReason: {} },
  };
  assert.equal(formatStats(bare), 'signalling\n\ndata plane\n  no traffic counters\n  dropped  0');
});

test('no line of any view ends in spaces', () => {
  for (const s of [STATUS_HA, STATUS_MN, BC_ALL, BC_PAGE, BUL, STATS_HA, STATS_MN]) {
    for (const line of s.split('\n')) assert.equal(line, line.trimEnd());
  }
});

test('--json: the result itself, field names as the protocol defines them', () => {
  const r = answer({ id: 1, command: 'bc', offset: 0, limit: 1 }, snapshots(haSource()));
  const j = JSON.parse(formatJson(r.ok ? r.result : null)) as BcResult;
  assert.deepStrictEqual(Object.keys(j.bindings[0]), [
    'homeAddress', 'careOfAddress', 'encapsulation', 'udpEndpoint', 'natDetected', 'lifetimeSeconds',
    'remainingSeconds', 'sequence', 'flags', 'mobileRouter', 'nemoMode', 'mobileNetworkPrefixes',
    'ipv4HomeAddress', 'ipv4MobileNetworkPrefix', 'registeredAt', 'refreshRequestSent',
  ]);
});

test('table helpers', () => {
  assert.deepStrictEqual(columns([['A', 'BB', 'C'], ['aaa', 'b', '']]), ['A    BB  C', 'aaa  b']);
  assert.deepStrictEqual([duration(0), duration(3723), duration(93784), duration(-5)],
    ['00:00:00', '01:02:03', '1d 02:03:04', '00:00:00']);
});
