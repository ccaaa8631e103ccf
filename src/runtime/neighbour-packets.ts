/**
 * The packets the home agent sends on its home link, and the check of what it hears there
 * (neighbour.ts uses them):
 *
 *  - the DAD probe (RFC 4862 §5.4.2): a Neighbor Solicitation from the unspecified address to
 *    the target's solicited-node multicast address, hop limit 255, no Source Link-Layer Address
 *    option (RFC 4861 §7.2.2), and a Nonce option (type 14, RFC 3971 §5.3.2, used for DAD by
 *    RFC 7527) so that a probe of ours that comes back is told from another node's;
 *  - the unsolicited Neighbor Advertisement of RFC 6275 §10.4.1 / RFC 4861 §7.2.6: to all-nodes
 *    ff02::1, Router 0, Solicited 0, Override 1, with a Target Link-Layer Address option;
 *  - gratuitous ARP (RFC 5944 §4.6, RFC 826 / RFC 5227 §3 layout): sender and target protocol
 *    addresses both the IPv4 home address, sender hardware address the home agent's.
 *
 * `linkFacts` reads what the announcements carry from the home interface (rtnetlink).
 * Received messages are hostile: `dadSignal` never throws and keeps only a valid Neighbor
 * Advertisement (RFC 4861 §7.1.2) or a valid DAD probe of another node (§7.1.1, source ::).
 */
import type { RtnlClient } from '../os/netlink/rtnl.js';
import { parseLladdr } from '../os/netlink/struct.js';
import type { NdMessage } from '../os/ports.js';
import { formatIpv6, parseIpv4, parseIpv6, writeIpv6 } from '../wire/addr.js';
import { finishChecksum, sumWords } from '../wire/checksum.js';
import {
  ICMPV6_NEXT_HEADER, decodeIcmpv6, encodeIcmpv6, encodedLengthIcmpv6, verifyIcmpv6Checksum,
  type Icmpv6Message,
} from '../wire/icmpv6.js';
import { IPV6_HEADER_LENGTH, encodeIpv6Header } from '../wire/ipv6.js';
import type { NdOption } from '../wire/nd-options.js';

/** RFC 4861 §7.1: ND messages are sent and accepted with hop limit 255 only. */
export const ND_HOP_LIMIT = 255;
/** The Nonce option (RFC 3971 §5.3.2; RFC 7527 §4.1 for DAD): 6 bytes of data, Length 1. */
export const NONCE_OPTION_TYPE = 14;
export const NONCE_LENGTH = 6;
export const ALL_NODES = 'ff02::1';
export const UNSPECIFIED = '::';
export const ETHERTYPE_ARP = 0x0806;
export const ETHERNET_BROADCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
export const ICMPV6_NS = 135;
export const ICMPV6_NA = 136;
export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

/** RFC 4291 §2.7.1: ff02::1:ff00:0/104 followed by the low 24 bits of the address. */
export function solicitedNode(address: string): string | undefined {
  const a = parseIpv6(address);
  if (a === undefined) return undefined;
  const g = parseIpv6('ff02::1:ff00:0') as Uint8Array;
  g.set(a.subarray(13, 16), 13);
  return formatIpv6(g);
}

/** A whole IPv6 packet carrying `msg`, hop limit 255, checksum filled. Throws EncodeError. */
export function ndPacket(source: string, destination: string, msg: Icmpv6Message): Uint8Array {
  const out = new Uint8Array(IPV6_HEADER_LENGTH + encodedLengthIcmpv6(msg));
  const len = encodeIcmpv6(msg, out, IPV6_HEADER_LENGTH, source, destination);
  encodeIpv6Header({
    trafficClass: 0, flowLabel: 0, payloadLength: len, nextHeader: ICMPV6_NEXT_HEADER,
    hopLimit: ND_HOP_LIMIT, source, destination,
  }, out, 0);
  return out;
}

