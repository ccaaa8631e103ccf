/**
 * Traffic for `testbed run`: the 100 pps UDP probe stream that times a handover (from cn to a
 * reflector in mnn, each reply timestamped on arrival), and the reachability checks (ping and a TCP echo from
 * cn to the mobile router's home addresses and to mnn, over IPv6 and IPv4).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { sleep, tryRun } from './sh.js';

/** A reply of the probe stream: its probe's sequence number, send time and receive time. */
export interface Reply { readonly seq: number; readonly sentAt: number; readonly at: number }

/**
 * Parses the probe's output: `R SEQ SENT RECEIVED` per reply, SENT the probe's send time (carried
 * in the datagram and echoed) and RECEIVED the reply's arrival, both ms since the epoch.
 */
export function parseReplies(text: string): Reply[] {
  const out: Reply[] = [];
  for (const line of text.split('\n')) {
    const m = /^R (\d+) (\d+) (\d+)$/.exec(line);
    if (m) out.push({ seq: Number(m[1]), sentAt: Number(m[2]), at: Number(m[3]) });
  }
  return out;
}

export interface ProbeResult {
  /** Replies received over the whole stream. */
  readonly replies: number;
  /**
   * ms from the link change to the first reply to a probe sent after it (so a reply already in
   * flight never counts as data through the new path), null if none came.
   */
  readonly firstDataMs: number | null;
  /**
   * Probes lost: sequence numbers without a reply between the last reply before the link change
   * and the last reply; null when no reply came before it (no path to lose).
   */
  readonly lost: number | null;
}

/** Replies received, link change time -> measurements. */
export function analyse(replies: readonly Reply[], linkChangeAt: number): ProbeResult {
  const before = replies.filter((r) => r.at <= linkChangeAt);
  const after = replies.filter((r) => r.at > linkChangeAt);
  const through = after.filter((r) => r.sentAt >= linkChangeAt);
  const firstDataMs = through.length > 0 ? Math.min(...through.map((r) => r.at)) - linkChangeAt : null;
  let lost: number | null = null;
  if (before.length > 0 && after.length > 0) {
    const from = before[before.length - 1].seq;
    const seen = new Set(after.map((r) => r.seq));
    const last = Math.max(...after.map((r) => r.seq));
    lost = 0;
    for (let s = from + 1; s <= last; s++) if (!seen.has(s)) lost++;
  }
  return { replies: replies.length, firstDataMs, lost };
}

export const PROBE_PORT = 7778;
export const PROBE_PPS = 100;

const REFLECTOR = `const s = require('dgram').createSocket('udp6');
s.on('message', (m, r) => s.send(m, r.port, r.address));
s.bind(${PROBE_PORT}, '::', () => console.log('ready'));
setTimeout(() => process.exit(0), 120000);`;

/** Sends sequence-numbered datagrams at PROBE_PPS (paced by elapsed time), prints each reply. */
const sender = (address: string): string => `const s = require('dgram').createSocket('udp6');
const t0 = Date.now(); let seq = 0; const b = Buffer.alloc(64);
s.on('message', (m) => {
  if (m.length >= 12) console.log('R ' + m.readUInt32BE(0) + ' ' + m.readDoubleBE(4) + ' ' + Date.now());
});
s.on('error', () => undefined);
const tick = () => {
  const due = Math.floor((Date.now() - t0) * ${PROBE_PPS} / 1000);
  for (; seq <= due; seq++) {
    b.writeUInt32BE(seq, 0);
    b.writeDoubleBE(Date.now(), 4);
    s.send(b, ${PROBE_PORT}, ${JSON.stringify(address)}, () => undefined);
  }
};
setInterval(tick, 2); setTimeout(() => process.exit(0), 120000);`;

