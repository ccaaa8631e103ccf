/**
 * The Mobile Node / Mobile Router engine (RFC 6275 §11, RFC 3963 §5, RFC 5555 §4), sans-IO
 * (conventions C6/C7): `handle(now, input)` and `onTimeout(now)` return the BUs to send, the OS
 * state wanted (tunnel, home addresses) and events; `nextDeadline()` says when to call
 * `onTimeout`, which is safe to call at any time.
 *
 * After every world input, and whenever what Router Advertisements taught it changes (an RA, or
 * a lifetime or Advertisement Interval that ran out: routers.ts), the engine reconciles
 * (reconcile.ts, RFC 6275 §11.5).
 * Received packets (Mobility Headers, Router Advertisements: ra.ts) are decoded here (never
 * trusted): malformed or unexpected ones become `dropped` events and change nothing.
 */
import { BindingUpdateListEntry, type RoundKind } from '../../proto/binding-update-list.js';
import type { Prng } from '../../proto/prng.js';
import { earliest, type Instant } from '../../proto/time.js';
import type { Engine, ReceivedMh, TunnelEndpoint } from '../types.js';
import { normalizeMnConfig } from './config.js';
import { WorldView, type CareOf, type WorldInput } from './movement.js';
import { validateRouterAdvertisement, type ReceivedRouterAdvertisement } from './ra.js';
import { receiveMobility } from './receive.js';
import { reconcile } from './reconcile.js';
import { RouterTable, type RouterView, type WithdrawnView } from './routers.js';
import {
  handleBindingAck, handleBindingError, handleBindingRefreshRequest, runTimers,
} from './registration.js';
import { emitEvent, type Location, type MnState } from './state.js';
import type { MnEvent, MnInput, MnOutput, MobileNodeConfig } from './types.js';

/** Counters kept from the engine's own events, for the management views only. */
export interface MnCounters {
  bindingUpdatesSent: number;
  registrations: number;
  deregistrations: number;
  /** BA status (decimal text) -> registrations it failed (fatal or not). */
  readonly failuresByStatus: Record<string, number>;
  readonly bindingErrorsByStatus: Record<string, number>;
  readonly ipv4RefusedByStatus: Record<string, number>;
  readonly droppedByReason: Record<string, number>;
  expired: number;
  careOfChanges: number;
  /** Router Advertisements received on configured interfaces, and those dropped as invalid. */
  routerAdvertisements: number;
  routerAdvertisementsDropped: number;
  /** Routers lost by their Advertisement Interval (routers.ts). */
  routersLost: number;
}

/** The last BU sent and the last registration, as the engine's events told them. */
interface Seen {
  sequence: number | undefined;
  sentAt: Instant | undefined;
  lifetimeSeconds: number | undefined;
  grantedSeconds: number | undefined;
  expiresAt: Instant | undefined;
  natDetected: boolean;
}

export interface RoundSnapshot {
  readonly kind: RoundKind;
  readonly startedAt: Instant;
  readonly sends: number;
}

/**
 * What the management views read (src/api): plain data, copied. `granted*`, `expiresAt` and
 * `natDetected` describe the binding only while `registered` is true.
 */
export interface MnSnapshot {
  readonly homeAddress: string;
  readonly homeAgentAddress: string;
  readonly homeAgentIpv4Address: string | undefined;
  readonly location: Location;
  readonly careOf: CareOf | undefined;
  /** A registration or deregistration round in progress: its BUs so far. */
  readonly round: RoundSnapshot | undefined;
  /** The engine's next deadline: during a round, normally the next retransmission. */
  readonly nextDeadline: Instant | undefined;
  readonly outstanding: boolean;
  readonly registered: boolean;
  readonly lastSequence: number | undefined;
  readonly lastSentAt: Instant | undefined;
  /** The Lifetime of the last BU sent (0: a deregistration). */
  readonly lastLifetimeSeconds: number | undefined;
  /** The lifetime every registration BU asks for. */
  readonly lifetimeRequestedSeconds: number;
  readonly grantedSeconds: number | undefined;
  readonly expiresAt: Instant | undefined;
  readonly natDetected: boolean;
  readonly tunnel: TunnelEndpoint | undefined;
  readonly ipv4HomeAddress: string | undefined;
  readonly ipv4Prefix: string | undefined;
  readonly mobileRouter: boolean;
  readonly explicitMode: boolean;
  readonly mobileNetworkPrefixes: readonly string[];
  /** What Router Advertisements taught the node, per interface and router (false: not listening). */
  readonly useRouterAdvertisements: boolean;
  readonly routerLostIntervals: number;
  /** The configured interfaces, in configuration order. */
  readonly interfaces: readonly string[];
  readonly routers: readonly RouterView[];
  readonly withdrawnPrefixes: readonly WithdrawnView[];
  readonly counters: Readonly<MnCounters>;
}

