#!/usr/bin/env node
// Micro-benchmark of the home agent's durable binding log (ha-store.ts) on the registration path:
// CPU nanoseconds per binding to write a record's text — JSON.stringify(exportBinding(e)) against
// the hand-written bindingJson(e) — and to write one flush's lines to a file (/dev/null): the
// batch's text built with `+=` then writeAll (Buffer.from), against the reused LineBuffer. The
// entries are Binding Cache entries like the scale benchmark's (DSMIPv6 over UDP, half behind a
// NAT) mixed with native IPv6, mobile routers (NEMO prefixes, IPv4 prefix) and link-local
// addresses.
//
//   npm run build && node scripts/bench-persist.mjs [--rounds 15] [--n 100000] [--batch 256]
//
// Each figure is the median (and least) over rounds of (CPU time of one pass over all entries /
// entries), the variants measured in alternating rounds in one process. The machine's other load
// shows as spread between the two. Measurements only: nothing asserts.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { openSync } from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return Number(i >= 0 ? args[i + 1] : dflt);
};
const ROUNDS = opt('rounds', 15);
const N = opt('n', 100_000);
const BATCH = opt('batch', 256);
const dist = (p) => pathToFileURL(join(resolve(here, '..'), 'dist', 'src', p)).href;
const { CachedBinding } = await import(dist('engine/ha/binding-cache.js'));
const { exportBinding, bindingJson } = await import(dist('engine/ha/persist-record.js'));
const { LineBuffer, writeAll } = await import(dist('runtime/append-log.js'));
const devNull = openSync('/dev/null', 'w');

/** Entry `i`: the strings built at run time (as the engine formats received addresses). */
function entry(i) {
  const hoa = `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::${(i % 200) + 1}`;
  const a4 = (x) => `${10 + (x >> 16)}.${(x >> 8) & 0xff}.${x & 0xff}.${(x % 250) + 1}`;
  const base = {
    homeAddress: hoa, sequence: i & 0xffff, flags: 0xc000, lifetimeSeconds: 400, registeredAt: i,
    expiresAt: 400_000 + i, nemoMode: undefined, prefixes: [], linkLocal: undefined,
    ipv4HomeAddress: `10.9.${(i >> 8) & 0xff}.${i & 0xff}`, ipv4Prefix: undefined, refreshRequestSent: false,
  };
  const kind = i % 10;
  if (kind < 4) { // DSMIPv6 behind a NAT: UDP tunnel to the NAT's address and port
    const nat = `192.0.2.${(i % 8) + 1}`;
    const tunnel = { encapsulation: 'udp4', local: '203.0.113.1', localPort: 4191, remote: nat, remotePort: 1024 + (i % 60000) };
    const via = { kind: 'udp4', source: '203.0.113.1', sourcePort: 4191, destination: nat, destinationPort: tunnel.remotePort };
    return new CachedBinding({ ...base, careOfAddress: a4(i), tunnel, via, signallingAddress: `::ffff:${a4(i)}` });
  }
  if (kind < 8) { // DSMIPv6, no NAT: IPv4-in-IPv4 tunnel, signalling over UDP
    const coa = a4(i);
    const tunnel = { encapsulation: 'ipv4', local: '203.0.113.1', remote: coa };
    const via = { kind: 'udp4', source: '203.0.113.1', sourcePort: 4191, destination: coa, destinationPort: 4191 };
    return new CachedBinding({ ...base, careOfAddress: coa, tunnel, via, signallingAddress: `::ffff:${coa}` });
  }
  const coa = `2001:db8:2:${(i & 0xffff).toString(16)}::5`;
  const tunnel = { encapsulation: 'ipv6', local: '2001:db8:1::1', remote: coa };
  const nemo = kind === 9 ? {
    flags: 0xc000 | 0x2000 | 0x4000, nemoMode: 'explicit', ipv4Prefix: `10.128.${i & 0xff}.0/28`,
    prefixes: [`2001:db8:ff:${(i & 0xffff).toString(16)}::/64`],
  } : { flags: 0xc000 | 0x4000, linkLocal: `fe80::${(i % 200) + 1}` };
  return new CachedBinding({ ...base, ...nemo, careOfAddress: coa, tunnel, via: { kind: 'ipv6' }, signallingAddress: coa });
}

const entries = Array.from({ length: N }, (_, i) => entry(i));
const OFFSET = 1_764_000_000_000;
let sink = 0;

/** One pass: the records' text, and one flush's bytes per BATCH lines. */
const serializers = {
  'JSON.stringify(exportBinding(e))': (e) => JSON.stringify(exportBinding(e, OFFSET)),
  'bindingJson(e)': (e) => bindingJson(e, OFFSET),
};

/** A flush as the store did it: the batch's text with `+=`, then writeAll (Buffer.from, write). */
function textThenBuffer(ser) {
  for (let i = 0; i < N; i += BATCH) {
    let text = '';
    for (let j = i; j < Math.min(N, i + BATCH); j++) text += `{"set":${ser(entries[j])}}\n`;
    writeAll(devNull, text);
  }
}

/** A flush as the store does it: each line into the reused LineBuffer, then one write. */
const lineBuffer = new LineBuffer();
function reusedBuffer(ser) {
  for (let i = 0; i < N; i += BATCH) {
    for (let j = i; j < Math.min(N, i + BATCH); j++) lineBuffer.add(devNull, `{"set":${ser(entries[j])}}`);
    lineBuffer.write(devNull);
  }
}

const cases = [];
for (const [name, ser] of Object.entries(serializers)) {
  cases.push([`record text   ${name}`, () => { for (let i = 0; i < N; i++) sink += ser(entries[i]).length; }]);
}
for (const [name, ser] of Object.entries(serializers)) {
  cases.push([`flush: text += line, writeAll   ${name}`, () => textThenBuffer(ser)]);
  cases.push([`flush: LineBuffer               ${name}`, () => reusedBuffer(ser)]);
}

const times = new Map(cases.map(([n]) => [n, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, f] of cases) {
    const t0 = process.cpuUsage();
    f();
    const t = process.cpuUsage(t0);
    times.get(name).push(((t.user + t.system) * 1000) / N);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`${N} entries, ${BATCH} lines per flush; CPU ns per binding, median and least of ${ROUNDS} rounds`);
for (const [name, xs] of times) {
  console.log(`${median(xs).toFixed(0).padStart(6)} ${Math.min(...xs).toFixed(0).padStart(6)}  ${name}`);
}
if (sink < 0) console.log(sink);
