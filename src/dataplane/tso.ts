/**
 * What a TUN with offloads (IFF_VNET_HDR, TUNSETOFFLOAD CSUM | TSO4 | TSO6) reads, turned back
 * into plain IP packets (the userspace half of GSO, as wireguard-go does it):
 * - every read starts with a struct virtio_net_hdr (10 octets, little-endian fields);
 * - VIRTIO_NET_HDR_F_NEEDS_CSUM: the checksum at csum_start + csum_offset holds only the
 *   pseudo-header sum; the sum over [csum_start, end) completes it (RFC 1071, as the kernel's
 *   skb_checksum_help does);
 * - GSO TCPV4 / TCPV6: one TCP "super-packet" of up to 64 KB is cut into segments of gso_size
 *   payload octets, each with the headers copied, IPv4 total length, identification (+i) and
 *   header checksum, or IPv6 payload length, TCP sequence number (+i * gso_size), FIN/PSH on
 *   the last segment only, CWR on the first only, and its own full TCP checksum.
 * Segments are never larger than headers + gso_size, which the kernel derived from the route's
 * MTU, so a segment is never larger than a packet the TUN's MTU would have let through.
 * Malformed headers (hostile or not) give 0 packets: the caller drops and counts.
 */
import { finishChecksum, sumWords } from '../wire/checksum.js';

export const VNET_HDR_LEN = 10;
const F_NEEDS_CSUM = 1;
const GSO_TCPV4 = 1;
const GSO_TCPV6 = 4;
const GSO_ECN = 0x80;
const TCP_FIN = 0x01;
const TCP_PSH = 0x08;
const TCP_CWR = 0x80;

/** A 32-bit view of the last buffer summed (segments land in one long-lived buffer). */
let wordsOf: ArrayBufferLike | undefined;
let words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/**
 * sumWords(b, start, end, sum) (big-endian 16-bit words, unfolded), 32 bits at a time when
 * b[start] is 2- or 4-aligned in its buffer (a first 16-bit word is summed alone to reach a
 * 4-aligned start): the ones' complement sum does not depend on byte order (RFC 1071 §2(B)),
 * so little-endian 32-bit words are added, folded to 16 bits and swapped.
 */
export function sumWordsFast(b: Uint8Array, start: number, end: number, sum = 0): number {
  if (((b.byteOffset + start) & 3) === 2 && end - start >= 2) {
    sum = sumWords(b, start, start + 2, sum);
    start += 2;
  }
  const abs = b.byteOffset + start;
  const n = (end - start) >> 2;
  if ((abs & 3) !== 0 || n < 8) return sumWords(b, start, end, sum);
  if (wordsOf !== b.buffer) {
    wordsOf = b.buffer;
    words = new Uint32Array(b.buffer, 0, b.buffer.byteLength >> 2);
  }
  let s = 0;
  const first = abs >> 2;
  for (let i = first; i < first + n; i++) s += words[i];
  let f = (s % 0x10000) + Math.floor(s / 0x10000);
  f = (f & 0xffff) + (f >>> 16);
  f = (f & 0xffff) + (f >>> 16);
  const swapped = ((f & 0xff) << 8) | (f >> 8);
  return sumWords(b, start + n * 4, end, sum + swapped);
}

/** The fields of a virtio_net_hdr at b[off]. */
export interface VnetHeader {
  flags: number;
  gsoType: number;
  hdrLen: number;
  gsoSize: number;
  csumStart: number;
  csumOffset: number;
}

export function newVnetHeader(): VnetHeader {
  return { flags: 0, gsoType: 0, hdrLen: 0, gsoSize: 0, csumStart: 0, csumOffset: 0 };
}

const u16le = (b: Uint8Array, at: number): number => b[at] | (b[at + 1] << 8);

/** Reads the header at b[off] into `h` (no allocation). */
export function readVnetHeader(b: Uint8Array, off: number, h: VnetHeader): void {
  h.flags = b[off];
  h.gsoType = b[off + 1] & ~GSO_ECN;
  h.hdrLen = u16le(b, off + 2);
  h.gsoSize = u16le(b, off + 4);
  h.csumStart = u16le(b, off + 6);
  h.csumOffset = u16le(b, off + 8);
}

/** Writes `h` at b[off] (tests: TUN writes carry an all-zero header made by the addon). */
export function writeVnetHeader(h: VnetHeader, b: Uint8Array, off: number): void {
  const put = (at: number, v: number): void => { b[at] = v & 0xff; b[at + 1] = v >> 8; };
  b[off] = h.flags;
  b[off + 1] = h.gsoType;
  put(off + 2, h.hdrLen);
  put(off + 4, h.gsoSize);
  put(off + 6, h.csumStart);
  put(off + 8, h.csumOffset);
}

