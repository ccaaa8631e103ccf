/** The machine, kernel and tool versions a benchmark ran with, and per-process CPU and memory. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import type { MachineInfo } from './results.js';

function firstLine(cmd: string, args: readonly string[], re: RegExp): string {
  try {
    const out = execFileSync(cmd, args, {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000,
    });
    return re.exec(out)?.[1] ?? out.split('\n')[0].trim();
  } catch (e) {
    const out = String((e as { stdout?: unknown }).stdout ?? '');
    return re.exec(out)?.[1] ?? 'not installed';
  }
}

export function machineInfo(root: string): MachineInfo {
  const c = cpus();
  return {
    cpuModel: c[0]?.model.trim() ?? 'unknown', cores: c.length, kernel: release(),
    node: process.version,
    iperf3: firstLine('iperf3', ['--version'], /iperf (\S+)/),
    openvpn: firstLine('openvpn', ['--version'], /OpenVPN (\S+)/),
    dsmip6Commit: firstLine('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], /^(\S+)/),
  };
}

/** utime + stime of `pid` (or of its thread `thread`) in clock ticks, or null when it is gone. */
export function cpuTicks(pid: number, thread?: number): number | null {
  try {
    const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
    const s = readFileSync(path, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // fields 14 and 15 (utime, stime), after pid and comm
  } catch {
    return null;
  }
}

/** Clock ticks per second (USER_HZ): 100 on Linux. */
export const TICKS_PER_SECOND = 100;

/** Measures the CPU of processes over an interval, as percent of one core. */
export class CpuMeter {
  private readonly start: (number | null)[];
  private readonly t0 = performance.now();

  /** `mainThread`: only each process's main thread (its thread id is the pid), not all threads. */
  constructor(private readonly pids: readonly (number | undefined)[], private readonly mainThread = false) {
    this.start = pids.map((p) => this.ticks(p));
  }

  private ticks(p: number | undefined): number | null {
    return p === undefined ? null : cpuTicks(p, this.mainThread ? p : undefined);
  }

  /** CPU seconds (user + system, every thread) per process since construction (null: unknown). */
  used(): (number | null)[] {
    return this.pids.map((p, i) => {
      const a = this.start[i];
      const b = this.ticks(p);
      return a === null || b === null ? null : (b - a) / TICKS_PER_SECOND;
    });
  }

  /** Percent of one core per process since construction (null: unknown). */
  stop(): (number | null)[] {
    const seconds = (performance.now() - this.t0) / 1000;
    return this.pids.map((p, i) => {
      const a = this.start[i];
      const b = this.ticks(p);
      if (a === null || b === null || seconds <= 0) return null;
      return (100 * (b - a)) / TICKS_PER_SECOND / seconds;
    });
  }
}

/** VmRSS (or the peak, VmHWM) of `pid` in kB, or null. */
export function rssKb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
