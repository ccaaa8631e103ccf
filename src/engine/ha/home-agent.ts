/**
 * The Home Agent engine (RFC 6275 §10, RFC 3963 §6, RFC 5555 §4): sans-IO, deterministic.
 * `handle` takes received Mobility Header packets and DAD results; `onTimeout` expires bindings
 * and sends Binding Refresh Requests; every effect is an output value.
 */
import { BaStatus, BuFlag } from '../../wire/mh/constants.js';
import { DeadlineHeap } from '../../proto/deadline-heap.js';
import { seqNewer } from '../../proto/seqno.js';
import { Ipv4Pool } from '../../proto/ipv4-pool.js';
import { linkLocalFor } from '../../proto/prefix.js';
import type { Instant } from '../../proto/time.js';
import type { DropReason, Engine, ReceivedMh } from '../types.js';
import { BindingCache, CachedBinding, fieldsOf, type BindingCacheEntry } from './binding-cache.js';
import {
  checkAgainstCache, checkHomeSubnet, checkNemo, checkPolicy, grantLifetime,
  isDeregistration,
} from './bu-checks.js';
import { bindingError, bindingRefreshRequest } from './messages.js';
import { restoreBindings, type RestoreResult } from './persist.js';
import { classifyReceived, type BuRequest } from './received.js';
import {
  acceptBu, deregister, rejectBu, removeBinding, type Accepted, type HaState,
} from './registration.js';
import type { HaInput, HaOutput, HomeAgentConfig } from './types.js';
import { PendingDads, type PendingDad } from './pending-dad.js';

export interface HaCounters {
  bindingUpdates: number;
  accepted: number;
  rejected: Map<number, number>;
  dropped: Map<DropReason, number>;
  bindingErrorsSent: number;
  expired: number;
}

/**
 * What the management views read (src/api): plain data, copied, O(number of counter keys); the
 * bindings themselves are read from `cache` (immutable entries) a page at a time.
 */
export interface HaSnapshot {
  readonly address: string;
  readonly ipv4Address: string | undefined;
  readonly udpPort: number;
  readonly acceptDsmip6: boolean;
  readonly bindingCount: number;
  readonly bindingsMax: number;
  /** Registrations waiting for DAD (not yet in the cache). */
  readonly pendingDadCount: number;
  readonly counters: {
    readonly bindingUpdates: number;
    readonly accepted: number;
    /** BA status (decimal text) -> count. */
    readonly rejectedByStatus: Readonly<Record<string, number>>;
    readonly droppedByReason: Readonly<Record<string, number>>;
    readonly bindingAcksSent: number;
    readonly bindingErrorsSent: number;
    readonly refreshRequestsSent: number;
    readonly expired: number;
  };
}

export class HomeAgent implements Engine<HaInput, HaOutput> {
  readonly cache = new BindingCache();
  readonly counters: HaCounters = {
    bindingUpdates: 0, accepted: 0, rejected: new Map(), dropped: new Map(), bindingErrorsSent: 0, expired: 0,
  };
  private readonly deadlines = new DeadlineHeap<string>();
  private readonly pendingDad = new PendingDads();
  private readonly st: HaState;
  /**
   * The last home address classifyReceived asked the cache about, and the entry found: the Binding
   * Update's checks go on with that entry instead of looking the same address up again.
   */
  private boundFor: string | undefined;
  private bound: BindingCacheEntry | undefined;
  private readonly boundText = (hoa: string): string | undefined => {
    this.boundFor = hoa;
    this.bound = this.cache.get(hoa);
    return this.bound?.homeAddress;
  };
  /** Messages sent, counted from the outputs (for the management views only). */
  private readonly sent = { bindingAcks: 0, refreshRequests: 0 };

