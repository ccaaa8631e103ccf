// The shared command line of the micro-benchmark scripts (bench-wire.mjs, bench-persist.mjs):
// `--name value` options, this checkout's root, and the URL of a module in a checkout's dist/src.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const args = process.argv.slice(2);

/** The value after `--name`, or `dflt`. */
export const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};

/** The checkout these scripts belong to. */
export const self = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The file URL of `dist/src/<path>` in the checkout at `root`. */
export const distUrl = (root, path) => pathToFileURL(join(resolve(root), 'dist', 'src', path)).href;
