/** fast-check generators of valid rtnetlink message values (test/os/netlink-*.test.ts). */
import fc from 'fast-check';
import { formatIpv4, formatIpv6 } from '../../src/wire/addr.js';
import type { RtAttr } from '../../src/os/netlink/attr.js';
import type { RtnlBody, RtnlMessage } from '../../src/os/netlink/message.js';
import { formatLladdr } from '../../src/os/netlink/struct.js';
import { LINK_SPEC } from '../../src/os/netlink/link.js';
import { ADDRESS_SPEC } from '../../src/os/netlink/address.js';
import { ROUTE_SPEC } from '../../src/os/netlink/route.js';
import { RULE_SPEC } from '../../src/os/netlink/rule.js';
import { NEIGH_SPEC } from '../../src/os/netlink/neigh.js';
import type { BodySpec } from '../../src/os/netlink/struct.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const bytesN = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });

/** An IPv4 or IPv6 address in the canonical text the decoder produces. */
export const ipAddress: fc.Arbitrary<string> = fc.oneof(
  bytesN(4).map((b) => formatIpv4(b)),
  bytesN(16).map((b) => formatIpv6(b)),
);
const lladdr = fc.uint8Array({ maxLength: 8 }).map(formatLladdr);
const ifname = fc.stringMatching(/^[a-z0-9.-]{1,15}$/);

/** Attributes the spec does not interpret (any other 16-bit type, any data). */
export function unknownAttrs(spec: BodySpec): fc.Arbitrary<RtAttr[]> {
  const known = new Set(spec.attrs.map((a) => a.type));
  const attr = fc.record({
    type: u16.filter((t) => !known.has(t)),
    data: fc.uint8Array({ maxLength: 24 }),
  });
  return fc.array(attr, { maxLength: 4 });
}

function optional<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }, required: (keyof T)[]): fc.Arbitrary<T> {
  return fc.record(model, { requiredKeys: required as never[] }) as unknown as fc.Arbitrary<T>;
}

const link = optional({
  family: u8, type: u16, index: u32, flags: u32, change: u32, address: lladdr, name: ifname,
  mtu: u32, link: u32, operstate: u8, unknown: unknownAttrs(LINK_SPEC),
}, ['family', 'type', 'index', 'flags', 'change', 'unknown']);

const cacheInfo = fc.record({ preferred: u32, valid: u32, created: u32, updated: u32 });
const address = optional({
  family: u8, prefixLength: u8, flags: u8, scope: u8, index: u32, address: ipAddress,
  local: ipAddress, label: ifname, cacheInfo, extFlags: u32, unknown: unknownAttrs(ADDRESS_SPEC),
}, ['family', 'prefixLength', 'flags', 'scope', 'index', 'unknown']);

const route = optional({
  family: u8, dstLength: u8, srcLength: u8, tos: u8, table: u8, protocol: u8, scope: u8,
  type: u8, flags: u32, dst: ipAddress, src: ipAddress, oif: u32, gateway: ipAddress,
  priority: u32, prefsrc: ipAddress, tableId: u32, unknown: unknownAttrs(ROUTE_SPEC),
}, ['family', 'dstLength', 'srcLength', 'tos', 'table', 'protocol', 'scope', 'type', 'flags', 'unknown']);

const rule = optional({
  family: u8, dstLength: u8, srcLength: u8, tos: u8, table: u8, action: u8, flags: u32,
  dst: ipAddress, src: ipAddress, priority: u32, tableId: u32, unknown: unknownAttrs(RULE_SPEC),
}, ['family', 'dstLength', 'srcLength', 'tos', 'table', 'action', 'flags', 'unknown']);

const neigh = optional({
  family: u8, index: u32, state: u16, flags: u8, type: u8, dst: ipAddress, lladdr,
  unknown: unknownAttrs(NEIGH_SPEC),
}, ['family', 'index', 'state', 'flags', 'type', 'unknown']);

const header = (types: fc.Arbitrary<number>): fc.Arbitrary<RtnlMessage['header']> =>
  fc.record({ type: types, flags: u16, seq: u32, pid: u32 });

/** A message of any kind with a type that matches its body. */
export const rtnlMessage: fc.Arbitrary<RtnlMessage> = fc.oneof(
  fc.record({ header: header(fc.integer({ min: 16, max: 19 })), body: link.map((l) => body('link', l)) }),
  fc.record({ header: header(fc.integer({ min: 20, max: 22 })), body: address.map((a) => body('address', a)) }),
  fc.record({ header: header(fc.integer({ min: 24, max: 26 })), body: route.map((r) => body('route', r)) }),
  fc.record({ header: header(fc.integer({ min: 32, max: 34 })), body: rule.map((r) => body('rule', r)) }),
  fc.record({ header: header(fc.integer({ min: 28, max: 30 })), body: neigh.map((n) => body('neigh', n)) }),
  fc.record({
    header: header(fc.constant(2)),
    body: fc.record({
      kind: fc.constant('error' as const), error: i32,
      request: fc.record({ length: u32, type: u16, flags: u16, seq: u32, pid: u32 }),
      trailer: fc.uint8Array({ maxLength: 40 }),
    }),
  }),
  fc.record({
    header: header(fc.constant(3)),
    body: fc.record({ kind: fc.constant('done' as const), error: i32, trailer: fc.uint8Array({ maxLength: 20 }) }),
  }),
  fc.record({
    header: header(fc.constantFrom(1, 4, 5, 23, 27, 31, 35, 36, 100, 0xffff)),
    body: fc.record({ kind: fc.constant('raw' as const), payload: fc.uint8Array({ maxLength: 40 }) }),
  }),
);

function body(kind: string, value: unknown): RtnlBody {
  return { kind, [kind]: value } as unknown as RtnlBody;
}
