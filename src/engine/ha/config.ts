/** Home Agent configuration defaults (UMIP's where UMIP has the setting). */
import { DSMIPV6_UDP_PORT } from '../../wire/ip-protocols.js';
import {
  BINDINGS_MAX_DEFAULT, MAX_BINDING_LIFETIME_SECONDS, NAT_KEEPALIVE_TIMEOUT_SECONDS,
} from '../../proto/constants.js';
import type { HomeAgentConfig } from './types.js';

export const HOME_AGENT_DEFAULTS = {
  udpPort: DSMIPV6_UDP_PORT,
  maxBindingLifetimeSeconds: MAX_BINDING_LIFETIME_SECONDS,
  acceptMobileRouter: false,
  servedPrefixes: [],
  defaultAclPolicy: 'allow',
  acl: [],
  acceptDsmip6: false,
  natRefreshSeconds: NAT_KEEPALIVE_TIMEOUT_SECONDS,
  behindNat: false,
  honourForceUdp: true,
  ipv4Authorizations: [],
  bindingsMax: BINDINGS_MAX_DEFAULT,
  dad: true,
  dadTimeoutMs: 3000,
} as const satisfies Partial<HomeAgentConfig>;

/** A full configuration from the required fields plus overrides. */
export function homeAgentConfig(
  required: Pick<HomeAgentConfig, 'address' | 'homePrefixes'> & Partial<HomeAgentConfig>,
): HomeAgentConfig {
  return { ...HOME_AGENT_DEFAULTS, ...required };
}
