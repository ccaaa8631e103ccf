/**
 * Shared codec test harness (conventions C9/C10): one round-trip check used for every codec,
 * and a truncation check used for every byte vector.
 */
import assert from 'node:assert/strict';
import type { WireResult } from '../src/wire/result.js';
import { toHex } from '../src/wire/bytes.js';

/** The encode / decode / encodedLength triple every control-plane codec exposes. */
export interface Codec<T> {
  readonly name: string;
  encodedLength(value: T): number;
  /** Writes `value` at `offset`; returns the number of bytes written. */
  encode(value: T, out: Uint8Array, offset: number): number;
  /** Decodes b[offset, end); never throws. */
  decode(b: Uint8Array, offset: number, end: number): WireResult<T>;
}

export function encodeToBytes<T>(codec: Codec<T>, value: T): Uint8Array {
  const out = new Uint8Array(codec.encodedLength(value));
  const n = codec.encode(value, out, 0);
  assert.equal(n, out.length, `${codec.name}: encode wrote ${n}, encodedLength said ${out.length}`);
  return out;
}

/**
 * encode -> decode gives the value back; encodedLength equals the bytes written; encoding at a
 * non-zero offset into a dirty buffer gives the same bytes and touches nothing else; decoding
 * from that offset consumes exactly the encoding.
 */
export function checkRoundTrip<T>(codec: Codec<T>, value: T, expected?: T): Uint8Array {
  // Generators may build null-prototype objects; compare against an ordinary clone.
  const want = structuredClone(expected ?? value);
  const bytes = encodeToBytes(codec, value);
  const r = codec.decode(bytes, 0, bytes.length);
  if (!r.ok) assert.fail(`${codec.name}: decode failed: ${JSON.stringify(r.error)} for ${toHex(bytes)}`);
  assert.deepStrictEqual(r.value, want, `${codec.name}: round trip differs`);
  assert.equal(r.consumed, bytes.length, `${codec.name}: consumed`);
  const pad = 13;
  const dirty = new Uint8Array(bytes.length + 2 * pad).fill(0xa5);
  const n = codec.encode(value, dirty, pad);
  assert.equal(n, bytes.length);
  assert.equal(toHex(dirty.subarray(pad, pad + n)), toHex(bytes), `${codec.name}: dirty-buffer encode differs`);
  for (let i = 0; i < pad; i++) {
    assert.equal(dirty[i], 0xa5, `${codec.name}: wrote before offset`);
    assert.equal(dirty[pad + n + i], 0xa5, `${codec.name}: wrote past the end`);
  }
  const r2 = codec.decode(dirty, pad, pad + n);
  if (!r2.ok) assert.fail(`${codec.name}: decode at offset failed: ${JSON.stringify(r2.error)}`);
  assert.deepStrictEqual(r2.value, want);
  assert.equal(r2.consumed, n);
  return bytes;
}

/** Every strict prefix of `bytes` decodes to an error (never a throw), with an offset in range. */
export function checkTruncations<T>(codec: Codec<T>, bytes: Uint8Array): void {
  for (let len = 0; len < bytes.length; len++) {
    const r = codec.decode(bytes, 0, len);
    assert.equal(r.ok, false, `${codec.name}: prefix of ${len}/${bytes.length} bytes decoded`);
    if (!r.ok) {
      assert.ok(r.error.offset >= 0 && r.error.offset <= len,
        `${codec.name}: error offset ${r.error.offset} outside 0..${len}`);
    }
  }
}

/** Decoding never throws; returns the result for further assertions. */
export function decodeNoThrow<T>(codec: Codec<T>, bytes: Uint8Array): WireResult<T> {
  try {
    return codec.decode(bytes, 0, bytes.length);
  } catch (e) {
    assert.fail(`${codec.name}: decode threw on ${toHex(bytes)}: ${String(e)}`);
  }
}
