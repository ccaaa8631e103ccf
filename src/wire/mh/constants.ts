/**
 * Mobility Header code points (IANA "Mobile IPv6 parameters" registry; RFC 6275 §6.1, RFC 3963,
 * RFC 5555, RFC 4283, RFC 4285). IANA values only: the draft-era DSMIPv6 values (options 21–24,
 * BA status 152, BA T flag 0x20) are never used (see docs/protocol-notes.md).
 */

/** MH Type values (RFC 6275 §6.1.2–6.1.9). */
export const MhType = {
  BINDING_REFRESH_REQUEST: 0,
  HOME_TEST_INIT: 1,
  CARE_OF_TEST_INIT: 2,
  HOME_TEST: 3,
  CARE_OF_TEST: 4,
  BINDING_UPDATE: 5,
  BINDING_ACK: 6,
  BINDING_ERROR: 7,
} as const;

/**
 * Minimum Header Len per MH type (RFC 6275 §9.2 via Linux `mip6_mh_len`): a shorter message is
 * malformed (the kernel answers ICMPv6 Parameter Problem code 0 pointing at Header Len).
 */
export const MH_HEADER_LEN_MIN: Readonly<Record<number, number>> = {
  0: 0, 1: 1, 2: 1, 3: 2, 4: 2, 5: 1, 6: 1, 7: 2,
};

/** Binding Update flags, 16-bit field at MH offset 8 (IANA). */
export const BuFlag = {
  A: 0x8000, // Acknowledge (RFC 6275)
  H: 0x4000, // Home Registration (RFC 6275)
  L: 0x2000, // Link-Local Address Compatibility (RFC 6275)
  K: 0x1000, // Key Management Mobility Capability (RFC 6275)
  M: 0x0800, // MAP registration (RFC 5380)
  R: 0x0400, // Mobile Router (RFC 3963)
  P: 0x0200, // Proxy registration (RFC 5213)
  F: 0x0100, // Force UDP encapsulation (RFC 5555)
  T: 0x0080, // TLV-header format (IANA credits RFC 5845)
  B: 0x0040, // Bulk binding update (RFC 6602)
  S: 0x0020, // (RFC 8278)
  D: 0x0010, // (RFC 8278)
} as const;

/** Binding Acknowledgement flags, 8-bit field at MH offset 7 (IANA). */
export const BaFlag = {
  K: 0x80, // Key Management Mobility Capability (RFC 6275)
  R: 0x40, // Mobile Router (RFC 3963)
  P: 0x20, // Proxy registration (RFC 5213)
  T: 0x10, // TLV-header format (IANA credits RFC 5845)
  B: 0x08, // Bulk binding update (RFC 6602)
  S: 0x04, // (RFC 8278)
  D: 0x02, // (RFC 8278)
} as const;

/** Binding Acknowledgement Status (RFC 6275 §6.1.8, RFC 3963 §4.2, RFC 4285 §7). */
export const BaStatus = {
  ACCEPTED: 0,
  ACCEPTED_PREFIX_DISCOVERY_NECESSARY: 1,
  REASON_UNSPECIFIED: 128,
  ADMINISTRATIVELY_PROHIBITED: 129,
  INSUFFICIENT_RESOURCES: 130,
  HOME_REGISTRATION_NOT_SUPPORTED: 131,
  NOT_HOME_SUBNET: 132,
  NOT_HOME_AGENT_FOR_THIS_MOBILE_NODE: 133,
  DUPLICATE_ADDRESS_DETECTION_FAILED: 134,
  SEQUENCE_NUMBER_OUT_OF_WINDOW: 135,
  EXPIRED_HOME_NONCE_INDEX: 136,
  EXPIRED_CARE_OF_NONCE_INDEX: 137,
  EXPIRED_NONCES: 138,
  REGISTRATION_TYPE_CHANGE_DISALLOWED: 139,
  MOBILE_ROUTER_OPERATION_NOT_PERMITTED: 140,
  INVALID_PREFIX: 141,
  NOT_AUTHORIZED_FOR_PREFIX: 142,
  FORWARDING_SETUP_FAILED: 143,
  MIPV6_ID_MISMATCH: 144,
  MIPV6_MESG_ID_REQD: 145,
  MIPV6_AUTH_FAIL: 146,
  INVALID_CARE_OF_ADDRESS: 174,
} as const;

