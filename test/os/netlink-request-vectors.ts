/**
 * Hand-built byte vectors of the requests the client sends, laid out from the kernel uapi
 * headers (nlmsghdr 16 bytes, ifinfomsg 16, ifaddrmsg 8, rtmsg 12, fib_rule_hdr 12, ndmsg 12,
 * rtattr 4 + data padded to 4; integers little-endian). Interface index 4 and 2 are t0 and v1 in
 * the namespace netlink-kernel.test.ts builds (lo 1, v1 2, v0 3, t0 4), where every one of these
 * byte strings is sent to the kernel, in this order, and must be ACKed (the address comes first:
 * a route's preferred source must exist).
 */
import assert from 'node:assert/strict';
import { fromHex } from '../../src/wire/bytes.js';
import * as rq from '../../src/os/netlink/requests.js';
import type { RtnlMessage } from '../../src/os/netlink/message.js';

function hex(...parts: string[]): Uint8Array {
  const b = fromHex(parts.join(''));
  assert.ok(b, `bad hex: ${parts.join('')}`);
  return b;
}

export interface RequestVector {
  readonly name: string;
  readonly message: RtnlMessage;
  readonly bytes: Uint8Array;
}

export const REQUESTS: RequestVector[] = [
  {
    name: 'addAddress 2001:db8:1::1/64 dev 4 nodad',
    message: rq.addressRequest(8, true, { index: 4, address: '2001:db8:1::1', prefixLength: 64, nodad: true }),
    bytes: hex(
      '48000000', '1400', '0506', '08000000', '00000000', // len 72, RTM_NEWADDR
      '0a', '40', '02', '00', '04000000', // AF_INET6 /64, IFA_F_NODAD, scope 0, index 4
      '1400', '0100', '20010db8000100000000000000000001', // IFA_ADDRESS
      '1400', '0200', '20010db8000100000000000000000001', // IFA_LOCAL
      '0800', '0800', '02000000', // IFA_FLAGS NODAD
    ),
  },
  {
    name: 'addRoute 2001:db8:5::/64 dev 4 table 1000 metric 7',
    message: rq.routeRequest(7, 'add', { dst: '2001:db8:5::/64', oif: 4, table: 1000, metric: 7 }),
    bytes: hex(
      '48000000', '1800', '0506', '07000000', '00000000', // len 72, RTM_NEWROUTE, REQ|ACK|EXCL|CREATE
      '0a', '40', '00', '00', // AF_INET6, dst_len 64, src_len 0, tos 0
      '00', '04', '00', '01', '00000000', // table 0 (id > 255), RTPROT_STATIC, universe, unicast
      '1400', '0100', '20010db8000500000000000000000000', // RTA_DST
      '0800', '0400', '04000000', // RTA_OIF 4
      '0800', '0600', '07000000', // RTA_PRIORITY 7
      '0800', '0f00', 'e8030000', // RTA_TABLE 1000
    ),
  },
  {
    name: 'replaceRoute default via fe80::1 dev 2 src 2001:db8:1::1 (main table)',
    message: rq.routeRequest(16, 'replace', { dst: '::/0', gateway: 'fe80::1', oif: 2, src: '2001:db8:1::1' }),
    bytes: hex(
      '54000000', '1800', '0505', '10000000', '00000000', // len 84, REQ|ACK|REPLACE|CREATE
      '0a000000', 'fe040001', '00000000', // dst_len 0; table 254 (main), STATIC, universe, unicast
      '0800', '0400', '02000000', // RTA_OIF 2
      '1400', '0500', 'fe800000000000000000000000000001', // RTA_GATEWAY
      '1400', '0700', '20010db8000100000000000000000001', // RTA_PREFSRC
      '0800', '0f00', 'fe000000', // RTA_TABLE 254
    ),
  },
  {
    name: 'delRoute 198.51.100.0/24 table 100',
    message: rq.routeRequest(15, 'delete', { dst: '198.51.100.0/24', table: 100 }),
    bytes: hex(
      '2c000000', '1900', '0500', '0f000000', '00000000', // len 44, RTM_DELROUTE, REQ|ACK
      '02180000', '6400ff00', '00000000', // AF_INET /24; table 100, any protocol, scope nowhere, any type
      '0800', '0100', 'c6336400', // RTA_DST 198.51.100.0
      '0800', '0f00', '64000000', // RTA_TABLE 100
    ),
  },
  {
    name: 'delAddress 192.0.2.1/24 dev 4',
    message: rq.addressRequest(17, false, { index: 4, address: '192.0.2.1', prefixLength: 24 }),
    bytes: hex(
      '28000000', '1500', '0500', '11000000', '00000000', // len 40, RTM_DELADDR, REQ|ACK
      '02180000', '04000000', // AF_INET /24, flags 0, scope 0, index 4
      '0800', '0100', 'c0000201', '0800', '0200', 'c0000201', // IFA_ADDRESS, IFA_LOCAL
    ),
  },
  {
    name: 'addRule from 2001:db8:1::/64 lookup 1000 priority 100',
    message: rq.ruleRequest(9, true, { from: '2001:db8:1::/64', table: 1000, priority: 100 }),
    bytes: hex(
      '40000000', '2000', '0506', '09000000', '00000000', // len 64, RTM_NEWRULE
      '0a', '00', '40', '00', '00', '00', '00', '01', '00000000', // src_len 64, table 0, FR_ACT_TO_TBL
      '1400', '0200', '20010db8000100000000000000000000', // FRA_SRC
      '0800', '0f00', 'e8030000', // FRA_TABLE 1000
      '0800', '0600', '64000000', // FRA_PRIORITY 100
    ),
  },
  {
    name: 'addProxyNeighbour 2001:db8:1::55 dev 4',
    message: rq.proxyNeighbourRequest(10, true, { index: 4, address: '2001:db8:1::55' }),
    bytes: hex(
      '30000000', '1c00', '0506', '0a000000', '00000000', // len 48, RTM_NEWNEIGH
      '0a', '00', '0000', '04000000', '8000', '08', '00', // AF_INET6, ifindex 4, NUD_PERMANENT, NTF_PROXY
      '1400', '0100', '20010db8000100000000000000000055', // NDA_DST
    ),
  },
  {
    name: 'setLinkUp t0 (by name)',
    message: rq.setLinkStateRequest(11, 't0', true),
    bytes: hex(
      '28000000', '1000', '0500', '0b000000', '00000000', // len 40, RTM_NEWLINK, REQ|ACK
      '00', '00', '0000', '00000000', '01000000', '01000000', // index 0, flags IFF_UP, change IFF_UP
      '0700', '0300', '743000', '00', // IFLA_IFNAME "t0\0" + 1 pad byte
    ),
  },
  {
    name: 'setMtu 4 1400',
    message: rq.setMtuRequest(12, 4, 1400),
    bytes: hex(
      '28000000', '1000', '0500', '0c000000', '00000000',
      '00000000', '04000000', '00000000', '00000000', // index 4, flags 0, change 0
      '0800', '0400', '78050000', // IFLA_MTU 1400
    ),
  },
  {
    name: 'getRoutes dump (IPv6)',
    message: rq.getRoutesRequest(13, 6),
    bytes: hex('1c000000', '1a00', '0103', '0d000000', '00000000', '0a000000', '00000000', '00000000'),
  },
  {
    name: 'getProxyNeighbours dump (IPv6)',
    message: rq.getProxyNeighboursRequest(14, 6),
    bytes: hex('1c000000', '1e00', '0103', '0e000000', '00000000', '0a000000', '00000000', '00000800'),
  },
  {
    name: 'getLinks dump',
    message: rq.getLinksRequest(18),
    bytes: hex('20000000', '1200', '0103', '12000000', '00000000', '00'.repeat(16)),
  },
];
