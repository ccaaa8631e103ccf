/**
 * DHCPv4 codec (RFC 2131 / RFC 2132): hand-written vectors for every message a client sends
 * or receives, decoded field by field and re-encoded byte-equal, truncated at every byte;
 * malformed input; encoder validation; the RFC 2131 Table 4/5 rules of the builders; and
 * property tests (round trip, no throw on random or mutated bytes).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/wire/bytes.js';
import { EncodeError } from '../../src/wire/result.js';
import {
  BOOTP_MIN_LENGTH,
  dhcpMessageCodec, dhcpMessageType, dhcpOption, dhcpUnknownOption, decodeDhcpMessage,
  encodedLengthDhcpMessage, type DhcpMessage, type DhcpOption,
} from '../../src/wire/dhcpv4.js';
import {
  buildDecline, buildDiscover, buildRelease, buildRequest, type DhcpRequestParams,
} from '../../src/wire/dhcpv4-client.js';
import { DHCP_OPTION_END } from '../../src/wire/dhcpv4-options.js';
import {
  checkRoundTrip, checkTruncations, decodeNoThrow, encodeToBytes,
} from '../harness.js';
import { arbBuiltDhcpMessage, arbDhcpMessage } from '../fuzz/targets-dhcp.js';

const RUNS = 2000;
const z = (n: number): string => '00'.repeat(n);
const hex = (...parts: string[]): Uint8Array => {
  const b = fromHex(parts.join(''));
  if (!b) throw new Error('bad hex in test vector');
  return b;
};
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const empty = new Uint8Array(0);

const MAC = fromHex('000b8201fc42')!;
const CHADDR_HEX = '000b8201fc42' + z(10); // chaddr: MAC (hlen 6) + 10 zero bytes
const COOKIE = '63825363'; // magic cookie 99.130.83.99
const CLIENT_ID = { identifierType: 1, identifier: MAC };

/** Fields every vector shares unless it says otherwise. */
const BASE: DhcpMessage = {
  op: 'boot-request', htype: 1, hops: 0, xid: 0x3d1d, secs: 0, broadcast: true,
  flagsReserved: 0, ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0',
  giaddr: '0.0.0.0', chaddr: MAC, chaddrPadding: empty, sname: empty, file: empty,
  options: [], padLength: 0,
};

// ---- DHCPDISCOVER (client, broadcast flag, padded to 300 as dhclient/udhcpc do) ----
const DISCOVER = hex(
  '01', '01', '06', '00', // op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
  '00003d1d', // xid
  '0000', '8000', // secs 0, flags BROADCAST
  '00000000', '00000000', '00000000', '00000000', // ciaddr, yiaddr, siaddr, giaddr
  CHADDR_HEX, z(64), z(128), COOKIE, // chaddr, sname, file, cookie
  '350101', // 53 message type DISCOVER
  '3d07', '01', '000b8201fc42', // 61 client identifier: type 1 (Ethernet) + MAC
  '3204', 'c0a8000a', // 50 requested IP address 192.168.0.10
  '0c03', '6d6e31', // 12 host name "mn1"
  '3704', '0103062a', // 55 parameter request list: 1 3 6 42
  'ff', z(30), // End, Pad to 300 bytes
);
const PRL = [1, 3, 6, 42];
const DISCOVER_VALUE: DhcpMessage = {
  ...BASE, padLength: 30,
  options: [
    { type: 'message-type', messageType: 'discover' },
    { type: 'client-identifier', ...CLIENT_ID },
    { type: 'requested-ip-address', address: '192.168.0.10' },
    { type: 'host-name', hostName: 'mn1' },
    { type: 'parameter-request-list', codes: PRL },
  ],
};

