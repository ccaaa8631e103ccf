/**
 * Signalling I/O shared by both daemons: turning what raw sockets deliver into the IPv6 packets
 * the engines decode, and sending the engines' Mobility Header packets.
 *
 * Raw IPv6 sockets hand over the packet after the fixed IPv6 header (platform.md §1e); the engine
 * wants the whole packet (its checksum rule needs the addresses and extension headers), so the
 * 40-byte header is rebuilt from the peer and local addresses the socket reported. Sending uses an
 * IPPROTO_RAW socket with the whole packet built here (the kernel refuses a Type 2 Routing
 * Header through IPV6_RTHDR, and would checksum the MH over the wrong source).
 */
import type { DatagramBatch, DatagramPort, PacketBatch } from '../os/ports.js';
import { packetBytes } from '../wire/bytes.js';
import type { SendMh, Via } from '../engine/types.js';
import { encodeMobilityPacket } from '../wire/mh/packet.js';
import { addressText } from '../os/ports.js';
import { u32At } from '../dataplane/addr-table.js';
import { isIpv4Mapped } from '../wire/addr.js';
import { flatText } from '../proto/flat-text.js';

/** The whole IPv6 packet for raw-socket payload `i` of `batch` with first next header `nh`. */
export function rebuildIpv6(batch: DatagramBatch, i: number, nextHeader: number): Uint8Array {
  const len = batch.length(i);
  const out = packetBytes(40 + len);
  out[0] = 0x60;
  out[4] = len >> 8;
  out[5] = len & 0xff;
  out[6] = nextHeader;
  out[7] = 64;
  out.set(batch.addresses.subarray(i * 16, i * 16 + 16), 8);
  out.set(batch.localAddresses.subarray(i * 16, i * 16 + 16), 24);
  out.set(batch.data.subarray(batch.offset(i), batch.offset(i) + len), 40);
  return out;
}

/**
 * A copy of packet `i` of `batch` (the batch is reused) in fresh octets: carved from a shared slab
 * (packetBytes), as a signalling packet is larger than what V8 keeps on its heap.
 */
export function packetCopy(batch: PacketBatch, i: number): Uint8Array {
  const off = batch.offset(i);
  const len = batch.length(i);
  const out = packetBytes(len);
  const data = batch.data;
  for (let k = 0; k < len; k++) out[k] = data[off + k];
  return out;
}

/**
 * The texts of recent IPv4 addresses (16-byte slots, IPv4-mapped), by a hash of the address (a
 * slot keeps the last one): the mobile nodes behind one NAT share its public address, and every
 * binding keeps the local address its BU came to (its tunnel's local end), so their bindings
 * (tunnel, via) share one string for each instead of one each. Other addresses are formatted.
 */
const TEXT_SLOTS = 256;
const textKeys = new Int32Array(TEXT_SLOTS);
const texts: string[] = new Array<string>(TEXT_SLOTS).fill('');

function sharedText(b: Uint8Array, off: number): string {
  if (!isIpv4Mapped(b, off)) return addressText(b, off);
  const v = u32At(b, off + 12) | 0;
  const h = Math.imul(v, 0x9e3779b1) >>> 24;
  if (textKeys[h] === v && texts[h] !== '') return texts[h];
  const text = flatText(addressText(b, off));
  textKeys[h] = v;
  texts[h] = text;
  return text;
}

/** The outer source of packet `i` as text, shared with earlier packets from the same IPv4 address. */
export function sourceText(batch: DatagramBatch, i: number): string {
  return sharedText(batch.addresses, i * 16);
}

/** The via of UDP packet `i`: outer source/port as seen, destination the local address. */
export function udpVia(batch: DatagramBatch, i: number, localPort: number): Via {
  return {
    kind: 'udp4', source: sourceText(batch, i), sourcePort: batch.peerPort(i),
    destination: sharedText(batch.localAddresses, i * 16), destinationPort: localPort,
  };
}

export interface MhSender {
  /** IPPROTO_RAW IPv6 socket for native signalling. */
  readonly raw: DatagramPort;
  /** The UDP socket that carries RFC 5555 signalling for this `via` (if any). */
  udpFor(via: Extract<Via, { kind: 'udp4' }>): DatagramPort | undefined;
}

/** Encodes and sends one Mobility Header packet; returns false (and why) when it cannot. */
export function sendMh(s: SendMh, sender: MhSender): { ok: true } | { ok: false; why: string } {
  const bytes = encodeMobilityPacket(s.packet);
  try {
    if (s.via.kind === 'ipv6') {
      sender.raw.send(s.packet.destination, 0, bytes);
    } else {
      const udp = sender.udpFor(s.via);
      if (!udp) return { ok: false, why: `no UDP socket for ${s.via.source}:${s.via.sourcePort}` };
      udp.send(s.via.destination, s.via.destinationPort, bytes);
    }
    return { ok: true };
  } catch (e) {
    return { ok: false, why: e instanceof Error ? e.message : String(e) };
  }
}
