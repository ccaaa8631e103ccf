/**
 * Host and prefix routes through one interface, encoded from templates: "RTM_NEWROUTE replace
 * PREFIX dev OIF" and "RTM_DELROUTE PREFIX dev OIF", byte for byte what `routeRequest` and
 * `encodeRtnlMessageBytes` build for that spec, but as a copy with the sequence number, the
 * prefix length and the (masked) destination bytes patched in. A home agent routes every home
 * address into its TUN as the binding is made; the generic codec builds and walks objects for
 * each, this costs a copy and a few stores.
 *
 * Layout (little-endian): nlmsghdr (16) | rtmsg (12: family, dst_len at 17, ...) |
 * RTA_DST (4 + 4 or 16, address at 32) | RTA_OIF (8) | RTA_TABLE (8). A /0 has no RTA_DST.
 */
import { writeIpv4, writeIpv6 } from '../../wire/addr.js';
import { EncodeError } from '../../wire/result.js';
import { NLMSG_HDRLEN, RT_TABLE_MAIN } from './constants.js';
import { setU32, viewOf } from './endian.js';
import { encodeRtnlMessageBytes } from './message.js';
import { routeRequest } from './requests.js';

export type TemplateAction = 'replace' | 'delete';

const DST_LENGTH_OFFSET = NLMSG_HDRLEN + 1;
const DST_OFFSET = NLMSG_HDRLEN + 12 + 4;
/** The longest message a template writes (IPv6 with RTA_DST). */
export const ROUTE_TEMPLATE_LENGTH_MAX = 64;

/** A prefix's parts, in a scratch object (no allocation per route). */
interface Dst { family: 4 | 6; length: number; readonly bytes: Uint8Array }

export class RouteTemplate {
  /** [replace v4, replace v6, delete v4, delete v6] × [with RTA_DST, without (/0)]. */
  private readonly templates: Uint8Array[] = [];
  private readonly dst: Dst = { family: 6, length: 0, bytes: new Uint8Array(16) };

  constructor(readonly oif: number, readonly table = RT_TABLE_MAIN) {
    for (const action of ['replace', 'delete'] as const) {
      for (const dst of ['0.0.0.0/32', '::/128', '0.0.0.0/0', '::/0']) {
        this.templates.push(encodeRtnlMessageBytes(routeRequest(0, action, { dst, oif, table })));
      }
    }
  }

  /**
   * Writes the request for `prefix` (`addr/len`, or a bare address for a host route; host bits
   * are cleared) at out[off..]; returns the bytes written (padded to 4), or 0 when they do not
   * fit. Throws EncodeError on text that is not a prefix, as `routeRequest` does.
   */
  write(out: Uint8Array, off: number, seq: number, action: TemplateAction, prefix: string): number {
    const d = parseDst(prefix, this.dst);
    const index = (action === 'replace' ? 0 : 4) + (d.family === 4 ? 0 : 1) + (d.length === 0 ? 2 : 0);
    const t = this.templates[index];
    if (off + t.length > out.length) return 0;
    out.set(t, off);
    setU32(viewOf(out), off + 8, seq >>> 0);
    out[off + DST_LENGTH_OFFSET] = d.length;
    if (d.length > 0) {
      const n = d.family === 4 ? 4 : 16;
      for (let i = 0; i < n; i++) {
        const keep = d.length - 8 * i;
        const mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (0xff << (8 - keep)) & 0xff;
        out[off + DST_OFFSET + i] = d.bytes[i] & mask;
      }
    }
    return t.length;
  }
}

/**
 * `prefixOf` of requests.ts without the text round trip: family, length and the address bytes,
 * read into `d.bytes` (a host route, the common case, is a bare address: no substring either).
 */
function parseDst(text: string, d: Dst): Dst {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const v4 = writeIpv4(d.bytes, 0, addr);
  const ok = v4 || writeIpv6(d.bytes, 0, addr);
  const max = v4 ? 32 : 128;
  const length = slash < 0 ? max : prefixLength(text, slash + 1);
  if (!ok || length < 0 || length > max) throw new EncodeError(`route dst: not a prefix: ${text}`);
  d.family = v4 ? 4 : 6;
  d.length = length;
  return d;
}

/** One to three decimal digits at text[from..], as parsePrefix takes them; -1 otherwise. */
function prefixLength(text: string, from: number): number {
  const n = text.length - from;
  if (n < 1 || n > 3) return -1;
  let v = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}
