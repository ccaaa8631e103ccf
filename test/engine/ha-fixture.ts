/** Builders for Home Agent engine tests: BUs as hostile bytes, and readers of the outputs. */
import { ipv4MappedIpv6 } from '../../src/wire/addr.js';
import { BuFlag } from '../../src/wire/mh/constants.js';
import type { MobilityOption } from '../../src/wire/mh/options.js';
import type { MobilityMessage } from '../../src/wire/mh/messages.js';
import { encodeMobilityPacket } from '../../src/wire/mh/packet.js';
import { homeAgentConfig } from '../../src/engine/ha/config.js';
import type { HaOsOp, HaOutput, HaEvent, HomeAgentConfig } from '../../src/engine/ha/types.js';
import type { ReceivedMh, SendMh } from '../../src/engine/types.js';

export const HA = '2001:db8:1::1';
export const HOA = '2001:db8:1::100';
export const HOA2 = '2001:db8:1::200';
export const COA6 = '2001:db8:2::5';
export const HA4 = '203.0.113.1';
export const COA4 = '198.51.100.10';
export const NAT4 = '192.0.2.77';
export const HOME = 0xc000; // A|H

export function config(over: Partial<HomeAgentConfig> = {}): HomeAgentConfig {
  return homeAgentConfig({
    address: HA, ipv4Address: HA4, homePrefixes: [{ prefix: '2001:db8:1::/64' }], dad: false,
    acceptDsmip6: true, ...over,
  });
}

export interface BuSpec {
  readonly seq: number;
  readonly flags?: number;
  readonly lifetime?: number;
  readonly options?: readonly MobilityOption[];
  readonly hoa?: string;
  readonly coa?: string;
}

function bu(s: BuSpec): MobilityMessage {
  return { type: 'binding-update', sequence: s.seq, flags: s.flags ?? HOME, lifetimeSeconds: s.lifetime ?? 400 };
}

/** A native BU from an IPv6 care-of address with a Home Address option. */
export function bu6(s: BuSpec): ReceivedMh {
  const hoa = s.hoa ?? HOA;
  const coa = s.coa ?? COA6;
  const bytes = encodeMobilityPacket({
    source: coa, destination: HA, ...(coa === hoa ? {} : { homeAddressOption: hoa }),
    mh: { payloadProto: 59, message: bu(s), options: s.options ?? [] },
  });
  return { kind: 'mh', via: { kind: 'ipv6' }, bytes };
}

export interface Bu4Spec extends BuSpec {
  /** The IPv4 CoA in the option (pre-NAT); omit the option with `null`. */
  readonly v4coa?: string | null;
  /** Outer source as the HA sees it (the NAT's address when NATed). */
  readonly outerSource?: string;
  readonly outerPort?: number;
}

/** A BU inside IPv4/UDP 4191 (RFC 5555 §4.1); `bytes` is the inner IPv6 packet. */
export function bu4(s: Bu4Spec): ReceivedMh {
  const v4coa = s.v4coa === undefined ? COA4 : s.v4coa;
  const opts: MobilityOption[] = [...(s.options ?? [])];
  if (v4coa !== null) opts.push({ type: 'ipv4-care-of-address', address: v4coa });
  const bytes = encodeMobilityPacket({
    source: ipv4MappedIpv6(v4coa ?? COA4), destination: HA, homeAddressOption: s.hoa ?? HOA,
    mh: { payloadProto: 59, message: bu(s), options: opts },
  });
  return {
    kind: 'mh', bytes,
    via: {
      kind: 'udp4', source: s.outerSource ?? v4coa ?? COA4, sourcePort: s.outerPort ?? 4191,
      destination: HA4, destinationPort: 4191,
    },
  };
}

export function sends(out: readonly HaOutput[]): SendMh[] {
  return out.filter((o): o is SendMh => o.kind === 'send-mh');
}

export type Ba = Extract<MobilityMessage, { type: 'binding-ack' }>;

/** The single BA among the outputs, with its options and packet. */
export function theBa(out: readonly HaOutput[]): { ba: Ba; options: readonly MobilityOption[]; send: SendMh } {
  const bas = sends(out).filter((s) => s.packet.mh.message.type === 'binding-ack');
  if (bas.length !== 1) throw new Error(`expected one BA, got ${bas.length}: ${JSON.stringify(out)}`);
  return { ba: bas[0].packet.mh.message as Ba, options: bas[0].packet.mh.options, send: bas[0] };
}

export function ops(out: readonly HaOutput[]): HaOsOp[] {
  return out.flatMap((o) => (o.kind === 'os' ? [o.op] : []));
}

export function events(out: readonly HaOutput[]): HaEvent[] {
  return out.flatMap((o) => (o.kind === 'event' ? [o.event] : []));
}

export function option<T extends MobilityOption['type']>(
  opts: readonly MobilityOption[], type: T,
): Extract<MobilityOption, { type: T }> | undefined {
  return opts.find((o) => o.type === type) as Extract<MobilityOption, { type: T }> | undefined;
}

export { BuFlag };
