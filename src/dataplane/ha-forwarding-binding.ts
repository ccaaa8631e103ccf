/**
 * One home agent binding's forwarding state (ha-forwarding.ts keeps them in its tables), and the
 * 16-byte send addresses of tunnel ends.
 */
import { parseIpv6, writeIpv4 } from '../wire/addr.js';
import type { Prefix } from '../proto/prefix.js';
import type { TunnelEndpoint } from '../engine/types.js';
import { PrefixTable, u32At } from './addr-table.js';

/** The prefix list of a binding without prefixes (shared). */
export const NO_PREFIXES: readonly Prefix[] = [];

/**
 * One binding's forwarding state. Kept small, as a home agent holds one per mobile node: its
 * addresses live in the shared address tables only (ingress checks that an inner source maps
 * back to this binding there), a table of the binding's own prefixes exists only when it has
 * prefixes, and the 16-byte send address of an IPv4 tunnel end is built on the binding's first
 * packet (the packet path reuses it afterwards).
 */
export class ForwardingBinding {
  txPackets = 0;
  txBytes = 0;
  rxPackets = 0;
  rxBytes = 0;
  /** The remote end as a 16-byte send address: an IPv6 end's bytes, an IPv4 end's on first use. */
  private slot: Uint8Array | undefined;
  /** The binding's own prefixes (a table for ingress filtering, and the list); none usually. */
  private readonly own: { readonly table: PrefixTable<true>; readonly list: readonly Prefix[] } | undefined;

  constructor(
    readonly homeAddress: string,
    readonly tunnel: TunnelEndpoint,
    /**
     * The binding's IPv4 home address (as its table key), when its addresses are the usual
     * [home address, IPv4 home address]: no array per binding then.
     */
    readonly address4: number | undefined,
    /** The binding's addresses as text when they are not the usual ones; empty otherwise. */
    readonly otherAddresses: readonly string[],
    /** The tunnel's remote end as bytes / numbers for sending without parsing text. */
    remote6: Uint8Array | undefined,
    readonly remote4: number,
    readonly remotePort: number,
    /** The binding's own prefixes (ingress filtering); undefined when it has none. */
    prefixes: PrefixTable<true> | undefined,
    prefixList: readonly Prefix[],
  ) {
    this.slot = remote6;
    this.own = prefixes !== undefined ? { table: prefixes, list: prefixList } : undefined;
  }

  /** The remote end of an IPv6 tunnel. */
  get remote6(): Uint8Array | undefined {
    return this.tunnel.encapsulation === 'ipv6' ? this.slot : undefined;
  }

  get prefixes(): PrefixTable<true> | undefined {
    return this.own?.table;
  }

  get prefixList(): readonly Prefix[] {
    return this.own?.list ?? NO_PREFIXES;
  }

  /** The remote end as a 16-byte send address (IPv4 as ::ffff:a.b.c.d). */
  get remoteSlot(): Uint8Array {
    return this.slot ??= slotOf4(this.remote4);
  }
}

export type TunnelKind = 'ipv6' | 'ipv4' | 'udp4';

/** 16-byte send address of an IPv6 or IPv4 address (IPv4 as ::ffff:a.b.c.d; 0.0.0.0 for other text). */
export function slotOf(text: string): Uint8Array {
  return parseIpv6(text) ?? slotOf4(Math.max(0, read4(text)));
}

/** Where read4 reads IPv4 text (nothing kept). */
const TEXT4 = new Uint8Array(4);

/** `text` as an IPv4 number, or -1 when it is not IPv4 text. */
export function read4(text: string): number {
  return writeIpv4(TEXT4, 0, text) ? u32At(TEXT4, 0) : -1;
}

function slotOf4(address: number): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff; out[11] = 0xff;
  out[12] = address >>> 24; out[13] = (address >>> 16) & 0xff; out[14] = (address >>> 8) & 0xff;
  out[15] = address & 0xff;
  return out;
}
