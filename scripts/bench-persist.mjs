#!/usr/bin/env node
// Micro-benchmark of what the home agent writes per registration besides packets: the durable
// binding log (ha-store.ts) and the log line (logger.ts). CPU nanoseconds per binding:
// - a record's text: JSON.stringify(exportBinding(e)) against the hand-written bindingJson(e);
// - flushes of the log to a file (/dev/null), of `--batch` and of 8,192 lines (a burst): the
//   batch's text built with `+=` then writeAll (Buffer.from), against the reused LineBuffer; with
//   either serializer;
// - the `binding-accepted` info line through a BatchedSink (one write per callback) to /dev/null,
//   with `--batch` and with 8,192 lines per callback (a burst), this build's Logger against the
//   one of `--base DIR` when given.
// The entries are Binding Cache entries like the scale benchmark's (DSMIPv6 over UDP, half behind
// a NAT) mixed with native IPv6, mobile routers (NEMO prefixes, IPv4 prefix) and link-local
// addresses.
//
//   npm run build && node scripts/bench-persist.mjs [--base DIR] [--rounds 15] [--n 100000] [--batch 256]
//
// `--base DIR`: another checkout with its own dist/ (see bench-wire.mjs). Each figure is the
// median (and least) over rounds of (CPU time of one pass over all entries / entries), the
// variants measured in alternating rounds in one process; the machine's other load shows as the
// spread between the two. Measurements only: nothing asserts.
import { openSync, writeSync } from 'node:fs';
import { distUrl, opt, self } from './bench-args.mjs';

const ROUNDS = Number(opt('rounds', 15));
const N = Number(opt('n', 100_000));
const BATCH = Number(opt('batch', 256));
const BASE = opt('base', undefined);
/** Bindings changed in one callback during a burst (the daemon reads thousands of BUs in one go). */
const BURST = 8192;
const dist = distUrl;
const { CachedBinding } = await import(dist(self, 'engine/ha/binding-cache.js'));
const { exportBinding, bindingJson } = await import(dist(self, 'engine/ha/persist-record.js'));
const { LineBuffer, writeAll } = await import(dist(self, 'runtime/append-log.js'));
const loggers = [['this build', await import(dist(self, 'runtime/logger.js'))]];
if (BASE !== undefined) loggers.unshift(['--base', await import(dist(BASE, 'runtime/logger.js'))]);
const devNull = openSync('/dev/null', 'w');

const hex = (x) => x.toString(16);
const a4 = (x) => `${10 + (x >> 16)}.${(x >> 8) & 0xff}.${x & 0xff}.${(x % 250) + 1}`;

/** Entry `i`, its strings built at run time (as the engine formats received addresses). */
function entry(i) {
  const base = {
    homeAddress: `2001:db8:${hex(i >> 16)}:${hex(i & 0xffff)}::${(i % 200) + 1}`, sequence: i & 0xffff,
    flags: 0xc000, lifetimeSeconds: 400, registeredAt: i, expiresAt: 400_000 + i, nemoMode: undefined,
    prefixes: [], linkLocal: undefined, ipv4HomeAddress: `10.9.${(i >> 8) & 0xff}.${i & 0xff}`,
    ipv4Prefix: undefined, refreshRequestSent: false,
  };
  const kind = i % 10;
  const ha4 = '203.0.113.1';
  if (kind < 4) { // DSMIPv6 behind a NAT: UDP tunnel to the NAT's address and port
    const nat = `192.0.2.${(i % 8) + 1}`;
    const remotePort = 1024 + (i % 60000);
    const tunnel = { encapsulation: 'udp4', local: ha4, localPort: 4191, remote: nat, remotePort };
    const via = { kind: 'udp4', source: ha4, sourcePort: 4191, destination: nat, destinationPort: remotePort };
    const coa = a4(i);
    return new CachedBinding({ ...base, careOfAddress: coa, tunnel, via, signallingAddress: `::ffff:${coa}` });
  }
  if (kind < 8) { // DSMIPv6, no NAT: IPv4-in-IPv4 tunnel, signalling over UDP
    const coa = a4(i);
    const tunnel = { encapsulation: 'ipv4', local: ha4, remote: coa };
    const via = { kind: 'udp4', source: ha4, sourcePort: 4191, destination: coa, destinationPort: 4191 };
    return new CachedBinding({ ...base, careOfAddress: coa, tunnel, via, signallingAddress: `::ffff:${coa}` });
  }
  const coa = `2001:db8:2:${hex(i & 0xffff)}::5`;
  const tunnel = { encapsulation: 'ipv6', local: '2001:db8:1::1', remote: coa };
  const more = kind === 9 ? { // a mobile router: R flag, an IPv6 and an IPv4 prefix
    flags: 0xe000, nemoMode: 'explicit', ipv4Prefix: `10.128.${i & 0xff}.0/28`,
    prefixes: [`2001:db8:ff:${hex(i & 0xffff)}::/64`],
  } : { flags: 0xc000 | 0x4000, linkLocal: `fe80::${(i % 200) + 1}` };
  const via = { kind: 'ipv6' };
  return new CachedBinding({ ...base, ...more, careOfAddress: coa, tunnel, via, signallingAddress: coa });
}

