/**
 * Mobility options (RFC 6275 §6.2; RFC 3963 §4.3; RFC 4283 §3; RFC 4285 §5–6; RFC 5555 §3.1–3.2).
 * Every option is TLV: | Option Type (8) | Option Length (8, octets after this field) | data |
 * except Pad1 (a single zero octet).
 *
 *  type  option                          data                                  alignment
 *   2    Binding Refresh Advice          Refresh Interval (16, 4-s units)      2n
 *   3    Alternate Care-of Address       IPv6 address (128)                    8n+6
 *   4    Nonce Indices                   Home (16), Care-of (16) nonce index   2n
 *   5    Binding Authorization Data      Authenticator (96)                    8n+2
 *   6    Mobile Network Prefix           Reserved (8), Prefix Length (8), 128  8n+4
 *   8    Mobile Node Identifier          Subtype (8), Identifier (>= 8)        none
 *   9    Authentication                  Subtype (8), SPI (32), data           4n+1
 *  10    Replay Protection (MESG-ID)     Timestamp (64, NTP format)            8n+2
 *  29    IPv4 Home Address               Prefix-len (6) P (1) Res (9), IPv4    4n
 *  30    IPv4 Address Acknowledgement    Status (8), Pref-len (6) Res (2), IPv4 4n
 *  31    NAT Detection                   F (1) Reserved (15), Refresh Time (32) 4n
 *  32    IPv4 Care-of Address            Reserved (16), IPv4                   4n
 *
 * Alignment of 8/9/10 comes from scapy only and that of 29–32 from UMIP-DSMIP; the bit layouts
 * of 29–32 agree in Wireshark, Pcap.Net and PyPCAPKit (docs/protocol-notes.md). The decoder
 * accepts any alignment (alignment binds senders) and drops Pad1/PadN; the encoder inserts them.
 * A known option with the wrong length is malformed (UMIP `mh_opt_len_chk` rejects it too).
 * Values such as a prefix length out of range are kept as received: judging them is the engine's
 * job (e.g. BA status 141, IPv4 Ack status 131); the encoder refuses to emit them.
 */
import { formatIpv4, formatIpv6 } from '../addr.js';
import { copyBytes, readU16, readU32 } from '../bytes.js';
import { fail, needBytes, ok, type WireResult } from '../result.js';
import { LIFETIME_UNIT_SECONDS, MobilityOptionType as T } from './constants.js';

export type MobilityOption =
  | { readonly type: 'binding-refresh-advice'; readonly refreshIntervalSeconds: number }
  | { readonly type: 'alternate-care-of-address'; readonly careOfAddress: string }
  | {
    readonly type: 'nonce-indices'; readonly homeNonceIndex: number;
    readonly careOfNonceIndex: number;
  }
  | { readonly type: 'binding-authorization-data'; readonly authenticator: Uint8Array }
  | { readonly type: 'mobile-network-prefix'; readonly prefixLength: number; readonly prefix: string }
  | { readonly type: 'mobile-node-identifier'; readonly subtype: number; readonly identifier: Uint8Array }
  | {
    readonly type: 'authentication'; readonly subtype: number; readonly spi: number;
    readonly authenticationData: Uint8Array;
  }
  /** 64-bit NTP-format timestamp (seconds since 1900 in the high 32 bits). */
  | { readonly type: 'replay-protection'; readonly timestamp: bigint }
  | {
    readonly type: 'ipv4-home-address'; readonly prefixLength: number;
    /** P flag: a mobile network prefix is requested (RFC 5555 §3.1.1). */
    readonly requestPrefix: boolean; readonly address: string;
  }
  | {
    readonly type: 'ipv4-address-acknowledgement'; readonly status: number;
    readonly prefixLength: number; readonly address: string;
  }
  | {
    readonly type: 'nat-detection';
    /** F flag: the mobile node must use UDP encapsulation even without a NAT. */
    readonly forceUdp: boolean; readonly refreshTimeSeconds: number;
  }
  | { readonly type: 'ipv4-care-of-address'; readonly address: string }
  | { readonly type: 'unknown'; readonly optionType: number; readonly data: Uint8Array };

export type MobilityOptionKind = MobilityOption['type'];

/** Option Type code of each variant (unknown options carry their own). */
export const OPTION_TYPE: Readonly<Record<Exclude<MobilityOptionKind, 'unknown'>, number>> = {
  'binding-refresh-advice': T.BINDING_REFRESH_ADVICE,
  'alternate-care-of-address': T.ALTERNATE_CARE_OF_ADDRESS,
  'nonce-indices': T.NONCE_INDICES,
  'binding-authorization-data': T.BINDING_AUTHORIZATION_DATA,
  'mobile-network-prefix': T.MOBILE_NETWORK_PREFIX,
  'mobile-node-identifier': T.MOBILE_NODE_IDENTIFIER,
  'authentication': T.AUTHENTICATION,
  'replay-protection': T.REPLAY_PROTECTION,
  'ipv4-home-address': T.IPV4_HOME_ADDRESS,
  'ipv4-address-acknowledgement': T.IPV4_ADDRESS_ACKNOWLEDGEMENT,
  'nat-detection': T.NAT_DETECTION,
  'ipv4-care-of-address': T.IPV4_CARE_OF_ADDRESS,
};

