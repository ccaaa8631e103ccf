/**
 * Inputs, outputs and configuration of the Mobile Node / Mobile Router engine
 * (RFC 6275 §11, RFC 3963 §5, RFC 5555 §4). The inputs describe the world the node sees (links,
 * addresses, default routers, received packets); the outputs are Binding Updates to send, the
 * tunnel and home-address state for the OS layer, and events.
 */
import type { DropEvent, ReceivedMh, SendMh, TunnelEndpoint, PrefixText } from '../types.js';
import type { ReceivedRouterAdvertisement } from './ra.js';

export type { ReceivedRouterAdvertisement } from './ra.js';

export interface MnInterfaceConfig {
  readonly name: string;
  /** MnIfPreference: 1 = most preferred ... 10; 0 = never use (UMIP semantics). */
  readonly preference: number;
}

export interface MobileNodeConfig {
  /** The IPv6 home address and its prefix length (MnHomeLink HomeAddress). */
  readonly homeAddress: string;
  readonly homePrefixLength: number;
  readonly homeAgentAddress: string;
  /** The home agent's IPv4 address (HomeAgentV4Address), needed for IPv4 care-of addresses. */
  readonly homeAgentIpv4Address?: string;
  /** UDP port the home agent listens on (4191 unless a test says otherwise). */
  readonly homeAgentUdpPort: number;
  /** MnUseDsmip6: register IPv4 care-of addresses and IPv4 home addresses. */
  readonly useDsmip6: boolean;
  /** Ask for UDP encapsulation even without a NAT (BU F flag). */
  readonly forceUdp: boolean;
  /** IsMobRtr: a mobile router (BU R flag). */
  readonly mobileRouter: boolean;
  /** MobRtrUseExplicitMode: carry MNP options (explicit) or not (implicit). */
  readonly explicitMode: boolean;
  /** Mobile network prefixes (IPv6) for explicit mode. */
  readonly mobileNetworkPrefixes: readonly PrefixText[];
  /**
   * IPv4 home address to register: an address (static, prefix length 32), `0.0.0.0` to ask the
   * HA for one, or undefined for none.
   */
  readonly ipv4HomeAddress?: string;
  /** Ask for an IPv4 mobile network prefix of this length (option 29 with P = 1). */
  readonly ipv4PrefixRequestLength?: number;
  /** MnMaxHaBindingLife, seconds. */
  readonly maxBindingLifetimeSeconds: number;
  readonly initialBindackTimeoutFirstRegMs: number;
  readonly initialBindackTimeoutReRegMs: number;
  readonly interfaces: readonly MnInterfaceConfig[];
  /** Source UDP port for BUs from an IPv4 care-of address. */
  readonly udpSourcePort: number;
  /**
   * MnUseRouterAdvertisements: learn from Router Advertisements (routers.ts); false ignores
   * `router-advertisement` inputs. Default true.
   */
  readonly useRouterAdvertisements?: boolean;
  /**
   * MnRouterLostIntervals: Advertisement Intervals of silence after which a router is lost
   * (2..100, default LOST_AFTER_INTERVALS).
   */
  readonly routerLostIntervals?: number;
}

/**
 * What the node sees of the world; each input replaces the previous state of that item. Router
 * Advertisements add to what was learned on their interface (routers.ts).
 */
export type MnInput =
  | { readonly kind: 'link'; readonly ifname: string; readonly up: boolean }
  | {
    readonly kind: 'address'; readonly ifname: string; readonly family: 4 | 6;
    readonly address: string; readonly prefixLength: number; readonly present: boolean;
  }
  | {
    readonly kind: 'default-router'; readonly ifname: string; readonly family: 4 | 6;
    readonly address: string; readonly present: boolean;
  }
  | ReceivedRouterAdvertisement
  | ReceivedMh;

/** OS state the node wants; each op replaces the previous state of the same item. */
export type MnOsOp =
  /** Send home-address traffic through the tunnel to the HA (reverse tunnelling). */
  | {
    readonly op: 'tunnel-set'; readonly endpoint: TunnelEndpoint;
    /** Source addresses (IPv6 HoA, IPv4 HoA) and MNPs whose traffic uses the tunnel. */
    readonly homeAddresses: readonly string[]; readonly prefixes: readonly PrefixText[];
  }
  | { readonly op: 'tunnel-clear' }
  /** Where the home addresses live: on the TUN device (away) or on the home link (at home). */
  | {
    readonly op: 'home-address-set'; readonly address: string; readonly family: 4 | 6;
    readonly prefixLength: number; readonly on: 'tunnel' | { readonly ifname: string };
  }
  | { readonly op: 'home-address-clear'; readonly address: string }
  /** Announce the home address on the home link after returning (unsolicited NA / ARP). */
  | { readonly op: 'announce-home-address'; readonly ifname: string; readonly address: string };

export type MnEvent =
  | DropEvent
  | {
    readonly type: 'care-of-changed'; readonly ifname: string | undefined;
    readonly careOfAddress: string | undefined; readonly family: 4 | 6 | undefined;
  }
  | {
    readonly type: 'registered'; readonly careOfAddress: string; readonly lifetimeSeconds: number;
    readonly encapsulation: TunnelEndpoint['encapsulation']; readonly natDetected: boolean;
    readonly ipv4HomeAddress?: string; readonly ipv4Prefix?: PrefixText;
    /** Milliseconds from the first BU of this registration to the accepting BA. */
    readonly registrationMs: number;
  }
  | { readonly type: 'ipv4-home-address-refused'; readonly status: number }
  | { readonly type: 'registration-failed'; readonly status: number; readonly fatal: boolean }
  | { readonly type: 'deregistered' }
  /** The granted lifetime ran out before a refresh was acknowledged (retrying goes on). */
  | { readonly type: 'binding-expired' }
  /** A Binding Error from the home agent (RFC 6275 §6.1.9): 1 = unknown binding, 2 = bad MH type. */
  | { readonly type: 'binding-error'; readonly status: number; readonly homeAddress: string }
  | { readonly type: 'at-home'; readonly ifname: string }
  | { readonly type: 'bu-sent'; readonly sequence: number; readonly lifetimeSeconds: number };

export type MnOutput =
  | SendMh
  | { readonly kind: 'os'; readonly op: MnOsOp }
  | { readonly kind: 'event'; readonly event: MnEvent };
