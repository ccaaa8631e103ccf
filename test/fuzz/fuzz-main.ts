/**
 * `npm run fuzz -- [--iterations N] [--seed S]`: runs the codec fuzzer longer than CI does and
 * reports inputs per second. Exits 1 on the first invariant violation, printing the input.
 */
import { fuzz } from './engine.js';
import { allDecodeOnly, allTargets } from './targets.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`${name} expects a non-negative integer`);
    process.exit(2);
  }
  return v;
}

const iterations = arg('--iterations', 1_000_000);
const seed = arg('--seed', Date.now() % 0x7fffffff);
const t0 = performance.now();
const stats = fuzz(allTargets, allDecodeOnly, iterations, seed);
const seconds = (performance.now() - t0) / 1000;
console.log(`fuzz: seed ${seed}, ${stats.inputs} inputs over ${allTargets.length + allDecodeOnly.length} decoders in ${seconds.toFixed(2)} s`);
console.log(`fuzz: ${Math.round(stats.inputs / seconds)} inputs/s; decoded ${stats.decodedOk}, re-encoded ${stats.reencoded}, refused by the encoder ${stats.refused}`);
