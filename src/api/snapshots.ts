/**
 * What the management handlers read, behind one small provider interface so they run without a
 * daemon: tests hand-build these; the runtime adapts its engine with `homeAgentSource` /
 * `mobileNodeSource` and supplies the clock, the data-plane counters and the daemon facts.
 * Every method is a read: calling it changes no engine state.
 */
import type { BindingCacheEntry } from '../engine/ha/binding-cache.js';
import type { HaSnapshot, HomeAgent } from '../engine/ha/home-agent.js';
import type { MnSnapshot, MobileNode } from '../engine/mn/mobile-node.js';
import type { Instant } from '../proto/time.js';
import { canonicalIpv6 } from '../wire/addr.js';
import type { HomeLinkStatus } from './views.js';

export interface DaemonInfo {
  readonly version: string;
  readonly pid: number;
  readonly uptimeSeconds: number;
  /** The configuration file the daemon runs from, if any. */
  readonly configFile: string | undefined;
}

export interface TrafficCounter {
  readonly packets: number;
  readonly bytes: number;
}

/**
 * Data-plane counters as the runtime keeps them: per direction (names are the data plane's, for
 * example `tun-to-tunnel` and `tunnel-to-tun`) and drops per reason. Shown sorted by name.
 */
export interface DataPlaneCounters {
  readonly traffic: Readonly<Record<string, TrafficCounter>>;
  readonly dropped: Readonly<Record<string, number>>;
}

export interface Clock {
  /** The engine's clock (monotonic milliseconds), the one its deadlines use. */
  readonly now: Instant;
  /** The wall clock at the same moment (milliseconds since the epoch), for timestamps shown. */
  readonly wallMs: number;
}

export interface HaSource {
  readonly role: 'ha';
  snapshot(): HaSnapshot;
  /**
   * Up to `limit` bindings from position `offset` in cache order. The cache replaces an entry
   * on every accepted BU, which moves it to the end: pages read while bindings refresh may miss
   * or repeat some (a view, not a transaction). Cost O(offset + limit).
   */
  bindings(offset: number, limit: number): readonly BindingCacheEntry[];
  /** The binding of this home address (any IPv6 text form), if any. */
  binding(homeAddress: string): BindingCacheEntry | undefined;
  /** The home link's DAD and announcement counters, when the daemon has a home link. */
  homeLink?(): HomeLinkStatus;
}

export interface MnSource {
  readonly role: 'mn';
  snapshot(now: Instant): MnSnapshot;
}

export type EngineSource = HaSource | MnSource;

export interface Snapshots {
  clock(): Clock;
  engine(): EngineSource;
  dataPlane(): DataPlaneCounters;
  daemon(): DaemonInfo;
}

export function homeAgentSource(ha: HomeAgent, homeLink?: () => HomeLinkStatus): HaSource {
  return {
    role: 'ha',
    ...(homeLink ? { homeLink } : {}),
    snapshot: () => ha.snapshot(),
    bindings(offset, limit) {
      const page: BindingCacheEntry[] = [];
      if (limit <= 0 || offset >= ha.cache.size) return page;
      let index = 0;
      for (const e of ha.cache.entries()) {
        if (index++ < offset) continue;
        page.push(e);
        if (page.length >= limit) break;
      }
      return page;
    },
    binding(homeAddress) {
      const canonical = canonicalIpv6(homeAddress);
      return canonical === undefined ? undefined : ha.cache.get(canonical);
    },
  };
}

export function mobileNodeSource(mn: MobileNode): MnSource {
  return { role: 'mn', snapshot: (now) => mn.snapshot(now) };
}

export const NO_DATA_PLANE: DataPlaneCounters = { traffic: {}, dropped: {} };