// ---- DHCPOFFER laid out as dnsmasq sends it (option order 53 54 51 58 59 1 28 3 6 15;
// siaddr = the server; T1 = lease/2, T2 = 7/8 lease; padded to 300) ----
const OFFER = hex(
  '02', '01', '06', '00', // op BOOTREPLY, htype, hlen, hops
  '00003d1d', '0000', '8000', // xid, secs, flags (copied from the DISCOVER)
  '00000000', 'c0a8000a', 'c0a80001', '00000000', // ciaddr, yiaddr .10, siaddr .1, giaddr
  CHADDR_HEX, z(64), z(128), COOKIE,
  '350102', // 53 OFFER
  '3604', 'c0a80001', // 54 server identifier 192.168.0.1
  '3304', '0000a8c0', // 51 lease time 43200 s
  '3a04', '00005460', // 58 renewal (T1) 21600 s
  '3b04', '000093a8', // 59 rebinding (T2) 37800 s
  '0104', 'ffffff00', // 1 subnet mask
  '1c04', 'c0a800ff', // 28 broadcast address (not typed: kept as unknown)
  '0304', 'c0a80001', // 3 routers
  '0604', 'c0a80001', // 6 DNS servers
  '0f03', '6c616e', // 15 domain name "lan" (unknown)
  'ff', z(3), // End, Pad to 300
);
const OFFER_VALUE: DhcpMessage = {
  ...BASE, op: 'boot-reply', yiaddr: '192.168.0.10', siaddr: '192.168.0.1', padLength: 3,
  options: [
    { type: 'message-type', messageType: 'offer' },
    { type: 'server-identifier', address: '192.168.0.1' },
    { type: 'lease-time', leaseTimeSeconds: 43200 },
    { type: 'renewal-time', renewalTimeSeconds: 21600 },
    { type: 'rebinding-time', rebindingTimeSeconds: 37800 },
    { type: 'subnet-mask', address: '255.255.255.0' },
    { type: 'unknown', code: 28, data: fromHex('c0a800ff')! },
    { type: 'routers', addresses: ['192.168.0.1'] },
    { type: 'dns-servers', addresses: ['192.168.0.1'] },
    { type: 'unknown', code: 15, data: ascii('lan') },
  ],
};

// ---- DHCPREQUEST, SELECTING state (same xid as the OFFER) ----
const REQUEST = hex(
  '01', '01', '06', '00', '00003d1d', '0000', '8000',
  '00000000', '00000000', '00000000', '00000000', // ciaddr MUST be 0 when SELECTING
  CHADDR_HEX, z(64), z(128), COOKIE,
  '350103', // 53 REQUEST
  '3d07', '01000b8201fc42', // 61 client identifier
  '3204', 'c0a8000a', // 50 requested IP = yiaddr of the OFFER
  '3604', 'c0a80001', // 54 server identifier of the chosen server
  '0c03', '6d6e31', // 12 host name "mn1"
  '3704', '0103062a', // 55 the same parameter request list as the DISCOVER
  'ff', z(24), // End, Pad to 300
);
const REQUEST_VALUE: DhcpMessage = {
  ...BASE, padLength: 24,
  options: [
    { type: 'message-type', messageType: 'request' },
    { type: 'client-identifier', ...CLIENT_ID },
    { type: 'requested-ip-address', address: '192.168.0.10' },
    { type: 'server-identifier', address: '192.168.0.1' },
    { type: 'host-name', hostName: 'mn1' },
    { type: 'parameter-request-list', codes: PRL },
  ],
};

// ---- DHCPACK from a server that does not pad (294 bytes) and fills 'sname' ----
const ACK = hex(
  '02', '01', '06', '00', '00003d1d', '0000', '8000',
  '00000000', 'c0a8000a', '00000000', '00000000', // yiaddr 192.168.0.10
  CHADDR_HEX,
  '6468637031', z(59), // sname "dhcp1", NUL-filled
  z(128), COOKIE,
  '350105', // 53 ACK
  '3604', 'c0a80001', // 54 server identifier
  '3304', '00000e10', // 51 lease 3600 s
  '3a04', '00000708', // 58 T1 1800 s
  '3b04', '00000c4e', // 59 T2 3150 s
  '0104', 'ffffff00', // 1 subnet mask
  '0308', 'c0a80001', 'c0a80002', // 3 routers .1 and .2
  '0608', 'c0a80001', '08080808', // 6 DNS 192.168.0.1 and 8.8.8.8
  'ff', // End, no padding
);
const ACK_VALUE: DhcpMessage = {
  ...BASE, op: 'boot-reply', yiaddr: '192.168.0.10', sname: ascii('dhcp1'),
  options: [
    { type: 'message-type', messageType: 'ack' },
    { type: 'server-identifier', address: '192.168.0.1' },
    { type: 'lease-time', leaseTimeSeconds: 3600 },
    { type: 'renewal-time', renewalTimeSeconds: 1800 },
    { type: 'rebinding-time', rebindingTimeSeconds: 3150 },
    { type: 'subnet-mask', address: '255.255.255.0' },
    { type: 'routers', addresses: ['192.168.0.1', '192.168.0.2'] },
    { type: 'dns-servers', addresses: ['192.168.0.1', '8.8.8.8'] },
  ],
};

