/**
 * Drives one sans-IO engine on the real clock: the only place (with the daemons) that reads
 * time and arms timers (conventions C7). Inputs go in through `input()`; outputs go to the
 * handler; one OS timer is kept armed at the engine's next deadline. A handler or engine that
 * throws is a bug: it is counted and logged with the input, and the daemon keeps running
 * (conventions C5 backstop).
 */
import type { Engine } from '../engine/types.js';
import type { Instant } from '../proto/time.js';

export interface Clock {
  now(): Instant;
  setTimer(at: Instant, fire: () => void): { cancel(): void };
}

/** setTimeout's largest delay; a longer one would fire at once (TimeoutOverflowWarning). */
export const TIMER_MAX_MS = 0x7fffffff;

/**
 * The monotonic clock (performance.now) with one setTimeout per arming. A deadline further than
 * TIMER_MAX_MS away (a 30-day prefix lifetime, say) fires early; `onTimeout` is safe to call at
 * any time, and the host arms again.
 */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimer(at, fire) {
    const h = setTimeout(fire, Math.min(TIMER_MAX_MS, Math.max(0, at - performance.now())));
    return { cancel: () => clearTimeout(h) };
  },
};

const TIMEOUT = Symbol('timeout');

export class EngineHost<I, O> {
  internalErrors = 0;
  private timer: { at: Instant; handle: { cancel(): void } } | undefined;
  private stopped = false;

  constructor(
    private readonly engine: Engine<I, O>,
    private readonly handle: (outputs: readonly O[]) => void,
    private readonly onError: (what: string, err: unknown) => void,
    private readonly clock: Clock = realClock,
  ) {}

  input(i: I): void {
    if (this.stopped) return;
    try {
      this.handle(this.engine.handle(this.clock.now(), i));
    } catch (e) {
      this.failed(i, e);
    }
    this.arm();
  }

  /** Call once after construction (and whenever state may have changed outside `input`). */
  arm(): void {
    if (this.stopped) return;
    const d = this.engine.nextDeadline();
    if (d === undefined) {
      this.timer?.handle.cancel();
      this.timer = undefined;
      return;
    }
    // An armed timer due no later than `d` stays: it may fire early (onTimeout is safe to call at
    // any time, and the host arms again then), and a deadline that moves later on every input (the
    // oldest registration waiting for DAD, say) costs no timer per input.
    if (this.timer && this.timer.at <= d) return;
    this.timer?.handle.cancel();
    this.timer = {
      at: d,
      handle: this.clock.setTimer(d, () => {
        this.timer = undefined;
        this.timeout();
      }),
    };
  }

  stop(): void {
    this.stopped = true;
    this.timer?.handle.cancel();
    this.timer = undefined;
  }

  /** The engine's deadline came (the same steps as `input`, for a timeout). */
  private timeout(): void {
    try {
      this.handle(this.engine.onTimeout(this.clock.now()));
    } catch (e) {
      this.failed(TIMEOUT, e);
    }
    this.arm();
  }

  /** A step for `input` (an engine input, or TIMEOUT) threw; what it was is worded only here. */
  private failed(input: I | typeof TIMEOUT, e: unknown): void {
    this.internalErrors++;
    this.onError(input === TIMEOUT ? 'timeout' : `input ${describe(input)}`, e);
  }
}

function describe(i: unknown): string {
  if (i !== null && typeof i === 'object' && 'kind' in i) return String((i as { kind: unknown }).kind);
  return typeof i;
}
