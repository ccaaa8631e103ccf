/** Byte helpers shared by the codecs (big-endian, on plain Uint8Array; no Node Buffer). */

export function readU16(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}

export function readU32(b: Uint8Array, off: number): number {
  return ((b[off] << 24) >>> 0) + ((b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]);
}

export function writeU16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

export function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

const HEX = '0123456789abcdef';

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}

/**
 * Parses hex text; whitespace, colons and an optional leading 0x are ignored.
 * Returns undefined when the text is not an even number of hex digits.
 */
export function fromHex(text: string): Uint8Array | undefined {
  const clean = text.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Copies b[start, end) into a fresh Uint8Array. Decoders return copies so that a receive buffer
 * reused later cannot change a decoded value. (`Buffer.prototype.slice` returns a view, not a
 * copy, and a `Buffer` rather than a `Uint8Array`: never use `.slice` on bytes from the OS.)
 */
export function copyBytes(b: Uint8Array, start: number, end: number): Uint8Array {
  if (end - start > 64 || start < 0 || end > b.length || (start | 0) !== start || (end | 0) !== end) {
    return new Uint8Array(b.subarray(start, end));
  }
  // Short (most decoded fields): copied octet by octet, without a view object in between.
  const out = new Uint8Array(Math.max(0, end - start));
  for (let i = 0; i < out.length; i++) out[i] = b[start + i];
  return out;
}

/** The slab `packetBytes` carves packets from, and how much of it is handed out. */
const SLAB_SIZE = 16384;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabUsed = 0;

/**
 * Fresh zeroed octets for an encoded packet that is returned to the caller. V8 keeps a
 * Uint8Array of up to 64 octets on its heap, but a larger one gets a backing store of its own
 * (about ten times the cost: a signalling packet is 70–150 octets), so those sizes are carved
 * from a shared slab as Node's Buffer pool does: each array is its own range, never reused, and
 * a slab lives while any array cut from it does. Use `byteOffset`/`byteLength` with `.buffer`.
 */
export function packetBytes(n: number): Uint8Array {
  if (n <= 64 || n > SLAB_SIZE / 8) return new Uint8Array(n);
  if (slabUsed + n > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const b = new Uint8Array(slab, slabUsed, n);
  slabUsed += (n + 7) & ~7;
  return b;
}
