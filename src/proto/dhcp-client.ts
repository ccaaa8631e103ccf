/**
 * The sans-IO DHCPv4 client (RFC 2131 §4.4, Figure 5) that gives the Mobile Node an IPv4
 * care-of address on a foreign link (UMIP-DSMIP `UseDhcp enabled`). One instance per interface.
 * It has the engine shape (conventions C6/C7): `handle(now, input)`, `onTimeout(now)` and
 * `nextDeadline()`; it reads no clock and draws xids and jitter from the injected PRNG.
 *
 * States: idle (not started) → INIT → SELECTING → REQUESTING → BOUND → RENEWING (T1) →
 * REBINDING (T2) → expiry → INIT; `rebooting` is INIT-REBOOT/REBOOTING, used on `start` when a
 * lease is remembered and not expired (from an earlier binding of this instance, kept across
 * `stop`, or `start.previous`). `init` is the wait before a new DISCOVER round.
 *
 * Choices:
 * - The first acceptable DHCPOFFER wins at once (no collection wait): handover latency matters
 *   more than comparing offers, and RFC 2131 §4.4.1 lets the client pick any offer.
 * - DISCOVER round: at most `maxDiscoverAttempts` (5) sends, 4 s doubling to 64 s ± 1 s
 *   (RFC 2131 §4.1); if no usable offer arrives within the last wait, a `no-reply` event, then a
 *   pause of `discoverBackoffMs` (60 s) and a new round with a new xid.
 * - REQUESTING gives up after `maxRequestAttempts` (4) sends and INIT-REBOOT after
 *   `maxRebootAttempts` (2); both then DISCOVER at once (the reboot hint is forgotten).
 * - RENEWING/REBINDING retransmit at half the time left to T2/expiry, at least 60 s, no jitter.
 * - The lease runs from the first DHCPREQUEST sent with the answered xid (RFC 2131 §4.4.1).
 * - T1/T2: the server's when T1 <= T2 < lease, else 0.5/0.875 of the lease (never T1 > T2).
 * - DHCPNAK: INIT and DISCOVER at once; a second NAK before BOUND waits `nakRestartMs` (10 s)
 *   so a confused server cannot make a busy loop.
 * - The client does not probe the address itself (RFC 2131 §3.1.5): the runtime may (RFC 5227)
 *   and report `address-conflict`, which sends DHCPDECLINE and waits 10 s before INIT.
 * - `stop` removes the address but remembers the lease for INIT-REBOOT; `release` forgets it.
 *
 * How the runtime must wire it (platform.md §4):
 * - one UDP socket per interface, bound to 0.0.0.0:68 with SO_BINDTODEVICE on that interface,
 *   SO_BROADCAST and SO_REUSEADDR (port 68 needs CAP_NET_BIND_SERVICE); without the device
 *   binding a broadcast from an unconfigured interface fails with ENETUNREACH;
 * - `send`: encode `message` with encodeDhcpMessage and send it to udp.destination:67. A source
 *   of 0.0.0.0 means the unbound socket above; otherwise the source address is configured and
 *   the kernel picks it;
 * - pass every datagram from port 67 as `received` (the client checks it); link up/down as
 *   `start`/`stop`; apply `os` ops in order, before the events that follow them (a route-clear
 *   may find the route already gone with the address: that is success);
 * - call `onTimeout` at `nextDeadline()`; early or extra calls are harmless;
 * - keep `remembered` (with a wall-clock expiry) to pass as `start.previous` after a restart.
 */
import { IPV4_ANY } from '../wire/addr.js';
import { buildDecline, buildRelease } from '../wire/dhcpv4-client.js';
import { checkReply, leaseOps, nakMessage, parseLease, type Reply } from './dhcp-lease.js';
import { DhcpSession, event, send } from './dhcp-session.js';
import {
  DHCP_BROADCAST_ADDRESS, DHCP_DECLINE_WAIT_MS, type DhcpClientInput, type DhcpClientOutput,
  type DhcpLostReason, type DhcpRememberedLease,
} from './dhcp-types.js';
import { isUnicast4 } from './prefix.js';
import type { Instant } from './time.js';

