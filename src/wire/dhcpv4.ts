/**
 * DHCPv4 messages (RFC 2131 §2, Figure 1; BOOTP header of RFC 951) and the client-side
 * builders of RFC 2131 §4.4 (Table 5). Options are in dhcpv4-options.ts.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------+---------------+---------------+---------------+
 *   |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
 *   +---------------+---------------+---------------+---------------+
 *   |                            xid (4)                            |
 *   +-------------------------------+-------------------------------+
 *   |           secs (2)            |B|     flags: 15 bits MBZ      |
 *   +-------------------------------+-------------------------------+
 *   |  ciaddr (4)  |  yiaddr (4)  |  siaddr (4)  |  giaddr (4)      |
 *   +---------------------------------------------------------------+
 *   |  chaddr (16)  |  sname (64)  |  file (128)                    |
 *   +---------------------------------------------------------------+
 *   |  magic cookie 99.130.83.99 (4)  |  options ... End (255)  | pad |
 *   +---------------------------------------------------------------+
 *
 * Value rules that make decode(encode(x)) = x and encode(decode(b)) = b:
 * - `chaddr` is the first hlen bytes of the chaddr field (hlen > 16 is a `bad-value` error);
 *   `chaddrPadding` is the rest of the 16 bytes. `chaddrPadding`, `sname` and `file` are kept
 *   as bytes with trailing zero bytes removed (usually empty); encoders refill the zeros and
 *   reject values that end in a zero byte (they could not come back from decode).
 *   'sname'/'file' are never parsed for options (Option Overload is not supported).
 * - `padLength` counts the bytes after the End option. Decoders accept any bytes there and
 *   any message length from 241 bytes on (servers send shorter than 300); encoders write
 *   `padLength` zero bytes. Non-zero bytes after End therefore re-encode as zeros; nothing
 *   else is lost. Truncating a message inside that padding cannot be detected.
 * - Encoders do not pad by themselves. The builders call `withBootpPadding`, which pads to
 *   300 bytes (the BOOTP minimum, RFC 1542 §2.1) as ISC dhclient, busybox udhcpc and dnsmasq
 *   do; some relays and servers drop shorter messages.
 */
import { formatIpv4, IPV4_ANY, parseIpv4 } from './addr.js';
import { copyBytes, readU16, readU32, writeU16, writeU32 } from './bytes.js';
import {
  decodeDhcpOptionsArea, DHCP_OPTION_END, DHCP_OPTION_MESSAGE, encodeDhcpOption,
  encodedLengthDhcpOption, latin1Bytes, type DhcpMessageTypeName, type DhcpOption,
} from './dhcpv4-options.js';
import {
  checkRoom, checkUint, encodeCheck, fail, needBytes, ok, type WireResult,
} from './result.js';

export * from './dhcpv4-options.js';

/** Byte offsets in the message (RFC 2131 Figure 1). */
const OFF = {
  op: 0, htype: 1, hlen: 2, hops: 3, xid: 4, secs: 8, flags: 10, ciaddr: 12, yiaddr: 16,
  siaddr: 20, giaddr: 24, chaddr: 28, sname: 44, file: 108, cookie: 236, options: 240,
} as const;
const CHADDR_LENGTH = 16;
const SNAME_LENGTH = 64;
const FILE_LENGTH = 128;
const FLAG_BROADCAST = 0x8000;
const MAGIC_COOKIE = [99, 130, 83, 99] as const;

/** RFC 951 fixed header: op through file. */
export const BOOTP_FIXED_LENGTH = 236;
/** The smallest BOOTP message (RFC 951 with its 64-byte vend field; RFC 1542 §2.1). */
export const BOOTP_MIN_LENGTH = 300;
/** The smallest DHCP message this codec accepts: fixed header, cookie, End. */
export const DHCP_MIN_LENGTH = OFF.options + 1;
export const HTYPE_ETHERNET = 1;
export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;

