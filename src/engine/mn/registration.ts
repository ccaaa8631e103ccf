/**
 * Home registration and deregistration (RFC 6275 §11.7.1–§11.7.3, §11.5.4; RFC 3963 §5;
 * RFC 5555 §4): starting rounds, sending BUs, and acting on BAs, BRRs and Binding Errors.
 *
 * - A round retransmits until a BA answers it. Its first timeout is InitialBindackTimeoutFirstReg
 *   when the home agent holds no binding for us (it runs DAD), else InitialBindackTimeoutReReg.
 * - A deregistration round gives up after DEREGISTRATION_BUS_MAX BUs: the node then takes its
 *   home address back anyway (the binding will expire at the home agent).
 * - Statuses are handled per `status.ts`. A mobile router whose BU (R = 1) is accepted with
 *   R = 0 treats it as a failure (RFC 3963 §5.2) and reports status 140, the status a home agent
 *   refusing mobile-router operation would send.
 * - An accepted registration with Lifetime 0 grants nothing: it is handled as a transient failure.
 */
import type { Instant } from '../../proto/time.js';
import { BaFlag, BeStatus } from '../../wire/mh/constants.js';
import { natOutcome, refreshAfterMs, tunnelEndpoint } from './ba.js';
import { buildBindingUpdate } from './bu.js';
import { applyIpv4Acks, ipv4HomeAddressOptions, ipv4PrefixText } from './ipv4-home.js';
import type { MnMessage } from './receive.js';
import {
  clearTunnel, emitEvent, emitOs, placeHomeAddress, placeIpv4HomeAddress, setTunnel,
  type MnState,
} from './state.js';
import { classifyBaStatus } from './status.js';
import type { MnOutput } from './types.js';

/** Deregistration BUs sent before giving up (UMIP MnMaxHaConsecutiveResends default: 5). */
export const DEREGISTRATION_BUS_MAX = 5;

/** BA status a home agent uses to refuse mobile-router operation (RFC 3963 §4.2). */
const STATUS_MOBILE_ROUTER_NOT_PERMITTED = 140;

type BindingAck = Extract<MnMessage, { type: 'binding-ack' }>;

function dropped(out: MnOutput[], detail: string): void {
  emitEvent(out, { type: 'dropped', reason: 'unexpected-ack', detail });
}

/** Starts a registration round from the current care-of address and sends its first BU. */
export function beginRegistration(st: MnState, now: Instant, out: MnOutput[]): void {
  const first = !st.bul.registered(now);
  const initial = first ? st.cfg.initialBindackTimeoutFirstRegMs : st.cfg.initialBindackTimeoutReRegMs;
  st.bul.begin(now, 'register', initial);
  sendDueBindingUpdate(st, now, out);
}

/** Starts deregistering from the home link (RFC 6275 §11.5.4). */
export function beginDeregistration(st: MnState, now: Instant, out: MnOutput[]): void {
  st.bul.begin(now, 'deregister', st.cfg.initialBindackTimeoutReRegMs);
  sendDueBindingUpdate(st, now, out);
}

/** Sends the round's next BU if one is due and the rate limit allows it. */
export function sendDueBindingUpdate(st: MnState, now: Instant, out: MnOutput[]): void {
  const round = st.bul.round;
  if (round === undefined || !st.bul.sendDue(now)) return;
  if (round.kind === 'deregister' && round.sends >= DEREGISTRATION_BUS_MAX) {
    settleAtHome(st, out, { announce: true, deregistered: false });
    return;
  }
  const careOf = round.kind === 'register' ? st.careOf : undefined;
  if (round.kind === 'register' && careOf === undefined) {
    st.bul.end();
    return;
  }
  const lifetimeSeconds = careOf === undefined ? 0 : st.cfg.lifetimeSeconds;
  // A deregistration names only what was granted (3GPP TS 24.303 A.5), never a new request.
  const ipv4HomeOptions = ipv4HomeAddressOptions(st.cfg, st.ipv4, careOf === undefined);
  const sequence = st.bul.recordSend(now);
  st.lastBuCareOf = careOf;
  if (careOf !== undefined) st.mayHaveBinding = true;
  out.push(buildBindingUpdate(st.cfg, { sequence, lifetimeSeconds, careOf, ipv4HomeOptions }));
  emitEvent(out, { type: 'bu-sent', sequence, lifetimeSeconds });
}

/**
 * Puts the home address back on the home link: after the deregistration BA, after giving up,
 * or at once when there was no binding. Announces it (unsolicited NA) only after a binding.
 */
export function settleAtHome(
  st: MnState, out: MnOutput[], how: { announce: boolean; deregistered: boolean },
): void {
  st.bul.end();
  st.bul.clearBinding();
  st.mayHaveBinding = false;
  st.ipv4 = {};
  if (st.location.kind !== 'home') return;
  const ifname = st.location.ifname;
  placeHomeAddress(st, out, { ifname });
  if (how.announce) emitOs(out, { op: 'announce-home-address', ifname, address: st.cfg.homeAddress });
  placeIpv4HomeAddress(st, out);
  if (how.deregistered) emitEvent(out, { type: 'deregistered' });
}

function failRegistration(st: MnState, out: MnOutput[], status: number): void {
  emitEvent(out, { type: 'registration-failed', status, fatal: true });
  st.bul.end();
  st.bul.clearBinding();
  clearTunnel(st, out);
}