export * from './dhcp-types.js';

function assertNever(x: never): never {
  throw new Error(`unhandled DHCP client input ${JSON.stringify(x)}`);
}

export class DhcpClient extends DhcpSession {
  handle(now: Instant, input: DhcpClientInput): DhcpClientOutput[] {
    switch (input.kind) {
      case 'start': return this.start(now, input.previous);
      case 'stop': return this.forget('stopped');
      case 'release': return this.release(input.message);
      case 'received': return this.receive(now, input.bytes);
      case 'address-conflict': return this.conflict(now, input.address);
      default: return assertNever(input);
    }
  }

  onTimeout(now: Instant): DhcpClientOutput[] {
    const l = this.current;
    if (l?.expiresAt !== undefined && now >= l.expiresAt) {
      this.hint = undefined;
      return [...this.dropLease('expired'), ...this.discover(now)];
    }
    const leased = this.st === 'bound' || this.st === 'renewing';
    if (leased && l?.rebindAt !== undefined && now >= l.rebindAt) {
      return this.renew(now, 'rebinding');
    }
    if (this.st === 'bound' && l?.renewAt !== undefined && now >= l.renewAt) {
      return this.renew(now, 'renewing');
    }
    if (this.actionAt === undefined || now < this.actionAt) return [];
    switch (this.st) {
      case 'init': return this.discover(now);
      case 'selecting':
        return this.attempts < this.limits.maxDiscoverAttempts ? this.sendDiscover(now)
          : this.pauseDiscovery(now);
      case 'requesting': case 'rebooting': {
        const max = this.st === 'requesting' ? this.limits.maxRequestAttempts
          : this.limits.maxRebootAttempts;
        return this.attempts < max ? this.sendRequest(now) : this.requestFailed(now);
      }
      case 'renewing': case 'rebinding': return this.sendRequest(now);
      default: return [];
    }
  }

  private start(now: Instant, previous: DhcpRememberedLease | undefined): DhcpClientOutput[] {
    if (this.st !== 'idle') return [];
    this.naks = 0;
    if (previous && isUnicast4(previous.address)
      && (previous.serverId === undefined || isUnicast4(previous.serverId))) this.hint = previous;
    const h = this.hint;
    if (h && (h.expiresAt === undefined || h.expiresAt > now)) return this.reboot(now);
    this.hint = undefined;
    return this.discover(now);
  }

  private discover(now: Instant): DhcpClientOutput[] {
    this.begin(now, 'selecting');
    return this.sendDiscover(now);
  }

  private reboot(now: Instant): DhcpClientOutput[] {
    this.begin(now, 'rebooting');
    return this.sendRequest(now);
  }

  private renew(now: Instant, state: 'renewing' | 'rebinding'): DhcpClientOutput[] {
    this.begin(now, state);
    return this.sendRequest(now);
  }

  private pauseDiscovery(now: Instant): DhcpClientOutput[] {
    const attempts = this.attempts;
    this.st = 'init';
    this.actionAt = now + this.limits.discoverBackoffMs;
    return [event({ type: 'no-reply', state: 'selecting', attempts, retryAt: this.actionAt })];
  }

  private requestFailed(now: Instant): DhcpClientOutput[] {
    const state = this.st === 'requesting' ? 'requesting' : 'rebooting';
    const e = event({ type: 'no-reply', state, attempts: this.attempts, retryAt: now });
    this.hint = undefined;
    return [e, ...this.discover(now)];
  }

