/**
 * A small mutation fuzzer for the codecs (conventions C10): each input is either random bytes or
 * a valid encoding mutated (bit flips, byte overwrites with boundary values, truncation,
 * insertion, duplication). Invariants checked on every input:
 *  1. decode never throws;
 *  2. a decode error's offset lies within the input;
 *  3. a decoded value either is refused by the encoder with EncodeError (the network may carry
 *     values we never send, e.g. an IPv4 HoA prefix length of 40) or re-encodes to bytes that
 *     decode to the same value.
 * Deterministic for a given seed, so a failure replays.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EncodeError } from '../../src/wire/result.js';
import { toHex } from '../../src/wire/bytes.js';
import type { Codec } from '../harness.js';
import type { FuzzTarget } from './registry.js';

/** xorshift32: fast, seeded, good enough to pick mutations. */
export class Prng {
  private s: number;
  constructor(seed: number) { this.s = (seed >>> 0) || 0x9e3779b9; }
  next(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
  below(n: number): number { return this.next() % n; }
}

const BOUNDARY = [0x00, 0x01, 0x02, 0x06, 0x07, 0x08, 0x3b, 0x7f, 0x80, 0xfe, 0xff];

function splice(b: Uint8Array, at: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + insert.length);
  out.set(b.subarray(0, at), 0);
  out.set(insert, at);
  out.set(b.subarray(at), at + insert.length);
  return out;
}

export function mutate(p: Prng, seed: Uint8Array): Uint8Array {
  let b: Uint8Array = seed.slice();
  const rounds = 1 + p.below(4);
  for (let r = 0; r < rounds; r++) {
    const op = p.below(6);
    const at = b.length === 0 ? 0 : p.below(b.length);
    if (op === 0 && b.length > 0) b[at] ^= 1 << p.below(8);
    else if (op === 1 && b.length > 0) b[at] = BOUNDARY[p.below(BOUNDARY.length)];
    else if (op === 2) b = b.subarray(0, at);
    else if (op === 3) {
      const ins = new Uint8Array(1 + p.below(8));
      for (let i = 0; i < ins.length; i++) ins[i] = p.below(256);
      b = splice(b, at, ins);
    } else if (op === 4 && b.length > 0) {
      const n = Math.min(b.length - at, 1 + p.below(16));
      b = splice(b, at + n, b.slice(at, at + n));
    } else if (b.length > 0) b[at] = p.below(256);
  }
  return b;
}

export interface FuzzStats { inputs: number; decodedOk: number; reencoded: number; refused: number }

function checkOne(codec: Codec<unknown>, input: Uint8Array, stats: FuzzStats, canEncode: boolean): void {
  let r;
  try {
    r = codec.decode(input, 0, input.length);
  } catch (e) {
    assert.fail(`${codec.name}: decode threw ${String(e)} on ${toHex(input)}`);
  }
  stats.inputs++;
  if (!r.ok) {
    assert.ok(r.error.offset >= 0 && r.error.offset <= input.length,
      `${codec.name}: error offset ${r.error.offset} outside 0..${input.length} on ${toHex(input)}`);
    return;
  }
  stats.decodedOk++;
  if (!canEncode) return;
  let out: Uint8Array;
  try {
    out = new Uint8Array(codec.encodedLength(r.value));
    codec.encode(r.value, out, 0);
  } catch (e) {
    if (e instanceof EncodeError) { stats.refused++; return; }
    assert.fail(`${codec.name}: re-encode threw ${String(e)} on ${toHex(input)}`);
  }
  const again = codec.decode(out, 0, out.length);
  assert.ok(again.ok, `${codec.name}: re-encoded bytes do not decode: ${toHex(out)}`);
  assert.deepStrictEqual(again.value, r.value, `${codec.name}: unstable value for ${toHex(input)}`);
  stats.reencoded++;
}

/** Runs `iterations` inputs spread over the targets; returns the statistics. */
export function fuzz(
  targets: readonly FuzzTarget<unknown>[], decodeOnly: readonly Codec<unknown>[],
  iterations: number, seed: number,
): FuzzStats {
  const p = new Prng(seed);
  const stats: FuzzStats = { inputs: 0, decodedOk: 0, reencoded: 0, refused: 0 };
  const seeds: Uint8Array[][] = targets.map((t) => fc.sample(t.valid, { seed, numRuns: 64 })
    .map((v) => { const o = new Uint8Array(t.codec.encodedLength(v)); t.codec.encode(v, o, 0); return o; }));
  const allSeeds = seeds.flat();
  const codecs = [...targets.map((t) => t.codec), ...decodeOnly];
  for (let i = 0; i < iterations; i++) {
    const k = i % codecs.length;
    const pool = k < targets.length ? seeds[k] : allSeeds;
    let input: Uint8Array;
    if (p.below(8) === 0) {
      input = new Uint8Array(p.below(300));
      for (let j = 0; j < input.length; j++) input[j] = p.below(256);
    }
    else input = mutate(p, pool[p.below(pool.length)]);
    checkOne(codecs[k], input, stats, k < targets.length);
  }
  return stats;
}
