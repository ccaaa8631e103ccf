/**
 * Protocol constants (WireGuard-go style: specification constants first, then our own limits).
 */

/* Specification constants: RFC 6275 §12 and §13, RFC 3963, RFC 5555 */
/** RFC 6275 §12: first retransmission timeout of a BU (non-first registration). */
export const INITIAL_BINDACK_TIMEOUT_MS = 1000;
/** RFC 6275 §13 (UMIP default): first timeout of a first home registration (the HA runs DAD). */
export const INITIAL_BINDACK_TIMEOUT_FIRST_REG_MS = 1500;
/** RFC 6275 §12: retransmission backoff cap. */
export const MAX_BINDACK_TIMEOUT_MS = 32_000;
/** RFC 6275 §12: no more than 3 BUs per second to one destination. */
export const MAX_UPDATE_RATE_PER_SECOND = 3;
/** RFC 5555 §4.1: default NAT keepalive (refresh) interval, NATKATIMEOUT. */
export const NAT_KEEPALIVE_TIMEOUT_SECONDS = 110;
/** RFC 6275 §6.1.7: the largest lifetime a BU or BA can carry (0xffff * 4 s). */
export const MAX_BINDING_LIFETIME_SECONDS = 262_140;

/* Implementation constants */
/** Refresh a binding when this fraction of the granted lifetime has passed (UMIP: 95%). */
export const REFRESH_FRACTION = 0.9;
/** Jitter applied to retransmission timeouts, as a fraction (+/-). */
export const RETRANSMIT_JITTER_FRACTION = 0.1;
/** Default cap on bindings held by a home agent. */
export const BINDINGS_MAX_DEFAULT = 200_000;
