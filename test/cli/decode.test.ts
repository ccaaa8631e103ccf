import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../src/cli/dsmip6.js');
const BU = `4500008c0001000040111421c633640acb007101105f105f00780000
6000000000483c40 00000000000000000000ffffc633640a 20010db8000100000000000000000001
870201020000c91020010db8000100000000000000000100
3b0505005de01234d40000641d0682000000000020060000c633640a0612004020010db800ff00000000000000000000`;

function run(args: string[], input?: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('dsmip6 decode: hex argument with whitespace prints the tree', () => {
  const r = run(['decode', BU]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /^ipv4 \(offset 0, 140 octets\)/m);
  assert.match(r.out, /mobility-header \(offset 92, 48 octets\)/);
  assert.match(r.out, /flagLetters: AHKR/);
  assert.match(r.out, /type: ipv4-care-of-address, address: 198\.51\.100\.10/);
});

test('dsmip6 decode --json from stdin (colons ignored) prints one JSON object', () => {
  const colons = BU.replace(/\s+/g, '').match(/../g)!.join(':');
  const r = run(['decode', '--json', '-'], colons);
  assert.equal(r.code, 0, r.out);
  const j = JSON.parse(r.out) as { length: number; layers: { layer: string; fields: Record<string, unknown> }[] };
  assert.equal(j.length, 140);
  assert.deepStrictEqual(j.layers.map((l) => l.layer),
    ['ipv4', 'udp', 'ipv6', 'destination-options', 'mobility-header']);
  assert.equal(j.layers[1].fields.destinationPort, 4191);
});

test('dsmip6 decode: malformed input prints what decoded, then the error, and exits 2', () => {
  const cut = BU.replace(/\s+/g, '').slice(0, 2 * 130);
  const r = run(['decode', cut]);
  assert.equal(r.code, 2);
  assert.match(r.out, /error: truncated: IPv4 total length 140 exceeds the 130 bytes present at offset 2/);
  const inner = BU.replace(/\s+/g, '').slice(56, 56 + 2 * 100);
  const r2 = run(['decode', inner]);
  assert.equal(r2.code, 2);
  assert.match(r2.out, /error: truncated/);
  const j = run(['decode', '--json', 'zz']);
  assert.equal(j.code, 2);
  assert.match(j.out, /not an even number of hex digits/);
});

test('dsmip6 with no or an unknown command prints usage and exits 2', () => {
  assert.equal(run([]).code, 2);
  const r = run(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.out, /unknown command 'frobnicate'/);
  assert.equal(run(['help']).code, 0);
});
