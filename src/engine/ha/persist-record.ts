/**
 * The durable form of an accepted binding (a Binding Cache entry without what a restart
 * recomputes) and its validation: a record read back from disk is hostile input — a corrupt or
 * hand-edited file gives a reason to skip, never an exception.
 */
import { canonicalIpv6, parseIpv4 } from '../../wire/addr.js';
import { BuFlag } from '../../wire/mh/constants.js';
import { isRoutableUnicast6, isUnicast4, linkLocalFor, parsePrefix } from '../../proto/prefix.js';
import type { TunnelEndpoint, Via } from '../types.js';
import type { BindingCacheEntry } from './binding-cache.js';

/** `undefined` fields become `null`, so a record is plain JSON. */
type JsonFields<T> = {
  readonly [K in keyof T]-?: undefined extends T[K] ? Exclude<T[K], undefined> | null : T[K];
};

/**
 * One accepted binding: a Binding Cache entry without what a restore recomputes (its start, the
 * mobile router flag, a refresh request sent). `expiresAt` is absolute, in engine time (the
 * runtime stores it as wall-clock time).
 */
export type PersistedBinding =
  JsonFields<Omit<BindingCacheEntry, 'registeredAt' | 'mobileRouter' | 'refreshRequestSent'>>;

/** The record of an entry; `clockOffset` moves `expiresAt` to another clock (the runtime's wall clock). */
export function exportBinding(e: BindingCacheEntry, clockOffset = 0): PersistedBinding {
  return {
    homeAddress: e.homeAddress, careOfAddress: e.careOfAddress, tunnel: e.tunnel, via: e.via,
    signallingAddress: e.signallingAddress, sequence: e.sequence, flags: e.flags,
    lifetimeSeconds: e.lifetimeSeconds, expiresAt: e.expiresAt + clockOffset, nemoMode: e.nemoMode ?? null,
    prefixes: e.prefixes, linkLocal: e.linkLocal ?? null, ipv4HomeAddress: e.ipv4HomeAddress ?? null,
    ipv4Prefix: e.ipv4Prefix ?? null, natDetected: e.natDetected,
  };
}

/** What JSON.stringify writes escaped: `"`, `\\`, control characters and (unpaired) surrogates. */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `"s"`, or null (the caller checks `s` for what JSON would escape). */
const orNull = (s: string | undefined): string => (s === undefined ? 'null' : `"${s}"`);

/**
 * The text of `JSON.stringify(exportBinding(e, clockOffset))`, written straight from the entry's
 * fields — no record object, no generic serializer: the keys in the order exportBinding gives
 * them, a tunnel's and a via's in the order the engine builds them (persist-record.test.ts
 * compares the two over varied entries). Addresses need no escaping, but that is checked, not
 * assumed: every string of the line is tested at once (one regular expression over their
 * concatenation), and every number at once (their sum is finite only when each is); when one
 * would not be written as it is, JSON.stringify writes the record.
 */
