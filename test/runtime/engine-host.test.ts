import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineHost, realClock, type Clock } from '../../src/runtime/engine-host.js';
import type { Engine } from '../../src/engine/types.js';

/** A manual clock: timers fire when the test advances time. */
class ManualClock implements Clock {
  t = 0;
  timers: { at: number; fire: () => void; live: boolean }[] = [];
  now(): number { return this.t; }
  setTimer(at: number, fire: () => void) {
    const timer = { at, fire, live: true };
    this.timers.push(timer);
    return { cancel: () => { timer.live = false; } };
  }
  advance(to: number): void {
    this.t = to;
    for (const x of this.timers.filter((y) => y.live && y.at <= to)) { x.live = false; x.fire(); }
  }
  get armed(): number[] { return this.timers.filter((x) => x.live).map((x) => x.at); }
}

class Echo implements Engine<string, string> {
  deadline: number | undefined;
  handle(now: number, input: string): string[] {
    if (input === 'boom') throw new Error('bug');
    this.deadline = now + 100;
    return [`${input}@${now}`];
  }
  /** Safe to call at any time, as the host expects: nothing happens before the deadline. */
  onTimeout(now: number): string[] {
    if (this.deadline === undefined || now < this.deadline) return [];
    this.deadline = undefined;
    return [`timeout@${now}`];
  }
  nextDeadline(): number | undefined { return this.deadline; }
}

test('engine host: outputs handled, one timer at the next deadline, errors contained', () => {
  const clock = new ManualClock();
  const out: string[] = [];
  const errors: string[] = [];
  const host = new EngineHost(new Echo(), (o) => out.push(...o), (w) => errors.push(w), clock);
  host.arm();
  assert.deepStrictEqual(clock.armed, []);
  host.input('a');
  assert.deepStrictEqual(clock.armed, [100]);
  clock.advance(50);
  host.input('b');
  assert.deepStrictEqual(clock.armed, [100], 'one timer: the deadline moved later, the earlier timer stays');
  clock.advance(100);
  assert.deepStrictEqual(clock.armed, [150], 'it fired early (nothing due) and the host armed again');
  clock.advance(150);
  assert.deepStrictEqual(out, ['a@0', 'b@50', 'timeout@150']);
  host.input('boom');
  assert.deepStrictEqual(errors, ['input string']);
  assert.equal(host.internalErrors, 1);
  host.input('c');
  host.stop();
  assert.deepStrictEqual(clock.armed, []);
  host.input('d');
  assert.deepStrictEqual(out.at(-1), 'c@150');
});

test('engine host: a deadline that moves earlier re-arms the timer at once', () => {
  const clock = new ManualClock();
  const engine = new Echo();
  const host = new EngineHost(engine, () => undefined, () => undefined, clock);
  engine.deadline = 500;
  host.arm();
  engine.deadline = 120;
  host.arm();
  assert.deepStrictEqual(clock.armed, [120]);
  engine.deadline = undefined;
  host.arm();
  assert.deepStrictEqual(clock.armed, [], 'no deadline: no timer');
});

test('realClock: a deadline beyond setTimeout\'s range does not fire at once (no busy loop)', async () => {
  let fired = false;
  const h = realClock.setTimer(performance.now() + 30 * 86_400_000, () => { fired = true; });
  await new Promise((r) => setTimeout(r, 50));
  h.cancel();
  assert.equal(fired, false);
});
