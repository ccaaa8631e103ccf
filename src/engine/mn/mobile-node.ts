/**
 * The Mobile Node / Mobile Router engine (RFC 6275 §11, RFC 3963 §5, RFC 5555 §4), sans-IO
 * (conventions C6/C7): `handle(now, input)` and `onTimeout(now)` return the BUs to send, the OS
 * state wanted (tunnel, home addresses) and events; `nextDeadline()` says when to call
 * `onTimeout`, which is safe to call at any time.
 *
 * After every world input the engine reconciles (RFC 6275 §11.5):
 * - at home (a usable interface holds a home-prefix address): no tunnel; if a binding may exist,
 *   deregister from the home address (§11.5.4) and take the home address back on that interface
 *   (with an announcement) after the BA or after giving up; otherwise take it back at once;
 * - away with a care-of address: each change of care-of address (or leaving home) starts a new
 *   registration round at once, subject to MAX_UPDATE_RATE;
 * - away without one: stop registering and clear the tunnel, keeping the binding state until it
 *   expires; a care-of address that reappears starts a registration again.
 * Received packets are decoded here (never trusted): malformed or unexpected ones become
 * `dropped` events and change nothing.
 */
import { BindingUpdateListEntry } from '../../proto/binding-update-list.js';
import type { Prng } from '../../proto/prng.js';
import type { Instant } from '../../proto/time.js';
import type { Engine, ReceivedMh } from '../types.js';
import { normalizeMnConfig } from './config.js';
import { WorldView, sameCareOf, type WorldInput } from './movement.js';
import { receiveMobility } from './receive.js';
import {
  beginDeregistration, beginRegistration, handleBindingAck, handleBindingError,
  handleBindingRefreshRequest, runTimers, settleAtHome,
} from './registration.js';
import {
  clearHomeAddress, clearTunnel, emitEvent, placeHomeAddress, type MnState,
} from './state.js';
import type { MnInput, MnOutput, MobileNodeConfig } from './types.js';

export class MobileNode implements Engine<MnInput, MnOutput> {
  private readonly st: MnState;

  /** Throws on an invalid configuration (a local error). */
  constructor(config: MobileNodeConfig, prng: Prng) {
    const cfg = normalizeMnConfig(config);
    this.st = {
      cfg, bul: new BindingUpdateListEntry(prng), world: new WorldView(cfg),
      location: { kind: 'unknown' }, careOf: undefined, lastBuCareOf: undefined,
      mayHaveBinding: false, homeAddressOn: undefined, ipv4Placed: undefined, ipv4: {},
      tunnel: undefined,
    };
  }

  handle(now: Instant, input: MnInput): MnOutput[] {
    const out: MnOutput[] = [];
    if (input.kind === 'mh') this.receive(now, input, out);
    else this.observe(now, input, out);
    return out;
  }

  onTimeout(now: Instant): MnOutput[] {
    const out: MnOutput[] = [];
    runTimers(this.st, now, out);
    return out;
  }

  nextDeadline(): Instant | undefined {
    return this.st.bul.nextDeadline();
  }

  private receive(now: Instant, input: ReceivedMh, out: MnOutput[]): void {
    const r = receiveMobility(this.st.cfg, input);
    if (!r.ok) {
      emitEvent(out, r.drop);
      return;
    }
    const m = r.message;
    switch (m.type) {
      case 'binding-ack': return handleBindingAck(this.st, now, m, out);
      case 'binding-refresh-request': return handleBindingRefreshRequest(this.st, now, out);
      case 'binding-error': return handleBindingError(this.st, now, m.status, m.homeAddress, out);
    }
  }

  private observe(now: Instant, input: WorldInput, out: MnOutput[]): void {
    const st = this.st;
    st.world.apply(input);
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
    if (home !== undefined) this.atHome(now, home, out);
    else this.away(now, careOfChanged, out);
  }

  /** RFC 6275 §11.5.4: returning home (or booting there). */
  private atHome(now: Instant, ifname: string, out: MnOutput[]): void {
    const st = this.st;
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

  private away(now: Instant, careOfChanged: boolean, out: MnOutput[]): void {
    const st = this.st;
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
}
