/** An in-memory ConfigReader for tests: a map of path -> text, with glob over its paths. */
import { dirnameOf, expandGlob } from '../../src/config/glob.js';
import type { ConfigReader } from '../../src/config/source.js';

export function memReader(files: Record<string, string>): ConfigReader & { reads: string[] } {
  const reads: string[] = [];
  const list = (dir: string): string[] | undefined => {
    const names = new Set<string>();
    for (const p of Object.keys(files)) {
      const d = dirnameOf(p);
      if (d === dir) names.add(p.slice(dir === '.' ? 0 : dir.length + (dir.endsWith('/') ? 0 : 1)));
      else if (p.startsWith(dir === '.' ? '' : `${dir}/`)) {
        const rest = p.slice(dir === '.' ? 0 : dir.length + 1);
        names.add(rest.split('/')[0]);
      }
    }
    return names.size > 0 ? [...names] : undefined;
  };
  return {
    reads,
    read(path) {
      reads.push(path);
      const text = files[path];
      return text === undefined ? { ok: false, reason: 'no such file or directory' } : { ok: true, text };
    },
    glob(pattern) {
      return { ok: true, paths: expandGlob(pattern, list, (p) => files[p] !== undefined) };
    },
  };
}