function copyCounters(c: MnCounters): MnCounters {
  return {
    ...c, failuresByStatus: { ...c.failuresByStatus }, bindingErrorsByStatus: { ...c.bindingErrorsByStatus },
    ipv4RefusedByStatus: { ...c.ipv4RefusedByStatus }, droppedByReason: { ...c.droppedByReason },
  };
}

function bump(table: Record<string, number>, key: string | number): void {
  table[key] = (table[key] ?? 0) + 1;
}

export class MobileNode implements Engine<MnInput, MnOutput> {
  private readonly st: MnState;
  private readonly counters: MnCounters = {
    bindingUpdatesSent: 0, registrations: 0, deregistrations: 0, failuresByStatus: {},
    bindingErrorsByStatus: {}, ipv4RefusedByStatus: {}, droppedByReason: {}, expired: 0, careOfChanges: 0,
    routerAdvertisements: 0, routerAdvertisementsDropped: 0, routersLost: 0,
  };
  private readonly routers: RouterTable;
  private readonly seen: Seen = {
    sequence: undefined, sentAt: undefined, lifetimeSeconds: undefined, grantedSeconds: undefined,
    expiresAt: undefined, natDetected: false,
  };

  /** Throws on an invalid configuration (a local error). */
  constructor(config: MobileNodeConfig, prng: Prng) {
    const cfg = normalizeMnConfig(config);
    this.routers = new RouterTable(cfg.routerLostIntervals);
    this.st = {
      cfg, bul: new BindingUpdateListEntry(prng), world: new WorldView(cfg, this.routers),
      location: { kind: 'unknown' }, careOf: undefined, lastBuCareOf: undefined,
      mayHaveBinding: false, homeAddressOn: undefined, ipv4Placed: undefined, ipv4: {},
      tunnel: undefined,
    };
  }

  handle(now: Instant, input: MnInput): MnOutput[] {
    const out: MnOutput[] = [];
    if (input.kind === 'mh') this.receive(now, input, out);
    else if (input.kind === 'router-advertisement') this.routerAdvertisement(now, input, out);
    else this.observe(now, input, out);
    return this.account(now, out);
  }

  onTimeout(now: Instant): MnOutput[] {
    const out: MnOutput[] = [];
    if (this.routers.expire(now)) reconcile(this.st, now, out);
    runTimers(this.st, now, out);
    return this.account(now, out);
  }

