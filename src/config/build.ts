/**
 * From parsed statements to a Dsmip6Config: the role, the interfaces, the daemon settings and
 * the role's engine configuration, with semantic checks that stop at the offending statement
 * (`FILE:LINE: expected ..., found ...`) and warnings for what has no effect.
 */
import {
  runGuarded, stop, type ConfigDiagnostic, type ConfigResult, type Pos, type Warn,
} from './diagnostics.js';
import { absolutePath } from './checks.js';
import { buildHomeAgent } from './build-ha.js';
import { buildMobileNode } from './build-mn.js';
import { Effective, octalText } from './effective.js';
import { keyword } from './keywords.js';
import { last, type ParsedBlock, type ParsedConfig, type Settings } from './model.js';
import { parseConfigText, type ParseOptions } from './parser.js';
import type {
  BuildOptions, DaemonSettings, Dsmip6Config, EffectiveSetting, InterfaceConfig, LogLevel, NodeRole,
} from './types.js';

export const DAEMON_DEFAULTS = {
  controlSocket: '/run/dsmip6/dsmip6.sock',
  controlSocketMode: 0o600,
  logFormat: 'text',
  stateDirectory: '/run/dsmip6',
  tunnelMtu: 1400,
} as const;

function role(p: ParsedConfig, g: Effective, options: BuildOptions): { role: NodeRole; pos: Pos } {
  const e = last(p.settings, 'NodeConfig');
  const pos = e?.pos ?? { file: p.mainFile, line: 0 };
  if (options.role) {
    g.record('NodeConfig', options.role, 'command-line');
    return { role: options.role, pos };
  }
  if (!e || e.value.kind !== 'text') return stop(pos, 'expected a NodeConfig HA or MN statement, found none');
  if (e.value.value === 'CN') {
    stop(e.pos, 'expected NodeConfig HA or MN, found CN (dsmip6 has no correspondent node role)');
  }
  g.record('NodeConfig', e.text, 'file', e.pos);
  return { role: e.value.value as NodeRole, pos };
}

function oneInterface(g: Effective, b: ParsedBlock, role: NodeRole): InterfaceConfig {
  const f = g.child(b.settings, `Interface "${b.name}"`);
  const tunnel = last(b.settings, 'Tunnel');
  if (role === 'HA' && tunnel?.value.kind === 'bool' && tunnel.value.value) {
    stop(tunnel.pos, `expected a home agent interface that is not a tunnel, found Tunnel ${tunnel.text}`);
  }
  return {
    name: b.name ?? '', pos: b.pos,
    ifType: f.text('IfType', role),
    preference: f.number('MnIfPreference', 10),
    useDhcp: f.bool('UseDhcp', false),
  };
}

function interfaces(g: Effective, p: ParsedConfig, role: NodeRole): InterfaceConfig[] {
  const byName = new Map<string, InterfaceConfig>();
  for (const b of p.interfaces) {
    const before = byName.get(b.name ?? '');
    if (before) {
      const again = `Interface "${b.name}" is declared again (first at line ${before.pos.line})`;
      g.warn(b.pos, `${again}; the last one is used`);
    }
    byName.delete(b.name ?? '');
    byName.set(b.name ?? '', oneInterface(g, b, role));
  }
  return [...byName.values()];
}

function daemon(g: Effective): DaemonSettings {
  const debugLevel = g.number('DebugLevel', 0);
  const logFile = g.optional('DebugLogFile', 'standard error');
  const socket = g.text('ControlSocket', DAEMON_DEFAULTS.controlSocket, true);
  const state = g.text('StateDirectory', DAEMON_DEFAULTS.stateDirectory, true);
  for (const k of ['ControlSocket', 'StateDirectory', 'DebugLogFile']) {
    const e = g.entry(k);
    if (e?.value.kind === 'text') absolutePath(e, e.value.value, k === 'ControlSocket');
  }
  return {
    controlSocket: socket,
    controlSocketMode: g.number('ControlSocketMode', DAEMON_DEFAULTS.controlSocketMode, octalText),
    logFormat: g.text('LogFormat', DAEMON_DEFAULTS.logFormat),
    logLevel: g.text<LogLevel>('LogLevel', debugLevel > 0 ? 'debug' : 'info'),
    debugLevel,
    debugLogFile: logFile?.value.kind === 'text' ? logFile.value.value : undefined,
    stateDirectory: state,
    tunnelMtu: g.number('TunnelMtu', DAEMON_DEFAULTS.tunnelMtu),
  };
}

