/**
 * `testbed down`: removes everything the testbed made, from what is there rather than from
 * what state.json says went right, so it also works after a crash or a half-built `up`:
 * every process in a testbed namespace (daemons, DHCP clients, dnsmasq, radvd, commands started
 * with `exec`) and every process named in a pid file that still runs with the state directory
 * on its command line, then the namespaces (their veths, bridges and nftables tables go with
 * them), then the files.
 */
import { pidFiles, removeStateDir } from './state.js';
import { cmdline, ipBatch, listNetns, netnsPids, terminate } from './sh.js';

export interface DownReport {
  readonly namespaces: string[];
  readonly processes: number;
  readonly killed: number[];
  /** Entries of the state directory that the testbed did not create (left in place). */
  readonly left: string[];
}

/** Stops processes and removes namespaces starting with `prefix` and the state in `dir`. */
export async function teardown(dir: string, prefix: string, graceMs = 3000): Promise<DownReport> {
  const namespaces = listNetns().filter((n) => n.startsWith(prefix));
  const pids = new Set<number>();
  for (const ns of namespaces) for (const p of netnsPids(ns)) pids.add(p);
  for (const p of pidFiles(dir).values()) {
    if (cmdline(p)?.includes(dir)) pids.add(p);
  }
  pids.delete(process.pid);
  const { killed } = await terminate([...pids], graceMs);
  if (namespaces.length > 0) {
    try {
      ipBatch(undefined, namespaces.map((n) => `netns del ${n}`));
    } catch {
      for (const n of namespaces) {
        try { ipBatch(undefined, [`netns del ${n}`]); } catch { /* gone already */ }
      }
    }
  }
  const { left } = removeStateDir(dir);
  return { namespaces, processes: pids.size, killed, left };
}
