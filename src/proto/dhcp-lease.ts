/**
 * The DHCPv4 client's checks of received messages, lease parsing (RFC 2131 §4.4.5 T1/T2
 * defaults), the OS operations between two leases, and retransmission delays (RFC 2131 §4.1).
 * Received bytes are hostile: nothing here throws on them.
 */
import { parseIpv4 } from '../wire/addr.js';
import {
  decodeDhcpMessage, dhcpMessageType, dhcpOption, dhcpUnknownOption, DHCP_OPTION_MESSAGE,
  type DhcpMessage,
} from '../wire/dhcpv4.js';
import { isUnicast4 } from './prefix.js';
import type { Prng } from './prng.js';
import type { Instant } from './time.js';
import {
  DHCP_INFINITE_LEASE, DHCP_INITIAL_RETRANSMIT_MS, DHCP_MAX_RETRANSMIT_MS,
  DHCP_MIN_RENEW_RETRANSMIT_MS, DHCP_RETRANSMIT_JITTER_MS, DHCP_T1_FRACTION, DHCP_T2_FRACTION,
  type DhcpDropReason, type DhcpLease, type DhcpOsOp,
} from './dhcp-types.js';

export type ReplyType = 'offer' | 'ack' | 'nak';

/** What the client waits for in its current state. */
export interface ReplyExpectation {
  readonly xid: number;
  readonly chaddr: Uint8Array;
  readonly clientIdentifier?: { readonly identifierType: number;
    readonly identifier: Uint8Array };
  readonly types: readonly ReplyType[];
  /** Only this server may answer (REQUESTING: the chosen one; RENEWING: the lease's). */
  readonly server?: string;
}

export interface Reply {
  readonly message: DhcpMessage;
  readonly type: ReplyType;
  readonly serverId: string;
}

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: DhcpDropReason; readonly detail: string };

const drop = (reason: DhcpDropReason, detail: string): Checked<never> =>
  ({ ok: false, reason, detail });

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Decodes and checks a reply against what the client waits for (`undefined`: nothing).
 * Never throws.
 */
export function checkReply(
  bytes: Uint8Array, want: ReplyExpectation | undefined,
): Checked<Reply> {
  const r = decodeDhcpMessage(bytes);
  if (!r.ok) return drop('malformed', `${r.error.what} at offset ${r.error.offset}`);
  const m = r.value;
  if (m.op !== 'boot-reply') return drop('not-a-reply', 'BOOTP op is boot-request');
  if (!want) return drop('not-waiting', `xid ${m.xid}: no exchange in progress`);
  if (m.xid !== want.xid) return drop('wrong-xid', `xid ${m.xid} (want ${want.xid})`);
  if (!sameBytes(m.chaddr, want.chaddr)) return drop('wrong-chaddr', 'chaddr is not ours');
  const type = dhcpMessageType(m);
  if (type === undefined) return drop('no-message-type', 'no option 53 (plain BOOTP)');
  const server = dhcpOption(m, 'server-identifier')?.address;
  if (server === undefined) return drop('no-server-id', `DHCP ${type} without option 54`);
  const id = dhcpOption(m, 'client-identifier');
  const mine = want.clientIdentifier;
  if (id && mine && !(id.identifierType === mine.identifierType
    && sameBytes(id.identifier, mine.identifier))) {
    return drop('wrong-client-id', 'option 61 is not ours');
  }
  if (!want.types.some((t) => t === type)) {
    return drop('unexpected-type', `DHCP ${type} (waiting for ${want.types.join('/')})`);
  }
  if (want.server !== undefined && server !== want.server) {
    return drop('wrong-server', `server ${server} (want ${want.server})`);
  }
  return { ok: true, value: { message: m, type: type as ReplyType, serverId: server } };
}

/** Option 56 text of a DHCPNAK, if any (latin1). */
export function nakMessage(m: DhcpMessage): string | undefined {
  const data = dhcpUnknownOption(m, DHCP_OPTION_MESSAGE);
  return data ? String.fromCharCode(...data) : undefined;
}

/** The prefix length (1..32) of a contiguous mask, else undefined. */
export function maskPrefixLength(mask: string): number | undefined {
  const b = parseIpv4(mask);
  if (!b) return undefined;
  const v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  const len = 32 - Math.log2(((~v) >>> 0) + 1);
  return Number.isInteger(len) && len > 0 ? len : undefined;
}

/** RFC 791 classful length: the best guess when the server sends no usable mask. */
function classfulPrefixLength(address: string): number {
  const first = parseIpv4(address)?.[0] ?? 0;
  return first < 128 ? 8 : first < 192 ? 16 : 24;
}

