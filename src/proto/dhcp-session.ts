/**
 * The DHCPv4 client's state and transmissions (dhcp-client.ts has the transitions): fields,
 * deadlines, building and addressing the messages of each state, and dropping a lease.
 */
import { IPV4_ANY } from '../wire/addr.js';
import { DHCP_CLIENT_PORT, DHCP_SERVER_PORT, encodedLengthDhcpMessage, type DhcpMessage }
  from '../wire/dhcpv4.js';
import { buildDiscover, buildRequest, type DhcpClientIdentity } from '../wire/dhcpv4-client.js';
import {
  leaseOps, renewRetransmitDelay, retransmitDelay, type ReplyExpectation,
} from './dhcp-lease.js';
import {
  DHCP_BROADCAST_ADDRESS, DHCP_CLIENT_DEFAULTS, DHCP_DROP_REASONS,
  type DhcpClientConfig, type DhcpClientOutput, type DhcpClientState, type DhcpDropReason,
  type DhcpEvent, type DhcpLease, type DhcpLostReason, type DhcpRememberedLease,
} from './dhcp-types.js';
import { earliest, type Instant } from './time.js';

type Limits = Required<Pick<DhcpClientConfig, keyof typeof DHCP_CLIENT_DEFAULTS>>;

export const event = (e: DhcpEvent): DhcpClientOutput => ({ kind: 'event', event: e });

export function send(message: DhcpMessage, source: string, destination: string): DhcpClientOutput {
  return { kind: 'send', message, udp: { source, sourcePort: DHCP_CLIENT_PORT, destination,
    destinationPort: DHCP_SERVER_PORT } };
}

export class DhcpSession {
  protected st: DhcpClientState = 'idle';
  protected xid = 0;
  protected attempts = 0; // sends with the current xid
  protected actionAt: Instant | undefined; // retransmission, or (init) the next DISCOVER
  protected secsBase: Instant = 0; // start of this acquisition or renewal ('secs')
  protected requestBase: Instant = 0; // first DHCPREQUEST with the current xid
  protected offer: { readonly address: string; readonly serverId: string } | undefined;
  protected current: DhcpLease | undefined; // configured in the OS
  protected hint: DhcpRememberedLease | undefined;
  protected naks = 0; // DHCPNAKs since the last BOUND
  protected readonly drops = new Map<DhcpDropReason, number>();
  protected readonly limits: Limits;

  constructor(protected readonly config: DhcpClientConfig) {
    this.limits = { ...DHCP_CLIENT_DEFAULTS, ...stripUndefined(config) };
    const n = config.chaddr.length;
    if (n < 1 || n > 16) throw new Error(`DHCP client: chaddr has ${n} bytes (want 1..16)`);
    for (const k of ['maxDiscoverAttempts', 'maxRequestAttempts', 'maxRebootAttempts'] as const) {
      const v = this.limits[k];
      if (!Number.isInteger(v) || v < 1) throw new Error(`DHCP client: ${k} ${v} (want >= 1)`);
    }
    for (const k of ['discoverBackoffMs', 'nakRestartMs'] as const) {
      const v = this.limits[k];
      if (!Number.isFinite(v) || v < 0) throw new Error(`DHCP client: ${k} ${v} (want >= 0)`);
    }
    try { // fail now on a host name, client identifier or list the encoder cannot send
      encodedLengthDhcpMessage(buildDiscover(this.discoverParams(0)));
    } catch (e) {
      throw new Error(`DHCP client: ${(e as Error).message}`);
    }
  }

  get state(): DhcpClientState { return this.st; }

  /** The lease configured in the OS, if any. */
  get lease(): DhcpLease | undefined { return this.current; }

  /** What INIT-REBOOT would use on the next `start`. */
  get remembered(): DhcpRememberedLease | undefined { return this.hint; }

  /** Ignored messages and inputs per reason since construction. */
  dropCounts(): Record<DhcpDropReason, number> {
    const out = {} as Record<DhcpDropReason, number>;
    for (const r of DHCP_DROP_REASONS) out[r] = this.drops.get(r) ?? 0;
    return out;
  }

