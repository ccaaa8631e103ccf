/**
 * Data probes from the correspondent to every mobile node's home addresses, forwarded the way
 * the home agent's data plane would (its OS state from the engine's outputs) and accepted the way
 * the mobile node's would (its tunnel state). A probe to a *settled* mobile node — registered at
 * least a second ago on its current attachment, binding not yet due to expire, no partition or
 * NAT rebinding since — must arrive unless the impairment model dropped it.
 */
import type { TunnelEndpoint } from '../engine/types.js';
import type { SimMobile } from './nodes.js';
import { HA_ADDRESS } from './topology.js';
import type { World } from './world.js';

export interface ProbeStats {
  sent: number;
  delivered: number;
  lostToImpairment: number;
  unsettled: number;
}

const SETTLE_MS = 1000;

function settled(w: World, m: SimMobile): boolean {
  if (m.registeredAt === undefined || w.now < m.registeredAt + SETTLE_MS) return false;
  if (m.disturbedAt >= m.registeredAt - SETTLE_MS) return false;
  const acc = w.observer.haAcceptedAt.get(m.homeAddress);
  if (!acc) return false;
  return w.now < acc.at + acc.lifetimeSeconds * 1000 - SETTLE_MS;
}

function endpointMatches(m: SimMobile, sent: TunnelEndpoint, port: number): boolean {
  const t = m.tunnel;
  if (!t || t.encapsulation !== sent.encapsulation) return false;
  switch (t.encapsulation) {
    case 'ipv6': return t.local === m.coa6 && t.remote === HA_ADDRESS;
    case 'ipv4': return t.local === m.coa4;
    case 'udp4': return t.local === m.coa4 && t.localPort === port;
  }
}

/** Sends one probe to `m` now; records the outcome and any violation. */
export function probe(w: World, m: SimMobile, stats: ProbeStats): void {
  stats.sent++;
  const mustArrive = settled(w, m) && !m.atHome();
  const fail = (why: string): void => {
    if (mustArrive) w.observer.violation(w, `probe to ${m.name} (${m.homeAddress}) ${why}`);
    else stats.unsettled++;
  };
  const b = w.haDataplane.bindingFor(m.homeAddress);
  if (!b) {
    if (m.atHome()) {
      if (w.carry(m.network, () => { stats.delivered++; }) === 'lost') stats.lostToImpairment++;
      return;
    }
    return fail('found no binding at the home agent');
  }
  if (b.homeAddress !== m.homeAddress) return fail(`was routed to the binding of ${b.homeAddress}`);
  const t = b.state.tunnel;
  let target: { m: SimMobile; port: number } | undefined;
  if (t.encapsulation === 'ipv6') {
    const x = w.mobiles.find((y) => y.coa6 === t.remote);
    target = x ? { m: x, port: 0 } : undefined;
  } else if (t.encapsulation === 'ipv4') {
    const x = w.mobiles.find((y) => y.coa4 === t.remote && y.network?.nat === undefined);
    target = x ? { m: x, port: 0 } : undefined;
  } else {
    const r = w.resolveIpv4(t.remote, t.remotePort);
    target = r ? { m: r.m, port: r.port } : undefined;
  }
  if (!target) return fail(`had nowhere to go: ${JSON.stringify(t)} reaches no node (NAT mapping gone?)`);
  if (target.m !== m) {
    w.observer.violation(w, `probe for ${m.name} delivered to ${target.m.name} via ${JSON.stringify(t)}`);
    return;
  }
  const port = target.port;
  const net = m.network;
  const r = w.carry(net, () => {
    if (m.network !== net) return;
    if (endpointMatches(m, t, port)) { stats.delivered++; return; }
    fail(`arrived as ${t.encapsulation} but the node's tunnel is ${JSON.stringify(m.tunnel)}`);
  });
  if (r === 'lost') stats.lostToImpairment++;
}