/** RFC 2131 §4.4.5 T1 and T2: the server's when T1 <= T2 < lease, else the defaults. */
function renewalTimes(m: DhcpMessage, lease: number): { t1: number; t2: number } {
  const givenT2 = dhcpOption(m, 'rebinding-time')?.rebindingTimeSeconds;
  const t2 = givenT2 !== undefined && givenT2 < lease ? givenT2
    : Math.floor(lease * DHCP_T2_FRACTION);
  const givenT1 = dhcpOption(m, 'renewal-time')?.renewalTimeSeconds;
  const t1 = givenT1 !== undefined && givenT1 <= t2 ? givenT1
    : Math.min(Math.floor(lease * DHCP_T1_FRACTION), t2);
  return { t1, t2 };
}

/** The lease a DHCPACK grants, running from `obtainedAt`. */
export function parseLease(reply: Reply, obtainedAt: Instant): Checked<DhcpLease> {
  const m = reply.message;
  if (!isUnicast4(m.yiaddr)) return drop('bad-address', `yiaddr ${m.yiaddr} is not unicast`);
  const lease = dhcpOption(m, 'lease-time')?.leaseTimeSeconds;
  if (lease === undefined || lease === 0) {
    return drop('no-lease-time', `DHCPACK lease time ${lease ?? 'missing'}`);
  }
  const mask = dhcpOption(m, 'subnet-mask')?.address;
  const prefixLength = (mask !== undefined ? maskPrefixLength(mask) : undefined)
    ?? classfulPrefixLength(m.yiaddr);
  const infinite = lease === DHCP_INFINITE_LEASE;
  const { t1, t2 } = infinite ? { t1: lease, t2: lease } : renewalTimes(m, lease);
  const at = (s: number): Instant | undefined => (infinite ? undefined : obtainedAt + s * 1000);
  return { ok: true, value: {
    address: m.yiaddr, prefixLength,
    routers: (dhcpOption(m, 'routers')?.addresses ?? []).filter(isUnicast4),
    dnsServers: (dhcpOption(m, 'dns-servers')?.addresses ?? []).filter(isUnicast4),
    serverId: reply.serverId, leaseSeconds: lease, renewalSeconds: t1, rebindingSeconds: t2,
    obtainedAt, renewAt: at(t1), rebindAt: at(t2), expiresAt: at(lease),
  } };
}

/** The OS operations that turn the configuration of `old` into that of `next`. */
export function leaseOps(old: DhcpLease | undefined, next: DhcpLease | undefined): DhcpOsOp[] {
  const sameAddress = old !== undefined && next !== undefined && old.address === next.address
    && old.prefixLength === next.prefixLength;
  const oldGw = old?.routers[0];
  const newGw = next?.routers[0];
  const sameRoute = sameAddress && oldGw === newGw;
  const ops: DhcpOsOp[] = [];
  if (old && oldGw !== undefined && !sameRoute) {
    ops.push({ op: 'default-route-clear', gateway: oldGw, source: old.address });
  }
  if (old && !sameAddress) {
    ops.push({ op: 'address-clear', address: old.address, prefixLength: old.prefixLength });
  }
  if (next && !sameAddress) {
    ops.push({ op: 'address-set', address: next.address, prefixLength: next.prefixLength });
  }
  if (next && newGw !== undefined && !sameRoute) {
    ops.push({ op: 'default-route-set', gateway: newGw, source: next.address });
  }
  return ops;
}

/**
 * RFC 2131 §4.1: the wait after transmission number `attempt` (1, 2, ...) of DHCPDISCOVER or
 * DHCPREQUEST in SELECTING/REQUESTING/INIT-REBOOT: 4 s doubling to 64 s, plus a uniform
 * jitter in [-1 s, +1 s).
 */
export function retransmitDelay(attempt: number, prng: Prng): number {
  const base = Math.min(DHCP_MAX_RETRANSMIT_MS,
    DHCP_INITIAL_RETRANSMIT_MS * 2 ** Math.min(Math.max(attempt - 1, 0), 8));
  return base + Math.floor((2 * prng.next() - 1) * DHCP_RETRANSMIT_JITTER_MS);
}

/** RFC 2131 §4.4.5: half the time left until `until` (T2 or expiry), at least 60 s. */
export function renewRetransmitDelay(now: Instant, until: Instant): number {
  return Math.max(DHCP_MIN_RENEW_RETRANSMIT_MS, Math.floor((until - now) / 2));
}