  constructor(readonly cfg: HomeAgentConfig) {
    const pool = cfg.ipv4HomeAddressPool ? new Ipv4Pool(cfg.ipv4HomeAddressPool) : undefined;
    const pp = cfg.ipv4PrefixPool;
    this.st = {
      cfg, cache: this.cache, addressPool: pool,
      prefixPool: pp ? new Ipv4Pool(pp.range, pp.prefixLength) : undefined,
      // A later deadline pushes nothing: the replaced entry's item, due first, is put back then
      // (onTimeout), so the heap holds about one item per binding, not one per refresh.
      schedule: (e, old) => {
        const at = this.entryDeadline(e);
        if (!old || at < this.entryDeadline(old)) this.deadlines.push(at, e.homeAddress);
      },
    };
  }

  handle(now: Instant, input: HaInput): HaOutput[] {
    const out = input.kind === 'dad-result'
      ? this.dadResult(now, input.address, input.duplicate) : this.received(now, input);
    return this.countSent(out);
  }

  /** A copy of the counters and sizes; reading it changes nothing. */
  snapshot(): HaSnapshot {
    const c = this.counters;
    return {
      address: this.cfg.address, ipv4Address: this.cfg.ipv4Address, udpPort: this.cfg.udpPort,
      acceptDsmip6: this.cfg.acceptDsmip6, bindingCount: this.cache.size, bindingsMax: this.cfg.bindingsMax,
      pendingDadCount: this.pendingDad.size,
      counters: {
        bindingUpdates: c.bindingUpdates, accepted: c.accepted,
        rejectedByStatus: Object.fromEntries([...c.rejected].map(([k, v]) => [String(k), v])),
        droppedByReason: Object.fromEntries(c.dropped),
        bindingAcksSent: this.sent.bindingAcks, bindingErrorsSent: c.bindingErrorsSent,
        refreshRequestsSent: this.sent.refreshRequests, expired: c.expired,
      },
    };
  }

  private countSent(out: HaOutput[]): HaOutput[] {
    for (const o of out) {
      if (o.kind !== 'send-mh') continue;
      const type = o.packet.mh.message.type;
      if (type === 'binding-ack') this.sent.bindingAcks++;
      else if (type === 'binding-refresh-request') this.sent.refreshRequests++;
    }
    return out;
  }

  nextDeadline(): Instant | undefined {
    const a = this.deadlines.peek();
    const b = this.pendingDad.nextDeadline();
    return a === undefined ? b : b === undefined || a <= b ? a : b;
  }

  /**
   * Restart: brings back the bindings a previous run persisted (persist.ts), before any input.
   * The outputs install their OS state; nothing is sent to the mobile nodes. Refused once a
   * registration waits for DAD: a home address waiting there has no binding (received() relies on it).
   */
  restore(now: Instant, records: readonly unknown[]): RestoreResult {
    if (this.pendingDad.size > 0) throw new Error('HomeAgent.restore: registrations are waiting for DAD');
    return restoreBindings(this.st, now, records);
  }

  onTimeout(now: Instant): HaOutput[] {
    const out: HaOutput[] = [];
    for (;;) {
      // DAD timeouts and binding deadlines in one deadline order (a DAD first on a tie).
      const dad = this.pendingDad.nextDeadline();
      const binding = this.deadlines.peek();
      if (dad !== undefined && dad <= now && (binding === undefined || dad <= binding)) {
        out.push(...this.dadTimeout(now, this.pendingDad.popExpired(now)!));
        continue;
      }
      const due = this.deadlines.popDue(now);
      if (!due) break;
      const e = this.cache.get(due.key);
      const at = e && this.entryDeadline(e);
      if (at !== undefined && at > due.deadline) this.deadlines.push(at, due.key); // moved later
      if (!e || at !== due.deadline) continue; // stale heap item
      out.push(...this.entryDue(now, e));
    }
    return this.countSent(out);
  }

