/**
 * Fuzz targets for the DHCPv4 codec (src/wire/dhcpv4.ts): arbitrary valid messages (every
 * typed option, unknown options, odd header fields, trailing padding) and realistic ones made
 * by the client builders, so mutation starts from both kinds of bytes.
 */
import fc from 'fast-check';
import {
  DHCP_MESSAGE_TYPES,
  dhcpMessageCodec, isTypedDhcpOptionCode, type DhcpMessage, type DhcpMessageTypeName,
  type DhcpOption,
} from '../../src/wire/dhcpv4.js';
import {
  buildDecline, buildDiscover, buildRelease, buildRequest,
} from '../../src/wire/dhcpv4-client.js';
import { target } from './registry.js';

const arbByte = fc.integer({ min: 0, max: 255 });
export const arbIpv4 = fc.tuple(arbByte, arbByte, arbByte, arbByte).map((a) => a.join('.'));
const arbU32 = fc.integer({ min: 0, max: 0xffffffff });

function trimZeros(b: Uint8Array): Uint8Array {
  let n = b.length;
  while (n > 0 && b[n - 1] === 0) n--;
  return b.slice(0, n);
}
/** Bytes as the codec keeps fixed fields: at most `max`, no trailing zero byte. */
const arbTrimmed = (max: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ maxLength: max }).map(trimZeros);
const arbLatin1 = (min: number, max: number): fc.Arbitrary<string> =>
  fc.array(arbByte, { minLength: min, maxLength: max }).map((c) => String.fromCharCode(...c));
const arbAddresses = fc.array(arbIpv4, { minLength: 1, maxLength: 63 });
const arbMessageType = fc.oneof(
  fc.constantFrom(...(Object.keys(DHCP_MESSAGE_TYPES) as DhcpMessageTypeName[])),
  arbByte.filter((n) => n < 1 || n > 8),
);
const arbUnknownCode = fc.integer({ min: 1, max: 254 }).filter((c) => !isTypedDhcpOptionCode(c));

export const arbDhcpOption: fc.Arbitrary<DhcpOption> = fc.oneof(
  fc.record({ type: fc.constant('subnet-mask' as const), address: arbIpv4 }),
  fc.record({ type: fc.constant('routers' as const), addresses: arbAddresses }),
  fc.record({ type: fc.constant('dns-servers' as const), addresses: arbAddresses }),
  fc.record({ type: fc.constant('host-name' as const), hostName: arbLatin1(1, 255) }),
  fc.record({ type: fc.constant('requested-ip-address' as const), address: arbIpv4 }),
  fc.record({ type: fc.constant('lease-time' as const), leaseTimeSeconds: arbU32 }),
  fc.record({ type: fc.constant('message-type' as const), messageType: arbMessageType }),
  fc.record({ type: fc.constant('server-identifier' as const), address: arbIpv4 }),
  fc.record({ type: fc.constant('parameter-request-list' as const),
    codes: fc.array(arbByte, { minLength: 1, maxLength: 255 }) }),
  fc.record({ type: fc.constant('renewal-time' as const), renewalTimeSeconds: arbU32 }),
  fc.record({ type: fc.constant('rebinding-time' as const), rebindingTimeSeconds: arbU32 }),
  fc.record({ type: fc.constant('client-identifier' as const), identifierType: arbByte,
    identifier: fc.uint8Array({ minLength: 1, maxLength: 254 }) }),
  fc.record({ type: fc.constant('unknown' as const), code: arbUnknownCode,
    data: fc.uint8Array({ maxLength: 255 }) }),
);

const arbChaddr = fc.uint8Array({ maxLength: 16 }).chain((chaddr) =>
  arbTrimmed(16 - chaddr.length).map((chaddrPadding) => ({ chaddr, chaddrPadding })));

const arbHeader = fc.record({
  op: fc.constantFrom('boot-request' as const, 'boot-reply' as const),
  htype: arbByte,
  hops: arbByte,
  xid: arbU32,
  secs: fc.integer({ min: 0, max: 0xffff }),
  broadcast: fc.boolean(),
  flagsReserved: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0x7fff })),
  ciaddr: arbIpv4,
  yiaddr: arbIpv4,
  siaddr: arbIpv4,
  giaddr: arbIpv4,
  sname: arbTrimmed(64),
  file: arbTrimmed(128),
  options: fc.array(arbDhcpOption, { maxLength: 10 }),
  padLength: fc.integer({ min: 0, max: 80 }),
});

/** Any valid DhcpMessage value. */
export const arbDhcpMessage: fc.Arbitrary<DhcpMessage> = fc.tuple(arbHeader, arbChaddr)
  .map(([h, c]) => ({ ...h, ...c }));

const arbMac = fc.uint8Array({ minLength: 6, maxLength: 6 });
const arbClientParams = fc.record({
  xid: arbU32, chaddr: arbMac, address: arbIpv4, server: arbIpv4,
  prl: fc.array(arbByte, { minLength: 1, maxLength: 12 }),
  state: fc.constantFrom('selecting' as const, 'init-reboot' as const, 'renewing' as const,
    'rebinding' as const),
});

/** Messages as the built-in client sends them. */
export const arbBuiltDhcpMessage: fc.Arbitrary<DhcpMessage> = fc.tuple(
  arbClientParams, fc.integer({ min: 0, max: 3 }),
).map(([p, kind]) => {
  const id = { xid: p.xid, chaddr: p.chaddr,
    clientIdentifier: { identifierType: 1, identifier: p.chaddr } };
  const clientAddress = p.address === '0.0.0.0' ? '10.0.0.1' : p.address;
  switch (kind) {
    case 0: return buildDiscover({ ...id, parameterRequestList: p.prl });
    case 1: return buildRequest(p.state === 'selecting' || p.state === 'init-reboot'
      ? { ...id, state: p.state, requestedAddress: p.address, serverIdentifier: p.server }
      : { ...id, state: p.state, clientAddress });
    case 2: return buildRelease({ ...id, clientAddress, serverIdentifier: p.server });
    default: return buildDecline({ ...id, requestedAddress: p.address,
      serverIdentifier: p.server });
  }
});

export const dhcpTargets = [
  target(dhcpMessageCodec, fc.oneof(arbDhcpMessage, arbBuiltDhcpMessage)),
];
