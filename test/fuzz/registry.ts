/**
 * Fuzz targets: every decoder of `src/wire/`, each with a generator of valid values so mutation
 * starts from well-formed bytes. Each codec family exports its list from `test/fuzz/targets-*.ts`;
 * `test/fuzz/targets.ts` joins them. `test/prop/fuzz.test.ts` runs them in CI (at least 100,000
 * inputs in all) and `npm run fuzz -- --iterations N` runs them longer and reports inputs/second.
 */
import type fc from 'fast-check';
import type { Codec } from '../harness.js';

export interface FuzzTarget<T> {
  readonly codec: Codec<T>;
  /** Valid values; their encodings seed the mutator. */
  readonly valid: fc.Arbitrary<T>;
}

/** Erases the value type so targets of different codecs fit in one list. */
export function target<T>(codec: Codec<T>, valid: fc.Arbitrary<T>): FuzzTarget<unknown> {
  return { codec, valid } as unknown as FuzzTarget<unknown>;
}
