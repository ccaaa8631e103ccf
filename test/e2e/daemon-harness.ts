/** Running dsmip6d in namespaces for end-to-end tests, and comparing system state. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { sendRequest } from '../../src/api/client.js';
import type { Command } from '../../src/api/protocol.js';
import { nsExec, veth } from '../runtime/netns.js';
import { readFileSync } from 'node:fs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../src/cli');
const DAEMON = join(ROOT, 'dsmip6d.js');

export class Daemon {
  log = '';
  private exited: Promise<number | null>;

  private constructor(readonly proc: ChildProcess) {
    proc.stdout?.on('data', (d: Buffer) => { this.log += d.toString(); });
    proc.stderr?.on('data', (d: Buffer) => { this.log += d.toString(); });
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  static start(ns: string, config: string): Daemon {
    return new Daemon(spawn('ip', ['netns', 'exec', ns, process.execPath, DAEMON, '-c', config, '--log-level', 'debug'],
      { stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  async waitLog(re: RegExp, timeoutMs = 10_000): Promise<void> {
    await waitFor(`log ${re}`, async () => (re.test(this.log) ? true : undefined), timeoutMs)
      .catch((e: Error) => { throw new Error(`${e.message}\n--- daemon log ---\n${this.log}`); });
  }

  /** SIGTERM and wait (SIGKILL after 10 s); asserts a clean exit. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    const code = await this.exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`dsmip6d exited with ${code}\n${this.log}`);
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}

/** The mobile node's home address on the home link 2001:db8:1::/64 of the e2e topologies. */
export const HOA = '2001:db8:1::100';

/**
 *   [home] hl0 ---- home0 [ha] inet0 ---- eth0 [mn]
 *   home link 2001:db8:1::/64, 192.0.2.0/24 (HA ::1 / .1); foreign link 2001:db8:20::/64,
 *   198.51.100.0/24 (HA ::1 / .1); `homeAddrs` go on hl0, `mnAddrs` on eth0.
 */
export function homeAndForeignLinks(ns: Record<string, string>, homeAddrs: string[] = [], mnAddrs: string[] = []): void {
  veth(ns.ha, ns.home, 'home0', 'hl0', ['2001:db8:1::1/64', '192.0.2.1/24'], homeAddrs);
  veth(ns.ha, ns.mn, 'inet0', 'eth0', ['2001:db8:20::1/64', '198.51.100.1/24'], mnAddrs);
}

/**
 * A home agent on home0 accepting DSMIPv6. `ipv4Pool`: dynamic IPv4 home addresses from
 * 192.0.2.128/25 (inside the home subnet) when true, or from the prefix given.
 */
export function haConf(dir: string, o: { readonly ipv4Pool?: boolean | string; readonly dad?: boolean } = {}): string {
  const pool = o.ipv4Pool === true ? '192.0.2.128/25' : o.ipv4Pool || undefined;
  return `NodeConfig HA;
Interface "home0";
HaAcceptDsmip6 enabled;
DefaultBindingAclPolicy allow;
${o.dad === false ? 'HaDad disabled;\n' : ''}${pool !== undefined ? `HaIPv4HomeAddressPool ${pool};\n` : ''}\
ControlSocket "${dir}/ha.sock";
StateDirectory "${dir}/ha-state";
`;
}

export interface MnConfOptions {
  /** The Interface statements (default `Interface "eth0";`). */
  readonly interfaces?: string;
  /** The home link's interface (default eth0). */
  readonly homeLink?: string;
  readonly ipv4Traffic?: boolean;
  readonly forceUdp?: boolean;
}

/** A DSMIPv6 mobile node with home address `HOA` and the home agent of `haConf`. */
export function mnConf(dir: string, o: MnConfOptions = {}): string {
  return `NodeConfig MN;
MnUseDsmip6 enabled;
${o.ipv4Traffic === true ? 'MnSupportIPv4Traffic enabled;\n' : ''}${o.forceUdp === true ? 'MnForceUdp enabled;\n' : ''}\
${o.interfaces ?? 'Interface "eth0";'}
MnHomeLink "${o.homeLink ?? 'eth0'}" {
  HomeAgentAddress 2001:db8:1::1;
  HomeAgentV4Address 192.0.2.1;
  HomeAddress ${HOA}/64;
}
ControlSocket "${dir}/mn.sock";
StateDirectory "${dir}/mn-state";
`;
}

