/**
 * Reconciling the mobile node with what it sees (RFC 6275 §11.5), after every world input and
 * after Router Advertisement state changes (an RA, or a router lifetime, prefix lifetime or
 * Advertisement Interval that ran out):
 * - at home (a usable interface is the home link, movement.ts): no tunnel; if a binding may
 *   exist, deregister from the home address (§11.5.4) and take the home address back on that
 *   interface (with an announcement) after the BA or after giving up; otherwise take it back at
 *   once;
 * - away with a care-of address: each change of care-of address (or leaving home) starts a new
 *   registration round at once, subject to MAX_UPDATE_RATE;
 * - away without one: stop registering and clear the tunnel, keeping the binding state until it
 *   expires; a care-of address that reappears starts a registration again.
 */
import type { Instant } from '../../proto/time.js';
import { sameCareOf } from './movement.js';
import { beginDeregistration, beginRegistration, settleAtHome } from './registration.js';
import { clearHomeAddress, clearTunnel, emitEvent, placeHomeAddress, type MnState } from './state.js';
import type { MnOutput } from './types.js';

export function reconcile(st: MnState, now: Instant, out: MnOutput[]): void {
  const home = st.world.homeInterface();
  const careOf = home === undefined ? st.world.selectCareOf(st.careOf) : undefined;
  const careOfChanged = !sameCareOf(careOf, st.careOf);
  if (careOfChanged) {
    st.careOf = careOf;
    emitEvent(out, {
      type: 'care-of-changed', ifname: careOf?.ifname, careOfAddress: careOf?.address,
      family: careOf?.family,
    });
  }
  if (home !== undefined) atHome(st, now, home, out);
  else away(st, now, careOfChanged, out);
}

/** RFC 6275 §11.5.4: returning home (or booting there). */
function atHome(st: MnState, now: Instant, ifname: string, out: MnOutput[]): void {
  const was = st.location;
  st.location = { kind: 'home', ifname };
  if (was.kind === 'home') {
    // The home link moved to another interface: follow it unless still deregistering.
    if (was.ifname !== ifname && st.bul.round === undefined) placeHomeAddress(st, out, { ifname });
    return;
  }
  clearTunnel(st, out);
  emitEvent(out, { type: 'at-home', ifname });
  if (st.mayHaveBinding) beginDeregistration(st, now, out);
  else settleAtHome(st, out, { announce: false, deregistered: false });
}

function away(st: MnState, now: Instant, careOfChanged: boolean, out: MnOutput[]): void {
  const wasHome = st.location.kind === 'home';
  st.location = { kind: 'away' };
  if (wasHome) {
    // Leaving home: the home address must not stay on a foreign link; a deregistration in
    // progress is abandoned (the binding is still held, so the next BU re-registers).
    if (st.homeAddressOn !== 'tunnel') clearHomeAddress(st, out);
    st.bul.end();
  }
  if (!careOfChanged && !wasHome) return;
  if (st.careOf === undefined) {
    st.bul.end();
    clearTunnel(st, out);
    return;
  }
  beginRegistration(st, now, out);
}