function waitReady(child: ChildProcess, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not start`)), 5000);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) { clearTimeout(t); resolve(); }
    });
    child.once('exit', () => { clearTimeout(t); reject(new Error(`${what} exited`)); });
  });
}

/**
 * The probe stream: UDP datagrams at 100 pps from `fromNs` to a reflector at `address` in
 * `toNs`, each reply timestamped as it arrives.
 */
export class Probe {
  private text = '';
  private constructor(private readonly reflector: ChildProcess, private readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => { this.text += d.toString(); });
  }

  static async start(fromNs: string, toNs: string, address: string): Promise<Probe> {
    const reflector = spawn('ip', ['netns', 'exec', toNs, process.execPath, '-e', REFLECTOR],
      { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await waitReady(reflector, `the probe reflector in ${toNs}`);
    } catch (e) {
      reflector.kill('SIGKILL');
      throw e;
    }
    const child = spawn('ip', ['netns', 'exec', fromNs, process.execPath, '-e', sender(address)],
      { stdio: ['ignore', 'pipe', 'ignore'] });
    return new Probe(reflector, child);
  }

  replies(): Reply[] {
    return parseReplies(this.text);
  }

  /** Waits until a reply to a probe sent at or after `t` came, at most `timeoutMs`. */
  async replyAfter(t: number, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end && !this.replies().some((r) => r.sentAt >= t)) await sleep(20);
  }

  /** Stops the stream and the reflector; returns the replies. */
  async stop(): Promise<Reply[]> {
    for (const c of [this.child, this.reflector]) {
      if (c.exitCode === null && c.signalCode === null) {
        const gone = new Promise<void>((r) => c.once('close', () => r()));
        c.kill('SIGKILL');
        await Promise.race([gone, sleep(2000)]);
      }
    }
    return this.replies();
  }
}

/** `ping -c 2` from `ns`; undefined when both replies came, else what went wrong. */
export function pingCheck(ns: string, address: string): string | undefined {
  const family = address.includes(':') ? '-6' : '-4';
  const r = tryRun('ip', ['netns', 'exec', ns, 'ping', family, '-n', '-c', '2', '-i', '0.2', '-W', '2',
    address]);
  if (/ 0% packet loss/.test(r.stdout)) return undefined;
  return r.stdout.split('\n').slice(-3).join(' ').trim() || r.stderr;
}

export const ECHO_PORT = 7777;

const SERVER = `const s = require('net').createServer((c) => c.pipe(c));
s.listen(${ECHO_PORT}, '::', () => console.log('ready'));
setTimeout(() => process.exit(0), 60000);`;

/** A TCP echo server on every address of a namespace (IPv6 and IPv4), until stopped. */
export async function startEcho(ns: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER],
    { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await waitReady(child, `the TCP echo server in ${ns}`);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return child;
}

/**
 * Bytes of the TCP echo checks: many full-size segments, so a path MTU below the link MTU (every
 * tunnel) must be learnt from Packet Too Big / Fragmentation Needed for the check to pass.
 */
export const TCP_CHECK_BYTES = 64 * 1024;

/** Connects from `ns` to `address`, sends `bytes` and reads them back; undefined on success. */
export function tcpCheck(ns: string, address: string, bytes = TCP_CHECK_BYTES): string | undefined {
  const client = `const c = require('net').connect(${ECHO_PORT}, ${JSON.stringify(address)});
const want = Buffer.alloc(${bytes}, 0x5a); let got = 0;
c.on('connect', () => c.write(want));
c.on('data', (d) => {
  got += d.length;
  if (got >= ${bytes}) { console.log('echoed ' + got); process.exit(0); }
});
c.on('error', (e) => { console.log('error ' + e.message); process.exit(1); });
setTimeout(() => { console.log('timeout after ' + got + ' bytes'); process.exit(1); }, 5000);`;
  const r = tryRun('ip', ['netns', 'exec', ns, process.execPath, '-e', client]);
  return r.stdout.includes(`echoed ${bytes}`) ? undefined : (r.stdout.trim() || r.stderr.trim());
}
