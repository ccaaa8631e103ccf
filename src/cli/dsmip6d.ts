#!/usr/bin/env node
/**
 * `dsmip6d -c FILE [-H|-M] [--check-config] [--log-format text|json] [--log-level LEVEL]`:
 * runs the Home Agent or the Mobile Node / Mobile Router the configuration file names
 * (`NodeConfig HA|MN`, `IsMobRtr enabled`). SIGINT/SIGTERM stop it cleanly: every system change
 * it made is undone. `--check-config` prints the effective configuration, or `FILE:LINE: ...`
 * errors, and exits.
 */
import { appendFileSync } from 'node:fs';
import { checkConfig } from '../config/check.js';
import type { NodeRole } from '../config/types.js';
import { linuxOs } from '../os/linux/os.js';
import { runHomeAgent, type RunningDaemon } from '../runtime/ha-daemon.js';
import { BatchedSink, Logger, type LogLevel } from '../runtime/logger.js';
import { runMobileNode } from '../runtime/mn-daemon.js';

const USAGE = 'usage: dsmip6d -c FILE [-H|-M] [--check-config] [--log-format text|json] '
  + '[--log-level error|warn|info|debug]';

interface Args { file?: string; role?: NodeRole; check: boolean; format?: 'text' | 'json'; level?: LogLevel }

function parseArgs(argv: string[]): Args | string {
  const a: Args = { check: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '-c' || k === '--config') a.file = argv[++i];
    else if (k === '-H') a.role = 'HA';
    else if (k === '-M') a.role = 'MN';
    else if (k === '--check-config') a.check = true;
    else if (k === '--log-format') {
      const v = argv[++i];
      if (v !== 'text' && v !== 'json') return `--log-format expects text or json, got ${v}`;
      a.format = v;
    } else if (k === '--log-level') {
      const v = argv[++i];
      if (!['error', 'warn', 'info', 'debug'].includes(v)) {
        return `--log-level expects error|warn|info|debug, got ${v}`;
      }
      a.level = v as LogLevel;
    } else return `unknown option ${k}`;
  }
  if (a.file === undefined) return 'no configuration file: give -c FILE';
  return a;
}

async function main(argv: string[]): Promise<number> {
  const a = parseArgs(argv);
  if (typeof a === 'string') { process.stderr.write(`dsmip6d: ${a}\n${USAGE}\n`); return 2; }
  const checked = checkConfig(a.file!, a.role ? { role: a.role } : {});
  process.stderr.write(checked.stderr);
  if (a.check || !checked.ok) {
    process.stdout.write(checked.stdout);
    return checked.exitCode;
  }
  const cfg = checked.config!;
  const file = cfg.daemon.debugLogFile;
  const sink = new BatchedSink((text) => (file ? appendFileSync(file, text) : process.stderr.write(text)),
    (text) => { try { process.stderr.write(text); } catch { /* nowhere left to write */ } });
  process.on('exit', () => sink.flush());
  const level = a.level ?? (cfg.daemon.debugLevel > 0 ? 'debug' : cfg.daemon.logLevel);
  const log = new Logger(sink, level, a.format ?? cfg.daemon.logFormat);
  for (const n of cfg.notImplemented) {
    log.warn('keyword not implemented', { keyword: n.keyword, at: `${n.pos.file}:${n.pos.line}` });
  }
  // Signals are handled from the start: one that arrives while the daemon is still starting
  // stops it as soon as it has started, so the cleanup still runs.
  let signalled: string | undefined;
  let onSignal: (signal: string) => void = (signal) => { signalled ??= signal; };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  let daemon: RunningDaemon;
  try {
    const run = cfg.role === 'HA' ? runHomeAgent : runMobileNode;
    daemon = await run(cfg, linuxOs, log);
  } catch (e) {
    log.error('cannot start', { error: e instanceof Error ? e.message : String(e) });
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    onSignal = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info('stopping', { signal });
      void daemon.stop().then((errors) => {
        for (const e of errors) log.warn('cleanup failed', { entry: e });
        log.info('stopped', { cleanupErrors: errors.length });
        resolve(errors.length > 0 ? 1 : 0);
      });
    };
    if (signalled !== undefined) onSignal(signalled);
  });
}

void main(process.argv.slice(2)).then((code) => { process.exit(code); });
