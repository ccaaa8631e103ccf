/**
 * The address checks of src/proto/prefix.ts read address text into reused octets instead of a
 * fresh array per call; they answer exactly as the old code (copied below) did.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIpv6, maskBytes, parseIpv4, parseIpv6 } from '../../src/wire/addr.js';
import {
  hostPrefix, isRoutableUnicast6, isUnicast4, linkLocalFor, parsePrefix, prefixContains,
  prefixContainsBytes, type Prefix,
} from '../../src/proto/prefix.js';
import { ipv4Texts, ipv6Texts, prng } from '../wire/wire-corpus.js';

// The old code, verbatim but for names.
function refContainsBytes(p: Prefix, addr: Uint8Array): boolean {
  if (addr.length !== p.bytes.length) return false;
  const m = maskBytes(addr, p.length);
  for (let i = 0; i < m.length; i++) if (m[i] !== p.bytes[i]) return false;
  return true;
}
function refContains(p: Prefix, address: string): boolean {
  const b = p.family === 4 ? parseIpv4(address) : parseIpv6(address);
  return b !== undefined && refContainsBytes(p, b);
}
function refLinkLocalFor(address: string): string | undefined {
  const b = parseIpv6(address);
  if (!b) return undefined;
  const ll = new Uint8Array(16);
  ll[0] = 0xfe; ll[1] = 0x80;
  ll.set(b.subarray(8), 8);
  return formatIpv6(ll);
}
function refRoutable6(address: string): boolean {
  const b = parseIpv6(address);
  if (!b) return false;
  if (b[0] === 0xff) return false;
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return false;
  if (b.every((x, i) => (i === 15 ? x <= 1 : x === 0))) return false;
  return !(b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff);
}
function refUnicast4(address: string): boolean {
  const b = parseIpv4(address);
  if (!b) return false;
  if (b[0] === 0 || b[0] === 127 || b[0] >= 224) return false;
  return !(b[0] === 169 && b[1] === 254);
}

const texts = [...ipv6Texts(), ...ipv4Texts(), '::', '::1', '::2', '::ffff:1.2.3.4', 'ff02::1', 'fe80::1',
  'febf::1', 'fec0::1', '0.1.2.3', '127.0.0.1', '169.254.1.1', '224.0.0.1', '223.255.255.255'];

test('isRoutableUnicast6, isUnicast4, linkLocalFor, hostPrefix answer as before', () => {
  let routable = 0;
  for (const t of texts) {
    assert.equal(isRoutableUnicast6(t), refRoutable6(t), t);
    assert.equal(isUnicast4(t), refUnicast4(t), t);
    assert.equal(linkLocalFor(t), refLinkLocalFor(t), t);
    assert.equal(hostPrefix(t), `${t}/${parseIpv4(t) ? 32 : 128}`, t);
    if (refRoutable6(t)) routable++;
  }
  assert.ok(routable > 100 && routable < texts.length - 100, `${routable} routable`);
});

test('prefixContains / prefixContainsBytes answer as before for every prefix length', () => {
  const r = prng(3963);
  const v6 = texts.filter((t) => parseIpv6(t) !== undefined);
  const v4 = texts.filter((t) => parseIpv4(t) !== undefined);
  let inside = 0;
  for (let k = 0; k < 600; k++) {
    const four = k % 3 === 0;
    const base = r.pick(four ? v4 : v6);
    const length = r.int(four ? 33 : 129);
    const p = parsePrefix(`${base}/${length}`)!;
    for (let j = 0; j < 8; j++) {
      // Addresses near the prefix (a bit flipped) and from the whole corpus.
      const near = (four ? parseIpv4(base) : parseIpv6(base))!;
      near[r.int(near.length)] ^= 1 << r.int(8);
      const probe = j % 2 === 0 ? r.pick(texts) : (four ? near.join('.') : formatIpv6(near));
      const want = refContains(p, probe);
      assert.equal(prefixContains(p, probe), want, `${probe} in ${base}/${length}`);
      if (want) inside++;
      assert.equal(prefixContainsBytes(p, near), refContainsBytes(p, near));
    }
  }
  assert.ok(inside > 200, `${inside} inside`);
});
