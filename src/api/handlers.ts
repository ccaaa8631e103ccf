/**
 * The control commands over engine snapshots (conventions C15): `answer(request, snapshots)`
 * returns the response value, `answerLine(line, snapshots)` the response line for a request
 * line. Pure reads; nothing here touches a socket, and a failure inside a provider becomes an
 * `internal` error response rather than an exception.
 */
import type { BindingCacheEntry } from '../engine/ha/binding-cache.js';
import type { HaSnapshot } from '../engine/ha/home-agent.js';
import type { MnSnapshot } from '../engine/mn/mobile-node.js';
import type { TunnelEndpoint } from '../engine/types.js';
import type { Instant } from '../proto/time.js';
import { buFlagLetters } from '../wire/mh/constants.js';
import {
  PROTOCOL_VERSION, decodeRequest, encodeLine, errorResponse, okResponse, type Request, type Response,
} from './protocol.js';
import { routersResult } from './routers.js';
import type { Clock, HaSource, MnSource, Snapshots } from './snapshots.js';
import { secondsBetween, wallTime } from './time.js';
import type {
  BcResult, BindingView, BulEntryView, BulResult, BulState, HaSignallingStats, MnSignallingStats,
  StatsResult, StatusResult, UdpEndpoint,
} from './views.js';

export { secondsBetween, wallTime } from './time.js';

function udpEndpoint(t: TunnelEndpoint | undefined): UdpEndpoint | null {
  return t?.encapsulation === 'udp4' ? { address: t.remote, port: t.remotePort } : null;
}

export function bindingView(e: BindingCacheEntry, clock: Clock): BindingView {
  return {
    homeAddress: e.homeAddress, careOfAddress: e.careOfAddress,
    encapsulation: e.tunnel.encapsulation, udpEndpoint: udpEndpoint(e.tunnel),
    natDetected: e.natDetected, lifetimeSeconds: e.lifetimeSeconds,
    remainingSeconds: secondsBetween(clock.now, e.expiresAt), sequence: e.sequence,
    flags: buFlagLetters(e.flags), mobileRouter: e.mobileRouter, nemoMode: e.nemoMode ?? null,
    mobileNetworkPrefixes: [...e.prefixes], ipv4HomeAddress: e.ipv4HomeAddress ?? null,
    ipv4MobileNetworkPrefix: e.ipv4Prefix ?? null, registeredAt: wallTime(clock, e.registeredAt),
    refreshRequestSent: e.refreshRequestSent,
  };
}

export function bulState(s: MnSnapshot): BulState {
  if (s.round?.kind === 'deregister') return 'deregistering';
  if (s.location.kind === 'home') return 'at-home';
  if (s.location.kind === 'unknown') return 'starting';
  if (s.round !== undefined) return s.registered ? 'refreshing' : 'registering';
  if (s.registered) return 'registered';
  return s.careOf === undefined ? 'no-care-of' : 'unregistered';
}

export function bulEntryView(s: MnSnapshot, now: Instant): BulEntryView {
  const home = s.location.kind === 'home' ? s.location.ifname : null;
  const retry = s.round !== undefined && s.nextDeadline !== undefined;
  return {
    homeAddress: s.homeAddress, homeAgentAddress: s.homeAgentAddress,
    homeAgentIpv4Address: s.homeAgentIpv4Address ?? null, state: bulState(s),
    atHome: home !== null, homeInterface: home,
    careOfAddress: s.careOf?.address ?? null, careOfInterface: s.careOf?.ifname ?? null,
    lastSequenceSent: s.lastSequence ?? null,
    lastSentSecondsAgo: s.lastSentAt === undefined ? null : secondsBetween(s.lastSentAt, now),
    lifetimeRequestedSeconds: s.lifetimeRequestedSeconds,
    lifetimeGrantedSeconds: s.grantedSeconds ?? null,
    remainingSeconds: s.expiresAt === undefined ? null : secondsBetween(now, s.expiresAt),
    retransmissions: Math.max(0, (s.round?.sends ?? 0) - 1),
    nextRetrySeconds: retry ? secondsBetween(now, s.nextDeadline!) : null,
    encapsulation: s.tunnel?.encapsulation ?? null, udpEndpoint: udpEndpoint(s.tunnel),
    natDetected: s.natDetected, ipv4HomeAddress: s.ipv4HomeAddress ?? null,
    ipv4MobileNetworkPrefix: s.ipv4Prefix ?? null, mobileRouter: s.mobileRouter,
    nemoMode: s.mobileRouter ? (s.explicitMode ? 'explicit' : 'implicit') : null,
    mobileNetworkPrefixes: s.mobileRouter ? [...s.mobileNetworkPrefixes] : [],
  };
}

