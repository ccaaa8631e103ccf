/**
 * The only part of src/config that touches the file system: a ConfigReader over node:fs, with
 * glob(7) expansion for `include` (Node 20 has no fs.glob).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { expandGlob } from './glob.js';
import type { ConfigReader, GlobResult, ReadResult } from './source.js';

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'no such file or directory';
  if (err?.code === 'EACCES') return 'permission denied';
  if (err?.code === 'EISDIR') return 'is a directory';
  return err?.code ?? (e instanceof Error ? e.message : String(e));
}

/** Largest configuration file read (a guard against reading a device or a huge file). */
export const CONFIG_FILE_BYTES_MAX = 4 * 1024 * 1024;

export function readConfigFile(path: string): ReadResult {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return { ok: false, reason: 'is a directory' };
    if (st.size > CONFIG_FILE_BYTES_MAX) {
      return { ok: false, reason: `larger than ${CONFIG_FILE_BYTES_MAX} bytes` };
    }
    return { ok: true, text: readFileSync(path, 'utf8') };
  } catch (e) {
    return { ok: false, reason: reason(e) };
  }
}

function list(dir: string): readonly string[] | undefined {
  try {
    return readdirSync(dir);
  } catch {
    return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export const fileReader: ConfigReader = {
  read: readConfigFile,
  glob(pattern: string): GlobResult {
    try {
      return { ok: true, paths: expandGlob(pattern, list, isFile) };
    } catch (e) {
      return { ok: false, reason: reason(e) };
    }
  },
};
