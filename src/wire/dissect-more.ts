/** Dissector layers for ICMPv6, ICMPv4 and DHCPv4 (see dissect.ts). */
import { decodeDhcpMessage } from './dhcpv4.js';
import { decodeIcmpv4 } from './icmpv4.js';
import { decodeIcmpv6, verifyIcmpv6Checksum } from './icmpv6.js';
import { fail, type WireError } from './result.js';
import { plain, type Layer } from './dissect-layer.js';

type Found = WireError | undefined;

export function dissectIcmpv6(
  b: Uint8Array, off: number, end: number, out: Layer[],
  ph: { readonly source: string; readonly destination: string },
): Found {
  const r = decodeIcmpv6(b, off, end);
  if (!r.ok) return r.error;
  const checksumValid = verifyIcmpv6Checksum(b, off, end, ph.source, ph.destination);
  out.push({
    layer: 'icmpv6', offset: off, length: r.consumed,
    fields: plain({ ...r.value.message, checksum: r.value.checksum, checksumValid }),
  });
  return checksumValid ? undefined : fail('bad-checksum', off + 2, 'ICMPv6 checksum').error;
}

export function dissectIcmpv4(b: Uint8Array, off: number, end: number, out: Layer[]): Found {
  const r = decodeIcmpv4(b, off, end);
  if (!r.ok) return r.error;
  const { message, checksum, checksumValid } = r.value;
  out.push({
    layer: 'icmpv4', offset: off, length: r.consumed,
    fields: plain({ ...message, checksum, checksumValid }),
  });
  return checksumValid ? undefined : fail('bad-checksum', off + 2, 'ICMPv4 checksum').error;
}

export function dissectDhcpv4(b: Uint8Array, off: number, end: number, out: Layer[]): Found {
  const r = decodeDhcpMessage(b, off, end);
  if (!r.ok) return r.error;
  out.push({ layer: 'dhcpv4', offset: off, length: r.consumed, fields: plain(r.value) });
  return undefined;
}