export function bindingJson(e: BindingCacheEntry, clockOffset = 0): string {
  const { homeAddress: hoa, careOfAddress: coa, tunnel: t } = e;
  const sig = e.signallingAddress;
  const v = e.via;
  const expiresAt = e.expiresAt + clockOffset;
  let strings = hoa + coa + sig + t.encapsulation + t.local + t.remote;
  let numbers = e.sequence + e.flags + e.lifetimeSeconds + expiresAt;
  let tunnel = `{"encapsulation":"${t.encapsulation}","local":"${t.local}"`;
  if (t.encapsulation === 'udp4') {
    tunnel += `,"localPort":${t.localPort},"remote":"${t.remote}","remotePort":${t.remotePort}}`;
    numbers += t.localPort + t.remotePort;
  } else {
    tunnel += `,"remote":"${t.remote}"}`;
  }
  let via = '{"kind":"ipv6"}';
  if (v.kind !== 'ipv6') {
    via = `{"kind":"${v.kind}","source":"${v.source}","sourcePort":${v.sourcePort},"destination":"${
      v.destination}","destinationPort":${v.destinationPort}}`;
    strings = strings + v.kind + v.source + v.destination;
    numbers += v.sourcePort + v.destinationPort;
  }
  const { nemoMode, prefixes, linkLocal, ipv4HomeAddress, ipv4Prefix } = e;
  let rest = `"nemoMode":${orNull(nemoMode)},"prefixes":`;
  if (prefixes.length === 0) {
    rest += '[]';
  } else {
    rest += `["${prefixes.join('","')}"]`;
    strings += prefixes.join('');
  }
  rest += `,"linkLocal":${orNull(linkLocal)},"ipv4HomeAddress":${orNull(ipv4HomeAddress)},"ipv4Prefix":${
    orNull(ipv4Prefix)},"natDetected":${e.natDetected ? 'true' : 'false'}}`;
  if (nemoMode !== undefined) strings += nemoMode;
  if (linkLocal !== undefined) strings += linkLocal;
  if (ipv4HomeAddress !== undefined) strings += ipv4HomeAddress;
  if (ipv4Prefix !== undefined) strings += ipv4Prefix;
  if (!Number.isFinite(numbers) || ESCAPED.test(strings)) {
    return JSON.stringify(exportBinding(e, clockOffset));
  }
  return `{"homeAddress":"${hoa}","careOfAddress":"${coa}","tunnel":${tunnel},"via":${via
  },"signallingAddress":"${sig}","sequence":${e.sequence},"flags":${e.flags},"lifetimeSeconds":${
    e.lifetimeSeconds},"expiresAt":${expiresAt},${rest}`;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const u16 = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffff;
const port = (x: unknown): x is number => u16(x) && x !== 0;
/** The text form the engine itself produces (canonical), so indexes keyed by text still match. */
const ipv6 = (x: unknown): x is string => typeof x === 'string' && canonicalIpv6(x) === x;
const ipv4 = (x: unknown): x is string => typeof x === 'string' && parseIpv4(x) !== undefined;

class Invalid extends Error {}
function need(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Invalid(what);
}

function tunnelOf(x: unknown): TunnelEndpoint {
  need(isObj(x), 'tunnel is not an object');
  const { encapsulation: enc, local, remote } = x;
  if (enc === 'ipv6') {
    need(ipv6(local) && ipv6(remote), 'IPv6 tunnel endpoints');
    return { encapsulation: enc, local, remote };
  }
  need(enc === 'ipv4' || enc === 'udp4', `tunnel encapsulation ${String(enc)}`);
  need(ipv4(local) && ipv4(remote) && isUnicast4(remote), 'IPv4 tunnel endpoints');
  if (enc === 'ipv4') return { encapsulation: enc, local, remote };
  need(port(x.localPort) && port(x.remotePort), 'UDP tunnel ports');
  return { encapsulation: enc, local, localPort: x.localPort, remote, remotePort: x.remotePort };
}

function viaOf(x: unknown): Via {
  need(isObj(x), 'via is not an object');
  if (x.kind === 'ipv6') return { kind: 'ipv6' };
  need(x.kind === 'udp4', `via ${String(x.kind)}`);
  const { source, destination, sourcePort, destinationPort } = x;
  need(ipv4(source) && ipv4(destination) && port(sourcePort) && port(destinationPort), 'via endpoints');
  return { kind: 'udp4', source, sourcePort, destination, destinationPort };
}

function optional<T>(x: unknown, check: (v: unknown) => v is T, what: string): T | null {
  if (x === null || x === undefined) return null;
  need(check(x), what);
  return x;
}

const prefixOf = (family: 4 | 6) => (x: unknown): x is string =>
  typeof x === 'string' && parsePrefix(x)?.family === family;
const prefix6 = prefixOf(6);
const prefix4 = prefixOf(4);

function checked(x: unknown): PersistedBinding {
  need(isObj(x), 'not an object');
  const { homeAddress, careOfAddress, signallingAddress, sequence, flags, lifetimeSeconds, expiresAt } = x;
  need(ipv6(homeAddress) && isRoutableUnicast6(homeAddress), 'home address');
  need(u16(sequence), 'sequence number');
  need(u16(flags) && (flags & BuFlag.H) !== 0, 'flags (H must be set)');
  need(Number.isInteger(lifetimeSeconds) && (lifetimeSeconds as number) > 0
    && (lifetimeSeconds as number) <= 0xffff * 4, 'lifetime');
  need(typeof expiresAt === 'number' && Number.isFinite(expiresAt), 'expiry');
  need(ipv6(signallingAddress), 'signalling address');
  const tunnel = tunnelOf(x.tunnel);
  const via = viaOf(x.via);
  need(tunnel.encapsulation === 'ipv6' ? careOfAddress === tunnel.remote : ipv4(careOfAddress),
    'care-of address does not match the tunnel');
  need((via.kind === 'udp4') === (tunnel.encapsulation !== 'ipv6'), 'via does not match the tunnel');
  const nemoMode = x.nemoMode === 'explicit' || x.nemoMode === 'implicit' ? x.nemoMode : null;
  need(nemoMode !== null || x.nemoMode === null || x.nemoMode === undefined, 'NEMO mode');
  need((nemoMode !== null) === ((flags & BuFlag.R) !== 0), 'NEMO mode without the R flag');
  need(Array.isArray(x.prefixes) && x.prefixes.every(prefix6), 'mobile network prefixes');
  need(nemoMode !== null || x.prefixes.length === 0, 'prefixes without NEMO');
  const linkLocal = optional(x.linkLocal, ipv6, 'link-local address');
  const wantLl = (flags & BuFlag.L) !== 0 ? linkLocalFor(homeAddress) : undefined;
  need((linkLocal ?? undefined) === wantLl, 'link-local address does not match the L flag');
  const ipv4HomeAddress = optional(x.ipv4HomeAddress, (v): v is string => ipv4(v) && isUnicast4(v),
    'IPv4 home address');
  const ipv4Prefix = optional(x.ipv4Prefix, prefix4, 'IPv4 mobile network prefix');
  need(typeof x.natDetected === 'boolean', 'NAT flag');
  return {
    homeAddress, careOfAddress: careOfAddress as string, tunnel, via, signallingAddress, sequence, flags,
    lifetimeSeconds: lifetimeSeconds as number, expiresAt, nemoMode, prefixes: [...x.prefixes],
    linkLocal, ipv4HomeAddress, ipv4Prefix, natDetected: x.natDetected,
  };
}

/** The record, well formed in itself, or why it is not (checks against the config come after). */
export function parsePersistedBinding(x: unknown): PersistedBinding | { readonly invalid: string } {
  try {
    return checked(x);
  } catch (e) {
    if (e instanceof Invalid) return { invalid: e.message };
    return { invalid: 'unreadable record' };
  }
}
