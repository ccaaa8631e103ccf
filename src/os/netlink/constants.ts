/**
 * rtnetlink numbers, as in the kernel's uapi headers (linux/netlink.h, rtnetlink.h, if_link.h,
 * if_addr.h, neighbour.h, fib_rules.h, if.h). Values are the kernel ABI and never change.
 */

// linux/netlink.h: nlmsghdr types and flags.
export const NLMSG_HDRLEN = 16;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;

export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_ECHO = 0x08;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP_FILTERED = 0x20;
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;
/** On NLMSG_ERROR: the echoed request was cut to its header. */
export const NLM_F_CAPPED = 0x100;
/** On NLMSG_ERROR / NLMSG_DONE: extended-ACK TLVs follow. */
export const NLM_F_ACK_TLVS = 0x200;

export const NLMSGERR_ATTR_MSG = 1;
export const NLMSGERR_ATTR_OFFS = 2;

/** Socket options (level SOL_NETLINK = 270) a transport may set. */
export const SOL_NETLINK = 270;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_ROUTE = 0;

// linux/rtnetlink.h: message types.
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_SETLINK = 19;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const RTM_NEWNEIGH = 28;
export const RTM_DELNEIGH = 29;
export const RTM_GETNEIGH = 30;
export const RTM_NEWRULE = 32;
export const RTM_DELRULE = 33;
export const RTM_GETRULE = 34;

/** Legacy multicast group bits, for sockaddr_nl.nl_groups at bind time. */
export const RTMGRP_LINK = 0x1;
export const RTMGRP_NOTIFY = 0x2;
export const RTMGRP_NEIGH = 0x4;
export const RTMGRP_TC = 0x8;
export const RTMGRP_IPV4_IFADDR = 0x10;
export const RTMGRP_IPV4_MROUTE = 0x20;
export const RTMGRP_IPV4_ROUTE = 0x40;
export const RTMGRP_IPV4_RULE = 0x80;
export const RTMGRP_IPV6_IFADDR = 0x100;
export const RTMGRP_IPV6_MROUTE = 0x200;
export const RTMGRP_IPV6_ROUTE = 0x400;
export const RTMGRP_IPV6_IFINFO = 0x800;
export const RTMGRP_IPV6_PREFIX = 0x20000;

/** Group numbers, for setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group). */
export const RTNLGRP_LINK = 1;
export const RTNLGRP_NOTIFY = 2;
export const RTNLGRP_NEIGH = 3;
export const RTNLGRP_TC = 4;
export const RTNLGRP_IPV4_IFADDR = 5;
export const RTNLGRP_IPV4_MROUTE = 6;
export const RTNLGRP_IPV4_ROUTE = 7;
export const RTNLGRP_IPV4_RULE = 8;
export const RTNLGRP_IPV6_IFADDR = 9;
export const RTNLGRP_IPV6_MROUTE = 10;
export const RTNLGRP_IPV6_ROUTE = 11;
export const RTNLGRP_IPV6_IFINFO = 12;
export const RTNLGRP_IPV6_PREFIX = 18;
export const RTNLGRP_IPV6_RULE = 19;
export const NETLINK_ADD_MEMBERSHIP = 1;

/** The nl_groups bit of an RTNLGRP_* group (groups 1..32 only; higher ones need setsockopt). */
export function rtnlGroupBit(group: number): number {
  if (!Number.isInteger(group) || group < 1 || group > 32) return 0;
  return 2 ** (group - 1);
}

// Address families.
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

// linux/if_link.h: IFLA_* (link attributes).
export const IFLA_ADDRESS = 1;
export const IFLA_BROADCAST = 2;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_OPERSTATE = 16;
/** linux/if.h: IF_OPER_* values of IFLA_OPERSTATE (RFC 2863), indexed by value. */
export const IF_OPER_NAMES: readonly string[] = [
  'unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up',
];
export const IF_OPER_DOWN = 2;
export const IF_OPER_UP = 6;
/** linux/if.h: ifi_flags bits. */
export const IFF_UP = 0x1;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
export const IFF_RUNNING = 0x40;
export const IFF_NOARP = 0x80;
export const IFF_LOWER_UP = 0x10000;