/** Binding Error Status (RFC 6275 §6.1.9). */
export const BeStatus = {
  UNKNOWN_BINDING_FOR_HOME_ADDRESS_OPTION: 1,
  UNRECOGNIZED_MH_TYPE: 2,
} as const;

/** Mobility option types (IANA; RFC 6275 §6.2, RFC 3963, RFC 4283, RFC 4285, RFC 5555). */
export const MobilityOptionType = {
  PAD1: 0,
  PADN: 1,
  BINDING_REFRESH_ADVICE: 2,
  ALTERNATE_CARE_OF_ADDRESS: 3,
  NONCE_INDICES: 4,
  BINDING_AUTHORIZATION_DATA: 5,
  MOBILE_NETWORK_PREFIX: 6,
  MOBILE_NODE_IDENTIFIER: 8,
  AUTHENTICATION: 9,
  REPLAY_PROTECTION: 10,
  IPV4_HOME_ADDRESS: 29,
  IPV4_ADDRESS_ACKNOWLEDGEMENT: 30,
  NAT_DETECTION: 31,
  IPV4_CARE_OF_ADDRESS: 32,
} as const;

/** IPv4 Address Acknowledgement status (RFC 5555 §3.2.1; IANA DSMIPv6 IPv4 HoA status codes). */
export const Ipv4AckStatus = {
  SUCCESS: 0,
  FAILURE_REASON_UNSPECIFIED: 128,
  ADMINISTRATIVELY_PROHIBITED: 129,
  INCORRECT_IPV4_HOME_ADDRESS: 130,
  INVALID_IPV4_ADDRESS: 131,
  DYNAMIC_IPV4_HOME_ADDRESS_ASSIGNMENT_NOT_AVAILABLE: 132,
  PREFIX_ALLOCATION_UNAUTHORIZED: 133,
} as const;

/** NAT Detection option Refresh Time meaning "no keepalives needed" (RFC 5555 §3.2.2). */
export const NAT_REFRESH_NOT_NEEDED = 0xffffffff;

/** MN-ID subtypes (RFC 4283; RFC 8371). */
export const MnIdSubtype = { NAI: 1 } as const;

/** Mobility Message Authentication subtypes (RFC 4285 §5). */
export const AuthSubtype = { MN_HA: 1, MN_AAA: 2 } as const;

/** Lifetime and Refresh Interval fields count units of 4 seconds (RFC 6275 §6.1.7). */
export const LIFETIME_UNIT_SECONDS = 4;
export const LIFETIME_SECONDS_MAX = 0xffff * LIFETIME_UNIT_SECONDS;

/** The largest lifetime, not above `seconds`, that the 4-second wire unit can carry. */
export function lifetimeToWireSeconds(seconds: number): number {
  const clamped = Math.max(0, Math.min(LIFETIME_SECONDS_MAX, Math.floor(seconds)));
  return clamped - (clamped % LIFETIME_UNIT_SECONDS);
}

const BU_LETTERS: readonly [string, number][] = Object.entries(BuFlag);
const BA_LETTERS: readonly [string, number][] = Object.entries(BaFlag);

function letters(table: readonly [string, number][], flags: number): string {
  return table.filter(([, bit]) => (flags & bit) !== 0).map(([l]) => l).join('');
}

/** "AHKR"-style rendering of BU flags, for logs and `dsmip6 decode`. */
export function buFlagLetters(flags: number): string {
  return letters(BU_LETTERS, flags);
}

export function baFlagLetters(flags: number): string {
  return letters(BA_LETTERS, flags);
}
