/**
 * The results of the control commands: the `result` of an ok response, field names stable
 * (protocol version 1). Every field is always present; `null` stands for "none" so that the
 * shape of a result never depends on the data. Durations are whole seconds (rounded down);
 * timestamps are UTC ISO 8601 to the second.
 */
import type { TrafficCounter } from './snapshots.js';

export type Encapsulation = 'udp4' | 'ipv4' | 'ipv6';

export interface UdpEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface HomeAgentStatus {
  readonly address: string;
  readonly ipv4Address: string | null;
  readonly udpPort: number;
  readonly acceptDsmip6: boolean;
  readonly bindings: number;
  readonly bindingsMax: number;
  readonly pendingDad: number;
  /** What the home agent did on its home link; null when the daemon does not say. */
  readonly homeLink: HomeLinkStatus | null;
}

/**
 * Duplicate Address Detection and announcements on the home link (RFC 6275 §10.3.1, §10.4.1):
 * DADs started (one probe each), found unique or duplicate, and reported unique without a probe
 * (too many in flight, or no socket); packets sent, and sends that failed.
 */
export interface HomeLinkStatus {
  readonly dadStarted: number;
  readonly dadUnique: number;
  readonly dadDuplicate: number;
  readonly dadSkipped: number;
  readonly probesSent: number;
  readonly advertisementsSent: number;
  readonly arpSent: number;
  readonly sendErrors: number;
  /** NS/NA heard that were not valid, or our own probe come back. */
  readonly ignored: number;
}

export interface MobileNodeStatus {
  readonly homeAddress: string;
  readonly homeAgentAddress: string;
  readonly state: BulState;
  readonly careOfAddress: string | null;
  readonly careOfInterface: string | null;
  readonly encapsulation: Encapsulation | null;
  /** Routers that Router Advertisements make usable now, and all the routers they told of. */
  readonly routersUsable: number;
  readonly routersKnown: number;
}

export interface StatusResult {
  readonly protocol: number;
  readonly role: 'ha' | 'mn';
  readonly version: string;
  readonly pid: number;
  readonly uptimeSeconds: number;
  readonly configFile: string | null;
  readonly homeAgent: HomeAgentStatus | null;
  readonly mobileNode: MobileNodeStatus | null;
}

/** One binding cache entry (UMIP `bc`). */
export interface BindingView {
  readonly homeAddress: string;
  /** The care-of address the BU named (for IPv4, the address in the IPv4 CoA option). */
  readonly careOfAddress: string;
  readonly encapsulation: Encapsulation;
  /** For `udp4`: where the tunnel's UDP packets go (the NAT's public side when NATed). */
  readonly udpEndpoint: UdpEndpoint | null;
  readonly natDetected: boolean;
  readonly lifetimeSeconds: number;
  readonly remainingSeconds: number;
  readonly sequence: number;
  /** BU flags as letters, e.g. `AHR`. */
  readonly flags: string;
  readonly mobileRouter: boolean;
  readonly nemoMode: 'explicit' | 'implicit' | null;
  readonly mobileNetworkPrefixes: readonly string[];
  readonly ipv4HomeAddress: string | null;
  readonly ipv4MobileNetworkPrefix: string | null;
  /** When the current lifetime started: the last accepted BU (each refresh restarts it). */
  readonly registeredAt: string;
  readonly refreshRequestSent: boolean;
}

export interface BcResult {
  /** Bindings matching the request (all of them, or the one asked for). */
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly bindings: readonly BindingView[];
}

export type BulState =
  | 'starting' // no interface seen yet
  | 'at-home'
  | 'deregistering'
  | 'registering' // no binding yet
  | 'refreshing' // a binding is held and a new BU is outstanding
  | 'registered'
  | 'no-care-of' // away, no usable care-of address
  | 'unregistered'; // away, not registered and not trying (after a refusal)

