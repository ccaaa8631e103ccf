import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchedSink, Logger } from '../../src/runtime/logger.js';

test('batched sink: the lines of one callback leave in one write, in order, once it is done', async () => {
  const writes: string[] = [];
  const sink = new BatchedSink((t) => writes.push(t));
  const log = new Logger(sink, 'info', 'text', () => 0);
  log.info('binding-accepted', { homeAddress: '2001:db8:1::1' });
  log.debug('not at this level');
  log.warn('second');
  assert.deepEqual(writes, [], 'nothing written during the callback');
  await Promise.resolve();
  assert.deepEqual(writes, [
    '1970-01-01T00:00:00.000Z info  binding-accepted homeAddress=2001:db8:1::1\n' +
    '1970-01-01T00:00:00.000Z warn  second\n',
  ]);
  log.error('third');
  sink.flush();
  assert.equal(writes.length, 2, 'flush writes what is pending at once');
  assert.equal(writes[1], '1970-01-01T00:00:00.000Z error third\n');
  await Promise.resolve();
  assert.equal(writes.length, 2, 'nothing is written twice');
});

test('batched sink: a write that fails does not throw; the lines go to the fallback and are counted', async () => {
  const fallback: string[] = [];
  const sink = new BatchedSink(() => { throw new Error('ENOSPC'); }, (t) => fallback.push(t));
  sink.write('one');
  sink.write('two');
  await Promise.resolve();
  assert.equal(sink.failedWrites, 1);
  assert.equal(fallback.length, 1);
  assert.match(fallback[0], /^log write failed \(Error: ENOSPC\); the lines follow\none\ntwo\n$/);
});

test('batched sink: a burst larger than its buffer still leaves in one write, every line whole and in order', async () => {
  const writes: string[] = [];
  const sink = new BatchedSink((t) => writes.push(t));
  const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)} é ✓ \ud83d\ude00`);
  for (const l of lines) sink.write(l);
  await Promise.resolve();
  assert.equal(writes.length, 1);
  assert.ok(writes[0].length > 1 << 16, 'more than the buffer a sink keeps');
  assert.equal(writes[0], `${lines.join('\n')}\n`);
  sink.write('after');
  await Promise.resolve();
  assert.deepEqual(writes.slice(1), ['after\n']);
});

test('logger text lines: time, padded level, message, fields in order; one time text per millisecond', () => {
  const lines: string[] = [];
  let now = Date.UTC(2026, 10, 27, 6, 0, 0, 5);
  const log = new Logger({ write: (l) => lines.push(l) }, 'debug', 'text', () => now);
  log.info('binding-accepted', { homeAddress: '2001:db8::1', lifetimeSeconds: 60, natDetected: true, p: ['a'] });
  log.warn('w');
  now += 1;
  log.debug('d', { x: undefined, s: 'two words' });
  assert.deepEqual(lines, [
    '2026-11-27T06:00:00.005Z info  binding-accepted homeAddress=2001:db8::1 lifetimeSeconds=60 natDetected=true p=["a"]',
    '2026-11-27T06:00:00.005Z warn  w',
    '2026-11-27T06:00:00.006Z debug d x=undefined s=two words',
  ]);
  const json: string[] = [];
  new Logger({ write: (l) => json.push(l) }, 'info', 'json', () => now).error('e', { n: 1 });
  assert.deepEqual(JSON.parse(json[0]), { time: '2026-11-27T06:00:00.006Z', level: 'error', msg: 'e', n: 1 });
});

test('logger text lines: an event\'s type is not repeated after the message; values written as JSON writes them', () => {
  const lines: string[] = [];
  const log = new Logger({ write: (l) => lines.push(l) }, 'debug', 'text', () => 0);
  const event = {
    type: 'binding-accepted', homeAddress: '2001:db8:1::1', lifetimeSeconds: 400, natDetected: false,
    prefixes: [] as string[], mnp: ['2001:db8:ff::/64'], nan: Number.NaN, big: 1e21, o: { a: 1 }, u: undefined,
  };
  log.info(event.type, event);
  log.debug('binding-refreshed', event);
  const rest = 'homeAddress=2001:db8:1::1 lifetimeSeconds=400 natDetected=false prefixes=[] ' +
    'mnp=["2001:db8:ff::/64"] nan=null big=1e+21 o={"a":1} u=undefined';
  assert.deepEqual(lines, [
    `1970-01-01T00:00:00.000Z info  binding-accepted ${rest}`,
    `1970-01-01T00:00:00.000Z debug binding-refreshed type=binding-accepted ${rest}`,
  ]);
  const json: string[] = [];
  new Logger({ write: (l) => json.push(l) }, 'info', 'json', () => 0).info(event.type, event);
  assert.deepEqual(Object.keys(JSON.parse(json[0]) as object),
    ['time', 'level', 'msg', 'type', 'homeAddress', 'lifetimeSeconds', 'natDetected', 'prefixes', 'mnp', 'nan', 'big', 'o']);
});