/** The DAD probe for `target` with our `nonce` (6 bytes). Throws EncodeError on bad text. */
export function dadSolicitation(target: string, nonce: Uint8Array): Uint8Array {
  const group = solicitedNode(target);
  if (group === undefined || nonce.length !== NONCE_LENGTH) {
    throw new TypeError(`DAD probe: bad target ${target} or nonce length ${nonce.length}`);
  }
  return ndPacket(UNSPECIFIED, group, {
    type: 'neighbor-solicitation', code: 0, target,
    options: [{ type: 'unknown', optionType: NONCE_OPTION_TYPE, data: nonce }],
  });
}

/** The unsolicited NA (O=1, S=0, R=0) for `target` from `source`, with `mac` as the TLLA. */
export function unsolicitedAdvertisement(source: string, target: string, mac: Uint8Array): Uint8Array {
  return ndPacket(source, ALL_NODES, {
    type: 'neighbor-advertisement', code: 0, router: false, solicited: false, override: true,
    reserved: 0, target, options: [{ type: 'target-link-layer-address', linkLayerAddress: mac }],
  });
}

/** Where the Target Address sits in an NA packet: IPv6 header (40) + type, code, checksum, flags (8). */
const NA_TARGET_OFFSET = IPV6_HEADER_LENGTH + 8;
const ICMPV6_CHECKSUM_OFFSET = IPV6_HEADER_LENGTH + 2;

/**
 * The unsolicited NAs of one source and MAC, from one encoded template: a copy with the target
 * set and the checksum adjusted by the target's words (RFC 1624), byte for byte what
 * `unsolicitedAdvertisement` builds. A burst of registrations announces every new home
 * address three times; this keeps each announcement to 16 byte writes and 8 additions.
 */
export class AdvertisementTemplate {
  private readonly template: Uint8Array;
  /** The template's one's-complement sum (its checksum, uncomplemented). */
  private readonly baseSum: number;

  constructor(readonly source: string, readonly mac: Uint8Array) {
    this.template = unsolicitedAdvertisement(source, UNSPECIFIED, mac);
    const c = (this.template[ICMPV6_CHECKSUM_OFFSET] << 8) | this.template[ICMPV6_CHECKSUM_OFFSET + 1];
    this.baseSum = ~c & 0xffff;
  }

  /** `t` when it was built for these facts, else a new template for them. */
  static of(t: AdvertisementTemplate | undefined, f: LinkFacts): AdvertisementTemplate {
    const same = t !== undefined && t.source === f.source && t.mac === f.mac;
    return same ? t : new AdvertisementTemplate(f.source, f.mac);
  }

  /**
   * The NA for `target`, in the template's own buffer (the next call rewrites it: send or copy it
   * first); throws TypeError on text that is not an IPv6 address.
   */
  build(target: string): Uint8Array {
    const out = this.template;
    const ok = writeIpv6(out, NA_TARGET_OFFSET, target);
    if (!ok) throw new TypeError(`unsolicited NA: bad target ${target}`);
    const c = finishChecksum(sumWords(out, NA_TARGET_OFFSET, NA_TARGET_OFFSET + 16, this.baseSum));
    out[ICMPV6_CHECKSUM_OFFSET] = c >> 8;
    out[ICMPV6_CHECKSUM_OFFSET + 1] = c & 0xff;
    return out;
  }
}

/**
 * A gratuitous ARP packet for Ethernet (the 28 bytes after the Ethernet header): hardware type
 * 1, protocol 0x0800, lengths 6 and 4, `op` (1 request, 2 reply), sender = (mac, address),
 * target = (zeros for a request as RFC 5227 §3 has it, mac for a reply as RFC 5944 §4.6 asks,
 * address). Throws TypeError on a bad address or a MAC that is not 6 bytes.
 */
export function gratuitousArp(op: 1 | 2, address: string, mac: Uint8Array): Uint8Array {
  const ip = parseIpv4(address);
  if (ip === undefined || mac.length !== 6) {
    throw new TypeError(`gratuitous ARP: bad address ${address} or MAC length ${mac.length}`);
  }
  const out = new Uint8Array(28);
  out.set([0, 1, 0x08, 0x00, 6, 4, 0, op], 0);
  out.set(mac, 8);
  out.set(ip, 14);
  if (op === ARP_REPLY) out.set(mac, 18);
  out.set(ip, 24);
  return out;
}