/** `count` pings from `ns` to `address` (IPv6 or IPv4), none lost. */
export function ping(ns: string, address: string, count = 3): void {
  const out = nsExec(ns, `ping -${address.includes(':') ? 6 : 4} -c ${count} -i 0.2 -W 2 ${address}`);
  assert.match(out, / 0% packet loss/, out);
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function ctlJson<T>(socket: string, command: Command): Promise<T> {
  const req = command === 'bc' ? { id: 1, command, offset: 0, limit: 1000 } as const : { id: 1, command } as const;
  const r = await sendRequest(socket, req);
  if (!r.ok) throw new Error(r.message);
  if (!r.response.ok) throw new Error(JSON.stringify(r.response));
  return r.response.result as T;
}

const SYSCTLS = [
  'net/ipv6/conf/all/forwarding', 'net/ipv4/ip_forward',
];

/** Everything a daemon may touch in a namespace, as text (volatile fields left out). */
export function snapshotState(ns: string, ifaces: readonly string[]): Record<string, string> {
  const per = ifaces.flatMap((i) => [
    `net/ipv6/conf/${i}/forwarding`, `net/ipv6/conf/${i}/proxy_ndp`, `net/ipv6/neigh/${i}/proxy_delay`,
    `net/ipv4/neigh/${i}/proxy_delay`,
  ]);
  const sysctl = [...SYSCTLS, ...per].map((p) => `${p}=${nsExec(ns, `cat /proc/sys/${p}`).trim()}`).join('\n');
  // Link-local addresses and their routes come and go with the kernel's own DAD: left out.
  const noLinkLocal = (text: string): string => text.split('\n')
    .map((l) => l.replace(/ fe80::[0-9a-f:]+\/64/g, '')).filter((l) => !/fe80::/.test(l)).join('\n');
  return {
    links: nsExec(ns, 'ip -br link').replace(/@if\d+/g, ''),
    addresses: noLinkLocal(nsExec(ns, 'ip -br addr')),
    routes6: noLinkLocal(nsExec(ns, 'ip -6 route show table all')),
    routes4: nsExec(ns, 'ip -4 route show table all'),
    rules6: nsExec(ns, 'ip -6 rule'),
    rules4: nsExec(ns, 'ip -4 rule'),
    proxy6: nsExec(ns, 'ip -6 neigh show proxy'),
    proxy4: nsExec(ns, 'ip -4 neigh show proxy'),
    nft: nsExec(ns, 'nft list ruleset'),
    sysctl,
  };
}

/** Sends `bytes` over TCP from `clientNs` to an echo server on `address` in `serverNs`. */
export async function tcpEcho(clientNs: string, serverNs: string, address: string, bytes: number): Promise<void> {
  const server = spawn('ip', ['netns', 'exec', serverNs, process.execPath, '-e', `
    const s = require('net').createServer((c) => c.pipe(c));
    s.listen(7777, ${JSON.stringify(address)}, () => console.log('ready'));
    setTimeout(() => process.exit(0), 20000);`], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
      server.on('exit', () => reject(new Error('echo server exited')));
    });
    const out = nsExec(clientNs, `${process.execPath} -e '
      const c = require("net").connect(7777, ${JSON.stringify(address)});
      const want = Buffer.alloc(${bytes}, 0x5a); let got = 0;
      c.on("connect", () => c.write(want));
      c.on("data", (d) => { got += d.length; if (got >= ${bytes}) { console.log("echoed " + got); process.exit(0); } });
      setTimeout(() => { console.log("timeout " + got); process.exit(1); }, 15000);'`);
    if (!out.includes(`echoed ${bytes}`)) throw new Error(`TCP echo to ${address}: ${out}`);
  } finally {
    server.kill('SIGKILL');
  }
}

/** Like `snapshotState`, plus the values of `sysctls` (paths under /proc/sys). */
export function snapshotWith(ns: string, ifaces: readonly string[], sysctls: readonly string[]): Record<string, string> {
  const extra = sysctls.map((p) => `${p}=${nsExec(ns, `cat /proc/sys/${p}`).trim()}`).join('\n');
  return { ...snapshotState(ns, ifaces), extraSysctls: extra };
}

/** The first daemon log line matching `re`, with its time (ms since the epoch). */
export function logLine(log: string, re: RegExp): { at: number; line: string } | undefined {
  const line = log.split('\n').find((l) => re.test(l));
  if (line === undefined) return undefined;
  return { at: Date.parse(line.split(' ')[0]), line };
}

/** `name=value` of a text log line. */
export function logField(line: string, name: string): string | undefined {
  return new RegExp(`(?:^| )${name}=(\\S+)`).exec(line)?.[1];
}

/** dnsmasq as a DHCPv4 server only (no DNS) on one interface of a namespace (platform.md §4). */
export class Dnsmasq {
  log = '';
  private constructor(readonly proc: ChildProcess, readonly leaseFile: string) {
    proc.stderr?.on('data', (d: Buffer) => { this.log += d.toString(); });
    proc.stdout?.on('data', (d: Buffer) => { this.log += d.toString(); });
  }

  /** `range` as dnsmasq's --dhcp-range (first,last,mask,lease). */
  static start(ns: string, iface: string, dir: string, range: string, router: string): Dnsmasq {
    const leaseFile = join(dir, `dnsmasq-${iface}.leases`);
    const args = ['netns', 'exec', ns, 'dnsmasq', '--conf-file=/dev/null', '--user=root', '--port=0',
      `--interface=${iface}`, '--bind-interfaces', `--dhcp-range=${range}`, `--dhcp-option=option:router,${router}`,
      '--dhcp-authoritative', '--no-ping', `--dhcp-leasefile=${leaseFile}`, `--pid-file=${join(dir, `dnsmasq-${iface}.pid`)}`,
      '--keep-in-foreground', '--log-dhcp', '--log-facility=-'];
    return new Dnsmasq(spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }), leaseFile);
  }

  async ready(): Promise<void> {
    await waitFor('dnsmasq DHCP ready', async () => (/DHCP, IP range/.test(this.log) ? true : undefined), 5000)
      .catch((e: Error) => { throw new Error(`${e.message}\n--- dnsmasq ---\n${this.log}`); });
  }

  /** The lease file's lines (empty when nothing is leased). */
  leases(): string[] {
    try {
      return readFileSync(this.leaseFile, 'utf8').split('\n').filter((l) => l.trim() !== '');
    } catch {
      return [];
    }
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}

/** Stops every daemon (SIGKILL for the ones that fail to stop); throws the first failure after. */
export async function stopAll(...daemons: Daemon[]): Promise<void> {
  const errors: unknown[] = [];
  for (const d of daemons) {
    try {
      await d.stop();
    } catch (e) {
      d.kill();
      errors.push(e);
    }
  }
  if (errors.length > 0) throw errors[0];
}