// linux/if_addr.h: IFA_* (address attributes) and IFA_F_* flags.
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_LABEL = 3;
export const IFA_BROADCAST = 4;
export const IFA_CACHEINFO = 6;
export const IFA_FLAGS = 8;
export const IFA_F_SECONDARY = 0x01;
export const IFA_F_TEMPORARY = IFA_F_SECONDARY;
export const IFA_F_NODAD = 0x02;
export const IFA_F_OPTIMISTIC = 0x04;
export const IFA_F_DADFAILED = 0x08;
export const IFA_F_HOMEADDRESS = 0x10;
export const IFA_F_DEPRECATED = 0x20;
export const IFA_F_TENTATIVE = 0x40;
export const IFA_F_PERMANENT = 0x80;
export const IFA_F_MANAGETEMPADDR = 0x100;
export const IFA_F_NOPREFIXROUTE = 0x200;
export const IFA_F_MCAUTOJOIN = 0x400;
export const IFA_F_STABLE_PRIVACY = 0x800;
/** Names as `ip addr` prints them, for each IFA_F_* bit. */
export const IFA_F_NAMES: ReadonlyArray<readonly [number, string]> = [
  [IFA_F_SECONDARY, 'secondary'], [IFA_F_NODAD, 'nodad'], [IFA_F_OPTIMISTIC, 'optimistic'],
  [IFA_F_DADFAILED, 'dadfailed'], [IFA_F_HOMEADDRESS, 'home'], [IFA_F_DEPRECATED, 'deprecated'],
  [IFA_F_TENTATIVE, 'tentative'], [IFA_F_PERMANENT, 'permanent'],
  [IFA_F_MANAGETEMPADDR, 'mngtmpaddr'], [IFA_F_NOPREFIXROUTE, 'noprefixroute'],
  [IFA_F_MCAUTOJOIN, 'autojoin'], [IFA_F_STABLE_PRIVACY, 'stable-privacy'],
];
/** The largest lifetime, meaning "forever" (INFINITY_LIFE_TIME). */
export const IFA_LIFETIME_INFINITY = 0xffffffff;

// linux/rtnetlink.h: RTA_* (route attributes), tables, protocols, scopes, types.
export const RTA_DST = 1;
export const RTA_SRC = 2;
export const RTA_IIF = 3;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_PRIORITY = 6;
export const RTA_PREFSRC = 7;
export const RTA_METRICS = 8;
export const RTA_CACHEINFO = 12;
export const RTA_TABLE = 15;
export const RTA_PREF = 20;
export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_COMPAT = 252;
export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;
export const RTPROT_UNSPEC = 0;
export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;
export const RTN_UNSPEC = 0;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;
export const RTN_THROW = 9;

// linux/fib_rules.h: FRA_* (rule attributes) and actions.
export const FRA_DST = 1;
export const FRA_SRC = 2;
export const FRA_PRIORITY = 6;
export const FRA_TABLE = 15;
export const FRA_PROTOCOL = 21;
export const FR_ACT_TO_TBL = 1;

// linux/neighbour.h: NDA_* (neighbour attributes), NTF_* flags, NUD_* states.
export const NDA_DST = 1;
export const NDA_LLADDR = 2;
export const NDA_CACHEINFO = 3;
export const NTF_USE = 0x01;
export const NTF_SELF = 0x02;
export const NTF_MASTER = 0x04;
/** A proxy (published) entry: the kernel answers Neighbour Solicitations for it. */
export const NTF_PROXY = 0x08;
export const NTF_ROUTER = 0x80;
export const NUD_NONE = 0x00;
export const NUD_REACHABLE = 0x02;
export const NUD_STALE = 0x04;
export const NUD_NOARP = 0x40;
export const NUD_PERMANENT = 0x80;

/** Interface names: IFNAMSIZ is 16 bytes including the terminating NUL. */
export const IFNAME_BYTES_MAX = 15;
