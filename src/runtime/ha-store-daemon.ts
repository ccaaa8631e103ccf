/**
 * The durable Binding Cache in the home agent daemon (ha-store.ts): restore at start, before the
 * data plane opens, and follow the engine's binding events afterwards.
 */
import type { HomeAgent } from '../engine/ha/home-agent.js';
import { bindingJson } from '../engine/ha/persist.js';
import type { HaEvent, HaOutput } from '../engine/ha/types.js';
import { HaBindingStore, type StoreClock, type StoreOptions } from './ha-store.js';
import type { Logger } from './logger.js';

export const realStoreClock: StoreClock = { mono: () => performance.now(), wall: () => Date.now() };

/** Most skipped records logged one by one; the rest are counted. */
const SKIPPED_LOGGED = 10;

export interface DaemonStore {
  readonly store: HaBindingStore;
  /** The OS state of the restored bindings, to dispatch like any engine output. */
  readonly outputs: HaOutput[];
}

/**
 * Loads the previous run's bindings into `engine` and opens the log (`keep` false: HaKeepBindings
 * disabled, the file is deleted and nothing is kept). Never throws on file contents; an
 * unreadable file is logged and the home agent starts empty.
 */
export function restoreBindingStore(
  stateDirectory: string, engine: HomeAgent, log: Logger, keep: boolean, clock: StoreClock = realStoreClock,
  opts: StoreOptions = {},
): DaemonStore {
  const store = new HaBindingStore(stateDirectory, clock, (hoa, offset) => {
    const e = engine.cache.get(hoa);
    return e === undefined ? undefined : bindingJson(e, offset);
  }, (offset) => records(engine, offset),
  () => engine.cache.size, {
    enabled: keep,
    onError: (what, e) => {
      log.limited('bindings file', 'error', `bindings file ${what} failed`, { error: String(e) });
    },
    ...opts,
  });
  let outputs: HaOutput[] = [];
  try {
    const loaded = store.load();
    if (loaded.badLines > 0) {
      log.warn('binding cache file: unreadable lines skipped', { lines: loaded.badLines });
    }
    const r = engine.restore(clock.mono(), loaded.records);
    outputs = r.outputs;
    for (const s of r.skipped.slice(0, SKIPPED_LOGGED)) {
      log.warn('binding not restored', { homeAddress: s.homeAddress ?? '?', reason: s.reason });
    }
    if (r.skipped.length > SKIPPED_LOGGED) {
      log.warn('more bindings not restored', { count: r.skipped.length - SKIPPED_LOGGED });
    }
    if (loaded.records.length > 0) {
      log.info('bindings restored', { restored: r.restored, expired: r.expired, skipped: r.skipped.length });
    }
  } catch (e) {
    log.error('binding cache file unreadable; starting empty', { path: store.path, error: String(e) });
  }
  store.open();
  return { store, outputs };
}

/** The record text of every binding in the cache (compaction), one at a time. */
function* records(engine: HomeAgent, offset: number): Iterable<string> {
  for (const e of engine.cache.entries()) yield bindingJson(e, offset);
}

/** Marks the binding an event is about as changed; true when the event changed a binding. */
export function storeEvent(store: HaBindingStore, e: HaEvent): boolean {
  switch (e.type) {
    case 'binding-accepted': case 'binding-deregistered': case 'binding-expired': case 'binding-displaced':
      store.touch(e.homeAddress);
      return true;
  }
  return false;
}