  private receive(now: Instant, bytes: Uint8Array): DhcpClientOutput[] {
    const r = checkReply(bytes, this.expectation());
    if (!r.ok) return this.dropped(r.reason, r.detail);
    const reply = r.value;
    if (reply.type === 'offer') return this.onOffer(now, reply);
    return reply.type === 'ack' ? this.onAck(reply) : this.onNak(now, reply);
  }

  private onOffer(now: Instant, reply: Reply): DhcpClientOutput[] {
    const address = reply.message.yiaddr;
    if (!isUnicast4(address)) return this.dropped('bad-address', `offer of ${address}`);
    this.offer = { address, serverId: reply.serverId };
    this.st = 'requesting';
    this.attempts = 0;
    return this.sendRequest(now);
  }

  private onAck(reply: Reply): DhcpClientOutput[] {
    const parsed = parseLease(reply, this.requestBase);
    if (!parsed.ok) return this.dropped(parsed.reason, parsed.detail);
    const lease = parsed.value;
    const via = this.st as 'requesting' | 'rebooting' | 'renewing' | 'rebinding';
    const old = this.current;
    const out: DhcpClientOutput[] = leaseOps(old, lease).map((op) => ({ kind: 'os', op }));
    if (old && old.address !== lease.address) {
      out.push(event({ type: 'lost', address: old.address, reason: 'replaced' }));
    }
    out.push(old && old.address === lease.address && (via === 'renewing' || via === 'rebinding')
      ? event({ type: 'renewed', lease, via }) : event({ type: 'bound', lease, via }));
    this.reset('bound');
    this.current = lease;
    this.hint = { address: lease.address, serverId: lease.serverId, expiresAt: lease.expiresAt };
    this.naks = 0;
    return out;
  }

  private onNak(now: Instant, reply: Reply): DhcpClientOutput[] {
    const message = nakMessage(reply.message);
    const out = [event({ type: 'nak', serverId: reply.serverId,
      ...(message !== undefined ? { message } : {}) }), ...this.dropLease('nak')];
    this.hint = undefined;
    this.naks++;
    if (this.naks === 1) return [...out, ...this.discover(now)];
    this.reset('init');
    this.actionAt = now + this.limits.nakRestartMs;
    return out;
  }

  private conflict(now: Instant, address: string): DhcpClientOutput[] {
    const target = this.st === 'requesting' ? this.offer
      : this.st === 'rebooting' ? this.hint
        : this.st === 'bound' || this.st === 'renewing' || this.st === 'rebinding' ? this.current
          : undefined;
    if (!target || target.address !== address) {
      return this.dropped('conflict-ignored', `${address} is not being configured`);
    }
    const out: DhcpClientOutput[] = [];
    if (target.serverId !== undefined) {
      const m = buildDecline({ ...this.identity(this.xid), requestedAddress: address,
        serverIdentifier: target.serverId });
      out.push(send(m, IPV4_ANY, DHCP_BROADCAST_ADDRESS));
    }
    out.push(...this.dropLease('declined'), event({ type: 'declined', address }));
    this.hint = undefined;
    this.reset('init');
    this.actionAt = now + DHCP_DECLINE_WAIT_MS;
    return out;
  }

  /** `message` goes out as option 56 when it fits (latin1, at most 255 characters). */
  private release(message: string | undefined): DhcpClientOutput[] {
    const l = this.current;
    const out: DhcpClientOutput[] = [];
    if (l) {
      const text = message !== undefined && /^[\u0000-\u00ff]{0,255}$/.test(message)
        ? message : undefined;
      const m = buildRelease({ ...this.identity(this.newXid()), clientAddress: l.address,
        serverIdentifier: l.serverId, message: text });
      out.push(send(m, l.address, l.serverId));
    }
    out.push(...this.forget('released'));
    this.hint = undefined;
    return out;
  }

  /** Removes the address (if any) and goes idle; the hint stays. */
  private forget(reason: DhcpLostReason): DhcpClientOutput[] {
    const out = this.dropLease(reason);
    this.reset('idle');
    return out;
  }
}
