/**
 * The typed configuration dsmip6 reads from a mip6d.conf file: the node's role, its interfaces,
 * the daemon settings, and the protocol engine's configuration. The home agent's engine
 * configuration needs facts the file may leave to run time (its address and home prefixes,
 * learned from the home interface); `homeAgentConfig(cfg, facts)` completes it.
 */
import type { HomeAgentConfig } from '../engine/ha/types.js';
import type { MobileNodeConfig } from '../engine/mn/types.js';
import type { ConfigDiagnostic, Pos } from './diagnostics.js';

export type NodeRole = 'HA' | 'MN';
export type LogFormat = 'text' | 'json';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface InterfaceConfig {
  readonly name: string;
  /** MnIfPreference: 1 = most preferred ... 10 (the default); 0 = never used. */
  readonly preference: number;
  /** UseDhcp: get an IPv4 care-of address with DHCPv4 on this interface. */
  readonly useDhcp: boolean;
  /** IfType: the role on this interface (the NodeConfig role by default). */
  readonly ifType: 'HA' | 'MN' | 'CN';
  readonly pos: Pos;
}

export interface DaemonSettings {
  readonly controlSocket: string;
  /** File mode of the control socket (ControlSocketMode, octal in the file). */
  readonly controlSocketMode: number;
  readonly logFormat: LogFormat;
  readonly logLevel: LogLevel;
  /** UMIP DebugLevel: > 0 keeps the daemon in the foreground and logs at debug level. */
  readonly debugLevel: number;
  /** UMIP DebugLogFile: log to this file instead of standard error. */
  readonly debugLogFile?: string;
  /** Where the daemon keeps its cleanup journal. */
  readonly stateDirectory: string;
  /** MTU of the TUN device that carries tunnelled traffic. */
  readonly tunnelMtu: number;
}

/** The home prefixes as HomeAgentConfig takes them. */
export type HomePrefixes = HomeAgentConfig['homePrefixes'];

/** What the file says for a home agent; the run-time parts are optional here. */
export interface HomeAgentSettings {
  /** HaHomeInterface, or the first Interface whose IfType is HA. */
  readonly homeInterface: string;
  /** Global HomeAgentAddress; undefined = the home interface's global IPv6 address at start. */
  readonly address?: string;
  /** HaHomePrefix; undefined = the on-link prefixes of the home interface's addresses at start. */
  readonly homePrefixes?: HomePrefixes;
  /** HaIPv4HomeSubnet; undefined = the subnet of the home interface's IPv4 address at start. */
  readonly ipv4HomeSubnet?: string;
  /** Global HomeAgentV4Address; undefined = the home interface's IPv4 address at start. */
  readonly ipv4Address?: string;
  /** Everything else the engine needs, complete. */
  readonly engine: Omit<HomeAgentConfig, 'address' | 'homePrefixes' | 'ipv4HomeSubnet' | 'ipv4Address'>;
  /** HaKeepBindings: keep the binding cache across restarts (`bindings-ha` in the state directory). */
  readonly keepBindings: boolean;
  /** HaHeapTrim: one full garbage collection after a burst of binding changes (heap-trim.ts). */
  readonly heapTrim: boolean;
  /** HaSendThread: acknowledgements and home-link multicast leave through a send thread (send-ring.ts). */
  readonly sendThread: boolean;
}

/** What the file says for a mobile node / router beyond the engine configuration. */
export interface MobileNodeSettings {
  /** The MnHomeLink interface name. */
  readonly homeLink: string;
  readonly engine: MobileNodeConfig;
  /** HomeV4Address's prefix length (the IPv4 home subnet). */
  readonly ipv4HomePrefixLength?: number;
  /** HomeV4Address's prefix list: the mobile router's IPv4 mobile network prefixes. */
  readonly ipv4MobileNetworkPrefixes: readonly string[];
  /** HomeAgentName, recorded only (names are not resolved). */
  readonly homeAgentName?: string;
}

/** How one setting got its value, for `dsmip6d --check-config`. */
export interface EffectiveSetting {
  /** `global`, `Interface "eth0"`, `MnHomeLink "eth0"`. */
  readonly scope: string;
  readonly keyword: string;
  /** The value as configuration text, or a sentence for run-time values. */
  readonly value: string;
  readonly source: 'file' | 'default' | 'run-time' | 'command-line';
  readonly pos?: Pos;
  /** How a default was derived, when it is not a constant. */
  readonly note?: string;
}

export interface Dsmip6Config {
  readonly role: NodeRole;
  /** IsMobRtr (MN only): a mobile router. */
  readonly mobileRouter: boolean;
  readonly mainFile: string;
  readonly files: readonly string[];
  readonly interfaces: readonly InterfaceConfig[];
  readonly daemon: DaemonSettings;
  readonly ha?: HomeAgentSettings;
  readonly mn?: MobileNodeSettings;
  /** Every setting with its value and where it came from. */
  readonly effective: readonly EffectiveSetting[];
  /** Keywords accepted but not implemented, by name, with where they were used. */
  readonly notImplemented: readonly { readonly keyword: string; readonly pos: Pos }[];
  readonly warnings: readonly ConfigDiagnostic[];
}

/** Facts about the home interface, learned at run time, that fill what the file leaves out. */
export interface HomeInterfaceFacts {
  readonly ipv6: readonly { readonly address: string; readonly prefixLength: number }[];
  readonly ipv4: readonly { readonly address: string; readonly prefixLength: number }[];
}

export interface BuildOptions {
  /** Overrides NodeConfig (as UMIP's -H / -M options). */
  readonly role?: NodeRole;
}
