/**
 * Inputs, outputs and configuration of the Home Agent engine (RFC 6275 §10, RFC 3963 §6,
 * RFC 5555 §4).
 */
import type { DropEvent, ReceivedMh, SendMh, TunnelEndpoint, PrefixText } from '../types.js';

/** UMIP `BindingAclPolicy` / `DefaultBindingAclPolicy` action: allow, deny (129), or a status. */
export type AclAction = 'allow' | 'deny' | number;

export interface HaAclEntry {
  readonly homeAddress: string;
  /** The mobile network prefixes this mobile router may register (and implicit mode uses). */
  readonly prefixes: readonly PrefixText[];
  readonly action: AclAction;
}

/** UMIP-DSMIP `HaAcceptIPv4Traffic A4 (prefixes)`: an IPv4 home address and IPv4 MNPs. */
export interface HaIpv4Authorization {
  readonly ipv4HomeAddress: string;
  readonly prefixes: readonly PrefixText[];
  /** Only this mobile node (IPv6 HoA) may use it; any authorised node when undefined. */
  readonly homeAddress?: string;
}

export interface HomeAgentConfig {
  /** The home agent's IPv6 address on the home link. */
  readonly address: string;
  /** HomeAgentV4Address: the home agent's IPv4 address (DSMIPv6). */
  readonly ipv4Address?: string;
  /** The UDP port for RFC 5555 encapsulation (4191). */
  readonly udpPort: number;
  /** The home link's IPv6 prefixes, with the valid lifetime advertised for them. */
  readonly homePrefixes: readonly { readonly prefix: PrefixText; readonly validLifetimeSeconds?: number }[];
  /** The IPv4 home subnet: IPv4 home addresses inside it are defended with proxy ARP. */
  readonly ipv4HomeSubnet?: PrefixText;
  /** HaMaxBindingLife, seconds. */
  readonly maxBindingLifetimeSeconds: number;
  /** HaAcceptMobRtr. */
  readonly acceptMobileRouter: boolean;
  /** HaServedPrefix: aggregates that mobile routers' home addresses may come from. */
  readonly servedPrefixes: readonly PrefixText[];
  readonly defaultAclPolicy: AclAction;
  readonly acl: readonly HaAclEntry[];
  /** HaAcceptDsmip6. */
  readonly acceptDsmip6: boolean;
  /** NAT keepalive refresh time sent in the NAT Detection option (RFC 5555; default 110 s). */
  readonly natRefreshSeconds: number;
  /** The home agent sits behind a NAT: always force UDP encapsulation for IPv4 care-of. */
  readonly behindNat: boolean;
  /** Honour the BU F flag (force UDP) when no NAT is detected. */
  readonly honourForceUdp: boolean;
  readonly ipv4Authorizations: readonly HaIpv4Authorization[];
  /** Pool for dynamic IPv4 home addresses (0.0.0.0 requests). */
  readonly ipv4HomeAddressPool?: PrefixText;
  /** Pool for IPv4 mobile network prefix requests (P flag) from authorised mobile routers. */
  readonly ipv4PrefixPool?: { readonly range: PrefixText; readonly prefixLength: number };
  /** Largest number of bindings held; more are refused with status 130. */
  readonly bindingsMax: number;
  /** Binding Refresh Advice interval to suggest, seconds (none when undefined). */
  readonly refreshAdviceSeconds?: number;
  /** Send a Binding Refresh Request this long before a binding expires (never when undefined). */
  readonly refreshRequestLeadSeconds?: number;
  /** Run DAD for new home addresses (RFC 6275 §10.3.1). */
  readonly dad: boolean;
  /** How long to wait for a DAD result before treating the address as unique. */
  readonly dadTimeoutMs: number;
}

export type HaInput =
  | ReceivedMh
  | { readonly kind: 'dad-result'; readonly address: string; readonly duplicate: boolean };

/** OS state the home agent wants; each op replaces the previous state of the same item. */
export type HaOsOp =
  /** Route the home addresses and prefixes into the tunnel; accept them from it (ingress). */
  | {
    readonly op: 'binding-set'; readonly homeAddress: string; readonly tunnel: TunnelEndpoint;
    readonly addresses: readonly string[]; readonly prefixes: readonly PrefixText[];
  }
  | { readonly op: 'binding-clear'; readonly homeAddress: string }
  | { readonly op: 'proxy-nd-set'; readonly address: string }
  | { readonly op: 'proxy-nd-clear'; readonly address: string }
  | { readonly op: 'proxy-arp-set'; readonly address: string }
  | { readonly op: 'proxy-arp-clear'; readonly address: string }
  | { readonly op: 'dad-start'; readonly address: string };

export type HaEvent =
  | DropEvent
  | {
    readonly type: 'binding-accepted'; readonly homeAddress: string; readonly careOfAddress: string;
    readonly encapsulation: TunnelEndpoint['encapsulation']; readonly lifetimeSeconds: number;
    readonly sequence: number; readonly natDetected: boolean; readonly isNew: boolean;
    readonly ipv4HomeAddress?: string; readonly prefixes: readonly PrefixText[];
  }
  | {
    readonly type: 'binding-rejected'; readonly homeAddress: string; readonly status: number;
    readonly reason: string;
  }
  | {
    readonly type: 'ipv4-home-address-refused'; readonly homeAddress: string;
    readonly status: number; readonly reason: string;
  }
  | { readonly type: 'binding-deregistered'; readonly homeAddress: string }
  | { readonly type: 'binding-expired'; readonly homeAddress: string }
  | { readonly type: 'binding-displaced'; readonly homeAddress: string; readonly by: string }
  | { readonly type: 'binding-error-sent'; readonly status: number; readonly to: string };

export type HaOutput =
  | SendMh
  | { readonly kind: 'os'; readonly op: HaOsOp }
  | { readonly kind: 'event'; readonly event: HaEvent };