/** The event the engine reports for entry `e` (ha/registration.ts). */
const accepted = (e) => ({
  type: 'binding-accepted', homeAddress: e.homeAddress, careOfAddress: e.careOfAddress,
  encapsulation: e.tunnel.encapsulation, lifetimeSeconds: e.lifetimeSeconds, sequence: e.sequence,
  natDetected: e.natDetected, isNew: true, prefixes: e.prefixes,
  ...(e.ipv4HomeAddress !== undefined ? { ipv4HomeAddress: e.ipv4HomeAddress } : {}),
});

const entries = Array.from({ length: N }, (_, i) => entry(i));
const events = entries.map(accepted);
const OFFSET = 1_764_000_000_000;
let sink = 0;

const serializers = {
  'JSON.stringify(exportBinding(e))': (e) => JSON.stringify(exportBinding(e, OFFSET)),
  'bindingJson(e)': (e) => bindingJson(e, OFFSET),
};

/** Flushes as the store did them: each batch's text with `+=`, then writeAll (Buffer.from, write). */
function textThenWriteAll(ser, batch) {
  for (let i = 0; i < N; i += batch) {
    let text = '';
    for (let j = i; j < Math.min(N, i + batch); j++) text += `{"set":${ser(entries[j])}}\n`;
    writeAll(devNull, text);
  }
}

/** Flushes as the store does them: each line into the reused LineBuffer, then its write. */
const lineBuffer = new LineBuffer();
function reusedBuffer(ser, batch) {
  for (let i = 0; i < N; i += batch) {
    for (let j = i; j < Math.min(N, i + batch); j++) lineBuffer.add(devNull, `{"set":${ser(entries[j])}}`);
    lineBuffer.write(devNull);
  }
}

/** One info line per binding, `batch` per callback; the sink writes each batch after it. */
async function logLines(log, batch) {
  for (let i = 0; i < N; i += batch) {
    for (let j = i; j < Math.min(N, i + batch); j++) log.info(events[j].type, events[j]);
    await new Promise(setImmediate);
  }
}

const cases = [];
for (const [name, ser] of Object.entries(serializers)) {
  cases.push([`record text: ${name}`, () => { for (let i = 0; i < N; i++) sink += ser(entries[i]).length; }]);
}
for (const batch of [BATCH, BURST]) {
  for (const [name, ser] of Object.entries(serializers)) {
    cases.push([`flush of ${batch}, text += line, writeAll: ${name}`, () => textThenWriteAll(ser, batch)]);
    cases.push([`flush of ${batch}, LineBuffer: ${name}`, () => reusedBuffer(ser, batch)]);
  }
}
let ms = 1_764_000_000_000;
for (const [name, { Logger, BatchedSink }] of loggers) {
  const clock = () => Math.floor(ms += 0.01);
  const log = new Logger(new BatchedSink((t) => writeSync(devNull, t)), 'info', 'text', clock);
  for (const batch of [BATCH, BURST]) {
    cases.push([`log line, ${batch} per callback (${name})`, () => logLines(log, batch)]);
  }
}

const times = new Map(cases.map(([n]) => [n, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, f] of cases) {
    const t0 = process.cpuUsage();
    await f();
    const t = process.cpuUsage(t0);
    times.get(name).push(((t.user + t.system) * 1000) / N);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`${N} bindings; CPU ns per binding: median, least of ${ROUNDS} rounds`);
for (const [name, xs] of times) {
  console.log(`${median(xs).toFixed(0).padStart(6)} ${Math.min(...xs).toFixed(0).padStart(6)}  ${name}`);
}
if (sink < 0) console.log(sink);
