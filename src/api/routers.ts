/**
 * `routers`: what the mobile node learned from Router Advertisements (src/engine/mn/routers.ts),
 * per configured interface: each router's link-local address, state, Router Lifetime left,
 * Advertisement Interval, last RA and prefixes, then the prefixes withdrawn during the
 * attachment. The result builder and its human rendering.
 */
import type { MnSnapshot } from '../engine/mn/mobile-node.js';
import type { RouterView } from '../engine/mn/routers.js';
import { secondsBetween, wallTime } from './time.js';
import type { Clock } from './snapshots.js';
import { columns, keyValues, orDash } from './table.js';
import type { RouterEntryView, RouterInterfaceView, RoutersResult } from './views.js';

function entry(r: RouterView, clock: Clock): RouterEntryView {
  const { now } = clock;
  const at = (t: number | undefined): string | null => (t === undefined ? null : wallTime(clock, t));
  return {
    address: r.source, state: r.state, unusableSince: at(r.unusableSince), homeAgent: r.homeAgent,
    lifetimeRemainingSeconds: r.defaultUntil === undefined ? null : secondsBetween(now, r.defaultUntil),
    advertisementIntervalMs: r.advertisementIntervalMs ?? null,
    lostInSeconds: r.lostAt === undefined ? null : secondsBetween(now, r.lostAt),
    lastHeard: at(r.heardAt),
    lastHeardSecondsAgo: r.heardAt === undefined ? null : secondsBetween(r.heardAt, now),
    prefixes: [...r.prefixes],
  };
}

/** The `routers` result of a mobile node snapshot. */
export function routersResult(s: MnSnapshot, clock: Clock): RoutersResult {
  // The engine learns from RAs on configured interfaces only.
  const interfaces: RouterInterfaceView[] = s.interfaces.map((name) => ({
    name,
    routers: s.routers.filter((r) => r.ifname === name).map((r) => entry(r, clock)),
    withdrawnPrefixes: [...(s.withdrawnPrefixes.find((w) => w.ifname === name)?.prefixes ?? [])],
  }));
  const c = s.counters;
  return {
    enabled: s.useRouterAdvertisements, lostAfterIntervals: s.routerLostIntervals, interfaces,
    routerAdvertisements: c.routerAdvertisements, routerAdvertisementsInvalid: c.routerAdvertisementsDropped,
    routersLost: c.routersLost,
  };
}

const HEADER = ['ROUTER', 'STATE', 'LIFETIME LEFT', 'INTERVAL', 'LOST IN', 'LAST HEARD', 'HA', 'PREFIXES'];

function row(r: RouterEntryView): string[] {
  const s = (n: number | null): string => (n === null ? '-' : `${n} s`);
  const since = r.state === 'usable' || r.unusableSince === null ? '' : ` since ${r.unusableSince}`;
  const state = `${r.state}${since}`;
  return [
    r.address, state, s(r.lifetimeRemainingSeconds),
    r.advertisementIntervalMs === null ? '-' : `${r.advertisementIntervalMs} ms`, s(r.lostInSeconds),
    r.lastHeardSecondsAgo === null ? '-' : `${r.lastHeardSecondsAgo} s ago`, r.homeAgent ? 'yes' : 'no',
    orDash(r.prefixes.join(',')),
  ];
}

function block(i: RouterInterfaceView): string[] {
  const lines = [i.name];
  if (i.routers.length === 0) lines.push('  no router heard');
  else lines.push(...columns([HEADER, ...i.routers.map(row)]).map((l) => `  ${l}`));
  if (i.withdrawnPrefixes.length > 0) lines.push(`  withdrawn prefixes: ${i.withdrawnPrefixes.join(',')}`);
  return lines;
}

export function formatRouters(r: RoutersResult): string {
  const detection = r.enabled
    ? `enabled (a router is lost after ${r.lostAfterIntervals} Advertisement Intervals of silence)`
    : 'disabled (MnUseRouterAdvertisements): movement detection from rtnetlink only';
  const heard = `${r.routerAdvertisements} (${r.routerAdvertisementsInvalid} invalid)`;
  const head = keyValues([
    ['router advertisements', detection], ['heard', heard], ['routers lost', String(r.routersLost)],
  ]);
  return [...head, ...r.interfaces.flatMap((i) => ['', ...block(i)])].join('\n');
}