export type BootpOp = 'boot-request' | 'boot-reply';
const OP_NUMBER: Readonly<Record<BootpOp, number>> = { 'boot-request': 1, 'boot-reply': 2 };

export interface DhcpMessage {
  readonly op: BootpOp;
  readonly htype: number; // ARP hardware type (1 = Ethernet)
  readonly hops: number;
  readonly xid: number;
  readonly secs: number; // seconds since the client began acquisition or renewal
  readonly broadcast: boolean; // the BROADCAST flag bit
  readonly flagsReserved: number; // the other 15 flag bits (MUST be zero; kept)
  readonly ciaddr: string;
  readonly yiaddr: string;
  readonly siaddr: string;
  readonly giaddr: string;
  readonly chaddr: Uint8Array; // first hlen bytes of 'chaddr' (hlen = its length, <= 16)
  readonly chaddrPadding: Uint8Array; // rest of 'chaddr', trailing zeros removed
  readonly sname: Uint8Array; // server host name, trailing zeros removed
  readonly file: Uint8Array; // boot file name, trailing zeros removed
  readonly options: readonly DhcpOption[]; // wire order; Pad and End are implied
  readonly padLength: number; // bytes after the End option, encoded as zeros
}

function trimmedField(b: Uint8Array, start: number, length: number): Uint8Array {
  let last = start + length;
  while (last > start && b[last - 1] === 0) last--;
  return copyBytes(b, start, last);
}

/** Decodes a DHCP message that fills b[offset, end) (a UDP payload). Never throws. */
export function decodeDhcpMessage(
  b: Uint8Array, offset = 0, end = b.length,
): WireResult<DhcpMessage> {
  end = Math.min(end, b.length);
  const short = needBytes(end, offset, BOOTP_FIXED_LENGTH, 'BOOTP fixed header (op..file)');
  if (short) return short;
  const opNumber = b[offset + OFF.op];
  const op: BootpOp | undefined = opNumber === 1 ? 'boot-request'
    : opNumber === 2 ? 'boot-reply' : undefined;
  if (!op) return fail('bad-value', offset, `BOOTP op ${opNumber} (want 1 or 2)`);
  const hlen = b[offset + OFF.hlen];
  if (hlen > CHADDR_LENGTH) {
    return fail('bad-value', offset + OFF.hlen, `BOOTP hlen ${hlen} exceeds the chaddr field`);
  }
  const c = offset + OFF.cookie;
  const noCookie = needBytes(end, c, 4, 'DHCP magic cookie');
  if (noCookie) return noCookie;
  if (MAGIC_COOKIE.some((v, i) => b[c + i] !== v)) {
    return fail('bad-value', c, `DHCP magic cookie ${formatIpv4(b, c)} (want 99.130.83.99)`);
  }
  const area = decodeDhcpOptionsArea(b, offset + OFF.options, end);
  if (!area.ok) return area;
  const flags = readU16(b, offset + OFF.flags);
  const chaddr = offset + OFF.chaddr;
  return ok({
    op,
    htype: b[offset + OFF.htype],
    hops: b[offset + OFF.hops],
    xid: readU32(b, offset + OFF.xid),
    secs: readU16(b, offset + OFF.secs),
    broadcast: (flags & FLAG_BROADCAST) !== 0,
    flagsReserved: flags & 0x7fff,
    ciaddr: formatIpv4(b, offset + OFF.ciaddr),
    yiaddr: formatIpv4(b, offset + OFF.yiaddr),
    siaddr: formatIpv4(b, offset + OFF.siaddr),
    giaddr: formatIpv4(b, offset + OFF.giaddr),
    chaddr: copyBytes(b, chaddr, chaddr + hlen),
    chaddrPadding: trimmedField(b, chaddr + hlen, CHADDR_LENGTH - hlen),
    sname: trimmedField(b, offset + OFF.sname, SNAME_LENGTH),
    file: trimmedField(b, offset + OFF.file, FILE_LENGTH),
    options: area.value.options,
    padLength: end - area.value.afterEnd,
  }, end - offset);
}