  private entryDeadline(e: BindingCacheEntry): Instant {
    const lead = this.cfg.refreshRequestLeadSeconds;
    if (lead === undefined || e.refreshRequestSent) return e.expiresAt;
    const at = e.expiresAt - lead * 1000;
    return at > e.registeredAt ? at : e.expiresAt;
  }

  private entryDue(now: Instant, e: BindingCacheEntry): HaOutput[] {
    if (now >= e.expiresAt) {
      this.counters.expired++;
      const out = removeBinding(this.st, e.homeAddress);
      out.push({ kind: 'event', event: { type: 'binding-expired', homeAddress: e.homeAddress } });
      return out;
    }
    const updated = new CachedBinding({ ...fieldsOf(e), refreshRequestSent: true }, e);
    this.cache.set(updated);
    this.st.schedule(updated);
    return [bindingRefreshRequest(this.cfg.address, e)];
  }

  private drop(reason: DropReason, detail: string): HaOutput[] {
    this.counters.dropped.set(reason, (this.counters.dropped.get(reason) ?? 0) + 1);
    return [{ kind: 'event', event: { type: 'dropped', reason, detail } }];
  }

  private received(now: Instant, input: ReceivedMh): HaOutput[] {
    this.boundFor = undefined;
    const r = classifyReceived(input, this.boundText);
    if (r.kind === 'drop') return this.drop(r.reason, r.detail);
    if (r.kind === 'binding-error') {
      this.counters.bindingErrorsSent++;
      return [
        bindingError(r.via, r.source, r.destination, r.status, r.homeAddress),
        { kind: 'event', event: { type: 'binding-error-sent', status: r.status, to: r.destination } },
      ];
    }
    this.counters.bindingUpdates++;
    return this.bindingUpdate(now, r.request);
  }

  private reject(req: BuRequest, status: number, reason: string, sequence?: number): HaOutput[] {
    this.counters.rejected.set(status, (this.counters.rejected.get(status) ?? 0) + 1);
    return rejectBu(this.st, req, status, reason, sequence);
  }

  /** RFC 6275 §10.3.1 in the order of protocol.md §1.8. */
  private bindingUpdate(now: Instant, req: BuRequest): HaOutput[] {
    if (req.via.kind === 'udp4' && !this.cfg.acceptDsmip6) {
      return this.drop('dsmip-disabled', `BU over UDP from ${req.via.source} with HaAcceptDsmip6 disabled`);
    }
    if (req.options.some((o) => o.type === 'nonce-indices' || o.type === 'binding-authorization-data')) {
      return this.drop('malformed', 'home registration with Nonce Indices or BAD (RFC 6275 §9.5.1)');
    }
    if ((req.flags & BuFlag.H) === 0) {
      const why = 'correspondent registration (no route optimisation)';
      return this.reject(req, BaStatus.ADMINISTRATIVELY_PROHIBITED, why);
    }
    // classifyReceived looked the home address up (nothing changed the cache since).
    const existing = this.boundFor === req.homeAddress ? this.bound : this.cache.get(req.homeAddress);
    this.boundFor = undefined;
    this.bound = undefined;
    // A registration waiting for DAD has no binding yet (acceptBu makes it when DAD ends).
    const pending = existing === undefined ? this.pendingDad.get(req.homeAddress) : undefined;
    if (pending) return this.duringDad(req, pending);
    const c = checkAgainstCache(req, existing);
    if (!c.ok) return this.reject(req, c.status, c.reason, existing?.sequence);
    const checked = this.checkRegistration(req, existing);
    if (!('lifetimeSeconds' in checked)) return checked;
    if (isDeregistration(req)) {
      this.counters.accepted++;
      return deregister(this.st, req);
    }
    if (!existing && this.cfg.dad) return this.startDad(now, req, checked);
    this.counters.accepted++;
    return acceptBu(this.st, now, req, checked, existing);
  }

