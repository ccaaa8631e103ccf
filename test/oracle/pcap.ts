/**
 * A tiny classic-pcap writer for the tshark oracle (test-only; uses node:fs).
 *
 * Classic pcap (not pcapng), little-endian, microsecond timestamps:
 *  global header (24 octets):
 *   magic 0xa1b2c3d4 | version 2.4 | thiszone 0 | sigfigs 0 | snaplen 65535 | linktype
 *  one record per packet (16-octet header + data):
 *   ts_sec | ts_usec | incl_len | orig_len | packet bytes
 *
 * LINKTYPE_RAW (101): each record is a bare IPv4 or IPv6 packet, told apart by the version
 * nibble, so no link-layer header has to be invented. Record i gets timestamp i seconds so that
 * frame numbers and times line up in tshark output.
 */
import { writeFileSync } from 'node:fs';

export const LINKTYPE_RAW = 101;
const PCAP_MAGIC = 0xa1b2c3d4;
const GLOBAL_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
const SNAPLEN = 65535;

/** The bytes of a classic pcap file holding `packets` in order. */
export function pcapBytes(packets: readonly Uint8Array[], linkType = LINKTYPE_RAW): Uint8Array {
  const total = GLOBAL_HEADER_LENGTH
    + packets.reduce((n, p) => n + RECORD_HEADER_LENGTH + p.length, 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, PCAP_MAGIC, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true);
  v.setUint32(12, 0, true);
  v.setUint32(16, SNAPLEN, true);
  v.setUint32(20, linkType, true);
  let off = GLOBAL_HEADER_LENGTH;
  packets.forEach((p, i) => {
    if (p.length > SNAPLEN) throw new Error(`packet ${i} of ${p.length} octets exceeds snaplen`);
    v.setUint32(off, i + 1, true);
    v.setUint32(off + 4, 0, true);
    v.setUint32(off + 8, p.length, true);
    v.setUint32(off + 12, p.length, true);
    out.set(p, off + RECORD_HEADER_LENGTH);
    off += RECORD_HEADER_LENGTH + p.length;
  });
  return out;
}

/** Writes `packets` to `path` as a classic pcap file. */
export function writePcap(
  path: string, packets: readonly Uint8Array[], linkType = LINKTYPE_RAW,
): void {
  writeFileSync(path, pcapBytes(packets, linkType));
}
