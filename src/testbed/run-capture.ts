/**
 * What `testbed run` watches in a mobile node's namespace during a handover: a packet capture
 * (dumpcap on every interface, decoded afterwards by tshark: run-signalling.ts) and the kernel's
 * address events (`ip -ts monitor address`), which time the new care-of address appearing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { sleep } from './sh.js';

async function stopChild(c: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise<void>((r) => c.once('close', () => r()));
  c.kill(signal);
  await Promise.race([gone, sleep(3000)]);
  if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** dumpcap -i any in a namespace, writing `file` until stopped. */
export class Capture {
  private constructor(private readonly child: ChildProcess, readonly file: string) {}

  /** Starts the capture and waits until dumpcap says it is capturing. */
  static async start(ns: string, file: string): Promise<Capture> {
    rmSync(file, { force: true });
    const child = spawn('ip', ['netns', 'exec', ns, 'dumpcap', '-q', '-i', 'any', '-s', '2048', '-w', file],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`dumpcap in ${ns} did not start: ${err.trim()}`)), 5000);
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('Capturing on')) { clearTimeout(t); resolve(); }
      });
      child.once('exit', () => {
        clearTimeout(t);
        reject(new Error(`dumpcap in ${ns} exited: ${err.trim()}`));
      });
      child.once('error', (e) => { clearTimeout(t); reject(e); });
    }).catch(async (e: unknown) => {
      await stopChild(child, 'SIGKILL');
      throw e;
    });
    return new Capture(child, file);
  }

  /** Stops dumpcap (SIGTERM: it flushes and closes the file). */
  async stop(): Promise<void> {
    await stopChild(this.child, 'SIGTERM');
  }
}

export interface AddressEvent {
  /** ms since the epoch, the kernel event as `ip -ts` stamped it. */
  readonly at: number;
  readonly ifname: string;
  readonly address: string;
  readonly deleted: boolean;
}

/** `[2026-11-26T23:07:24.753404] [Deleted ]3: eth0    inet 198.51.100.33/26 ...` lines. */
export function parseAddressEvents(text: string): AddressEvent[] {
  const out: AddressEvent[] = [];
  const re = /^\[(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d+)\] (Deleted )?\d+: (\S+)\s+inet6? (\S+)\//;
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
    const ms = Number(`0.${m[7]}`) * 1000;
    // ip prints local time.
    const at = new Date(y, mo - 1, d, h, mi, s).getTime() + Math.floor(ms);
    out.push({ at, ifname: m[9], address: m[10], deleted: m[8] !== undefined });
  }
  return out;
}

/** `ip -ts monitor address` in a namespace, until stopped. */
export class AddressMonitor {
  private text = '';
  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => { this.text += d.toString(); });
  }

  static async start(ns: string): Promise<AddressMonitor> {
    const child = spawn('ip', ['-n', ns, '-ts', 'monitor', 'address'],
      { stdio: ['ignore', 'pipe', 'ignore'] });
    await sleep(50); // netlink subscription; ip prints nothing until an event
    return new AddressMonitor(child);
  }

  events(): AddressEvent[] {
    return parseAddressEvents(this.text);
  }

  /** The first address matching `re` added on `ifname` (null: any) at or after `t`. */
  firstAdded(ifname: string | null, re: RegExp, t: number): AddressEvent | undefined {
    return this.events().find((e) => !e.deleted && (ifname === null || e.ifname === ifname) && e.at >= t &&
      re.test(e.address));
  }

  async stop(): Promise<void> {
    await stopChild(this.child, 'SIGKILL');
  }
}
