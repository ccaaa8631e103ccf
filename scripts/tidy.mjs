#!/usr/bin/env node
// Tidy checks (conventions C1, C7, C14), run by `npm run lint` and so by `npm test`:
//  - src/wire, src/proto, src/engine import nothing from Node or npm, and only from the layers
//    below them (wire <- proto <- engine); no clocks, timers, Buffer or process there;
//  - source files stay small (lines per file, columns per line);
//  - every src/wire module is imported by at least one test.
// Prints every violation as FILE:LINE: message and exits 1 if there is any.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const LINES_MAX = 320;
const COLUMNS_MAX = 110;
const PURE = {
  wire: ['wire'], proto: ['wire', 'proto'], engine: ['wire', 'proto', 'engine'],
  sim: ['wire', 'proto', 'engine', 'sim'],
  dataplane: ['wire', 'proto', 'engine', 'dataplane'],
};
const BANNED = [
  [/\bDate\.now\b/, 'Date.now (time is a parameter)'],
  [/\bnew Date\(/, 'new Date (time is a parameter)'],
  [/\bsetTimeout\b|\bsetInterval\b|\bsetImmediate\b/, 'timers (the runtime arms them)'],
  [/\bperformance\.now\b/, 'performance.now (the runtime reads clocks)'],
  [/\bBuffer\b/, 'Buffer (use Uint8Array)'],
  [/\bprocess\./, 'process (no environment in pure layers)'],
  [/\brequire\(/, 'require'],
  [/\bMath\.random\b/, 'Math.random (use an injected PRNG)'],
];

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const problems = [];
const say = (file, line, msg) => problems.push(`${relative(root, file)}:${line}: ${msg}`);
const srcFiles = walk(join(root, 'src'));
const testFiles = walk(join(root, 'test'));

for (const file of srcFiles) {
  const rel = relative(join(root, 'src'), file);
  const layer = rel.split('/')[0];
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines.length > LINES_MAX) say(file, lines.length, `${lines.length} lines (max ${LINES_MAX}): split by concept`);
  lines.forEach((l, i) => {
    if (l.length > COLUMNS_MAX) say(file, i + 1, `${l.length} columns (max ${COLUMNS_MAX})`);
  });
  const allowed = PURE[layer];
  if (!allowed) continue;
  lines.forEach((l, i) => {
    const code = l.replace(/\/\/.*$/, '');
    if (/^\s*(\*|\/\*)/.test(l)) return;
    for (const [re, what] of BANNED) if (re.test(code)) say(file, i + 1, `${what} is banned in src/${layer}`);
    const m = /^\s*(?:import|export)\b.*?from\s+['"]([^'"]+)['"]/.exec(code) ?? /^\s*import\s+['"]([^'"]+)['"]/.exec(code);
    if (!m) return;
    const spec = m[1];
    if (!spec.startsWith('.')) { say(file, i + 1, `src/${layer} imports '${spec}' (no Node or npm modules here)`); return; }
    const target = relative(join(root, 'src'), resolve(dirname(file), spec)).split('/')[0];
    if (!allowed.includes(target)) say(file, i + 1, `src/${layer} imports from src/${target} (allowed: ${allowed.join(', ')})`);
  });
}

const testText = testFiles.map((f) => readFileSync(f, 'utf8')).join('\n');
for (const file of srcFiles.filter((f) => f.includes('/src/wire/'))) {
  const mod = relative(join(root, 'src'), file).replace(/\.ts$/, '.js');
  if (!testText.includes(`src/${mod}'`)) say(file, 1, `no test imports src/${mod}`);
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`tidy: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`tidy: ${srcFiles.length} source files and ${testFiles.length} test files are tidy`);