// ---- DHCPNAK (answer to an INIT-REBOOT request on the wrong network) ----
const NAK = hex(
  '02', '01', '06', '00', '00003d1e', '0000', '8000',
  '00000000', '00000000', '00000000', '00000000', // all addresses 0 in a NAK
  CHADDR_HEX, z(64), z(128), COOKIE,
  '350106', // 53 NAK
  '3604', 'c0a80001', // 54 server identifier
  '380d', '77726f6e67206e6574776f726b', // 56 message "wrong network" (unknown)
  'ff', z(35), // End, Pad to 300
);
const NAK_VALUE: DhcpMessage = {
  ...BASE, op: 'boot-reply', xid: 0x3d1e, padLength: 35,
  options: [
    { type: 'message-type', messageType: 'nak' },
    { type: 'server-identifier', address: '192.168.0.1' },
    { type: 'unknown', code: 56, data: ascii('wrong network') },
  ],
};

// ---- DHCPRELEASE (new xid, secs 0, flags 0, ciaddr = released address) ----
const RELEASE = hex(
  '01', '01', '06', '00', '5a5a0001', '0000', '0000',
  'c0a8000a', '00000000', '00000000', '00000000', // ciaddr 192.168.0.10
  CHADDR_HEX, z(64), z(128), COOKIE,
  '350107', // 53 RELEASE
  '3d07', '01000b8201fc42', // 61 client identifier
  '3604', 'c0a80001', // 54 server identifier (MUST); no requested IP (MUST NOT)
  'ff', z(41), // End, Pad to 300
);
const RELEASE_VALUE: DhcpMessage = {
  ...BASE, xid: 0x5a5a0001, broadcast: false, ciaddr: '192.168.0.10', padLength: 41,
  options: [
    { type: 'message-type', messageType: 'release' },
    { type: 'client-identifier', ...CLIENT_ID },
    { type: 'server-identifier', address: '192.168.0.1' },
  ],
};

// ---- DHCPDECLINE (address found in use by ARP; ciaddr 0) ----
const DECLINE = hex(
  '01', '01', '06', '00', '5a5a0002', '0000', '0000',
  '00000000', '00000000', '00000000', '00000000',
  CHADDR_HEX, z(64), z(128), COOKIE,
  '350104', // 53 DECLINE
  '3d07', '01000b8201fc42', // 61 client identifier
  '3204', 'c0a8000a', // 50 requested IP = the declined address (MUST)
  '3604', 'c0a80001', // 54 server identifier (MUST)
  '380e', '6164647265737320696e20757365', // 56 message "address in use"
  'ff', z(19), // End, Pad to 300
);
const DECLINE_VALUE: DhcpMessage = {
  ...BASE, xid: 0x5a5a0002, broadcast: false, padLength: 19,
  options: [
    { type: 'message-type', messageType: 'decline' },
    { type: 'client-identifier', ...CLIENT_ID },
    { type: 'requested-ip-address', address: '192.168.0.10' },
    { type: 'server-identifier', address: '192.168.0.1' },
    { type: 'unknown', code: 56, data: ascii('address in use') },
  ],
};

const VECTORS: ReadonlyArray<readonly [string, Uint8Array, DhcpMessage, number]> = [
  ['DISCOVER', DISCOVER, DISCOVER_VALUE, 300],
  ['OFFER (dnsmasq layout)', OFFER, OFFER_VALUE, 300],
  ['REQUEST', REQUEST, REQUEST_VALUE, 300],
  ['ACK (unpadded)', ACK, ACK_VALUE, 294],
  ['NAK', NAK, NAK_VALUE, 300],
  ['RELEASE', RELEASE, RELEASE_VALUE, 300],
  ['DECLINE', DECLINE, DECLINE_VALUE, 300],
];

describe('DHCPv4 vectors', () => {
  for (const [name, bytes, value, length] of VECTORS) {
    it(`${name}: decodes field by field, re-encodes byte-equal, rejects truncation`, () => {
      assert.equal(bytes.length, length);
      const r = decodeDhcpMessage(bytes);
      if (!r.ok) assert.fail(JSON.stringify(r.error));
      assert.equal(r.consumed, length);
      for (const k of Object.keys(value) as (keyof DhcpMessage)[]) {
        assert.deepStrictEqual(r.value[k], value[k], `${name}.${k}`);
      }
      assert.deepStrictEqual(r.value, value);
      assert.equal(toHex(encodeToBytes(dhcpMessageCodec, value)), toHex(bytes));
      checkRoundTrip(dhcpMessageCodec, value);
      // Every prefix that cuts before End fails; cuts inside the padding are undetectable.
      checkTruncations(dhcpMessageCodec, bytes.subarray(0, length - value.padLength));
      if (value.padLength > 0) {
        const short = decodeDhcpMessage(bytes, 0, length - 1);
        assert.ok(short.ok && short.value.padLength === value.padLength - 1);
      }
    });
  }

  it('getters read the OFFER', () => {
    assert.equal(dhcpMessageType(OFFER_VALUE), 'offer');
    assert.equal(dhcpOption(OFFER_VALUE, 'lease-time')?.leaseTimeSeconds, 43200);
    assert.equal(dhcpOption(OFFER_VALUE, 'server-identifier')?.address, '192.168.0.1');
    assert.deepStrictEqual(dhcpOption(ACK_VALUE, 'routers')?.addresses,
      ['192.168.0.1', '192.168.0.2']);
    assert.deepStrictEqual(dhcpUnknownOption(OFFER_VALUE, 15), ascii('lan'));
    assert.equal(dhcpUnknownOption(OFFER_VALUE, 16), undefined);
    assert.equal(dhcpOption(OFFER_VALUE, 'client-identifier'), undefined);
    assert.equal(dhcpMessageType({ options: [] }), undefined);
  });
});

