/** CI's fuzz run: at least 100,000 inputs over every decoder (see test/fuzz/engine.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from '../fuzz/engine.js';
import { allDecodeOnly, allTargets } from '../fuzz/targets.js';

const INPUTS = 120_000;
const SEED = 20261126;

test(`fuzz: ${INPUTS} mutated and random inputs never throw and re-encode stably`, (t) => {
  const t0 = performance.now();
  const s = fuzz(allTargets, allDecodeOnly, INPUTS, SEED);
  const ms = performance.now() - t0;
  assert.equal(s.inputs, INPUTS);
  // Mutations of valid encodings must often still decode, or the fuzzer only tests rejection.
  assert.ok(s.decodedOk > INPUTS / 10, `only ${s.decodedOk} inputs decoded`);
  assert.ok(s.reencoded > INPUTS / 20, `only ${s.reencoded} decoded values re-encoded`);
  t.diagnostic(`${s.inputs} inputs in ${ms.toFixed(0)} ms (${Math.round(s.inputs / (ms / 1000))}/s); decoded ${s.decodedOk}, re-encoded ${s.reencoded}, refused ${s.refused}`);
});
