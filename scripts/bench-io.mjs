#!/usr/bin/env node
// I/O benchmark of the Linux ports (docs/native.md): packets per second and CPU microseconds per
// packet through TunPort and DatagramPort, between two throwaway network namespaces
// (dst-<pid>-bench-a / -b, joined by a veth pair, only namespace-local addresses).
//
//   sudo node scripts/bench-io.mjs [--seconds 3]        (after `npm install`, which builds dist/)
//
// Cases, each a separate pair of processes so the receiver's CPU can be measured alone:
//   udp-rx   generator in b: sendBatch(64) of 100-byte datagrams to a:4191; receiver in a:
//            DatagramPort.onBatch. Reports the receiver's kpps, CPU % and CPU µs per packet.
//   udp-rx-dgram  the same with Node's dgram 'message' events (baseline).
//   tun-rx   generator in b sends to 10.251.0.2, which a forwards into a TUN the receiver owns.
//   udp-tx   sender in b pinned to CPU 0: sendBatch(64) to a sink socket in a (never read).
//   tun-tx   writer in a pinned to CPU 0: writeBatch(64) of IPv4/UDP packets into its TUN
//            (routed to a blackhole).
// As in platform.md §2, veth runs the peer's kernel receive work on the sender's core, so the
// generator limits raw pps: compare receivers by CPU µs per packet.
// Every load loop is bounded by --seconds; namespaces are deleted in `finally`.
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist', 'src', 'os');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const SECONDS = Number(opt('seconds', '3'));
const role = opt('role', '');

async function ports() {
  const linux = await import(join(dist, 'linux', 'os.js'));
  const p = await import(join(dist, 'ports.js'));
  return { ...linux, ...p };
}

/** Receiver: counts packets through a port for SECONDS after a warm-up, prints one JSON line. */
async function receive(open) {
  const { port, label } = await open();
  let count = 0;
  let sink = 0;
  port.onBatch((b) => {
    count += b.count;
    sink ^= b.data[b.offset(0)];
  });
  console.log('ready');
  while (count === 0) await sleep(10);
  await sleep(300);
  const c0 = count;
  const t0 = process.hrtime.bigint();
  const u0 = process.cpuUsage();
  await sleep(SECONDS * 1000);
  const packets = count - c0;
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const u = process.cpuUsage(u0);
  const cpuUs = u.user + u.system;
  port.close();
  console.log(JSON.stringify({
    case: label, kpps: +(packets / wallUs * 1000).toFixed(1), cpuPercent: +(100 * cpuUs / wallUs).toFixed(0),
    usPerPacket: +(cpuUs / packets).toFixed(2), packets, sink: sink & 0,
  }));
}

