/**
 * glob(7) patterns for `include`, as pure functions: `*`, `?` and `[...]` (with `!` or `^`
 * negation and ranges) match within one path component, a leading `.` must be matched
 * explicitly, and results are sorted (glob(3) sorts). Paths are POSIX paths.
 */

export function hasMagic(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

export function isAbsolute(path: string): boolean {
  return path.startsWith('/');
}

export function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : path.slice(0, i);
}

export function joinPath(dir: string, rel: string): string {
  if (isAbsolute(rel)) return rel;
  if (dir === '.' || dir === '') return rel;
  return dir.endsWith('/') ? `${dir}${rel}` : `${dir}/${rel}`;
}

/** Resolves an include pattern against the directory of the file that includes it. */
export function resolveInclude(pattern: string, fromFile: string): string {
  return joinPath(dirnameOf(fromFile), pattern);
}

function escapeRe(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** A bracket expression starting at `i` (the `[`): its regex text and the index after it. */
function bracket(p: string, i: number): { re: string; end: number } | undefined {
  let j = i + 1;
  let neg = false;
  if (p[j] === '!' || p[j] === '^') { neg = true; j++; }
  let body = '';
  let first = true;
  for (; j < p.length; j++) {
    const c = p[j];
    if (c === ']' && !first) return { re: `[${neg ? '^' : ''}${body}]`, end: j + 1 };
    body += c === '\\' || c === ']' || c === '^' ? `\\${c}` : c;
    first = false;
  }
  return undefined;
}

/** A regular expression matching one path component against one pattern component. */
export function componentRegExp(component: string): RegExp {
  let re = '';
  for (let i = 0; i < component.length;) {
    const c = component[i];
    if (c === '*') { re += '[^/]*'; i++; continue; }
    if (c === '?') { re += '[^/]'; i++; continue; }
    if (c === '[') {
      const b = bracket(component, i);
      if (b) { re += b.re; i = b.end; continue; }
    }
    re += escapeRe(c);
    i++;
  }
  return new RegExp(`^${re}$`);
}

/** True when `name` (one component) matches `component`; dot files need an explicit dot. */
export function matchComponent(component: string, name: string): boolean {
  if (name.startsWith('.') && !component.startsWith('.')) return false;
  return componentRegExp(component).test(name);
}

/** A directory listing for glob expansion; undefined when `dir` is not a readable directory. */
export type ListDir = (dir: string) => readonly string[] | undefined;

/**
 * Expands `pattern` against a file tree seen through `list` and `exists`, component by
 * component; returns the sorted matches (empty when nothing matches).
 */
export function expandGlob(pattern: string, list: ListDir, exists: (path: string) => boolean): string[] {
  if (!hasMagic(pattern)) return exists(pattern) ? [pattern] : [];
  const parts = pattern.split('/');
  let bases = [isAbsolute(pattern) ? '/' : '.'];
  if (isAbsolute(pattern)) parts.shift();
  for (const part of parts) {
    if (part === '') continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!hasMagic(part)) { next.push(joinPath(base, part)); continue; }
      for (const name of [...(list(base) ?? [])].sort()) {
        if (matchComponent(part, name)) next.push(joinPath(base, name));
      }
    }
    bases = next;
  }
  return bases.filter(exists).sort();
}
