/**
 * A long-lived TCP connection for `testbed run`: opened from cn to an echo server
 * (run-probe.ts's startEcho) before a handover, kept open across it, and used again after the
 * registration: bytes written by cn must come back (both directions through the new path).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ECHO_PORT } from './run-probe.js';
import { sleep } from './sh.js';

const client = (address: string): string => `const c = require('net').connect(${ECHO_PORT},
  ${JSON.stringify(address)});
let got = 0;
c.setNoDelay(true);
c.on('connect', () => console.log('connected'));
c.on('data', (d) => { got += d.length; console.log('got ' + got); });
c.on('error', (e) => { console.log('error ' + e.message); process.exit(1); });
c.on('close', () => { console.log('closed'); process.exit(1); });
process.stdin.on('data', (d) => {
  for (const l of d.toString().split('\\n')) if (Number(l) > 0) c.write(Buffer.alloc(Number(l), 0x5a));
});
setTimeout(() => process.exit(0), 120000);`;

/** One TCP connection from `ns` to `address`'s echo server, driven over the client's stdin. */
export class LongTcp {
  private text = '';
  private sent = 0;
  private constructor(private readonly child: ChildProcess, readonly address: string) {
    child.stdout?.on('data', (d: Buffer) => { this.text += d.toString(); });
  }

  /** Connects (at most `timeoutMs`); throws with what the client said when it cannot. */
  static async open(ns: string, address: string, timeoutMs = 3000): Promise<LongTcp> {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', client(address)],
      { stdio: ['pipe', 'pipe', 'ignore'] });
    const t = new LongTcp(child, address);
    const end = Date.now() + timeoutMs;
    while (!t.text.includes('connected') && Date.now() < end && t.running()) await sleep(10);
    if (!t.text.includes('connected')) {
      await t.close();
      throw new Error(`no TCP connection to ${address}: ${t.text.trim() || 'timeout'}`);
    }
    return t;
  }

  private running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private echoed(): number {
    const all = [...this.text.matchAll(/^got (\d+)$/gm)];
    return all.length > 0 ? Number(all[all.length - 1][1]) : 0;
  }

  /**
   * Writes `bytes` and waits until all of them came back; undefined on success, else what
   * happened (bytes echoed so far, or the connection's error).
   */
  async exchange(bytes: number, timeoutMs: number): Promise<string | undefined> {
    this.sent += bytes;
    this.child.stdin?.write(`${bytes}\n`);
    const end = Date.now() + timeoutMs;
    while (this.echoed() < this.sent && Date.now() < end && this.running()) await sleep(10);
    if (this.echoed() >= this.sent) return undefined;
    const last = this.text.trim().split('\n').at(-1) ?? '';
    const why = this.running() ? ` in ${timeoutMs} ms` : ` (${last})`;
    return `${this.echoed()} of ${this.sent} bytes echoed${why}`;
  }

  async close(): Promise<void> {
    if (!this.running()) return;
    const gone = new Promise<void>((r) => this.child.once('close', () => r()));
    this.child.kill('SIGKILL');
    await Promise.race([gone, sleep(2000)]);
  }
}
