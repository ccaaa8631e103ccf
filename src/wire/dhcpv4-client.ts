/**
 * DHCPv4 client-side message builders (RFC 2131 §4.4, Table 5; §4.3.2 and Table 4 for
 * DHCPREQUEST), used by the built-in client that obtains the IPv4 care-of address.
 */
import { IPV4_ANY } from './addr.js';
import {
  BOOTP_MIN_LENGTH, DHCP_OPTION_MESSAGE, HTYPE_ETHERNET, encodedLengthDhcpMessage, latin1Bytes,
  type DhcpMessage, type DhcpMessageTypeName, type DhcpOption,
} from './dhcpv4.js';
import { encodeCheck } from './result.js';

/** `m` with `padLength` chosen so the message is at least BOOTP_MIN_LENGTH bytes. */
export function withBootpPadding(m: DhcpMessage): DhcpMessage {
  const unpadded = encodedLengthDhcpMessage({ ...m, padLength: 0 });
  return { ...m, padLength: Math.max(0, BOOTP_MIN_LENGTH - unpadded) };
}

// ---- Client builders (RFC 2131 §4.4, Table 5; §4.3.2 and Table 4 for DHCPREQUEST) ----

export interface DhcpClientIdentity {
  readonly xid: number; // chosen by the client; a SELECTING DHCPREQUEST reuses the OFFER's
  readonly chaddr: Uint8Array; // client hardware address; its length becomes 'hlen'
  readonly htype?: number; // ARP hardware type, default HTYPE_ETHERNET
  /** Option 61; once used, RFC 2131 §4.2 wants it in every later message. */
  readonly clientIdentifier?: { readonly identifierType: number;
    readonly identifier: Uint8Array };
}

export interface DhcpDiscoverParams extends DhcpClientIdentity {
  readonly secs?: number;
  readonly broadcast?: boolean; // ask for a broadcast reply
  readonly requestedAddress?: string;
  readonly leaseTimeSeconds?: number;
  readonly hostName?: string;
  /** Option 55; RFC 2131 §4.4.1: repeat the same list in the DHCPREQUEST. */
  readonly parameterRequestList?: readonly number[];
  /** Other options (e.g. unknown 57, 60), after the ones above; not ones the builder sets. */
  readonly extraOptions?: readonly DhcpOption[];
}

/** DHCPREQUEST per client state (RFC 2131 §4.3.2, Table 4). */
export type DhcpRequestParams = Omit<DhcpDiscoverParams, 'requestedAddress'> & (
  | { readonly state: 'selecting'; readonly requestedAddress: string;
    readonly serverIdentifier: string }
  | { readonly state: 'init-reboot'; readonly requestedAddress: string }
  | { readonly state: 'renewing' | 'rebinding'; readonly clientAddress: string });

/** `message` is option 56 text (Table 5: SHOULD), latin1. */
export interface DhcpReleaseParams extends DhcpClientIdentity {
  readonly clientAddress: string; readonly serverIdentifier: string; readonly message?: string;
}

export interface DhcpDeclineParams extends DhcpClientIdentity {
  readonly requestedAddress: string; readonly serverIdentifier: string;
  readonly message?: string;
}

/** Option types the builders set themselves; `extraOptions` may not repeat them. */
const BUILDER_OWNED = new Set<string>(['message-type', 'client-identifier',
  'requested-ip-address', 'server-identifier', 'lease-time', 'host-name',
  'parameter-request-list']);

interface Wanted {
  readonly requested?: string; readonly server?: string; readonly message?: string;
}

