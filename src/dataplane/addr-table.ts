/**
 * Lookup tables keyed by raw address bytes, for the per-packet path: no strings, no allocation
 * per lookup. IPv6 addresses hash (FNV-1a over 16 octets) into buckets whose entries are
 * compared octet by octet; IPv4 addresses and (address, port) pairs are exact numeric keys.
 * Longest-prefix match over registered prefixes masks into a preallocated scratch buffer once per
 * distinct prefix length (there are few: /64, /48, /24 ...).
 */

export function hash16(b: Uint8Array, off: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i++) h = Math.imul(h ^ b[off + i], 0x01000193);
  return h >>> 0;
}

export function equal16(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): boolean {
  for (let i = 0; i < 16; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

export function u32At(b: Uint8Array, off: number): number {
  return ((b[off] << 24) >>> 0) + ((b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]);
}

/**
 * IPv6 address bytes → value, sized for one key per binding at 100 000 bindings: the keys are
 * 16-byte slots of one growing byte array (a Uint8Array per key costs ~200 bytes of heap), a
 * bucket is the index of its first slot in `heads` (an Int32Array indexed by the hash's low bits,
 * doubled when there are more keys than buckets: 4–8 bytes a key, where a Map costs ~37), and
 * slots whose buckets collide are chained through `next`. Freed slots are reused; the arrays keep
 * their largest size.
 */
export class Ipv6Table<V> {
  private heads = new Int32Array(16).fill(-1);
  private keys = new Uint8Array(16 * 16);
  private next = new Int32Array(16);
  private readonly values: (V | undefined)[] = [];
  /** Slots handed out so far (free or not), and the first free one (-1: none). */
  private highWater = 0;
  private freeHead = -1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Sets the value for `key` (its first 16 octets, copied). */
  set(key: Uint8Array, value: V): void {
    const h = hash16(key, 0) & (this.heads.length - 1);
    const first = this.heads[h];
    for (let i = first; i >= 0; i = this.next[i]) {
      if (equal16(this.keys, i * 16, key, 0)) { this.values[i] = value; return; }
    }
    const i = this.takeSlot();
    this.keys.set(key.subarray(0, 16), i * 16);
    this.values[i] = value;
    this.next[i] = first;
    this.heads[h] = i;
    if (++this.count > this.heads.length) this.rehash(this.heads.length * 2);
  }

  delete(key: Uint8Array): void {
    const h = hash16(key, 0) & (this.heads.length - 1);
    let prev = -1;
    for (let i = this.heads[h]; i >= 0; prev = i, i = this.next[i]) {
      if (!equal16(this.keys, i * 16, key, 0)) continue;
      if (prev >= 0) this.next[prev] = this.next[i];
      else this.heads[h] = this.next[i];
      this.values[i] = undefined;
      this.next[i] = this.freeHead;
      this.freeHead = i;
      this.count--;
      return;
    }
  }

  /** The value for the 16 octets at b[off..off+16), without allocating. */
  get(b: Uint8Array, off: number): V | undefined {
    for (let i = this.heads[hash16(b, off) & (this.heads.length - 1)]; i >= 0; i = this.next[i]) {
      if (equal16(this.keys, i * 16, b, off)) return this.values[i];
    }
    return undefined;
  }

  /** Re-chains every key into `n` buckets (a power of two). */
  private rehash(n: number): void {
    const old = this.heads;
    const heads = new Int32Array(n).fill(-1);
    for (let b = 0; b < old.length; b++) {
      for (let i = old[b]; i >= 0;) {
        const after = this.next[i];
        const h = hash16(this.keys, i * 16) & (n - 1);
        this.next[i] = heads[h];
        heads[h] = i;
        i = after;
      }
    }
    this.heads = heads;
  }

  private takeSlot(): number {
    if (this.freeHead >= 0) {
      const i = this.freeHead;
      this.freeHead = this.next[i];
      return i;
    }
    if (this.highWater === this.next.length) {
      const keys = new Uint8Array(this.keys.length * 2);
      keys.set(this.keys);
      this.keys = keys;
      const next = new Int32Array(this.next.length * 2);
      next.set(this.next);
      this.next = next;
    }
    return this.highWater++;
  }
}

/** Longest-prefix match over IPv6 or IPv4 prefixes. */
export class PrefixTable<V> {
  /** Per prefix length: masked network → value (IPv6 via Ipv6Table, IPv4 via numbers). */
  private readonly v6 = new Map<number, Ipv6Table<V>>();
  private readonly v4 = new Map<number, Map<number, V>>();
  private lengths6: number[] = [];
  private lengths4: number[] = [];
  private readonly scratch = new Uint8Array(16);

  set6(network: Uint8Array, length: number, value: V): void {
    let t = this.v6.get(length);
    if (!t) { t = new Ipv6Table<V>(); this.v6.set(length, t); }
    t.set(mask6(network, 0, length, new Uint8Array(16)), value);
    this.lengths6 = [...this.v6.keys()].sort((a, b) => b - a);
  }

  /** Removes the entry for exactly this prefix; only if it holds `value` when given. */
  delete6(network: Uint8Array, length: number, value?: V): void {
    const t = this.v6.get(length);
    if (!t) return;
    const key = mask6(network, 0, length, new Uint8Array(16));
    if (value !== undefined && t.get(key, 0) !== value) return;
    t.delete(key);
    if (t.size === 0) {
      this.v6.delete(length);
      this.lengths6 = [...this.v6.keys()].sort((a, b) => b - a);
    }
  }

  set4(network: number, length: number, value: V): void {
    let t = this.v4.get(length);
    if (!t) { t = new Map(); this.v4.set(length, t); }
    t.set(mask4(network, length), value);
    this.lengths4 = [...this.v4.keys()].sort((a, b) => b - a);
  }

  delete4(network: number, length: number, value?: V): void {
    const t = this.v4.get(length);
    if (!t) return;
    if (value !== undefined && t.get(mask4(network, length)) !== value) return;
    t.delete(mask4(network, length));
    if (t.size === 0) {
      this.v4.delete(length);
      this.lengths4 = [...this.v4.keys()].sort((a, b) => b - a);
    }
  }

  match6(b: Uint8Array, off: number): V | undefined {
    for (let i = 0; i < this.lengths6.length; i++) {
      const len = this.lengths6[i];
      const v = this.v6.get(len)!.get(mask6(b, off, len, this.scratch), 0);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  match4(address: number): V | undefined {
    for (let i = 0; i < this.lengths4.length; i++) {
      const len = this.lengths4[i];
      const v = this.v4.get(len)!.get(mask4(address, len));
      if (v !== undefined) return v;
    }
    return undefined;
  }
}

function mask6(b: Uint8Array, off: number, length: number, out: Uint8Array): Uint8Array {
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, length - 8 * i));
    out[i] = b[off + i] & (keep === 8 ? 0xff : (0xff << (8 - keep)) & 0xff);
  }
  return out;
}

function mask4(address: number, length: number): number {
  return length === 0 ? 0 : (address & (0xffffffff << (32 - length))) >>> 0;
}