/** `bytes` with b[i] set to v. */
const patched = (bytes: Uint8Array, at: number, ...v: number[]): Uint8Array => {
  const b = bytes.slice();
  b.set(v, at);
  return b;
};
/** A minimal message (fixed header, cookie) followed by `optionsHex`. */
const withOptions = (optionsHex: string): Uint8Array =>
  hex('02010600', '00000001', '00000000', z(16), CHADDR_HEX, z(192), COOKIE, optionsHex);
const expectError = (b: Uint8Array, kind: string, offset: number, what: RegExp,
  start = 0, end = b.length): void => {
  const r = decodeDhcpMessage(b, start, end);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.error.kind, kind);
  assert.equal(r.error.offset, offset);
  assert.match(r.error.what, what);
};

describe('DHCPv4 decode: malformed input', () => {
  it('fixed header shorter than 236 bytes', () => {
    expectError(DISCOVER.subarray(0, 235), 'truncated', 0, /BOOTP fixed header/);
  });
  it('missing magic cookie names its offset', () => {
    expectError(DISCOVER.subarray(0, 236), 'truncated', 236, /magic cookie/);
    expectError(DISCOVER.subarray(0, 238), 'truncated', 236, /magic cookie/);
  });
  it('wrong magic cookie names its offset and value', () => {
    expectError(patched(DISCOVER, 239, 0x64), 'bad-value', 236,
      /magic cookie 99\.130\.83\.100/);
  });
  it('error offsets are absolute when decoding inside a larger buffer', () => {
    const big = new Uint8Array(400).fill(0xee);
    big.set(patched(DISCOVER, 236, 0), 50);
    expectError(big, 'bad-value', 286, /magic cookie/, 50, 350);
  });
  it('op other than 1 or 2', () => {
    expectError(patched(DISCOVER, 0, 3), 'bad-value', 0, /op 3/);
    expectError(patched(DISCOVER, 0, 0), 'bad-value', 0, /op 0/);
  });
  it('hlen larger than the chaddr field', () => {
    expectError(patched(DISCOVER, 2, 17), 'bad-value', 2, /hlen 17/);
  });
  it('missing End option', () => {
    expectError(withOptions('350105'), 'truncated', 243, /End option/);
    expectError(withOptions(''), 'truncated', 240, /End option/);
    expectError(withOptions('350105000000'), 'truncated', 246, /End option/);
  });
  it('option length or data running past the end', () => {
    expectError(withOptions('35'), 'truncated', 241, /option 53 length/);
    expectError(withOptions('3304000e'), 'truncated', 242, /option 51 data/);
  });
  it('typed options with RFC 2132-invalid lengths are bad-length at the length byte', () => {
    expectError(withOptions('0103ffffffff'), 'bad-length', 241, /subnet-mask.*length 3/);
    expectError(withOptions('0306c0a80001c0a8ff'), 'bad-length', 241, /routers.*length 6/);
    expectError(withOptions('0300ff'), 'bad-length', 241, /routers.*length 0/);
    expectError(withOptions('0605c0a8000101ff'), 'bad-length', 241, /dns-servers/);
    expectError(withOptions('35020501ff'), 'bad-length', 241, /message-type.*length 2/);
    expectError(withOptions('3d0101ff'), 'bad-length', 241, /client-identifier/);
    expectError(withOptions('0c00ff'), 'bad-length', 241, /host-name/);
    expectError(withOptions('3700ff'), 'bad-length', 241, /parameter-request-list/);
    expectError(withOptions('3a020000ff'), 'bad-length', 241, /renewal-time/);
  });
});

