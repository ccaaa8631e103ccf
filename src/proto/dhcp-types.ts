/**
 * Configuration, inputs, outputs and constants of the DHCPv4 client (dhcp-client.ts).
 */
import type { DhcpMessage } from '../wire/dhcpv4.js';
import type { Prng } from './prng.js';
import type { Instant } from './time.js';

/** RFC 2131 §4.1: the first retransmission waits 4 s, doubling up to 64 s. */
export const DHCP_INITIAL_RETRANSMIT_MS = 4_000;
export const DHCP_MAX_RETRANSMIT_MS = 64_000;
/** RFC 2131 §4.1: each delay is randomized by a uniform number in [-1 s, +1 s). */
export const DHCP_RETRANSMIT_JITTER_MS = 1_000;
/** RFC 2131 §4.4.5: in RENEWING and REBINDING never retransmit sooner than 60 s. */
export const DHCP_MIN_RENEW_RETRANSMIT_MS = 60_000;
/** RFC 2131 §3.1.5: wait at least 10 s after a DHCPDECLINE before starting again. */
export const DHCP_DECLINE_WAIT_MS = 10_000;
/** RFC 2131 §4.4.5: T1 and T2 default to 0.5 and 0.875 of the lease duration. */
export const DHCP_T1_FRACTION = 0.5;
export const DHCP_T2_FRACTION = 0.875;
/** RFC 2131 §3.3: lease time 0xffffffff means infinity. */
export const DHCP_INFINITE_LEASE = 0xffffffff;
export const DHCP_BROADCAST_ADDRESS = '255.255.255.255';

/** Defaults of the options below. */
export const DHCP_CLIENT_DEFAULTS = {
  /** Options 1 subnet mask, 3 routers, 6 DNS, 15 domain name, 51/58/59 lease, T1, T2. */
  parameterRequestList: [1, 3, 6, 15, 51, 58, 59] as readonly number[],
  maxDiscoverAttempts: 5,
  discoverBackoffMs: 60_000,
  maxRequestAttempts: 4,
  maxRebootAttempts: 2,
  nakRestartMs: 10_000,
} as const;

export interface DhcpClientConfig {
  /** The interface's hardware address; its length becomes `hlen` (1..16 bytes). */
  readonly chaddr: Uint8Array;
  /** ARP hardware type (default 1, Ethernet). */
  readonly htype?: number;
  /** Option 61, sent in every message when set (RFC 2131 §4.2). */
  readonly clientIdentifier?: { readonly identifierType: number; readonly identifier: Uint8Array };
  /** Option 12 in DHCPDISCOVER and DHCPREQUEST. */
  readonly hostName?: string;
  /** Option 55 in DHCPDISCOVER and DHCPREQUEST (the same list in both, RFC 2131 §4.4.1). */
  readonly parameterRequestList?: readonly number[];
  /** Source of transaction ids and retransmission jitter. */
  readonly prng: Prng;
  /** DHCPDISCOVERs per round before pausing (default 5: sent at about 0, 4, 12, 28, 60 s). */
  readonly maxDiscoverAttempts?: number;
  /** The pause after a round without a usable DHCPOFFER (default 60 s). */
  readonly discoverBackoffMs?: number;
  /** DHCPREQUESTs in REQUESTING before going back to INIT (default 4). */
  readonly maxRequestAttempts?: number;
  /** DHCPREQUESTs in INIT-REBOOT before going to INIT (default 2, about 12 s). */
  readonly maxRebootAttempts?: number;
  /** The wait before DISCOVER after a second DHCPNAK in a row (default 10 s; the first: none). */
  readonly nakRestartMs?: number;
}

/** What the client keeps of a lease for INIT-REBOOT (RFC 2131 §3.2). */
export interface DhcpRememberedLease {
  readonly address: string;
  readonly serverId?: string;
  /** When the lease ends; undefined for an infinite lease. */
  readonly expiresAt?: Instant;
}

