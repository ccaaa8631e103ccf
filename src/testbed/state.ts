/**
 * The testbed's state directory (default /run/dsmip6-testbed): what was built (state.json),
 * generated configuration files, logs, pid files, dnsmasq leases, DHCP client leases, the
 * daemons' control sockets and state directories. Everything the testbed writes lives under a
 * few fixed names here, so `down` removes exactly those, even after a crash.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePlan, type NodeName, type Plan } from './plan.js';

export const DEFAULT_STATE_DIR = '/run/dsmip6-testbed';
export const DEFAULT_PREFIX = 'ds-';
const STATE_FILE = 'state.json';
/** Every name the testbed creates in the state directory. */
const ENTRIES = [STATE_FILE, 'conf', 'log', 'pid', 'lease', 'run'] as const;

export interface TestbedState {
  readonly version: 1;
  readonly prefix: string;
  readonly haBehindNat: boolean;
  /** Who gets IPv4 care-of addresses by DHCP: the testbed's clients, or the daemons (UseDhcp). */
  readonly dhcp: 'testbed' | 'daemon';
  /** True once `up` finished. */
  ready: boolean;
  readonly createdAt: string;
  /** `node/ifname` -> network name, for attached interfaces. */
  attachments: Record<string, string>;
}

export class Testbed {
  readonly plan: Plan;

  constructor(readonly dir: string, readonly state: TestbedState) {
    this.plan = makePlan(state.haBehindNat);
  }

  ns(node: NodeName | string): string {
    return `${this.state.prefix}${node}`;
  }

  path(kind: 'conf' | 'log' | 'pid' | 'lease' | 'run', name: string): string {
    return join(this.dir, kind, name);
  }

  pidFile(name: string): string {
    return this.path('pid', `${name}.pid`);
  }

  readPid(name: string): number | undefined {
    try {
      const n = Number(readFileSync(this.pidFile(name), 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }

  writePid(name: string, pid: number): void {
    writeFileSync(this.pidFile(name), `${pid}\n`);
  }

  removePid(name: string): void {
    rmSync(this.pidFile(name), { force: true });
  }

  save(): void {
    writeFileSync(join(this.dir, STATE_FILE), `${JSON.stringify(this.state, null, 2)}\n`);
  }

  /** Creates the directory layout and writes state.json. */
  static create(dir: string, prefix: string, haBehindNat: boolean, dhcp: TestbedState['dhcp']): Testbed {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    for (const d of ENTRIES.slice(1)) mkdirSync(join(dir, d), { recursive: true });
    const state: TestbedState = {
      version: 1, prefix, haBehindNat, dhcp, ready: false, createdAt: new Date().toISOString(),
      attachments: {},
    };
    const tb = new Testbed(dir, state);
    tb.save();
    return tb;
  }

  /** The testbed recorded in `dir`, or undefined when there is none (or it is unreadable). */
  static load(dir: string): Testbed | undefined {
    try {
      const s = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as Partial<TestbedState>;
      const valid = s.version === 1 && typeof s.prefix === 'string' && typeof s.haBehindNat === 'boolean';
      if (!valid) return undefined;
      return new Testbed(dir, {
        version: 1, prefix: s.prefix, haBehindNat: s.haBehindNat,
        dhcp: s.dhcp === 'daemon' ? 'daemon' : 'testbed', ready: s.ready === true,
        createdAt: String(s.createdAt), attachments: { ...(s.attachments ?? {}) },
      });
    } catch {
      return undefined;
    }
  }
}

/** The pid files present in the state directory, by name. */
export function pidFiles(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const d = join(dir, 'pid');
  if (!existsSync(d)) return out;
  for (const f of readdirSync(d)) {
    if (!f.endsWith('.pid')) continue;
    const n = Number(readFileSync(join(d, f), 'utf8').trim());
    if (Number.isInteger(n) && n > 0) out.set(f.slice(0, -4), n);
  }
  return out;
}

/**
 * Removes what the testbed wrote in `dir` (and `dir` itself when nothing else is left in it).
 * Never removes names the testbed does not create, so a mistaken --state cannot wipe a tree.
 */
export function removeStateDir(dir: string): { left: string[] } {
  if (!existsSync(dir)) return { left: [] };
  for (const e of ENTRIES) rmSync(join(dir, e), { recursive: true, force: true });
  const left = readdirSync(dir);
  if (left.length === 0) rmdirSync(dir);
  return { left };
}
