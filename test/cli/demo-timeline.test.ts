/**
 * `dsmip6 demo`'s output without root: the tour is made of `testbed run` scenarios that exist
 * and visits home -> fn2 -> fn1 -> nat -> fn3 -> home; a timeline row shows what a stop reached
 * (or FAILED), and the summary counts stops, registrations, traffic checks and loss. Without
 * root the command says it needs root and which tools, and exits 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tourScenarios } from '../../src/demo/demo.js';
import { summaryLines, timelineHeader, timelineRow } from '../../src/demo/timeline.js';
import type { Check, Handover, ScenarioResult } from '../../src/testbed/run.js';

const handover = (from: string | null, to: string, coa: string | null, baMs: number | null,
  lost: number | null): Handover => ({
  node: 'mr', from, to, linkDownMs: 0, careOfAddress: coa, addressMs: baMs === null ? null : 3, tcpKept: null, buFlags: null, encapsulation: coa === null ? null : coa.includes(':') ? 'ipv6' : 'udp4',
  natDetected: coa?.startsWith('10.') ?? false, coaMs: baMs === null ? null : 5, baMs,
  firstDataMs: baMs === null ? null : baMs + 2, lost, probeReplies: 100,
});

const traffic = (ok: number, of: number): Check[] => Array.from({ length: of },
  (_, i) => ({ name: i % 2 ? `ping 2001:db8::${i}` : `tcp 192.0.2.${i}`, ok: i < ok }));

const result = (name: string, h: Handover | undefined, checks: Check[]): ScenarioResult => ({
  name, description: '', pass: checks.every((c) => c.ok) && h?.baMs !== null, ms: 1000, checks,
  handovers: h ? [h] : [], restarts: [],
});

test('the tour: home -> fn2 -> fn1 -> nat -> fn3 -> home, each a handover, binding and traffic', () => {
  const s = tourScenarios();
  assert.deepEqual(s.map((x) => x.steps.map((st) => st.do)), s.map(() => ['handover', 'binding', 'traffic']));
  const targets = s.map((x) => x.steps.filter((st) => st.do === 'handover').map((st) => (st as { to: string }).to));
  assert.deepEqual(targets, [['home'], ['fn2'], ['fn1'], ['nat'], ['fn3'], ['home']]);
});

test('timelineRow: away, at home, failed', () => {
  const away = timelineRow(9100, result('nat', handover('fn1', 'nat', '10.1.0.161', 29, 5), traffic(8, 8)));
  assert.match(away, /^ 9\.1 s +nat \(IPv4 NAT\) +10\.1\.0\.161 +UDP\/IPv4 +yes +registered +3 +5 +29 +31 +5 +8\/8$/);
  const home = timelineRow(1400, result('boot-at-home', handover(null, 'home', null, 15, null), traffic(8, 8)));
  assert.match(home, /^ 1\.4 s +home \(home link\) +\(home address\) +none +no +at home +3 +5 +15 +17 +- +8\/8$/);
  const failed = timelineRow(12_000,
    result('fn2', handover('home', 'fn2', null, null, null), [{ name: 'registered', ok: false }]));
  assert.match(failed, /^12\.0 s +fn2 \(IPv6-only\) .* FAILED +- +- +- +- +- +-$/);
  const header = timelineHeader();
  assert.equal(header.indexOf('network'), home.indexOf('home'), 'columns line up');
});

test('summaryLines: stops, registrations, traffic, handover times without the boot, loss', () => {
  const rs = [
    result('boot-at-home', handover(null, 'home', null, 15, null), traffic(8, 8)),
    result('fn2', handover('home', 'fn2', '2001:db8:2::1', 540, 55), traffic(8, 8)),
    result('fn1', handover('fn2', 'fn1', '198.51.100.33', 20, 3), traffic(7, 8)),
    result('nat', handover('fn1', 'nat', null, null, null), [{ name: 'registered', ok: false },
      { name: 'tshark: BU A flag', ok: true }, { name: 'tshark: BA status', ok: false }]),
  ];
  const lines = summaryLines(rs, { upMs: 600, daemonsMs: 900, tourMs: 14_000, totalMs: 15_700 });
  assert.match(lines[0], /^summary: 2\/6 stops passed; 3\/6 registrations; traffic checks 23\/24 \(ping, TCP\); BU\/BA checks by tshark 1\/2$/);
  assert.match(lines[1], /^ {2}3 handovers: BA p50 20 ms, max 540 ms; first data p50 22 ms, max 542 ms; 58 probe/);
  assert.match(lines[2], /15\.7 s in all \(testbed 0\.6 s, daemons 0\.9 s, tour 14\.0 s\)/);
});

test('dsmip6 demo without root: says it needs root and which tools, exits 1', (t) => {
  const cli = fileURLToPath(new URL('../../src/cli/dsmip6.js', import.meta.url));
  const root = process.getuid?.() === 0;
  // As root, drop to nobody to see what a user without root sees.
  const which = spawnSync('sh', ['-c', 'command -v setpriv']);
  if (root && which.status !== 0) { t.skip('running as root without setpriv to drop it'); return; }
  const r = root
    ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, 'demo'],
      { encoding: 'utf8' })
    : spawnSync(process.execPath, [cli, 'demo'], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^dsmip6 demo: needs root: .*sudo npx dsmip6 demo.*ip \(iproute2\).*radvd/);
  assert.equal(r.stdout, '', 'no timeline');
});
