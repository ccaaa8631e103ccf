/** IANA Assigned Internet Protocol Numbers used by dsmip6 (IPv4 protocol / IPv6 next header). */
export const IpProto = {
  HOP_BY_HOP: 0,
  ICMPV4: 1,
  IPV4: 4, // IPv4-in-IP encapsulation (RFC 2003 / RFC 2473)
  TCP: 6,
  UDP: 17,
  IPV6: 41, // IPv6-in-IP encapsulation (RFC 4213 / RFC 2473)
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  NO_NEXT_HEADER: 59,
  DESTINATION_OPTIONS: 60,
  MOBILITY: 135, // RFC 6275 §6.1: the Mobility Header
  HIP: 139,
  SHIM6: 140,
  EXPERIMENT_253: 253,
  EXPERIMENT_254: 254,
} as const;

/** UDP port of DSMIPv6 NAT traversal (IANA service "dsmipv6", RFC 5555). */
export const DSMIPV6_UDP_PORT = 4191;
