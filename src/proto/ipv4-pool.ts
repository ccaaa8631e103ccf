/**
 * A pool of IPv4 home addresses (or IPv4 mobile network prefixes of one length) the home agent
 * hands out on request (RFC 5555 §3.1.1: an IPv4 Home Address option with 0.0.0.0). Allocation is
 * lowest-free-first so the result is deterministic; a released entry becomes free at once.
 * The pool keeps one bit per entry (32 KB for a /14 of addresses): who holds an entry is the
 * binding cache's to say (its IPv4 home address index), not a second map of 100k owners here.
 */
import { formatIpv4Value, writeIpv4 } from '../wire/addr.js';
import { flatText } from './flat-text.js';
import { parsePrefix } from './prefix.js';

export class Ipv4Pool {
  private readonly base: number;
  private readonly count: number;
  /** Bit i: entry i is taken. */
  private readonly used: Uint32Array;
  private taken = 0;
  /** No free entry below this index: allocation scans from here (amortised O(1)). */
  private lowestFree = 0;

  /**
   * `range` is a prefix (`192.0.2.0/24`); `blockLength` the prefix length of each entry (32 for
   * addresses). For /32 entries the network and broadcast addresses of the range are skipped when
   * the range is shorter than /31.
   */
  constructor(range: string, readonly blockLength = 32) {
    const p = parsePrefix(range);
    if (!p || p.family !== 4 || blockLength < p.length || blockLength > 32) {
      throw new Error(`bad IPv4 pool ${range} /${blockLength}`);
    }
    this.base = u32(p.bytes);
    this.count = 2 ** (blockLength - p.length);
    this.skipEdges = blockLength === 32 && p.length < 31;
    this.used = new Uint32Array(Math.ceil(this.count / 32));
  }

  private readonly skipEdges: boolean;

  get size(): number {
    return this.skipEdges ? this.count - 2 : this.count;
  }

  get inUse(): number {
    return this.taken;
  }

  /** Allocates the lowest free entry; undefined when the pool is exhausted. */
  allocate(): string | undefined {
    const first = this.skipEdges ? 1 : 0;
    const last = this.skipEdges ? this.count - 2 : this.count - 1;
    for (let i = Math.max(first, this.lowestFree); i <= last; i++) {
      if (this.has(i)) continue;
      this.mark(i, true);
      this.lowestFree = i + 1;
      return this.address(i);
    }
    this.lowestFree = last + 1;
    return undefined;
  }

  /** Takes a specific entry (a binding restored inside the pool); false if outside or taken. */
  claim(address: string): boolean {
    const i = this.index(address);
    if (i === undefined || this.has(i)) return false;
    this.mark(i, true);
    return true;
  }

  /** Whether `address` is an entry of the pool that is taken. */
  isTaken(address: string): boolean {
    const i = this.index(address);
    return i !== undefined && this.has(i);
  }

  contains(address: string): boolean {
    return this.index(address) !== undefined;
  }

  release(address: string): void {
    const i = this.index(address);
    if (i === undefined || !this.has(i)) return;
    this.mark(i, false);
    if (i < this.lowestFree) this.lowestFree = i;
  }

  private has(i: number): boolean {
    return (this.used[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  private mark(i: number, on: boolean): void {
    if (on) this.used[i >>> 5] |= 1 << (i & 31);
    else this.used[i >>> 5] &= ~(1 << (i & 31));
    this.taken += on ? 1 : -1;
  }

  /** The text of entry `i`, flat: the binding it is given to keeps it (flat-text.ts). */
  private address(i: number): string {
    const v = (this.base + i * 2 ** (32 - this.blockLength)) >>> 0;
    return flatText(formatIpv4Value(v));
  }

  private index(address: string): number | undefined {
    const b = ADDRESS;
    if (!writeIpv4(b, 0, address)) return undefined;
    const off = u32(b) - this.base;
    const unit = 2 ** (32 - this.blockLength);
    if (off < 0 || off % unit !== 0 || off / unit >= this.count) return undefined;
    return off / unit;
  }
}

/** Where `index` reads an address. */
const ADDRESS = new Uint8Array(4);

function u32(b: Uint8Array): number {
  return ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
}