/**
 * The plain packet p[off, off+len) with a NEEDS_CSUM header: writes the full checksum. The
 * partial value at the field is the folded pseudo-header sum, so summing the whole range with it
 * in place gives the final checksum. A result of 0 is written as 0xffff, as the kernel's
 * skb_checksum_help does: the same value in one's complement for TCP and ICMPv6, and the only
 * form UDP allows (0 means "no checksum" over IPv4 and is invalid over IPv6, RFC 768, RFC 8200
 * §8.1), where the field's protocol is not known here.
 */
export function finishPartialChecksum(p: Uint8Array, off: number, len: number, h: VnetHeader): boolean {
  const at = h.csumStart + h.csumOffset;
  if (h.csumStart >= len || at + 2 > len) return false;
  const sum = finishChecksum(sumWordsFast(p, off + h.csumStart, off + len)) || 0xffff;
  p[off + at] = sum >> 8;
  p[off + at + 1] = sum & 0xff;
  return true;
}

export function needsChecksum(h: VnetHeader): boolean {
  return (h.flags & F_NEEDS_CSUM) !== 0;
}

export function isTcpSuperPacket(h: VnetHeader): boolean {
  return h.gsoType === GSO_TCPV4 || h.gsoType === GSO_TCPV6;
}

/**
 * Cuts the TCP super-packet p[off, off+len) into segments written at out[outOff + k * slot]
 * (k = 0, 1, ...), each at most `slot` octets, their lengths into lengths[first + k]. Writes at
 * most `max` segments. Returns how many, or 0 when the packet is malformed or a segment would not
 * fit its slot (the caller drops it).
 */
export function segmentTcp(
  p: Uint8Array, off: number, len: number, h: VnetHeader,
  out: Uint8Array, outOff: number, slot: number, lengths: Uint32Array, first: number, max: number,
): number {
  const v = p[off] >> 4;
  if (len < 20 || (v === 4) !== (h.gsoType === GSO_TCPV4) || (v !== 4 && v !== 6)) return 0;
  const tcp = h.csumStart;
  if (v === 4 && (tcp < 20 || tcp !== (p[off] & 0x0f) * 4)) return 0;
  if (v === 6 && tcp < 40) return 0;
  if (tcp + 20 > len) return 0;
  const hdr = tcp + (p[off + tcp + 12] >> 4) * 4;
  const mss = h.gsoSize;
  if (hdr > len || hdr < tcp + 20 || mss < 1 || hdr + Math.min(mss, len - hdr) > slot) return 0;
  const payload = len - hdr;
  const count = Math.max(1, Math.ceil(payload / mss));
  if (count > max) return 0;
  const s = off + tcp + 4;
  const seq0 = ((p[s] << 24) >>> 0) + ((p[s + 1] << 16) | (p[s + 2] << 8) | p[s + 3]);
  const id0 = v === 4 ? (p[off + 4] << 8) | p[off + 5] : 0;
  const flags = p[off + tcp + 13];
  for (let k = 0; k < count; k++) {
    const at = outOff + k * slot;
    const from = hdr + k * mss;
    const size = Math.min(mss, payload - k * mss);
    const total = hdr + size;
    for (let i = 0; i < hdr; i++) out[at + i] = p[off + i];
    out.set(p.subarray(off + from, off + from + size), at + hdr);
    if (v === 4) {
      const id = (id0 + k) & 0xffff;
      out[at + 2] = total >> 8; out[at + 3] = total & 0xff;
      out[at + 4] = id >> 8; out[at + 5] = id & 0xff;
      out[at + 10] = 0; out[at + 11] = 0;
      const ipSum = finishChecksum(sumWords(out, at, at + tcp));
      out[at + 10] = ipSum >> 8; out[at + 11] = ipSum & 0xff;
    } else {
      const pl = total - 40;
      out[at + 4] = pl >> 8; out[at + 5] = pl & 0xff;
    }
    const seq = (seq0 + k * mss) >>> 0;
    out[at + tcp + 4] = seq >>> 24; out[at + tcp + 5] = (seq >> 16) & 0xff;
    out[at + tcp + 6] = (seq >> 8) & 0xff; out[at + tcp + 7] = seq & 0xff;
    let f = flags;
    if (k !== count - 1) f &= ~(TCP_FIN | TCP_PSH);
    if (k !== 0) f &= ~TCP_CWR;
    out[at + tcp + 13] = f;
    out[at + tcp + 16] = 0; out[at + tcp + 17] = 0;
    const tcpLen = total - tcp;
    let sum = v === 4
      ? sumWords(out, at + 12, at + 20) + 6 + tcpLen
      : sumWords(out, at + 8, at + 40) + 6 + tcpLen;
    sum = sumWordsFast(out, at + tcp, at + total, sum);
    const c = finishChecksum(sum);
    out[at + tcp + 16] = c >> 8; out[at + tcp + 17] = c & 0xff;
    lengths[first + k] = total;
  }
  return count;
}
