/**
 * Shared pieces of the DHCPv4 client tests: a client with fixed identity, a scripted server
 * that answers with encoded OFFER/ACK/NAK bytes, and output filters. It holds no tests (they
 * would run again in every file that imports it); dhcp-client.test.ts checks it.
 */
import assert from 'node:assert/strict';
import {
  DhcpClient, type DhcpClientConfig, type DhcpClientOutput, type DhcpEvent, type DhcpOsOp,
  type DhcpUdp,
} from '../../src/proto/dhcp-client.js';
import { Xoshiro128, type Prng } from '../../src/proto/prng.js';
import { dhcpMessageCodec, type DhcpMessage, type DhcpOption } from '../../src/wire/dhcpv4.js';
import { withBootpPadding } from '../../src/wire/dhcpv4-client.js';
import { encodeToBytes } from '../harness.js';

export const MAC = Uint8Array.of(0x02, 0x00, 0x5e, 0x10, 0x20, 0x30);
export const CLIENT_ID = { identifierType: 1, identifier: MAC };
export const HOST = 'mn1';
export const PRL = [1, 3, 6, 15, 51, 58, 59];
export const SERVER = '192.168.77.1';
export const ROUTER = '192.168.77.254';
export const OFFERED = '192.168.77.120';
export const BROADCAST_UDP: DhcpUdp = {
  source: '0.0.0.0', sourcePort: 68, destination: '255.255.255.255', destinationPort: 67,
};

export function makeClient(seed = 1, over: Partial<DhcpClientConfig> = {}): DhcpClient {
  return new DhcpClient({ chaddr: MAC, clientIdentifier: CLIENT_ID, hostName: HOST,
    parameterRequestList: PRL, prng: new Xoshiro128(seed), ...over });
}

/** Returns the scripted values in turn (then repeats the last one). */
export class ScriptedPrng implements Prng {
  private i = 0;
  constructor(private readonly values: readonly number[]) {}
  next(): number {
    return this.values[Math.min(this.i++, this.values.length - 1)];
  }
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export interface ReplySpec {
  readonly type: 'offer' | 'ack' | 'nak' | number | undefined;
  readonly xid: number;
  readonly chaddr?: Uint8Array;
  readonly yiaddr?: string;
  /** null: leave option 54 out. */
  readonly serverId?: string | null;
  readonly lease?: number | null;
  readonly t1?: number;
  readonly t2?: number;
  readonly mask?: string | null;
  readonly routers?: readonly string[];
  readonly dns?: readonly string[];
  readonly clientId?: { identifierType: number; identifier: Uint8Array };
  readonly op?: 'boot-request' | 'boot-reply';
  readonly extra?: readonly DhcpOption[];
}

/** A server reply as a value (option order as dnsmasq sends them). */
export function replyMessage(s: ReplySpec): DhcpMessage {
  const o: DhcpOption[] = [];
  if (s.type !== undefined) o.push({ type: 'message-type', messageType: s.type });
  if (s.serverId !== null) o.push({ type: 'server-identifier', address: s.serverId ?? SERVER });
  const nak = s.type === 'nak';
  if (!nak && s.lease !== null) o.push({ type: 'lease-time', leaseTimeSeconds: s.lease ?? 3600 });
  if (!nak && s.t1 !== undefined) o.push({ type: 'renewal-time', renewalTimeSeconds: s.t1 });
  if (!nak && s.t2 !== undefined) o.push({ type: 'rebinding-time', rebindingTimeSeconds: s.t2 });
  if (!nak && s.mask !== null) o.push({ type: 'subnet-mask', address: s.mask ?? '255.255.255.0' });
  if (!nak) o.push({ type: 'routers', addresses: s.routers ?? [ROUTER] });
  if (!nak && s.dns) o.push({ type: 'dns-servers', addresses: s.dns });
  if (s.clientId) o.push({ type: 'client-identifier', ...s.clientId });
  o.push(...(s.extra ?? []));
  return withBootpPadding({
    op: s.op ?? 'boot-reply', htype: 1, hops: 0, xid: s.xid, secs: 0, broadcast: true,
    flagsReserved: 0, ciaddr: '0.0.0.0', yiaddr: nak ? '0.0.0.0' : s.yiaddr ?? OFFERED,
    siaddr: SERVER, giaddr: '0.0.0.0', chaddr: s.chaddr ?? MAC, chaddrPadding: new Uint8Array(0),
    sname: new Uint8Array(0), file: new Uint8Array(0), options: o, padLength: 0,
  });
}

export function reply(s: ReplySpec): Uint8Array {
  return encodeToBytes(dhcpMessageCodec, replyMessage(s));
}

export function received(s: ReplySpec): { kind: 'received'; bytes: Uint8Array } {
  return { kind: 'received', bytes: reply(s) };
}

export type Sent = { message: DhcpMessage; udp: DhcpUdp };
export function sends(out: readonly DhcpClientOutput[]): Sent[] {
  return out.flatMap((o) => (o.kind === 'send' ? [{ message: o.message, udp: o.udp }] : []));
}
export function ops(out: readonly DhcpClientOutput[]): DhcpOsOp[] {
  return out.flatMap((o) => (o.kind === 'os' ? [o.op] : []));
}
export function events(out: readonly DhcpClientOutput[]): DhcpEvent[] {
  return out.flatMap((o) => (o.kind === 'event' ? [o.event] : []));
}
/** The only message sent; fails the test unless exactly one. */
export function sent(out: readonly DhcpClientOutput[]): Sent {
  const s = sends(out);
  assert.equal(s.length, 1, `want one message sent, got ${s.length}`);
  return s[0];
}
/** Option codes of a message, in wire order. */
export function optionTypes(m: DhcpMessage): string[] {
  return m.options.map((o) => o.type);
}

/** Runs a client from start to BOUND at `t0`: DISCOVER, OFFER, REQUEST, ACK (all at t0). */
export function bind(c: DhcpClient, t0 = 0, ack: Partial<ReplySpec> = {}): DhcpClientOutput[] {
  const d = sent(c.handle(t0, { kind: 'start' }));
  const r = sent(c.handle(t0, received({ type: 'offer', xid: d.message.xid })));
  return c.handle(t0, received({ type: 'ack', xid: r.message.xid, ...ack }));
}