  /** A copy of the registration state and counters at `now`; reading it changes nothing. */
  snapshot(now: Instant): MnSnapshot {
    const { st, seen } = this;
    const { cfg, bul } = st;
    const round = bul.round;
    const registered = bul.registered(now);
    return {
      homeAddress: cfg.homeAddress, homeAgentAddress: cfg.homeAgentAddress,
      homeAgentIpv4Address: cfg.homeAgentIpv4Address, location: st.location, careOf: st.careOf,
      round: round && { kind: round.kind, startedAt: round.startedAt, sends: round.sends },
      nextDeadline: bul.nextDeadline(), outstanding: bul.outstanding, registered,
      lastSequence: seen.sequence, lastSentAt: seen.sentAt, lastLifetimeSeconds: seen.lifetimeSeconds,
      lifetimeRequestedSeconds: cfg.lifetimeSeconds,
      grantedSeconds: registered ? seen.grantedSeconds : undefined,
      expiresAt: registered ? seen.expiresAt : undefined,
      natDetected: registered && seen.natDetected,
      tunnel: st.tunnel?.endpoint,
      ipv4HomeAddress: st.ipv4.address?.address,
      ipv4Prefix: st.ipv4.prefix && `${st.ipv4.prefix.address}/${st.ipv4.prefix.prefixLength}`,
      mobileRouter: cfg.mobileRouter, explicitMode: cfg.explicitMode,
      mobileNetworkPrefixes: cfg.mobileNetworkPrefixes.map((p) => `${p.prefix}/${p.prefixLength}`),
      useRouterAdvertisements: cfg.useRouterAdvertisements, routerLostIntervals: cfg.routerLostIntervals,
      interfaces: [...cfg.preferences.keys()],
      routers: this.routers.views(), withdrawnPrefixes: this.routers.withdrawn(),
      counters: copyCounters({ ...this.counters, routersLost: this.routers.routersLost }),
    };
  }

  /** Updates the view counters from the events in `out` (the outputs are not changed). */
  private account(now: Instant, out: MnOutput[]): MnOutput[] {
    for (const o of out) if (o.kind === 'event') this.count(now, o.event);
    return out;
  }

  private count(now: Instant, e: MnEvent): void {
    const c = this.counters;
    const seen = this.seen;
    switch (e.type) {
      case 'bu-sent':
        c.bindingUpdatesSent++;
        seen.sequence = e.sequence;
        seen.sentAt = now;
        seen.lifetimeSeconds = e.lifetimeSeconds;
        return;
      case 'registered':
        // The engine counts the lifetime from the accepted BU's send time: the last BU sent.
        c.registrations++;
        seen.grantedSeconds = e.lifetimeSeconds;
        seen.expiresAt = (seen.sentAt ?? now) + e.lifetimeSeconds * 1000;
        seen.natDetected = e.natDetected;
        return;
      case 'registration-failed': return bump(c.failuresByStatus, e.status);
      case 'binding-error': return bump(c.bindingErrorsByStatus, e.status);
      case 'ipv4-home-address-refused': return bump(c.ipv4RefusedByStatus, e.status);
      case 'dropped': return bump(c.droppedByReason, e.reason);
      case 'deregistered': c.deregistrations++; return;
      case 'binding-expired': c.expired++; return;
      case 'care-of-changed': c.careOfChanges++; return;
      case 'at-home': return;
    }
  }

  nextDeadline(): Instant | undefined {
    return earliest(this.st.bul.nextDeadline(), this.routers.nextDeadline());
  }

  private receive(now: Instant, input: ReceivedMh, out: MnOutput[]): void {
    const r = receiveMobility(this.st.cfg, input);
    if (!r.ok) {
      emitEvent(out, r.drop);
      return;
    }
    const m = r.message;
    switch (m.type) {
      case 'binding-ack': return handleBindingAck(this.st, now, m, out);
      case 'binding-refresh-request': return handleBindingRefreshRequest(this.st, now, out);
      case 'binding-error': return handleBindingError(this.st, now, m.status, m.homeAddress, out);
    }
  }

  private observe(now: Instant, input: WorldInput, out: MnOutput[]): void {
    this.routers.expire(now);
    this.st.world.apply(input);
    reconcile(this.st, now, out);
  }

  /** RFC 6275 §11.5.1: an RA on a configured interface; invalid ones are dropped and counted. */
  private routerAdvertisement(now: Instant, rx: ReceivedRouterAdvertisement, out: MnOutput[]): void {
    if (!this.st.cfg.useRouterAdvertisements || !this.st.cfg.preferences.has(rx.ifname)) return;
    this.counters.routerAdvertisements++;
    const r = validateRouterAdvertisement(rx);
    if (!r.ok) {
      this.counters.routerAdvertisementsDropped++;
      emitEvent(out, r.drop);
      return;
    }
    this.routers.expire(now);
    this.routers.observe(now, rx.ifname, r.ra);
    reconcile(this.st, now, out);
  }
}