describe('DHCPv4 decode: what is kept and what is not', () => {
  it('the smallest message: header, cookie, End', () => {
    const r = decodeDhcpMessage(withOptions('ff'));
    assert.ok(r.ok);
    assert.equal(r.value.options.length, 0);
    assert.equal(r.value.padLength, 0);
    assert.equal(r.value.op, 'boot-reply');
  });
  it('unknown message types stay numbers (9 = FORCERENEW, RFC 3203)', () => {
    const r = decodeDhcpMessage(withOptions('350109ff'));
    assert.ok(r.ok);
    assert.equal(dhcpMessageType(r.value), 9);
    checkRoundTrip(dhcpMessageCodec, r.value);
  });
  it('Pad bytes between options are skipped (and not re-encoded)', () => {
    const r = decodeDhcpMessage(withOptions('00350105000000' + '0104ffffff00' + '00ff'));
    assert.ok(r.ok);
    assert.deepStrictEqual(r.value.options, [
      { type: 'message-type', messageType: 'ack' },
      { type: 'subnet-mask', address: '255.255.255.0' },
    ]);
    assert.equal(toHex(encodeToBytes(dhcpMessageCodec, r.value)),
      toHex(withOptions('350105' + '0104ffffff00' + 'ff')));
  });
  it('bytes after End are counted whatever they are, and re-encoded as zeros', () => {
    const r = decodeDhcpMessage(withOptions('350105ff' + 'deadbeef'));
    assert.ok(r.ok);
    assert.equal(r.value.padLength, 4);
    assert.equal(toHex(encodeToBytes(dhcpMessageCodec, r.value)),
      toHex(withOptions('350105ff' + '00000000')));
  });
  it('Option Overload (52) is an unknown option; sname/file stay opaque bytes', () => {
    const b = patched(withOptions('340103' + '350102' + 'ff'), 44, 0x35, 0x01, 0x05, 0xff);
    const r = decodeDhcpMessage(b);
    assert.ok(r.ok);
    assert.deepStrictEqual(r.value.options[0], { type: 'unknown', code: 52, data: hex('03') });
    assert.equal(dhcpMessageType(r.value), 'offer');
    assert.deepStrictEqual(r.value.sname, hex('350105ff'));
  });
  it('repeated options stay separate entries in order (RFC 3396 not joined)', () => {
    const r = decodeDhcpMessage(withOptions('0f026162' + '0f0163' + 'ff'));
    assert.ok(r.ok);
    assert.deepStrictEqual(r.value.options, [
      { type: 'unknown', code: 15, data: ascii('ab') },
      { type: 'unknown', code: 15, data: ascii('c') },
    ]);
    assert.deepStrictEqual(dhcpUnknownOption(r.value, 15), ascii('ab'));
  });
  it('chaddr keeps hlen bytes; the rest of the field is kept, trailing zeros removed', () => {
    const b = patched(withOptions('ff'), 28, 1, 2, 3, 4, 5, 6, 0, 0, 7);
    const six = decodeDhcpMessage(patched(b, 2, 6));
    assert.ok(six.ok);
    assert.deepStrictEqual(six.value.chaddr, hex('010203040506'));
    assert.deepStrictEqual(six.value.chaddrPadding, hex('000007'));
    const none = decodeDhcpMessage(patched(b, 2, 0));
    assert.ok(none.ok);
    assert.deepStrictEqual(none.value.chaddr, empty);
    assert.deepStrictEqual(none.value.chaddrPadding, hex('010203040506000007'));
    const sixteen = decodeDhcpMessage(patched(b, 2, 16));
    assert.ok(sixteen.ok);
    assert.equal(sixteen.value.chaddr.length, 16);
    for (const r of [six, none, sixteen]) checkRoundTrip(dhcpMessageCodec, r.value);
  });
  it('flags: broadcast bit and reserved bits are kept apart', () => {
    const r = decodeDhcpMessage(patched(withOptions('ff'), 10, 0x80, 0x01));
    assert.ok(r.ok);
    assert.equal(r.value.broadcast, true);
    assert.equal(r.value.flagsReserved, 1);
    checkRoundTrip(dhcpMessageCodec, r.value);
  });
  it('host name bytes round-trip as latin1 text, NUL and 0xff included', () => {
    const r = decodeDhcpMessage(withOptions('0c0461e900ff' + 'ff'));
    assert.ok(r.ok);
    assert.deepStrictEqual(r.value.options, [{ type: 'host-name', hostName: 'a\u00e9\0\u00ff' }]);
    checkRoundTrip(dhcpMessageCodec, r.value);
  });
  it('decoded byte fields are copies of the input', () => {
    const b = DISCOVER.slice();
    const r = decodeDhcpMessage(b);
    assert.ok(r.ok);
    b.fill(0x11);
    assert.deepStrictEqual(r.value.chaddr, MAC);
  });
});

const msg = (over: Partial<DhcpMessage>): DhcpMessage => ({ ...BASE, ...over });
const throwsEncode = (m: DhcpMessage, what: RegExp): void => {
  assert.throws(() => encodedLengthDhcpMessage(m), (e: unknown) =>
    e instanceof EncodeError && what.test(e.message));
  assert.throws(() => dhcpMessageCodec.encode(m, new Uint8Array(2000), 0), EncodeError);
};
const withOption = (o: DhcpOption): DhcpMessage => msg({ options: [o] });