function acceptRegistration(st: MnState, now: Instant, msg: BindingAck, out: MnOutput[]): void {
  const { ack, options } = msg;
  const careOf = st.lastBuCareOf;
  const round = st.bul.round;
  if (careOf === undefined || round === undefined) return;
  if (st.cfg.mobileRouter && (ack.flags & BaFlag.R) === 0) {
    failRegistration(st, out, STATUS_MOBILE_ROUTER_NOT_PERMITTED);
    return;
  }
  const granted = Math.min(ack.lifetimeSeconds, st.cfg.lifetimeSeconds);
  if (granted === 0) {
    st.bul.answered();
    emitEvent(out, { type: 'registration-failed', status: ack.status, fatal: false });
    return;
  }
  const nat = natOutcome(careOf, options);
  const endpoint = tunnelEndpoint(st.cfg, careOf, nat);
  st.bul.accepted(ack.sequence, granted * 1000, refreshAfterMs(granted, options, nat));
  const ipv4 = applyIpv4Acks(st.cfg, st.ipv4, options);
  st.ipv4 = ipv4.state;
  setTunnel(st, out, endpoint);
  placeHomeAddress(st, out, 'tunnel');
  placeIpv4HomeAddress(st, out);
  for (const status of ipv4.refused) emitEvent(out, { type: 'ipv4-home-address-refused', status });
  emitEvent(out, {
    type: 'registered', careOfAddress: careOf.address, lifetimeSeconds: granted,
    encapsulation: endpoint.encapsulation, natDetected: nat.natDetected,
    ...(st.ipv4.address ? { ipv4HomeAddress: st.ipv4.address.address } : {}),
    ...(st.ipv4.prefix ? { ipv4Prefix: ipv4PrefixText(st.ipv4.prefix) } : {}),
    registrationMs: now - round.startedAt,
  });
}

/** A Binding Acknowledgement from the home agent (RFC 6275 §11.7.3). */
export function handleBindingAck(st: MnState, now: Instant, msg: BindingAck, out: MnOutput[]): void {
  const { ack } = msg;
  const match = st.bul.match(ack.sequence, ack.status);
  const round = st.bul.round;
  if (match !== 'match' || round === undefined) {
    dropped(out, `BA sequence ${ack.sequence}: ${match}`);
    return;
  }
  if ((msg.via.kind === 'udp4') !== (st.lastBuCareOf?.family === 4)) {
    dropped(out, `BA via ${msg.via.kind} does not answer the BU's path`);
    return;
  }
  const dereg = round.kind === 'deregister';
  switch (classifyBaStatus(ack.status)) {
    case 'resynchronise':
      st.bul.resynchronise(now, ack.sequence);
      sendDueBindingUpdate(st, now, out);
      return;
    case 'transient':
      st.bul.answered();
      emitEvent(out, { type: 'registration-failed', status: ack.status, fatal: false });
      return;
    case 'fatal':
      if (!dereg) return failRegistration(st, out, ack.status);
      emitEvent(out, { type: 'registration-failed', status: ack.status, fatal: true });
      return settleAtHome(st, out, { announce: true, deregistered: false });
    case 'accepted':
      if (dereg) return settleAtHome(st, out, { announce: true, deregistered: true });
      return acceptRegistration(st, now, msg, out);
  }
}

/** True when the node is away with a care-of address and no round in progress. */
function idleAway(st: MnState): boolean {
  return st.location.kind === 'away' && st.careOf !== undefined && st.bul.round === undefined;
}

/** Binding Refresh Request (RFC 6275 §11.7.4): refresh at once if a binding is held. */
export function handleBindingRefreshRequest(st: MnState, now: Instant, out: MnOutput[]): void {
  if (st.bul.round !== undefined) return;
  if (!idleAway(st) || !st.bul.registered(now)) {
    dropped(out, 'binding refresh request without a binding');
    return;
  }
  beginRegistration(st, now, out);
}

/**
 * Binding Error (RFC 6275 §11.3.6): status 1 for our home address means the home agent lost the
 * binding: register again (as a first registration). Any status is reported as an event.
 */
export function handleBindingError(
  st: MnState, now: Instant, status: number, homeAddress: string, out: MnOutput[],
): void {
  emitEvent(out, { type: 'binding-error', status, homeAddress });
  if (status !== BeStatus.UNKNOWN_BINDING_FOR_HOME_ADDRESS_OPTION) return;
  if (homeAddress !== st.cfg.homeAddress || !idleAway(st) || !st.bul.registered(now)) return;
  st.bul.clearBinding();
  beginRegistration(st, now, out);
}

/**
 * Timers: refresh, binding expiry, retransmission (all safe to run at any time). When the
 * granted lifetime runs out with the refresh unanswered, the tunnel stays while the node is still
 * away and retrying: the home agent may hold a newer binding whose BA was lost, and accepting its
 * tunnelled packets loses nothing if it does not (movement or a fatal status still clears it).
 */
export function runTimers(st: MnState, now: Instant, out: MnOutput[]): void {
  if (st.bul.takeRefresh(now) && idleAway(st)) beginRegistration(st, now, out);
  if (st.bul.takeExpiry(now)) emitEvent(out, { type: 'binding-expired' });
  sendDueBindingUpdate(st, now, out);
}