/** The mobile node's Binding Update List entry for its home registration (UMIP `bul`). */
export interface BulEntryView {
  readonly homeAddress: string;
  readonly homeAgentAddress: string;
  readonly homeAgentIpv4Address: string | null;
  readonly state: BulState;
  readonly atHome: boolean;
  readonly homeInterface: string | null;
  readonly careOfAddress: string | null;
  readonly careOfInterface: string | null;
  readonly lastSequenceSent: number | null;
  readonly lastSentSecondsAgo: number | null;
  readonly lifetimeRequestedSeconds: number;
  readonly lifetimeGrantedSeconds: number | null;
  readonly remainingSeconds: number | null;
  /** BUs of the round in progress beyond the first. */
  readonly retransmissions: number;
  /** Seconds until the next BU of the round in progress (null: no round). */
  readonly nextRetrySeconds: number | null;
  readonly encapsulation: Encapsulation | null;
  /** For `udp4`: the home agent's UDP address and port. */
  readonly udpEndpoint: UdpEndpoint | null;
  readonly natDetected: boolean;
  readonly ipv4HomeAddress: string | null;
  readonly ipv4MobileNetworkPrefix: string | null;
  readonly mobileRouter: boolean;
  readonly nemoMode: 'explicit' | 'implicit' | null;
  readonly mobileNetworkPrefixes: readonly string[];
}

export interface BulResult {
  readonly entries: readonly BulEntryView[];
}

export interface HaSignallingStats {
  readonly bindingUpdates: number;
  readonly accepted: number;
  /** BA status code (decimal text) -> count. */
  readonly rejectedByStatus: Readonly<Record<string, number>>;
  readonly droppedByReason: Readonly<Record<string, number>>;
  readonly bindingAcksSent: number;
  readonly bindingErrorsSent: number;
  readonly refreshRequestsSent: number;
  readonly expired: number;
}

export interface MnSignallingStats {
  readonly bindingUpdatesSent: number;
  readonly registrations: number;
  readonly deregistrations: number;
  readonly failuresByStatus: Readonly<Record<string, number>>;
  readonly bindingErrorsByStatus: Readonly<Record<string, number>>;
  readonly ipv4RefusedByStatus: Readonly<Record<string, number>>;
  readonly droppedByReason: Readonly<Record<string, number>>;
  readonly expired: number;
  readonly careOfChanges: number;
}

export interface StatsResult {
  readonly role: 'ha' | 'mn';
  readonly homeAgent: HaSignallingStats | null;
  readonly mobileNode: MnSignallingStats | null;
  readonly dataPlane: {
    readonly traffic: Readonly<Record<string, TrafficCounter>>;
    readonly droppedByReason: Readonly<Record<string, number>>;
  };
}

/** Why a router may not be used: Router Lifetime 0, its lifetime ran out, or it fell silent. */
export type RouterState = 'usable' | 'lifetime-0' | 'expired' | 'lost';

/** One router Router Advertisements told the mobile node about (`ctl routers`). */
export interface RouterEntryView {
  /** Its link-local address (the RAs' source). */
  readonly address: string;
  readonly state: RouterState;
  /** When it became unusable (null while usable). */
  readonly unusableSince: string | null;
  /** H flag (RFC 6275 §7.1). */
  readonly homeAgent: boolean;
  /** Router Lifetime left (null: not a default router). */
  readonly lifetimeRemainingSeconds: number | null;
  /** Advertisement Interval option (RFC 6275 §7.3), null when it sends none. */
  readonly advertisementIntervalMs: number | null;
  /** Silence left before it is lost (null: no Advertisement Interval, or no longer heard). */
  readonly lostInSeconds: number | null;
  /** Its last RA (null: a lost router, forgotten with its prefixes). */
  readonly lastHeard: string | null;
  readonly lastHeardSecondsAgo: number | null;
  /** The prefixes it advertises, valid now. */
  readonly prefixes: readonly string[];
}

export interface RouterInterfaceView {
  readonly name: string;
  readonly routers: readonly RouterEntryView[];
  /** Prefixes advertised during this attachment that no live router advertises any more. */
  readonly withdrawnPrefixes: readonly string[];
}

export interface RoutersResult {
  /** MnUseRouterAdvertisements. */
  readonly enabled: boolean;
  /** MnRouterLostIntervals: Advertisement Intervals of silence after which a router is lost. */
  readonly lostAfterIntervals: number;
  /** Every configured interface, in configuration order. */
  readonly interfaces: readonly RouterInterfaceView[];
  readonly routerAdvertisements: number;
  readonly routerAdvertisementsInvalid: number;
  readonly routersLost: number;
}