describe('DHCPv4 encode: invalid values throw EncodeError', () => {
  it('header fields', () => {
    throwsEncode(msg({ xid: 2 ** 32 }), /xid/);
    throwsEncode(msg({ secs: -1 }), /secs/);
    throwsEncode(msg({ flagsReserved: 0x8000 }), /flagsReserved/);
    throwsEncode(msg({ ciaddr: '10.0.0' }), /ciaddr/);
    throwsEncode(msg({ giaddr: '::1' }), /giaddr/);
    throwsEncode(msg({ chaddr: new Uint8Array(17) }), /chaddr/);
    throwsEncode(msg({ chaddrPadding: hex('01'.repeat(11)) }), /chaddrPadding/);
    throwsEncode(msg({ sname: hex('6100') }), /sname must not end in a zero/);
    throwsEncode(msg({ file: new Uint8Array(129).fill(1) }), /file/);
    throwsEncode(msg({ padLength: -1 }), /padLength/);
    throwsEncode({ ...BASE, op: 'boot' as 'boot-reply' }, /op/);
    throwsEncode({ ...BASE, op: 'toString' as 'boot-reply' }, /op toString/);
  });
  it('options', () => {
    const many = Array.from({ length: 64 }, (_, i) => `10.0.0.${i}`);
    throwsEncode(withOption({ type: 'routers', addresses: many }), /routers.*256/);
    throwsEncode(withOption({ type: 'dns-servers', addresses: [] }), /dns-servers/);
    throwsEncode(withOption({ type: 'subnet-mask', address: '255.255.255' }), /subnet-mask/);
    throwsEncode(withOption({ type: 'message-type', messageType: 5 }), /'ack'/);
    throwsEncode(withOption({ type: 'message-type', messageType: 256 }), /message type/);
    throwsEncode(withOption({ type: 'lease-time', leaseTimeSeconds: 1.5 }), /lease-time/);
    throwsEncode(withOption({ type: 'host-name', hostName: '' }), /host-name/);
    throwsEncode(withOption({ type: 'host-name', hostName: 'a\u20ac' }), /latin1/);
    throwsEncode(withOption({ type: 'parameter-request-list', codes: [300] }), /code/);
    throwsEncode(withOption({ type: 'client-identifier', identifierType: 1,
      identifier: empty }), /client-identifier/);
    throwsEncode(withOption({ type: 'unknown', code: 3, data: empty }), /code 3/);
    throwsEncode(withOption({ type: 'unknown', code: 0, data: empty }), /code 0/);
    throwsEncode(withOption({ type: 'unknown', code: 255, data: empty }), /code/);
    throwsEncode(withOption({ type: 'unknown', code: 43, data: new Uint8Array(256) }),
      /RFC 3396/);
  });
  it('no room', () => {
    assert.throws(() => dhcpMessageCodec.encode(BASE, new Uint8Array(240), 0), EncodeError);
    assert.throws(() => dhcpMessageCodec.encode(BASE, new Uint8Array(300), 60), EncodeError);
  });
  it('infinite lease (0xffffffff) and maximal lists encode', () => {
    const many = Array.from({ length: 63 }, (_, i) => `10.0.0.${i}`);
    checkRoundTrip(dhcpMessageCodec, msg({ options: [
      { type: 'lease-time', leaseTimeSeconds: 0xffffffff },
      { type: 'dns-servers', addresses: many },
    ] }));
  });
});

const ID = { xid: 0x3d1d, chaddr: MAC, clientIdentifier: CLIENT_ID };
const has = (m: DhcpMessage, t: DhcpOption['type']): boolean => dhcpOption(m, t) !== undefined;

