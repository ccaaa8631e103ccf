/**
 * The effective configuration as text, for `dsmip6d --check-config`: every setting with its
 * value and where the value comes from. Settings are printed in the configuration language
 * itself, so the output (less its comments) is a valid file; values the daemon learns at start,
 * and settings that are unset, are printed as comments.
 */
import { formatDiagnostic } from './diagnostics.js';
import type { Dsmip6Config, EffectiveSetting } from './types.js';

const COMMENT_COLUMN = 48;

function where(s: EffectiveSetting): string {
  switch (s.source) {
    case 'file': return s.pos ? `${s.pos.file}:${s.pos.line}` : 'file';
    case 'default': return 'default';
    case 'run-time': return 'run-time default';
    case 'command-line': return 'command line';
  }
}

function line(s: EffectiveSetting, indent: string): string {
  const absent = s.source === 'default' && /^none\b|^standard error$/.test(s.value);
  const unset = s.source === 'run-time' || absent;
  const body = unset ? `${indent}# ${s.keyword}: ${s.value}` : `${indent}${s.keyword} ${s.value};`;
  const note = s.note ? ` (${s.note})` : '';
  return `${body.padEnd(COMMENT_COLUMN - 1)} # ${where(s)}${note}`;
}

/** Settings grouped by scope, in the order scopes first appear. */
function byScope(list: readonly EffectiveSetting[]): Map<string, EffectiveSetting[]> {
  const m = new Map<string, EffectiveSetting[]>();
  for (const s of list) {
    const group = m.get(s.scope);
    if (group) group.push(s);
    else m.set(s.scope, [s]);
  }
  return m;
}

function header(cfg: Dsmip6Config): string[] {
  const what = cfg.role === 'HA' ? 'home agent' : cfg.mobileRouter ? 'mobile router' : 'mobile node';
  return [
    `# dsmip6 effective configuration: ${what}`,
    `# read from: ${cfg.files.join(', ')}`,
    '# each setting shows FILE:LINE when the file sets it, "default" for dsmip6\'s default,',
    '# "run-time default" for a value learned from the interfaces when the daemon starts',
    '',
  ];
}

export function formatEffectiveConfig(cfg: Dsmip6Config): string {
  const out = header(cfg);
  const blocks: string[] = [];
  for (const [scope, settings] of byScope(cfg.effective)) {
    if (scope === 'global') {
      out.push(...settings.map((s) => line(s, '')));
      continue;
    }
    blocks.push('', `${scope} {`, ...settings.map((s) => line(s, '    ')), '}');
  }
  out.push(...blocks);
  if (cfg.notImplemented.length > 0) {
    out.push('', '# accepted but not implemented (no effect):');
    for (const n of cfg.notImplemented) out.push(`#   ${n.keyword} (${n.pos.file}:${n.pos.line})`);
  }
  if (cfg.warnings.length > 0) {
    out.push('', `# ${cfg.warnings.length} warning(s):`);
    for (const w of cfg.warnings) out.push(`#   ${formatDiagnostic(w)}`);
  }
  return `${out.join('\n')}\n`;
}