export type DhcpClientInput =
  /** Link up. `previous`: a lease kept by the runtime across restarts, for INIT-REBOOT. */
  | { readonly kind: 'start'; readonly previous?: DhcpRememberedLease }
  /** Link down: give up the address without telling the server. */
  | { readonly kind: 'stop' }
  /** Give the address back to the server (DHCPRELEASE, option 56 `message` if given). */
  | { readonly kind: 'release'; readonly message?: string }
  /** A UDP payload that arrived on port 68 (from port 67). Hostile. */
  | { readonly kind: 'received'; readonly bytes: Uint8Array }
  /** The runtime found `address` in use by another host (ARP probe, RFC 2131 §3.1.5). */
  | { readonly kind: 'address-conflict'; readonly address: string };

export type DhcpClientState =
  | 'idle' | 'init' | 'selecting' | 'requesting' | 'rebooting' | 'bound' | 'renewing'
  | 'rebinding';

export interface DhcpLease {
  readonly address: string;
  /** From option 1; the classful length when the server sent none or a non-contiguous mask. */
  readonly prefixLength: number;
  readonly routers: readonly string[];
  readonly dnsServers: readonly string[];
  readonly serverId: string;
  /** Seconds as granted; T1 and T2 after defaults and sanity fixes (RFC 2131 §4.4.5). */
  readonly leaseSeconds: number;
  readonly renewalSeconds: number;
  readonly rebindingSeconds: number;
  /** When the first DHCPREQUEST of the exchange was sent: the lease runs from here. */
  readonly obtainedAt: Instant;
  /** undefined when the lease is infinite (then there is no T1, T2 or expiry either). */
  readonly renewAt: Instant | undefined;
  readonly rebindAt: Instant | undefined;
  readonly expiresAt: Instant | undefined;
}

/** UDP addressing of a message to send; ports are 68 (source) and 67 (destination). */
export interface DhcpUdp {
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
}

/** OS state the client wants, applied in order; each op is idempotent. */
export type DhcpOsOp =
  | { readonly op: 'address-set'; readonly address: string; readonly prefixLength: number }
  | { readonly op: 'address-clear'; readonly address: string; readonly prefixLength: number }
  | { readonly op: 'default-route-set'; readonly gateway: string; readonly source: string }
  | { readonly op: 'default-route-clear'; readonly gateway: string; readonly source: string };

/** Why a received message or an input was ignored (counted per reason). */
export type DhcpDropReason =
  | 'malformed' | 'not-a-reply' | 'not-waiting' | 'wrong-xid' | 'wrong-chaddr'
  | 'no-message-type' | 'no-server-id' | 'wrong-client-id' | 'unexpected-type'
  | 'wrong-server' | 'bad-address' | 'no-lease-time' | 'conflict-ignored';

export const DHCP_DROP_REASONS: readonly DhcpDropReason[] = [
  'malformed', 'not-a-reply', 'not-waiting', 'wrong-xid', 'wrong-chaddr', 'no-message-type',
  'no-server-id', 'wrong-client-id', 'unexpected-type', 'wrong-server', 'bad-address',
  'no-lease-time', 'conflict-ignored',
];

export type DhcpLostReason = 'expired' | 'nak' | 'stopped' | 'released' | 'declined' | 'replaced';

export type DhcpEvent =
  | { readonly type: 'bound'; readonly lease: DhcpLease; readonly via: 'requesting' | 'rebooting'
    | 'renewing' | 'rebinding' }
  | { readonly type: 'renewed'; readonly lease: DhcpLease; readonly via: 'renewing' | 'rebinding' }
  /** The address is gone (the `os` ops before this event remove it). */
  | { readonly type: 'lost'; readonly address: string; readonly reason: DhcpLostReason }
  | { readonly type: 'nak'; readonly serverId: string; readonly message?: string }
  | { readonly type: 'declined'; readonly address: string }
  /** A DISCOVER round or a REQUEST exchange ended without an answer. */
  | { readonly type: 'no-reply'; readonly state: 'selecting' | 'requesting' | 'rebooting';
    readonly attempts: number; readonly retryAt: Instant }
  | { readonly type: 'dropped'; readonly reason: DhcpDropReason; readonly detail: string };

export type DhcpClientOutput =
  | { readonly kind: 'send'; readonly message: DhcpMessage; readonly udp: DhcpUdp }
  | { readonly kind: 'os'; readonly op: DhcpOsOp }
  | { readonly kind: 'event'; readonly event: DhcpEvent };
