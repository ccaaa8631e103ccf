/**
 * Kernel settings through /proc/sys, with the previous value returned so the journal can
 * restore it (the home agent needs forwarding and proxy_ndp; a mobile router needs forwarding
 * with accept_ra=2; platform.md §5).
 */
import { readFileSync, writeFileSync } from 'node:fs';

export function sysctlPath(name: string): string {
  return `/proc/sys/${name.replace(/\./g, '/')}`;
}

export function readSysctl(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

/** Writes `value`; returns the previous value, or undefined when it was already `value`. */
export function writeSysctl(path: string, value: string): string | undefined {
  const previous = readSysctl(path);
  if (previous === value) return undefined;
  writeFileSync(path, `${value}\n`);
  return previous;
}
