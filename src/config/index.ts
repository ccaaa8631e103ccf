/**
 * src/config: UMIP's mip6d.conf language (with UMIP-DSMIP's and dsmip6's keywords) read into a
 * typed configuration. Pure entry points take text; `loadConfigFile`/`checkConfig` read files.
 * docs/mip6d.conf.md is the reference for every keyword.
 */
export { formatDiagnostic, type ConfigDiagnostic, type ConfigResult, type Pos } from './diagnostics.js';
export { parseConfigText, type ParseOptions } from './parser.js';
export { buildConfig, loadConfigText, DAEMON_DEFAULTS } from './build.js';
export { homeAgentConfig, mobileNodeConfig, type FactsResult } from './engine-configs.js';
export { formatEffectiveConfig } from './format.js';
export { checkConfig, loadConfigFile, type CheckResult, type LoadOptions } from './check.js';
export { KEYWORDS, keyword, type KeywordSpec } from './keywords.js';
export type { ConfigReader } from './source.js';
export type * from './types.js';