/** Sender: fills one TxBatch of 64 and sends it again and again for `seconds`. */
async function send(open, seconds, report) {
  const { TxBatch } = await ports();
  const { port, fill, label } = await open();
  const batch = new TxBatch();
  fill(batch);
  const end = Date.now() + seconds * 1000;
  const u0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let sent = 0;
  let calls = 0;
  while (Date.now() < end) {
    for (let k = 0; k < 64; k++) sent += port.writeBatch ? port.writeBatch(batch) : port.sendBatch(batch);
    calls += 64;
  }
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const u = process.cpuUsage(u0);
  port.close();
  if (report) {
    console.log(JSON.stringify({
      case: label, kpps: +(sent / wallUs * 1000).toFixed(1),
      cpuPercent: +(100 * (u.user + u.system) / wallUs).toFixed(0),
      offered: calls * 64, accepted: sent, errors: port.stats.txErrors, lastError: port.stats.lastError,
    }));
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A 100-byte-payload IPv4/UDP packet 10.251.0.2:9 -> 10.252.0.2:9 (for tun-tx). */
function udp4Packet() {
  const p = new Uint8Array(128);
  p.set([0x45, 0, 0, 128, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 251, 0, 2, 10, 252, 0, 2]);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (p[i] << 8) | p[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  p[10] = ~sum >> 8 & 0xff;
  p[11] = ~sum & 0xff;
  p.set([0, 9, 0, 9, 0, 108, 0, 0], 20); // UDP checksum 0: none (IPv4)
  return p;
}

const roles = {
  'rx-udp': () => receive(async () => {
    const { openUdp } = await ports();
    const port = openUdp({ family: 4, address: '10.250.0.1', port: 4191, receiveBuffer: 8 << 20 });
    return { port, label: 'udp-rx' };
  }),
  // Baseline: Node's own dgram socket, one 'message' event per datagram.
  'rx-dgram': () => receive(async () => {
    const dgram = await import('node:dgram');
    const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
    await new Promise((r) => sock.bind(4191, '10.250.0.1', r));
    const batch = { count: 1, data: new Uint8Array(1), offset: () => 0 };
    const port = {
      onBatch: (h) => sock.on('message', (m) => { batch.data = m; h(batch); }),
      close: () => sock.close(),
    };
    return { port, label: 'udp-rx-dgram (baseline)' };
  }),
  'rx-tun': () => receive(async () => {
    const { LinuxTun } = await ports();
    const port = LinuxTun.open({ name: 'dstbench0' });
    execFileSync('ip', ['link', 'set', 'dstbench0', 'up', 'mtu', '1472']);
    execFileSync('ip', ['route', 'add', '10.251.0.0/24', 'dev', 'dstbench0']);
    return { port, label: 'tun-rx' };
  }),
  'gen-udp': (report) => send(async () => {
    const { openUdp, addressBytes } = await ports();
    const dst = addressBytes(opt('dst', '10.250.0.1'));
    return {
      port: openUdp({ family: 4, address: '0.0.0.0', port: 0 }), label: 'udp-tx',
      fill: (b) => { for (let i = 0; i < 64; i++) b.reserve(100, dst, 4191); },
    };
  }, Number(opt('for', SECONDS + 2)), report),
  'tx-tun': () => send(async () => {
    const { LinuxTun } = await ports();
    const port = LinuxTun.open({ name: 'dstbench1' });
    execFileSync('ip', ['link', 'set', 'dstbench1', 'up', 'mtu', '1472']);
    execFileSync('ip', ['route', 'add', '10.251.0.0/24', 'dev', 'dstbench1']);
    const pkt = udp4Packet();
    return { port, label: 'tun-tx', fill: (b) => { for (let i = 0; i < 64; i++) b.push(pkt); } };
  }, SECONDS, true),
};

/** Runs `node bench-io.mjs --role R ...` inside namespace `ns`; resolves with its JSON line. */
function child(ns, roleName, extra = [], pin = false) {
  const cmd = ['netns', 'exec', ns, ...(pin ? ['taskset', '-c', '0'] : []), process.execPath,
    fileURLToPath(import.meta.url), '--role', roleName, '--seconds', String(SECONDS), ...extra];
  const p = spawn('ip', cmd, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise((resolve) => {
    p.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
  });
  const done = new Promise((resolve, reject) => p.on('exit', (code) => {
    const line = out.split('\n').find((l) => l.startsWith('{'));
    if (code === 0) resolve(line ? JSON.parse(line) : null);
    else reject(new Error(`${roleName} in ${ns} exited with ${code}: ${out}`));
  }));
  return { ready, done };
}

function ipn(ns, ...a) {
  execFileSync('ip', ['-n', ns, ...a]);
}

async function main() {
  if (process.getuid() !== 0) throw new Error('bench-io needs root (network namespaces, TUN)');
  const a = `dst-${process.pid}-bench-a`;
  const b = `dst-${process.pid}-bench-b`;
  const results = [];
  try {
    for (const ns of [a, b]) { execFileSync('ip', ['netns', 'add', ns]); ipn(ns, 'link', 'set', 'lo', 'up'); }
    ipn(a, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1', 'netns', b);
    ipn(a, 'link', 'set', 'v0', 'up');
    ipn(b, 'link', 'set', 'v1', 'up');
    ipn(a, 'addr', 'add', '10.250.0.1/24', 'dev', 'v0');
    ipn(b, 'addr', 'add', '10.250.0.2/24', 'dev', 'v1');
    ipn(b, 'route', 'add', '10.251.0.0/24', 'via', '10.250.0.1');
    ipn(a, 'route', 'add', 'blackhole', '10.252.0.0/24');
    execFileSync('ip', ['netns', 'exec', a, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    const cases = [['rx-udp', '10.250.0.1'], ['rx-dgram', '10.250.0.1'], ['rx-tun', '10.251.0.2']];
    for (const [rx, dst] of cases) {
      const r = child(a, rx);
      await r.ready;
      const g = child(b, 'gen-udp', ['--dst', dst, '--for', String(SECONDS + 2)]);
      results.push(await r.done);
      await g.done;
    }
    results.push(await child(b, 'gen-udp', ['--report', '--for', String(SECONDS)], true).done);
    results.push(await child(a, 'tx-tun', [], true).done);
  } finally {
    for (const ns of [a, b]) { try { execFileSync('ip', ['netns', 'del', ns]); } catch { /* gone */ } }
  }
  console.log(`node ${process.version}, ${SECONDS} s windows, 100-byte payloads, batches of 64`);
  for (const r of results) console.log(JSON.stringify(r));
}

if (role === '') {
  main().catch((e) => { console.error(e.message); process.exit(1); });
} else {
  roles[role](args.includes('--report')).catch((e) => { console.error(e); process.exit(1); });
}