describe('DHCPv4 client builders (RFC 2131 §4.4, Tables 4 and 5)', () => {
  it('buildDiscover gives the DISCOVER vector', () => {
    const m = buildDiscover({ ...ID, broadcast: true, requestedAddress: '192.168.0.10',
      hostName: 'mn1', parameterRequestList: PRL });
    assert.deepStrictEqual(m, DISCOVER_VALUE);
    assert.equal(toHex(encodeToBytes(dhcpMessageCodec, m)), toHex(DISCOVER));
  });
  it('buildRequest (SELECTING) gives the REQUEST vector', () => {
    const m = buildRequest({ ...ID, state: 'selecting', broadcast: true,
      requestedAddress: '192.168.0.10', serverIdentifier: '192.168.0.1', hostName: 'mn1',
      parameterRequestList: PRL });
    assert.deepStrictEqual(m, REQUEST_VALUE);
    assert.equal(toHex(encodeToBytes(dhcpMessageCodec, m)), toHex(REQUEST));
  });
  it('buildRelease and buildDecline give their vectors', () => {
    const release = buildRelease({ ...ID, xid: 0x5a5a0001, clientAddress: '192.168.0.10',
      serverIdentifier: '192.168.0.1' });
    assert.deepStrictEqual(release, RELEASE_VALUE);
    assert.equal(toHex(encodeToBytes(dhcpMessageCodec, release)), toHex(RELEASE));
    const decline = buildDecline({ ...ID, xid: 0x5a5a0002, requestedAddress: '192.168.0.10',
      serverIdentifier: '192.168.0.1', message: 'address in use' });
    assert.deepStrictEqual(decline, DECLINE_VALUE);
    assert.equal(toHex(encodeToBytes(dhcpMessageCodec, decline)), toHex(DECLINE));
  });
  it('DHCPREQUEST per state follows Table 4 (server-ip, requested-ip, ciaddr)', () => {
    const cases: ReadonlyArray<readonly [DhcpRequestParams, boolean, boolean, string]> = [
      [{ ...ID, state: 'init-reboot', requestedAddress: '192.168.0.10' },
        false, true, '0.0.0.0'],
      [{ ...ID, state: 'selecting', requestedAddress: '192.168.0.10',
        serverIdentifier: '192.168.0.1' }, true, true, '0.0.0.0'],
      [{ ...ID, state: 'renewing', clientAddress: '192.168.0.10' },
        false, false, '192.168.0.10'],
      [{ ...ID, state: 'rebinding', clientAddress: '192.168.0.10' },
        false, false, '192.168.0.10'],
    ];
    for (const [p, serverId, requested, ciaddr] of cases) {
      const m = buildRequest(p);
      assert.equal(dhcpMessageType(m), 'request', p.state);
      assert.equal(has(m, 'server-identifier'), serverId, `${p.state} server-ip`);
      assert.equal(has(m, 'requested-ip-address'), requested, `${p.state} requested-ip`);
      assert.equal(m.ciaddr, ciaddr, `${p.state} ciaddr`);
      if (requested) {
        assert.equal(dhcpOption(m, 'requested-ip-address')?.address, '192.168.0.10');
      }
    }
  });
  it('common Table 5 fields: BOOTREQUEST, hops/yiaddr/siaddr/giaddr 0, 300 bytes', () => {
    const all = [
      buildDiscover({ ...ID }),
      buildRequest({ ...ID, state: 'renewing', clientAddress: '10.1.2.3', secs: 7 }),
      buildRelease({ ...ID, clientAddress: '10.1.2.3', serverIdentifier: '10.1.2.1' }),
      buildDecline({ ...ID, requestedAddress: '10.1.2.3', serverIdentifier: '10.1.2.1' }),
    ];
    for (const m of all) {
      assert.equal(m.op, 'boot-request');
      assert.equal(m.htype, 1);
      assert.equal(m.hops, 0);
      assert.equal(m.yiaddr, '0.0.0.0');
      assert.equal(m.siaddr, '0.0.0.0');
      assert.equal(m.giaddr, '0.0.0.0');
      assert.equal(m.chaddr.length, 6);
      assert.equal(m.options[0].type, 'message-type');
      assert.equal(encodedLengthDhcpMessage(m), BOOTP_MIN_LENGTH);
      checkRoundTrip(dhcpMessageCodec, m);
    }
    assert.equal(all[1].secs, 7);
  });
  it('DISCOVER has no server identifier and ciaddr 0; options only when asked', () => {
    const m = buildDiscover({ xid: 1, chaddr: MAC });
    assert.deepStrictEqual(m.options, [{ type: 'message-type', messageType: 'discover' }]);
    assert.equal(m.ciaddr, '0.0.0.0');
    assert.equal(m.broadcast, false);
    const leased = buildDiscover({ xid: 1, chaddr: MAC, leaseTimeSeconds: 600 });
    assert.equal(dhcpOption(leased, 'lease-time')?.leaseTimeSeconds, 600);
  });
  it('RELEASE and DECLINE: secs 0, flags 0, only the options Table 5 allows', () => {
    const release = buildRelease({ ...ID, clientAddress: '10.1.2.3',
      serverIdentifier: '10.1.2.1', message: 'bye' });
    assert.equal(release.ciaddr, '10.1.2.3');
    assert.equal(has(release, 'requested-ip-address'), false);
    assert.equal(dhcpOption(release, 'server-identifier')?.address, '10.1.2.1');
    assert.deepStrictEqual(dhcpUnknownOption(release, 56), ascii('bye'));
    const decline = buildDecline({ xid: 9, chaddr: MAC, requestedAddress: '10.1.2.3',
      serverIdentifier: '10.1.2.1' });
    assert.equal(decline.ciaddr, '0.0.0.0');
    assert.equal(dhcpOption(decline, 'requested-ip-address')?.address, '10.1.2.3');
    assert.equal(has(decline, 'client-identifier'), false);
    for (const m of [release, decline]) {
      assert.equal(m.secs, 0);
      assert.equal(m.broadcast, false);
      for (const t of ['lease-time', 'parameter-request-list', 'host-name'] as const) {
        assert.equal(has(m, t), false, t);
      }
    }
  });
  it('extra options go last; options the builder owns are refused', () => {
    const maxSize: DhcpOption = { type: 'unknown', code: 57, data: hex('05dc') };
    const m = buildDiscover({ ...ID, parameterRequestList: [1], extraOptions: [maxSize] });
    assert.deepStrictEqual(m.options.at(-1), maxSize);
    assert.throws(() => buildDiscover({ ...ID, extraOptions: [
      { type: 'server-identifier', address: '10.0.0.1' }] }), EncodeError);
    assert.throws(() => buildRequest({ ...ID, state: 'renewing', clientAddress: '0.0.0.0' }),
      EncodeError);
    assert.throws(() => buildDiscover({ xid: 1, chaddr: MAC, requestedAddress: 'x' }),
      EncodeError);
  });
  it('a message already longer than 300 bytes gets no padding', () => {
    const m = buildDiscover({ ...ID, hostName: 'h'.repeat(200) });
    assert.equal(m.padLength, 0);
    assert.ok(encodedLengthDhcpMessage(m) > BOOTP_MIN_LENGTH);
  });
});