  nextDeadline(): Instant | undefined {
    const l = this.current;
    switch (this.st) {
      case 'idle': return undefined;
      case 'bound': return earliest(l?.renewAt, l?.rebindAt, l?.expiresAt);
      case 'renewing': return earliest(this.actionAt, l?.rebindAt, l?.expiresAt);
      case 'rebinding': return earliest(this.actionAt, l?.expiresAt);
      default: return this.actionAt;
    }
  }

  protected begin(now: Instant, state: DhcpClientState): void {
    this.st = state;
    this.xid = this.newXid();
    this.attempts = 0;
    this.secsBase = now;
    this.offer = undefined;
  }

  protected sendDiscover(now: Instant): DhcpClientOutput[] {
    this.attempts++;
    this.actionAt = now + retransmitDelay(this.attempts, this.config.prng);
    const m = buildDiscover({ ...this.discoverParams(this.xid), secs: this.secs(now) });
    return [send(m, IPV4_ANY, DHCP_BROADCAST_ADDRESS)];
  }

  protected sendRequest(now: Instant): DhcpClientOutput[] {
    this.attempts++;
    if (this.attempts === 1) this.requestBase = now;
    const l = this.current;
    const p = { ...this.discoverParams(this.xid), secs: this.secs(now) };
    if ((this.st === 'renewing' || this.st === 'rebinding') && l) {
      const renewing = this.st === 'renewing';
      this.actionAt = now + renewRetransmitDelay(now, (renewing ? l.rebindAt : l.expiresAt) ?? now);
      const m = buildRequest({ ...p, state: this.st, clientAddress: l.address, broadcast: false });
      return [send(m, l.address, renewing ? l.serverId : DHCP_BROADCAST_ADDRESS)];
    }
    this.actionAt = now + retransmitDelay(this.attempts, this.config.prng);
    const m = this.st === 'requesting' && this.offer
      ? buildRequest({ ...p, state: 'selecting', requestedAddress: this.offer.address,
        serverIdentifier: this.offer.serverId })
      : buildRequest({ ...p, state: 'init-reboot', requestedAddress: this.hint?.address ?? '' });
    return [send(m, IPV4_ANY, DHCP_BROADCAST_ADDRESS)];
  }

  protected expectation(): ReplyExpectation | undefined {
    const base = { xid: this.xid, chaddr: this.config.chaddr,
      clientIdentifier: this.config.clientIdentifier, types: ['ack', 'nak'] as const };
    switch (this.st) {
      case 'selecting': return { ...base, types: ['offer'] };
      case 'requesting': return { ...base, server: this.offer?.serverId };
      case 'renewing': return { ...base, server: this.current?.serverId };
      case 'rebooting': case 'rebinding': return base;
      default: return undefined;
    }
  }

  protected dropLease(reason: DhcpLostReason): DhcpClientOutput[] {
    const l = this.current;
    if (!l) return [];
    this.current = undefined;
    const out: DhcpClientOutput[] = leaseOps(l, undefined).map((op) => ({ kind: 'os', op }));
    return [...out, event({ type: 'lost', address: l.address, reason })];
  }

  protected reset(state: DhcpClientState): void {
    this.st = state;
    this.attempts = 0;
    this.actionAt = undefined;
    this.offer = undefined;
  }

  protected dropped(reason: DhcpDropReason, detail: string): DhcpClientOutput[] {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    return [event({ type: 'dropped', reason, detail })];
  }

  protected identity(xid: number): DhcpClientIdentity {
    const c = this.config;
    return { xid, chaddr: c.chaddr, htype: c.htype, clientIdentifier: c.clientIdentifier };
  }

  /** The BROADCAST flag is set: until BOUND the interface has no address (platform.md §4). */
  protected discoverParams(xid: number) {
    return { ...this.identity(xid), broadcast: true, hostName: this.config.hostName,
      parameterRequestList: this.limits.parameterRequestList };
  }

  protected secs(now: Instant): number {
    return Math.min(0xffff, Math.max(0, Math.floor((now - this.secsBase) / 1000)));
  }

  protected newXid(): number {
    return this.config.prng.below(0x1_0000_0000) >>> 0;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