  /** Steps 8–12 (after the cache checks): home subnet, policy, care-of, room, NEMO, lifetime. */
  private checkRegistration(req: BuRequest, existing: BindingCacheEntry | undefined): Accepted | HaOutput[] {
    const subnet = checkHomeSubnet(this.cfg, req);
    if (!subnet.ok) return this.reject(req, subnet.status, subnet.reason);
    const policy = checkPolicy(this.cfg, req);
    if (!policy.ok) return this.reject(req, policy.status, policy.reason);
    if (isDeregistration(req)) return { nemoMode: undefined, prefixes: [], lifetimeSeconds: 0, status: 0 };
    if (req.careOf.family === 'missing') {
      const why = 'BU over UDP without an IPv4 Care-of Address option';
      return this.reject(req, BaStatus.INVALID_CARE_OF_ADDRESS, why);
    }
    if (!existing && this.cache.size + this.pendingDad.size >= this.cfg.bindingsMax) {
      const why = `binding cache full (${this.cfg.bindingsMax})`;
      return this.reject(req, BaStatus.INSUFFICIENT_RESOURCES, why);
    }
    const nemo = checkNemo(this.cfg, req);
    if (!nemo.ok) return this.reject(req, nemo.status, nemo.reason);
    const granted = grantLifetime(this.cfg, req);
    return {
      nemoMode: nemo.mode, prefixes: nemo.prefixes, lifetimeSeconds: granted.seconds, status: granted.status,
    };
  }

  private startDad(now: Instant, req: BuRequest, accepted: Accepted): HaOutput[] {
    const hoa = req.homeAddress;
    const ll = (req.flags & BuFlag.L) !== 0 ? linkLocalFor(hoa) : undefined;
    this.pendingDad.start(req, accepted, ll === undefined ? [hoa] : [hoa, ll], now + this.cfg.dadTimeoutMs);
    const out: HaOutput[] = [{ kind: 'os', op: { op: 'dad-start', address: hoa } }];
    if (ll !== undefined) out.push({ kind: 'os', op: { op: 'dad-start', address: ll } });
    return out;
  }

  /**
   * A newer BU while DAD runs replaces the pending one (its BA will answer, RFC 6275 §10.3.1);
   * a retransmission that is not newer is dropped; a deregistration cancels the registration.
   */
  private duringDad(req: BuRequest, p: PendingDad): HaOutput[] {
    if (!seqNewer(req.sequence, p.request.sequence)) {
      return this.drop('malformed', `BU ${req.sequence} not newer than ${p.request.sequence} during DAD`);
    }
    if (isDeregistration(req)) {
      this.pendingDad.end(req.homeAddress, p);
      return this.reject(req, BaStatus.NOT_HOME_AGENT_FOR_THIS_MOBILE_NODE, 'deregistration during DAD');
    }
    const checked = this.checkRegistration(req, undefined);
    if (!('lifetimeSeconds' in checked)) {
      this.pendingDad.end(req.homeAddress, p);
      return checked;
    }
    p.request = req;
    p.accepted = checked;
    return [];
  }

  private dadResult(now: Instant, address: string, duplicate: boolean): HaOutput[] {
    const p = this.pendingDad.find(address);
    if (!p) return [];
    const hoa = p.request.homeAddress;
    if (duplicate) {
      this.pendingDad.end(hoa, p);
      return this.reject(p.request, BaStatus.DUPLICATE_ADDRESS_DETECTION_FAILED, `DAD failed for ${address}`);
    }
    if (!this.pendingDad.unique(p, address)) return [];
    this.pendingDad.end(hoa, p);
    this.counters.accepted++;
    return acceptBu(this.st, now, p.request, p.accepted, undefined); // no binding while DAD ran
  }

  private dadTimeout(now: Instant, p: PendingDad): HaOutput[] {
    this.pendingDad.end(p.request.homeAddress, p);
    this.counters.accepted++;
    return acceptBu(this.st, now, p.request, p.accepted, undefined);
  }
}