describe('DHCPv4 properties', () => {
  it('decode(encode(x)) = x for generated messages', () => {
    fc.assert(fc.property(arbDhcpMessage, (m) => { checkRoundTrip(dhcpMessageCodec, m); }),
      { numRuns: RUNS });
  });
  it('decode(encode(x)) = x for builder output', () => {
    fc.assert(fc.property(arbBuiltDhcpMessage, (m) => {
      checkRoundTrip(dhcpMessageCodec, m);
      assert.ok(encodedLengthDhcpMessage(m) >= BOOTP_MIN_LENGTH);
    }), { numRuns: RUNS });
  });
  it('random bytes never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      decodeNoThrow(dhcpMessageCodec, b);
    }), { numRuns: RUNS });
  });
  it('valid header + option-shaped random tail never throws; what decodes re-encodes', () => {
    // code/length/data chunks with random codes and lengths, then maybe End, then junk:
    // about 40% decode, the rest hit every length rule and truncation.
    const arbTail = fc.tuple(
      fc.array(fc.tuple(fc.nat(255), fc.uint8Array({ maxLength: 12 })), { maxLength: 8 }),
      fc.boolean(), fc.uint8Array({ maxLength: 8 }),
    ).map(([chunks, end, junk]) => Uint8Array.from([
      ...chunks.flatMap(([code, data]) => [code, data.length, ...data]),
      ...(end ? [255] : []), ...junk]));
    const head = withOptions('');
    let decoded = 0;
    fc.assert(fc.property(arbTail, (tail) => {
      const b = new Uint8Array(head.length + tail.length);
      b.set(head);
      b.set(tail, head.length);
      const r = decodeNoThrow(dhcpMessageCodec, b);
      if (r.ok) {
        decoded++;
        checkRoundTrip(dhcpMessageCodec, r.value);
      }
    }), { numRuns: RUNS });
    assert.ok(decoded > RUNS / 10, `only ${decoded} of ${RUNS} decoded`);
  });
  it('mutated valid encodings never throw; what decodes re-encodes', () => {
    const arb = fc.tuple(arbDhcpMessage, fc.array(fc.tuple(fc.nat(), fc.nat(255)),
      { minLength: 1, maxLength: 6 }));
    fc.assert(fc.property(arb, ([m, flips]) => {
      const b = encodeToBytes(dhcpMessageCodec, m);
      for (const [i, v] of flips) b[i % b.length] = v;
      const r = decodeNoThrow(dhcpMessageCodec, b);
      if (r.ok) checkRoundTrip(dhcpMessageCodec, r.value);
    }), { numRuns: RUNS });
  });
  it('every strict prefix up to End of a generated message fails to decode', () => {
    fc.assert(fc.property(arbDhcpMessage, (m) => {
      checkTruncations(dhcpMessageCodec, encodeToBytes(dhcpMessageCodec,
        { ...m, padLength: 0 }));
    }), { numRuns: 100 });
  });
});