function status(s: Snapshots): StatusResult {
  const d = s.daemon();
  const engine = s.engine();
  const base = {
    protocol: PROTOCOL_VERSION, role: engine.role, version: d.version, pid: d.pid,
    uptimeSeconds: d.uptimeSeconds, configFile: d.configFile ?? null,
  };
  if (engine.role === 'ha') {
    const h = engine.snapshot();
    const homeAgent = {
      address: h.address, ipv4Address: h.ipv4Address ?? null, udpPort: h.udpPort,
      acceptDsmip6: h.acceptDsmip6, bindings: h.bindingCount, bindingsMax: h.bindingsMax,
      pendingDad: h.pendingDadCount, homeLink: engine.homeLink?.() ?? null,
    };
    return { ...base, homeAgent, mobileNode: null };
  }
  const snap = engine.snapshot(s.clock().now);
  const b = bulEntryView(snap, s.clock().now);
  const mobileNode = {
    homeAddress: b.homeAddress, homeAgentAddress: b.homeAgentAddress, state: b.state,
    careOfAddress: b.careOfAddress, careOfInterface: b.careOfInterface, encapsulation: b.encapsulation,
    routersUsable: snap.routers.filter((r) => r.state === 'usable').length, routersKnown: snap.routers.length,
  };
  return { ...base, homeAgent: null, mobileNode };
}

function bc(ha: HaSource, clock: Clock, req: Extract<Request, { command: 'bc' }>): BcResult {
  const { offset, limit } = req;
  if (req.homeAddress !== undefined) {
    const e = ha.binding(req.homeAddress);
    const page = e !== undefined && offset === 0 ? [e] : [];
    const bindings = page.map((x) => bindingView(x, clock));
    return { total: e === undefined ? 0 : 1, offset, limit, bindings };
  }
  const total = ha.snapshot().bindingCount;
  const bindings = ha.bindings(offset, limit).map((e) => bindingView(e, clock));
  return { total, offset, limit, bindings };
}

function bul(mn: MnSource, clock: Clock): BulResult {
  return { entries: [bulEntryView(mn.snapshot(clock.now), clock.now)] };
}

function sorted<T>(o: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function haStats(c: HaSnapshot['counters']): HaSignallingStats {
  return {
    bindingUpdates: c.bindingUpdates, accepted: c.accepted, rejectedByStatus: sorted(c.rejectedByStatus),
    droppedByReason: sorted(c.droppedByReason), bindingAcksSent: c.bindingAcksSent,
    bindingErrorsSent: c.bindingErrorsSent, refreshRequestsSent: c.refreshRequestsSent, expired: c.expired,
  };
}

function mnStats(c: MnSnapshot['counters']): MnSignallingStats {
  return {
    bindingUpdatesSent: c.bindingUpdatesSent, registrations: c.registrations,
    deregistrations: c.deregistrations, failuresByStatus: sorted(c.failuresByStatus),
    bindingErrorsByStatus: sorted(c.bindingErrorsByStatus),
    ipv4RefusedByStatus: sorted(c.ipv4RefusedByStatus), droppedByReason: sorted(c.droppedByReason),
    expired: c.expired, careOfChanges: c.careOfChanges,
  };
}

function stats(s: Snapshots): StatsResult {
  const engine = s.engine();
  const dp = s.dataPlane();
  const traffic = Object.fromEntries(Object.entries(sorted(dp.traffic))
    .map(([k, t]) => [k, { packets: t.packets, bytes: t.bytes }]));
  const dataPlane = { traffic, droppedByReason: sorted(dp.dropped) };
  if (engine.role === 'ha') {
    return { role: 'ha', homeAgent: haStats(engine.snapshot().counters), mobileNode: null, dataPlane };
  }
  const mobileNode = mnStats(engine.snapshot(s.clock().now).counters);
  return { role: 'mn', homeAgent: null, mobileNode, dataPlane };
}

const ROLE_NAMES = { ha: 'a home agent', mn: 'a mobile node' } as const;

function wrongRole(req: Request, want: 'ha' | 'mn', is: 'ha' | 'mn'): Response {
  const message = `${req.command} is a view of ${ROLE_NAMES[want]}; this daemon is ${ROLE_NAMES[is]}`;
  return errorResponse(req.id, 'wrong-role', message);
}

function dispatch(req: Request, s: Snapshots): Response {
  const engine = s.engine();
  switch (req.command) {
    case 'status': return okResponse(req.id, status(s));
    case 'stats': return okResponse(req.id, stats(s));
    case 'bc':
      if (engine.role !== 'ha') return wrongRole(req, 'ha', engine.role);
      return okResponse(req.id, bc(engine, s.clock(), req));
    case 'bul':
      if (engine.role !== 'mn') return wrongRole(req, 'mn', engine.role);
      return okResponse(req.id, bul(engine, s.clock()));
    case 'routers': {
      if (engine.role !== 'mn') return wrongRole(req, 'mn', engine.role);
      const clock = s.clock();
      return okResponse(req.id, routersResult(engine.snapshot(clock.now), clock));
    }
  }
}

/** The response to one decoded request; exceptions from the providers become `internal`. */
export function answer(req: Request, s: Snapshots): Response {
  try {
    return dispatch(req, s);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return errorResponse(req.id, 'internal', `${req.command} failed: ${why}`);
  }
}

/** The response line (newline included) to one request line (newline removed). */
export function answerLine(line: string, s: Snapshots): string {
  const d = decodeRequest(line);
  return encodeLine(d.ok ? answer(d.value, s) : d.error);
}