/** What a received message means for a DAD in progress. */
export type DadSignal =
  /** A valid Neighbor Advertisement for `target`: someone uses it (RFC 4862 §5.4.4). */
  | { readonly kind: 'advertisement'; readonly target: string }
  /** A valid DAD probe (source ::) for `target` from some node, with its nonce if any (§5.4.3). */
  | { readonly kind: 'solicitation'; readonly target: string; readonly nonce?: Uint8Array };

const isMulticast = (a: Uint8Array): boolean => a[0] === 0xff;
const isUnspecified = (a: Uint8Array): boolean => a.every((x) => x === 0);

/**
 * Validates a received NS or NA (RFC 4861 §7.1.1 / §7.1.2: hop limit 255, checksum, code 0,
 * at least 24 bytes, options well formed, target not multicast; an NA to a multicast address
 * has S = 0; an NS from :: goes to a solicited-node address and has no Source Link-Layer
 * Address option). An NS from a unicast address is address resolution, not DAD: ignored
 * (RFC 4862 §5.4.3). Returns undefined for everything else.
 */
export function dadSignal(m: NdMessage): DadSignal | undefined {
  const b = m.bytes;
  if (m.hopLimit !== ND_HOP_LIMIT || b.length < 24 || b[1] !== 0) return undefined;
  if (b[0] !== ICMPV6_NS && b[0] !== ICMPV6_NA) return undefined;
  const source = formatIpv6(m.source);
  const destination = formatIpv6(m.destination);
  if (!verifyIcmpv6Checksum(b, 0, b.length, source, destination)) return undefined;
  const r = decodeIcmpv6(b);
  if (!r.ok) return undefined;
  const msg = r.value.message;
  if (msg.type === 'neighbor-advertisement') {
    if (isMulticast(parseIpv6(msg.target) as Uint8Array)) return undefined;
    if (isMulticast(m.destination) && msg.solicited) return undefined;
    return { kind: 'advertisement', target: msg.target };
  }
  if (msg.type !== 'neighbor-solicitation' || !isUnspecified(m.source)) return undefined;
  if (isMulticast(parseIpv6(msg.target) as Uint8Array)) return undefined;
  if (destination !== solicitedNode(msg.target)) return undefined;
  if (msg.options.some((o) => o.type === 'source-link-layer-address')) return undefined;
  const nonce = nonceOf(msg.options);
  return { kind: 'solicitation', target: msg.target, ...(nonce !== undefined ? { nonce } : {}) };
}

function nonceOf(options: readonly NdOption[]): Uint8Array | undefined {
  for (const o of options) {
    if (o.type === 'unknown' && o.optionType === NONCE_OPTION_TYPE) return o.data;
  }
  return undefined;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What the announcements need from the home interface. */
export interface LinkFacts {
  readonly mac: Uint8Array;
  /** The source of our NAs: the interface's link-local address (else a global one). */
  readonly source: string;
}

/** The home interface's MAC (rtnetlink) and the address our NAs come from. Throws if absent. */
export function linkFacts(rtnl: RtnlClient, ifname: string): LinkFacts {
  const link = rtnl.getLink(ifname);
  if (!link.ok) throw new Error(`interface ${ifname}: ${link.error.text}`);
  const mac = link.value.address !== undefined ? parseLladdr(link.value.address) : undefined;
  if (mac === undefined || mac.length !== 6) throw new Error(`interface ${ifname} has no Ethernet address`);
  const r = rtnl.getAddresses(6, link.value.index);
  if (!r.ok) throw new Error(`addresses of ${ifname}: ${r.error.text}`);
  const usable = r.value
    .filter((a) => !a.flagNames.includes('tentative') && !a.flagNames.includes('dadfailed'));
  const ll = usable.find((a) => a.address.startsWith('fe80:')) ?? usable[0];
  if (ll === undefined) throw new Error(`interface ${ifname} has no usable IPv6 address`);
  return { mac, source: ll.address };
}