function clientOptions(
  type: DhcpMessageTypeName, p: Partial<DhcpDiscoverParams>, w: Wanted,
): DhcpOption[] {
  const o: DhcpOption[] = [{ type: 'message-type', messageType: type }];
  const id = p.clientIdentifier;
  if (id) {
    o.push({ type: 'client-identifier', identifierType: id.identifierType,
      identifier: id.identifier.slice() });
  }
  if (w.requested !== undefined) o.push({ type: 'requested-ip-address', address: w.requested });
  if (w.server !== undefined) o.push({ type: 'server-identifier', address: w.server });
  if (p.leaseTimeSeconds !== undefined) {
    o.push({ type: 'lease-time', leaseTimeSeconds: p.leaseTimeSeconds });
  }
  if (p.hostName !== undefined) o.push({ type: 'host-name', hostName: p.hostName });
  if (p.parameterRequestList) {
    o.push({ type: 'parameter-request-list', codes: [...p.parameterRequestList] });
  }
  if (w.message !== undefined) {
    const data = latin1Bytes(w.message, 'message');
    o.push({ type: 'unknown', code: DHCP_OPTION_MESSAGE, data });
  }
  for (const x of p.extraOptions ?? []) {
    encodeCheck(!BUILDER_OWNED.has(x.type), `extraOptions: ${x.type} is set by the builder`);
    o.push(x);
  }
  return o;
}

function clientMessage(
  p: DhcpClientIdentity, secs: number, broadcast: boolean, ciaddr: string,
  options: DhcpOption[],
): DhcpMessage {
  return withBootpPadding({
    op: 'boot-request', htype: p.htype ?? HTYPE_ETHERNET, hops: 0, xid: p.xid, secs,
    broadcast, flagsReserved: 0, ciaddr, yiaddr: IPV4_ANY, siaddr: IPV4_ANY, giaddr: IPV4_ANY,
    chaddr: p.chaddr.slice(), chaddrPadding: new Uint8Array(0), sname: new Uint8Array(0),
    file: new Uint8Array(0), options, padLength: 0,
  });
}

/** DHCPDISCOVER: ciaddr 0, no server identifier (Table 5). */
export function buildDiscover(p: DhcpDiscoverParams): DhcpMessage {
  const options = clientOptions('discover', p, { requested: p.requestedAddress });
  return clientMessage(p, p.secs ?? 0, p.broadcast ?? false, IPV4_ANY, options);
}

/**
 * DHCPREQUEST. SELECTING: ciaddr 0, requested IP = offered yiaddr, server identifier of the
 * chosen server. INIT-REBOOT: ciaddr 0, requested IP, no server identifier. RENEWING and
 * REBINDING: ciaddr = the client's address, neither option (unicast vs broadcast is the
 * sender's business).
 */
export function buildRequest(p: DhcpRequestParams): DhcpMessage {
  let ciaddr = IPV4_ANY;
  let w: Wanted = {};
  if (p.state === 'selecting') w = { requested: p.requestedAddress, server: p.serverIdentifier };
  else if (p.state === 'init-reboot') w = { requested: p.requestedAddress };
  else {
    encodeCheck(p.clientAddress !== IPV4_ANY, `${p.state} DHCPREQUEST needs the client address`);
    ciaddr = p.clientAddress;
  }
  const options = clientOptions('request', p, w);
  return clientMessage(p, p.secs ?? 0, p.broadcast ?? false, ciaddr, options);
}

/** DHCPRELEASE: ciaddr = the released address, server identifier, no requested IP. */
export function buildRelease(p: DhcpReleaseParams): DhcpMessage {
  const options = clientOptions('release', { clientIdentifier: p.clientIdentifier },
    { server: p.serverIdentifier, message: p.message });
  return clientMessage(p, 0, false, p.clientAddress, options);
}

/** DHCPDECLINE: ciaddr 0, requested IP = the declined address, server identifier. */
export function buildDecline(p: DhcpDeclineParams): DhcpMessage {
  const options = clientOptions('decline', { clientIdentifier: p.clientIdentifier },
    { requested: p.requestedAddress, server: p.serverIdentifier, message: p.message });
  return clientMessage(p, 0, false, IPV4_ANY, options);
}
