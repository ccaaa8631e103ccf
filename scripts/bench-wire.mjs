#!/usr/bin/env node
// Micro-benchmark of the wire codecs on the home agent's registration path: nanoseconds per call
// of address parsing/formatting, the IPv6 header encoder, encoding a typical Binding
// Acknowledgement packet (as `sendMh` does) and decoding a typical Binding Update received over
// UDP (IPv4 Care-of Address, IPv4 Home Address request and Home Address options).
//
//   npm run build && node scripts/bench-wire.mjs [--base DIR] [--rounds 15] [--ms 40]
//
// `--base DIR` names another checkout whose dist/ was built from an earlier commit (e.g.
// `mkdir /tmp/base && git archive <commit> | tar -x -C /tmp/base`, node_modules linked there,
// `npx tsc -p .` in it): both are loaded into
// this one process and measured in alternating rounds, so the numbers share the same machine
// load. Each figure is the median over rounds of (time of one timed batch / calls in it).
// Measurements only: nothing here asserts a speed.
import { distUrl, opt, self } from './bench-args.mjs';

const ROUNDS = Number(opt('rounds', '15'));
const BATCH_MS = Number(opt('ms', '40'));

async function load(root) {
  const url = (p) => distUrl(root, `wire/${p}`);
  return {
    addr: await import(url('addr.js')),
    ipv6: await import(url('ipv6.js')),
    packet: await import(url('mh/packet.js')),
    encap: await import(url('udp-encap.js')),
  };
}

const variants = [['new', await load(self)]];
const base = opt('base', undefined);
if (base !== undefined) variants.unshift(['old', await load(base)]);

// Inputs: what the registration path sees (home agent address, home addresses in a /64,
// IPv4-mapped care-of addresses), rotated so no call sees the same text twice in a row.
const HA = '2001:db8:1::1';
const N = 64;
const hoas = Array.from({ length: N }, (_, i) => `2001:db8:1::1:0:${(i * 7919 % 65536).toString(16)}`);
const coas = Array.from({ length: N }, (_, i) => `10.64.${(i * 37) & 0xff}.${(i * 101) & 0xff}`);
const mapped = coas.map((c) => `::ffff:${c}`);
const texts = Array.from({ length: N }, (_, i) => [HA, hoas[i], mapped[i], 'fe80::1:2ff:fe03:405'][i % 4]);
const anyAddr = variants[0][1].addr;
const bytes = texts.map((t) => anyAddr.parseIpv6(t));
// Home addresses of 4096 nodes (more than any cache of recent texts holds).
const distinct = Array.from({ length: 4096 }, (_, i) => anyAddr.parseIpv6(`2001:db8:1::1:${i.toString(16)}:${(i * 7919 % 65536).toString(16)}`));

/** A Binding Acknowledgement to a node on IPv4 (RFC 5555): RH2, IPv4 Ack, NAT detection, BRA. */
function baSpec(i) {
  return {
    source: HA, destination: mapped[i], type2RoutingAddress: hoas[i],
    mh: {
      payloadProto: 59,
      message: { type: 'binding-ack', status: 0, flags: 0, sequence: i, lifetimeSeconds: 3600 },
      options: [
        { type: 'ipv4-address-acknowledgement', status: 0, prefixLength: 32, address: coas[(i + 1) % N] },
        { type: 'nat-detection', forceUdp: false, refreshTimeSeconds: 110 },
        { type: 'binding-refresh-advice', refreshIntervalSeconds: 3000 },
      ],
    },
  };
}
const baSpecs = Array.from({ length: N }, (_, i) => baSpec(i));

/** The inner IPv6 packet of a BU over UDP (what the UDP socket hands the home agent). */
function buPacket(v, i) {
  return v.packet.encodeMobilityPacket({
    source: mapped[i], destination: HA, homeAddressOption: hoas[i],
    mh: {
      payloadProto: 59,
      message: { type: 'binding-update', sequence: i, flags: 0xc000, lifetimeSeconds: 3600 },
      options: [
        { type: 'ipv4-home-address', prefixLength: 32, requestPrefix: false, address: '0.0.0.0' },
        { type: 'ipv4-care-of-address', address: coas[i] },
      ],
    },
  });
}

const out = new Uint8Array(64);
const header = (i) => ({
  trafficClass: 0, flowLabel: 0, payloadLength: 56, nextHeader: 43, hopLimit: 64,
  source: HA, destination: texts[i],
});
const headers = Array.from({ length: N }, (_, i) => header(i));

let sink = 0;
const cases = [
  ['parseIpv6', (v) => (i) => { sink += v.addr.parseIpv6(texts[i & 63])[15]; }],
  ['formatIpv6 (64 recurring addresses)', (v) => (i) => { sink += v.addr.formatIpv6(bytes[i & 63]).length; }],
  ['formatIpv6 (4096 distinct addresses)', (v) => (i) => { sink += v.addr.formatIpv6(distinct[i & 4095]).length; }],
  ['writeIpv6', (v) => (i) => { sink += v.addr.writeIpv6(out, 8, texts[i & 63]) ? 1 : 0; }],
  ['parseIpv4', (v) => (i) => { sink += v.addr.parseIpv4(coas[i & 63])[3]; }],
  ['encodeIpv6Header', (v) => (i) => { sink += v.ipv6.encodeIpv6Header(headers[i & 63], out, 0); }],
  ['encode BA (UDP, RH2 + 3 options)', (v) => (i) => {
    sink += v.packet.encodeMobilityPacket(baSpecs[i & 63]).length;
  }],
  ['decode BU (HAO + IPv4 HoA + IPv4 CoA)', (v) => {
    const pkts = Array.from({ length: N }, (_, i) => buPacket(v, i));
    return (i) => {
      const r = v.packet.decodeMobilityPacket(pkts[i & 63]);
      sink += r.ok ? r.value.mh.options.length : -1;
    };
  }],
];

/** Calls per batch so that one batch takes about BATCH_MS. */
function calibrate(fn) {
  let n = 1000;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= BATCH_MS / 4) return Math.max(1000, Math.round((n * BATCH_MS) / ms));
    n *= 4;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (const [name, make] of cases) {
  const fns = variants.map(([label, v]) => ({ label, fn: make(v), samples: [] }));
  for (const f of fns) f.n = calibrate(f.fn);
  for (let r = 0; r < ROUNDS; r++) {
    for (const f of (r % 2 === 0 ? fns : [...fns].reverse())) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < f.n; i++) f.fn(i);
      f.samples.push(Number(process.hrtime.bigint() - t0) / f.n);
    }
  }
  results.push({ name, ns: Object.fromEntries(fns.map((f) => [f.label, median(f.samples)])) });
}

const labels = variants.map(([l]) => l);
const pad = (s, n) => String(s).padStart(n);
console.log(`${'case'.padEnd(40)}${labels.map((l) => pad(`${l} ns`, 10)).join('')}`
  + (labels.length === 2 ? pad('new/old', 9) : ''));
for (const { name, ns } of results) {
  const cols = labels.map((l) => pad(ns[l].toFixed(1), 10)).join('');
  const ratio = labels.length === 2 ? pad((ns.new / ns.old).toFixed(2), 9) : '';
  console.log(`${name.padEnd(40)}${cols}${ratio}`);
}
if (sink === 0.5) console.log('(sink)');
