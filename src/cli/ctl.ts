/**
 * `dsmip6 ctl`: the client of the daemon's control socket (src/api). It only sends one request
 * and prints the answer: a table (UMIP `bc`/`bul` style) or, with `--json`, the result object
 * with its stable field names.
 *
 * Exit codes: 0 answered; 1 the daemon could not be asked or answered with an error (not
 * running, permission denied, wrong role, ...); 2 usage error.
 */
import { DEFAULT_SOCKET_PATH, sendRequest } from '../api/client.js';
import { formatJson, formatResult } from '../api/format.js';
import { BC_LIMIT_DEFAULT, BC_LIMIT_MAX, COMMANDS, type Command, type Request } from '../api/protocol.js';

export const CTL_USAGE = `usage: dsmip6 ctl [--socket PATH] <view> [--json]
views:
  status                              role, version, uptime, configuration file, summary
  bc [HOA] [--limit N] [--offset N]   home agent binding cache (pages of up to ${BC_LIMIT_MAX},
                                      ${BC_LIMIT_DEFAULT} by default), or the binding of HOA
  bul                                 mobile node binding update list
  stats                               signalling and data-plane counters
  routers                             mobile node: routers and prefixes heard in Router
                                      Advertisements, per interface
options:
  --socket PATH   control socket (default ${DEFAULT_SOCKET_PATH})
  --json          print the result as JSON`;

interface CtlArgs {
  readonly socket: string;
  readonly json: boolean;
  readonly request: Request;
}

function intArg(name: string, text: string | undefined, min: number, max: number): number | string {
  const n = Number(text);
  if (text === undefined || !/^[0-9]+$/.test(text) || n < min || n > max) {
    return `${name} takes an integer in ${min}..${max}`;
  }
  return n;
}

interface Raw {
  socket: string;
  json: boolean;
  limit?: number;
  offset?: number;
  positional: string[];
}

/** Reads the options; a string is a usage error. */
function readOptions(args: readonly string[]): Raw | string {
  const raw: Raw = { socket: DEFAULT_SOCKET_PATH, json: false, positional: [] };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith('--') ? args[i].split(/=(.*)/s, 2) : [args[i], undefined];
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case '--json': raw.json = true; break;
      case '--socket': {
        const v = value();
        if (v === undefined || v === '') return '--socket takes a path';
        raw.socket = v;
        break;
      }
      case '--limit': case '--offset': {
        const n = flag === '--limit' ? intArg(flag, value(), 1, BC_LIMIT_MAX)
          : intArg(flag, value(), 0, Number.MAX_SAFE_INTEGER);
        if (typeof n === 'string') return n;
        raw[flag === '--limit' ? 'limit' : 'offset'] = n;
        break;
      }
      default:
        if (flag.startsWith('-')) return `unknown option '${flag}'`;
        raw.positional.push(flag);
    }
  }
  return raw;
}

export function parseCtlArgs(args: readonly string[]): CtlArgs | string {
  const raw = readOptions(args);
  if (typeof raw === 'string') return raw;
  const [command, ...rest] = raw.positional;
  if (command === undefined) return 'no view given';
  if (!(COMMANDS as readonly string[]).includes(command)) return `unknown view '${command}'`;
  const cmd = command as Command;
  const paging = raw.limit !== undefined || raw.offset !== undefined;
  if (cmd !== 'bc' && (paging || rest.length > 0)) return `${cmd} takes no arguments besides --json`;
  if (rest.length > 1) return 'bc takes at most one home address';
  const request: Request = cmd === 'bc'
    ? {
      id: 1, command: 'bc', offset: raw.offset ?? 0, limit: raw.limit ?? BC_LIMIT_DEFAULT,
      ...(rest[0] !== undefined ? { homeAddress: rest[0] } : {}),
    }
    : { id: 1, command: cmd };
  return { socket: raw.socket, json: raw.json, request };
}

/**
 * Runs `dsmip6 ctl ARGS`: output through `write` (one call per block, no trailing newline),
 * diagnostics through `writeError` (default: `write`). Resolves to the exit code.
 */
export async function runCtl(
  args: readonly string[], write: (s: string) => void, writeError: (s: string) => void = write,
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    write(CTL_USAGE);
    return 0;
  }
  const parsed = parseCtlArgs(args);
  if (typeof parsed === 'string') {
    writeError(`dsmip6 ctl: ${parsed}\n${CTL_USAGE}`);
    return 2;
  }
  const { request } = parsed;
  const r = await sendRequest(parsed.socket, request);
  if (!r.ok) {
    writeError(`dsmip6 ctl: ${r.message}`);
    return 1;
  }
  const res = r.response;
  if (!res.ok) {
    writeError(`dsmip6 ctl: ${request.command}: ${res.error.code}: ${res.error.message}`);
    return 1;
  }
  try {
    write(parsed.json ? formatJson(res.result) : formatResult(request.command, res.result));
  } catch (e) {
    writeError(`dsmip6 ctl: cannot show the daemon's answer (${e instanceof Error ? e.message : String(e)})`);
    return 1;
  }
  return 0;
}
