/** Control protocol codec and line splitter: every bad input becomes an error response. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineSplitter, type LineItem } from '../../src/api/lines.js';
import {
  BC_LIMIT_DEFAULT, REQUEST_BYTES_MAX, decodeRequest, decodeResponse, encodeLine, type Response,
} from '../../src/api/protocol.js';

const enc = new TextEncoder();

function errorOf(line: string): { id: unknown; code: string; message: string } {
  const d = decodeRequest(line);
  assert.equal(d.ok, false, `expected an error for ${line.slice(0, 60)}`);
  if (d.ok) throw new Error('unreachable');
  const r = d.error;
  assert.equal(r.ok, false);
  if (r.ok) throw new Error('unreachable');
  return { id: r.id, ...r.error };
}

test('valid requests decode with defaults; ids are echoed', () => {
  assert.deepStrictEqual(decodeRequest('{"command":"status"}'), { ok: true, value: { id: null, command: 'status' } });
  assert.deepStrictEqual(decodeRequest('{"id":"a","command":"bul"}'), { ok: true, value: { id: 'a', command: 'bul' } });
  assert.deepStrictEqual(decodeRequest('{"id":7,"command":"bc"}'),
    { ok: true, value: { id: 7, command: 'bc', offset: 0, limit: BC_LIMIT_DEFAULT } });
  assert.deepStrictEqual(decodeRequest('{"id":7,"command":"bc","offset":5,"limit":2,"homeAddress":"2001:db8::1"}'),
    { ok: true, value: { id: 7, command: 'bc', offset: 5, limit: 2, homeAddress: '2001:db8::1' } });
});

test('malformed JSON, non-objects and bad fields are error responses, not throws', () => {
  assert.deepStrictEqual(errorOf('{"command":'), {
    id: null, code: 'bad-json', message: errorOf('{"command":').message,
  });
  assert.match(errorOf('{"command":').message, /^not JSON: /);
  assert.equal(errorOf('').code, 'bad-json');
  assert.equal(errorOf('[1,2]').code, 'bad-request');
  assert.equal(errorOf('null').code, 'bad-request');
  assert.equal(errorOf('"status"').code, 'bad-request');
  assert.deepStrictEqual(errorOf('{"id":3}'), { id: 3, code: 'bad-request', message: `'command' (a string) is missing` });
  assert.deepStrictEqual(errorOf('{"id":{},"command":"status"}').code, 'bad-request');
  assert.deepStrictEqual(errorOf(`{"id":"${'x'.repeat(200)}","command":"status"}`).id, null);
  assert.deepStrictEqual(errorOf('{"id":4,"command":"status","verbose":true}'),
    { id: 4, code: 'bad-request', message: `unknown field 'verbose' for status` });
  assert.deepStrictEqual(errorOf('{"id":5,"command":"bc","limit":0}'),
    { id: 5, code: 'bad-request', message: `'limit' must be an integer in 1..10000` });
  assert.equal(errorOf('{"command":"bc","offset":-1}').code, 'bad-request');
  assert.equal(errorOf('{"command":"bc","offset":1.5}').code, 'bad-request');
  assert.equal(errorOf('{"command":"bc","homeAddress":7}').code, 'bad-request');
  assert.equal(errorOf('{"command":"bc","__proto__":{"x":1}}').code, 'bad-request');
  assert.equal(errorOf('['.repeat(100_000)).code, 'bad-json');
});

test('unknown command: error response naming it and the commands that exist', () => {
  assert.deepStrictEqual(errorOf('{"id":9,"command":"bc add"}'), {
    id: 9, code: 'unknown-command', message: `unknown command 'bc add' (status, bc, bul, stats, routers)`,
  });
});

test('property: decodeRequest never throws and its error responses encode as one line', () => {
  fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (s) => {
    const d = decodeRequest(s);
    const line = encodeLine(d.ok ? { id: d.value.id, ok: true, result: null } : d.error);
    assert.equal(line.indexOf('\n'), line.length - 1);
  }), { numRuns: 2000 });
});

test('responses round-trip; the client refuses what is not a response', () => {
  const r: Response = { id: 1, ok: false, error: { code: 'busy', message: 'x' } };
  assert.deepStrictEqual(decodeResponse(encodeLine(r).trim()), { ok: true, value: r });
  assert.deepStrictEqual(decodeResponse('{"id":2,"ok":true,"result":{"a":1}}'),
    { ok: true, value: { id: 2, ok: true, result: { a: 1 } } });
  assert.equal(decodeResponse('nope').ok, false);
  assert.equal(decodeResponse('{"ok":false}').ok, false);
  assert.equal(decodeResponse('{"result":1}').ok, false);
});

function drain(s: LineSplitter): LineItem[] {
  const out: LineItem[] = [];
  for (let i = s.next(); i; i = s.next()) out.push(i);
  return out;
}

test('line splitter: lines across chunks, CRLF, several per chunk, trailing unterminated line', () => {
  const s = new LineSplitter(100);
  s.push(enc.encode('{"a"'));
  assert.deepStrictEqual(drain(s), []);
  s.push(enc.encode(':1}\r\n{"b":2}\n\n{"c"'));
  assert.deepStrictEqual(drain(s), [
    { kind: 'line', text: '{"a":1}' }, { kind: 'line', text: '{"b":2}' }, { kind: 'line', text: '' },
  ]);
  assert.deepStrictEqual(s.finish(), { kind: 'line', text: '{"c"' });
  assert.equal(s.finish(), undefined);
});

test('line splitter: an oversized line is reported once, at once, and the next line is read', () => {
  const s = new LineSplitter(8);
  s.push(enc.encode('12345'));
  assert.deepStrictEqual(drain(s), []);
  s.push(enc.encode('6789'));
  assert.deepStrictEqual(drain(s), [{ kind: 'oversized' }]);
  s.push(enc.encode('more junk without end'));
  assert.deepStrictEqual(drain(s), []);
  s.push(enc.encode('junk\nok\n'));
  assert.deepStrictEqual(drain(s), [{ kind: 'line', text: 'ok' }]);
  s.push(enc.encode('12345678\n123456789\n'));
  assert.deepStrictEqual(drain(s), [{ kind: 'line', text: '12345678' }, { kind: 'oversized' }]);
  s.push(enc.encode('x'.repeat(20)));
  assert.deepStrictEqual(drain(s), [{ kind: 'oversized' }]);
  assert.equal(s.finish(), undefined, 'the oversized tail is not a line');
});

test('line splitter: invalid UTF-8 decodes with replacement characters', () => {
  const s = new LineSplitter(REQUEST_BYTES_MAX);
  s.push(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 0x0a]));
  const [item] = drain(s);
  assert.deepStrictEqual(item, { kind: 'line', text: '{\ufffd\ufffd}' });
  assert.equal(errorOf((item as { text: string }).text).code, 'bad-json');
});

test('line splitter: the caller may reuse its chunk buffer', () => {
  const s = new LineSplitter(100);
  const buf = enc.encode('abc');
  s.push(buf);
  drain(s);
  buf.set(enc.encode('XYZ'));
  s.push(enc.encode('\n'));
  assert.deepStrictEqual(drain(s), [{ kind: 'line', text: 'abc' }]);
});