/** Fixed data lengths of the options that have one. */
const FIXED_LENGTH: Readonly<Record<number, number>> = {
  [T.BINDING_REFRESH_ADVICE]: 2,
  [T.ALTERNATE_CARE_OF_ADDRESS]: 16,
  [T.NONCE_INDICES]: 4,
  [T.BINDING_AUTHORIZATION_DATA]: 12,
  [T.MOBILE_NETWORK_PREFIX]: 18,
  [T.REPLAY_PROTECTION]: 8,
  [T.IPV4_HOME_ADDRESS]: 6,
  [T.IPV4_ADDRESS_ACKNOWLEDGEMENT]: 6,
  [T.NAT_DETECTION]: 6,
  [T.IPV4_CARE_OF_ADDRESS]: 6,
};

/** Decodes one option whose data is b[d, d+len); `at` is the option's first octet. */
function decodeOptionData(
  b: Uint8Array, at: number, type: number, d: number, len: number,
): WireResult<MobilityOption> {
  const fixed = FIXED_LENGTH[type];
  if (fixed !== undefined && len !== fixed) {
    return fail('bad-length', at + 1, `mobility option ${type} length ${len} (want ${fixed})`);
  }
  switch (type) {
    case T.BINDING_REFRESH_ADVICE:
      return ok({
        type: 'binding-refresh-advice',
        refreshIntervalSeconds: readU16(b, d) * LIFETIME_UNIT_SECONDS,
      }, 2 + len);
    case T.ALTERNATE_CARE_OF_ADDRESS:
      return ok({ type: 'alternate-care-of-address', careOfAddress: formatIpv6(b, d) }, 2 + len);
    case T.NONCE_INDICES:
      return ok({
        type: 'nonce-indices', homeNonceIndex: readU16(b, d), careOfNonceIndex: readU16(b, d + 2),
      }, 2 + len);
    case T.BINDING_AUTHORIZATION_DATA:
      return ok({ type: 'binding-authorization-data', authenticator: copyBytes(b, d, d + 12) }, 2 + len);
    case T.MOBILE_NETWORK_PREFIX:
      return ok({
        type: 'mobile-network-prefix', prefixLength: b[d + 1], prefix: formatIpv6(b, d + 2),
      }, 2 + len);
    case T.MOBILE_NODE_IDENTIFIER:
      if (len < 2) return fail('bad-length', at + 1, `MN-ID option length ${len} (want >= 2)`);
      return ok({
        type: 'mobile-node-identifier', subtype: b[d], identifier: copyBytes(b, d + 1, d + len),
      }, 2 + len);
    case T.AUTHENTICATION:
      if (len < 5) return fail('bad-length', at + 1, `authentication option length ${len} (want >= 5)`);
      return ok({
        type: 'authentication', subtype: b[d], spi: readU32(b, d + 1),
        authenticationData: copyBytes(b, d + 5, d + len),
      }, 2 + len);
    case T.REPLAY_PROTECTION:
      return ok({
        type: 'replay-protection',
        timestamp: (BigInt(readU32(b, d)) << 32n) | BigInt(readU32(b, d + 4)),
      }, 2 + len);
    default:
      return decodeDsmipOption(b, type, d, len);
  }
}

function decodeDsmipOption(b: Uint8Array, type: number, d: number, len: number): WireResult<MobilityOption> {
  switch (type) {
    case T.IPV4_HOME_ADDRESS:
      return ok({
        type: 'ipv4-home-address', prefixLength: b[d] >> 2, requestPrefix: (b[d] & 0x02) !== 0,
        address: formatIpv4(b, d + 2),
      }, 2 + len);
    case T.IPV4_ADDRESS_ACKNOWLEDGEMENT:
      return ok({
        type: 'ipv4-address-acknowledgement', status: b[d], prefixLength: b[d + 1] >> 2,
        address: formatIpv4(b, d + 2),
      }, 2 + len);
    case T.NAT_DETECTION:
      return ok({
        type: 'nat-detection', forceUdp: (b[d] & 0x80) !== 0, refreshTimeSeconds: readU32(b, d + 2),
      }, 2 + len);
    case T.IPV4_CARE_OF_ADDRESS:
      return ok({ type: 'ipv4-care-of-address', address: formatIpv4(b, d + 2) }, 2 + len);
    default:
      return ok({ type: 'unknown', optionType: type, data: copyBytes(b, d, d + len) }, 2 + len);
  }
}

/**
 * Decodes the options area b[offset, end) of a Mobility Header, skipping Pad1 and PadN.
 * Fails at the first malformed option.
 */
export function decodeMobilityOptions(
  b: Uint8Array, offset: number, end: number,
): WireResult<MobilityOption[]> {
  const options: MobilityOption[] = [];
  let i = offset;
  while (i < end) {
    const type = b[i];
    if (type === T.PAD1) { i += 1; continue; }
    const short = needBytes(end, i, 2, 'mobility option header');
    if (short) return short;
    const len = b[i + 1];
    if (i + 2 + len > end) {
      return fail('truncated', i + 1, `mobility option ${type} length ${len} overruns the message`);
    }
    if (type !== T.PADN) {
      const r = decodeOptionData(b, i, type, i + 2, len);
      if (!r.ok) return r;
      options.push(r.value);
    }
    i += 2 + len;
  }
  return ok(options, end - offset);
}
