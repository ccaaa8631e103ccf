/**
 * What a mobile node does with each Binding Acknowledgement status (RFC 6275 §6.1.8 and
 * §11.7.3, RFC 3963 §4.2, RFC 4285 §7), in one table:
 * - `accepted` (< 128): the binding is valid;
 * - `resynchronise` (135): continue from the home agent's sequence number and resend at once;
 * - `fatal`: retrying cannot help (policy, configuration, or authentication); stop and report;
 * - `transient`: the condition may clear (resources, DAD, stale nonces, replay window); keep
 *   retransmitting with backoff. Unknown codes >= 128 are treated as transient: RFC 6275 §11.7.3
 *   lets the MN retry, and a later home agent may define codes a retry can satisfy.
 */
import { BaStatus as S } from '../../wire/mh/constants.js';

export type BaStatusClass = 'accepted' | 'resynchronise' | 'fatal' | 'transient';

export interface BaStatusRule {
  readonly class: BaStatusClass;
  readonly reference: string;
}

const rule = (c: BaStatusClass, reference: string): BaStatusRule => ({ class: c, reference });

/** Rejection statuses (>= 128) with their handling and the RFC that defines them. */
export const BA_STATUS_RULES: Readonly<Record<number, BaStatusRule>> = {
  [S.REASON_UNSPECIFIED]: rule('transient', 'RFC 6275 §6.1.8'),
  [S.ADMINISTRATIVELY_PROHIBITED]: rule('fatal', 'RFC 6275 §6.1.8'),
  [S.INSUFFICIENT_RESOURCES]: rule('transient', 'RFC 6275 §6.1.8'),
  [S.HOME_REGISTRATION_NOT_SUPPORTED]: rule('fatal', 'RFC 6275 §6.1.8'),
  [S.NOT_HOME_SUBNET]: rule('fatal', 'RFC 6275 §6.1.8'),
  [S.NOT_HOME_AGENT_FOR_THIS_MOBILE_NODE]: rule('fatal', 'RFC 6275 §6.1.8'),
  [S.DUPLICATE_ADDRESS_DETECTION_FAILED]: rule('transient', 'RFC 6275 §6.1.8'),
  [S.SEQUENCE_NUMBER_OUT_OF_WINDOW]: rule('resynchronise', 'RFC 6275 §6.1.8, §11.7.3'),
  [S.EXPIRED_HOME_NONCE_INDEX]: rule('transient', 'RFC 6275 §6.1.8'),
  [S.EXPIRED_CARE_OF_NONCE_INDEX]: rule('transient', 'RFC 6275 §6.1.8'),
  [S.EXPIRED_NONCES]: rule('transient', 'RFC 6275 §6.1.8'),
  [S.REGISTRATION_TYPE_CHANGE_DISALLOWED]: rule('fatal', 'RFC 6275 §6.1.8'),
  [S.MOBILE_ROUTER_OPERATION_NOT_PERMITTED]: rule('fatal', 'RFC 3963 §4.2'),
  [S.INVALID_PREFIX]: rule('fatal', 'RFC 3963 §4.2'),
  [S.NOT_AUTHORIZED_FOR_PREFIX]: rule('fatal', 'RFC 3963 §4.2'),
  [S.FORWARDING_SETUP_FAILED]: rule('fatal', 'RFC 3963 §4.2'),
  [S.MIPV6_ID_MISMATCH]: rule('fatal', 'RFC 4285 §7'),
  [S.MIPV6_MESG_ID_REQD]: rule('transient', 'RFC 4285 §7'),
  [S.MIPV6_AUTH_FAIL]: rule('fatal', 'RFC 4285 §7'),
};

export function classifyBaStatus(status: number): BaStatusClass {
  if (status < 128) return 'accepted';
  return BA_STATUS_RULES[status]?.class ?? 'transient';
}