/** Every entry of every scope, for the role and not-implemented reports. */
function everyEntry(p: ParsedConfig): { settings: Settings; block?: string }[] {
  return [
    { settings: p.settings },
    ...p.interfaces.map((b) => ({ settings: b.settings, block: 'Interface' })),
    ...p.homeLinks.map((b) => ({ settings: b.settings, block: 'MnHomeLink' })),
    ...p.ipsecSets.map((b) => ({ settings: b.settings, block: 'IPsecPolicySet' })),
  ];
}

/** Warns about keywords of the other role; lists keywords dsmip6 does not implement. */
function roleAndSupport(p: ParsedConfig, role: NodeRole, warn: Warn): { keyword: string; pos: Pos }[] {
  const other = role === 'HA' ? 'a mobile node' : 'a home agent';
  const notImplemented: { keyword: string; pos: Pos }[] = [];
  for (const { settings, block } of everyEntry(p)) {
    for (const [name, list] of settings) {
      const spec = keyword(name);
      if (!spec) continue;
      if (spec.support === 'ignored') {
        for (const e of list) notImplemented.push({ keyword: name, pos: e.pos });
      }
      const forOther = spec.role !== 'any' && spec.role !== role && spec.support === 'yes';
      if (forOther && (block === undefined || block === 'Interface')) {
        warn(list[0].pos, `${name} concerns ${other}; ignored with NodeConfig ${role}`);
      }
    }
  }
  if (role === 'HA') {
    for (const b of p.homeLinks) warn(b.pos, `MnHomeLink concerns ${other}; ignored with NodeConfig HA`);
  }
  for (const b of p.ipsecSets) notImplemented.push({ keyword: 'IPsecPolicySet', pos: b.pos });
  for (const c of p.cnPolicies) notImplemented.push({ keyword: 'CnBindingPolicySet', pos: c.pos });
  return notImplemented.sort((a, b) => (a.pos.file === b.pos.file ? a.pos.line - b.pos.line : 0));
}

function movementModule(g: Effective): void {
  const e = g.optional('UseMovementModule', 'internal');
  if (e?.value.kind === 'text' && e.text.startsWith('"')) {
    const why = 'external movement modules are not loaded (UMIP ignores the path too)';
    g.warn(e.pos, `UseMovementModule ${e.text}: ${why}`);
  }
}

/** Checks parsed statements and builds the configuration. Never throws. */
export function buildConfig(
  p: ParsedConfig, options: BuildOptions = {}, earlier: readonly ConfigDiagnostic[] = [],
): ConfigResult<Dsmip6Config> {
  const warnings = [...earlier];
  const warn: Warn = (pos, message) => { warnings.push({ file: pos.file, line: pos.line, message }); };
  return runGuarded({ file: p.mainFile, line: 0 }, warnings, () => {
    const effective: EffectiveSetting[] = [];
    const g = new Effective(effective, p.settings, 'global', warn);
    const r = role(p, g, options);
    const d = daemon(g);
    const ifs = interfaces(g, p, r.role);
    const notImplemented = roleAndSupport(p, r.role, warn);
    if (r.role === 'HA') {
      const ha = buildHomeAgent(g, ifs, r.pos);
      return assemble(p, r.role, false, ifs, d, effective, notImplemented, warnings, { ha });
    }
    movementModule(g);
    const mn = buildMobileNode(g, p.homeLinks, ifs, r.pos);
    const part = { mn: mn.settings };
    return assemble(p, r.role, mn.mobileRouter, ifs, d, effective, notImplemented, warnings, part);
  });
}

function assemble(
  p: ParsedConfig, role: NodeRole, mobileRouter: boolean, ifs: InterfaceConfig[], daemon: DaemonSettings,
  effective: EffectiveSetting[], notImplemented: Dsmip6Config['notImplemented'], warnings: ConfigDiagnostic[],
  part: Pick<Dsmip6Config, 'ha' | 'mn'>,
): Dsmip6Config {
  return {
    role, mobileRouter, mainFile: p.mainFile, files: p.files, interfaces: ifs, daemon, ...part,
    effective, notImplemented, warnings,
  };
}

/** Parses text and builds the configuration: the pure entry point (text in, result out). */
export function loadConfigText(
  text: string, options: ParseOptions & BuildOptions = {},
): ConfigResult<Dsmip6Config> {
  const parsed = parseConfigText(text, options);
  if (!parsed.ok) return parsed;
  return buildConfig(parsed.value, options, parsed.warnings);
}
