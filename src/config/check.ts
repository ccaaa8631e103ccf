/**
 * Reading a configuration file from disk, and `dsmip6d --check-config`: read, parse, check, and
 * print the effective configuration (or the first error), with the warnings.
 */
import { formatDiagnostic, type ConfigResult } from './diagnostics.js';
import { loadConfigText } from './build.js';
import { fileReader, readConfigFile } from './files.js';
import { formatEffectiveConfig } from './format.js';
import type { ConfigReader } from './source.js';
import type { BuildOptions, Dsmip6Config } from './types.js';

export interface LoadOptions extends BuildOptions {
  /** File access (the file system by default; tests pass an in-memory reader). */
  readonly reader?: ConfigReader;
}

/** Reads, parses and checks a configuration file. Never throws. */
export function loadConfigFile(path: string, options: LoadOptions = {}): ConfigResult<Dsmip6Config> {
  const reader = options.reader ?? fileReader;
  const r = options.reader ? reader.read(path) : readConfigFile(path);
  if (!r.ok) {
    const message = `expected a readable configuration file, found ${r.reason}`;
    return { ok: false, error: { file: path, line: 0, message }, warnings: [] };
  }
  return loadConfigText(r.text, { ...options, file: path, reader });
}

export interface CheckResult {
  readonly ok: boolean;
  /** 0 when the configuration is valid, 1 otherwise. */
  readonly exitCode: 0 | 1;
  /** The effective configuration (empty on error). */
  readonly stdout: string;
  /** Warnings, then the error if any, one `FILE:LINE: message` per line. */
  readonly stderr: string;
  readonly config?: Dsmip6Config;
}

/** What `dsmip6d --check-config -c FILE` prints, and its exit code. */
export function checkConfig(path: string, options: LoadOptions = {}): CheckResult {
  const r = loadConfigFile(path, options);
  const warnings = r.warnings.map((w) => `warning: ${formatDiagnostic(w)}\n`).join('');
  if (!r.ok) {
    return { ok: false, exitCode: 1, stdout: '', stderr: `${warnings}error: ${formatDiagnostic(r.error)}\n` };
  }
  return { ok: true, exitCode: 0, stdout: formatEffectiveConfig(r.value), stderr: warnings, config: r.value };
}