function checkTrimmed(bytes: Uint8Array, max: number, field: string): void {
  encodeCheck(bytes.length <= max, `${field}: ${bytes.length} bytes exceed ${max}`);
  encodeCheck(bytes.length === 0 || bytes[bytes.length - 1] !== 0,
    `${field} must not end in a zero byte (trailing zeros are implied)`);
}

function writeAddress(out: Uint8Array, off: number, text: string): void {
  out.set(parseIpv4(text) ?? [], off); // checked by checkHeader
}

/** Validates the header fields; throws EncodeError naming the first invalid one. */
function checkHeader(m: DhcpMessage): void {
  encodeCheck(m.op === 'boot-request' || m.op === 'boot-reply', `BOOTP op ${String(m.op)}`);
  checkUint(m.htype, 255, 'htype');
  checkUint(m.hops, 255, 'hops');
  checkUint(m.xid, 0xffffffff, 'xid');
  checkUint(m.secs, 0xffff, 'secs');
  checkUint(m.flagsReserved, 0x7fff, 'flagsReserved');
  for (const f of ['ciaddr', 'yiaddr', 'siaddr', 'giaddr'] as const) {
    encodeCheck(parseIpv4(m[f]) !== undefined, `${f}: not an IPv4 address: ${String(m[f])}`);
  }
  encodeCheck(m.chaddr.length <= CHADDR_LENGTH, `chaddr: ${m.chaddr.length} bytes exceed 16`);
  checkTrimmed(m.chaddrPadding, CHADDR_LENGTH - m.chaddr.length, 'chaddrPadding');
  checkTrimmed(m.sname, SNAME_LENGTH, 'sname');
  checkTrimmed(m.file, FILE_LENGTH, 'file');
  checkUint(m.padLength, 0xffff, 'padLength');
}

export function encodedLengthDhcpMessage(m: DhcpMessage): number {
  checkHeader(m);
  let n = OFF.options + 1 + m.padLength;
  for (const o of m.options) n += encodedLengthDhcpOption(o);
  return n;
}

export function encodeDhcpMessage(m: DhcpMessage, out: Uint8Array, offset: number): number {
  const n = encodedLengthDhcpMessage(m);
  checkRoom(out, offset, n, 'DHCP message');
  out.fill(0, offset, offset + n);
  out[offset + OFF.op] = OP_NUMBER[m.op];
  out[offset + OFF.htype] = m.htype;
  out[offset + OFF.hlen] = m.chaddr.length;
  out[offset + OFF.hops] = m.hops;
  writeU32(out, offset + OFF.xid, m.xid);
  writeU16(out, offset + OFF.secs, m.secs);
  writeU16(out, offset + OFF.flags, (m.broadcast ? FLAG_BROADCAST : 0) | m.flagsReserved);
  writeAddress(out, offset + OFF.ciaddr, m.ciaddr);
  writeAddress(out, offset + OFF.yiaddr, m.yiaddr);
  writeAddress(out, offset + OFF.siaddr, m.siaddr);
  writeAddress(out, offset + OFF.giaddr, m.giaddr);
  out.set(m.chaddr, offset + OFF.chaddr);
  out.set(m.chaddrPadding, offset + OFF.chaddr + m.chaddr.length);
  out.set(m.sname, offset + OFF.sname);
  out.set(m.file, offset + OFF.file);
  out.set(MAGIC_COOKIE, offset + OFF.cookie);
  let p = offset + OFF.options;
  for (const o of m.options) p += encodeDhcpOption(o, out, p);
  out[p] = DHCP_OPTION_END;
  return n;
}

export const dhcpMessageCodec = {
  name: 'dhcpv4-message',
  encodedLength: encodedLengthDhcpMessage,
  encode: encodeDhcpMessage,
  decode: decodeDhcpMessage,
};
