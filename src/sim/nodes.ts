/** The simulated mobile nodes and the home agent's data-plane model built from OS operations. */
import type { MobileNode } from '../engine/mn/mobile-node.js';
import type { MobileNodeConfig, MnOsOp } from '../engine/mn/types.js';
import type { HaOsOp } from '../engine/ha/types.js';
import type { PrefixText, TunnelEndpoint } from '../engine/types.js';
import type { Instant } from '../proto/time.js';
import type { SimNetwork } from './topology.js';

export const MN_IFNAME = 'eth0';

export class SimMobile {
  network: SimNetwork | undefined;
  attachedAt: Instant = 0;
  coa6: string | undefined;
  coa4: string | undefined;
  tunnel: TunnelEndpoint | undefined;
  readonly homeAddressOn = new Map<string, 'tunnel' | string>();
  /** The last 'registered' event: when, for how long, and over which network attachment. */
  registeredAt: Instant | undefined;
  registeredLifetimeSeconds = 0;
  readonly buSentAt: Instant[] = [];
  timerAt: Instant | undefined;
  /** Attachments so far (each one's RAs stop when the next begins). */
  attachments = 0;
  /** NAT rebinding or partition since the last registration: data may legitimately fail. */
  disturbedAt: Instant = -Infinity;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly config: MobileNodeConfig,
    readonly engine: MobileNode,
    /** The host number used for its care-of addresses on every network. */
    readonly host: number,
  ) {}

  get homeAddress(): string {
    return this.config.homeAddress;
  }

  atHome(): boolean {
    return this.network?.kind === 'home';
  }

  apply(op: MnOsOp): void {
    switch (op.op) {
      case 'tunnel-set': this.tunnel = op.endpoint; break;
      case 'tunnel-clear': this.tunnel = undefined; break;
      case 'home-address-set':
        this.homeAddressOn.set(op.address, op.on === 'tunnel' ? 'tunnel' : op.on.ifname); break;
      case 'home-address-clear': this.homeAddressOn.delete(op.address); break;
      case 'announce-home-address': break;
    }
  }
}

export interface HaBindingState {
  readonly tunnel: TunnelEndpoint;
  readonly addresses: readonly string[];
  readonly prefixes: readonly PrefixText[];
}

/** What the home agent's OS would hold: routes into tunnels, proxy ND/ARP entries. */
export class HaDataplane {
  readonly bindings = new Map<string, HaBindingState>();
  readonly proxyNd = new Set<string>();
  readonly proxyArp = new Set<string>();

  apply(op: HaOsOp): void {
    switch (op.op) {
      case 'binding-set':
        this.bindings.set(op.homeAddress,
          { tunnel: op.tunnel, addresses: op.addresses, prefixes: op.prefixes });
        break;
      case 'binding-clear': this.bindings.delete(op.homeAddress); break;
      case 'proxy-nd-set': this.proxyNd.add(op.address); break;
      case 'proxy-nd-clear': this.proxyNd.delete(op.address); break;
      case 'proxy-arp-set': this.proxyArp.add(op.address); break;
      case 'proxy-arp-clear': this.proxyArp.delete(op.address); break;
      case 'dad-start': break;
    }
  }

  /** The binding whose addresses include `address` (IPv6 or IPv4 home address). */
  bindingFor(address: string): { homeAddress: string; state: HaBindingState } | undefined {
    const direct = this.bindings.get(address);
    if (direct) return { homeAddress: address, state: direct };
    for (const [homeAddress, state] of this.bindings) {
      if (state.addresses.includes(address)) return { homeAddress, state };
    }
    return undefined;
  }
}
