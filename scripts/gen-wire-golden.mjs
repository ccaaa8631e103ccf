#!/usr/bin/env node
// Writes test/vectors/wire-golden.ts: what a build of the wire codecs produces for the corpus of
// test/wire/wire-corpus.ts (Mobility Header packets encoded and decoded, a corrupted copy of each
// decoded, generic IPv6 packets and headers, IPv4 packets and UDP checksums over IPv4). The vectors in the tree were made from the codecs
// before the allocation-free rewrite (commit 8ef8b50):
//
//   mkdir /tmp/base && git archive 8ef8b50 | tar -x -C /tmp/base
//   ln -s "$PWD/node_modules" /tmp/base/ && (cd /tmp/base && npx tsc -p .)
//   npm run build && node scripts/gen-wire-golden.mjs --codec /tmp/base > test/vectors/wire-golden.ts
//
// The corpus comes from this checkout's dist/test; the codecs from `--codec` (default: this one).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const at = args.indexOf('--codec');
const codecRoot = resolve(at >= 0 ? args[at + 1] : join(here, '..'));
const wire = (p) => import(pathToFileURL(join(codecRoot, 'dist', 'src', 'wire', p)).href);
const corpus = await import(pathToFileURL(join(here, '..', 'dist', 'test', 'wire', 'wire-corpus.js')).href);
const { encodeMobilityPacket, decodeMobilityPacket } = await wire('mh/packet.js');
const { encodeIpv6Header, encodeIpv6Packet, encodedLengthIpv6Packet } = await wire('ipv6.js');
const { toHex } = await wire('bytes.js');
const { encodeIpv4Packet, encodedLengthIpv4Packet } = await wire('ipv4.js');
const { upperChecksum4 } = await wire('checksum.js');

const outcome = (f) => {
  try {
    return toHex(f());
  } catch (e) {
    return `throws:${e instanceof Error ? e.name : typeof e}`;
  }
};

const mobility = corpus.packetSpecs().map((spec, i) => {
  const encoded = outcome(() => encodeMobilityPacket(spec));
  if (encoded.startsWith('throws:')) return { encoded };
  const bytes = encodeMobilityPacket(spec);
  return {
    encoded,
    decoded: corpus.resultDigest(decodeMobilityPacket(bytes)),
    corrupted: corpus.resultDigest(decodeMobilityPacket(corpus.corrupted(bytes, i))),
  };
});
const ipv6 = corpus.ipv6Packets().map((p) => outcome(() => {
  const out = new Uint8Array(encodedLengthIpv6Packet(p));
  encodeIpv6Packet(p, out, 0);
  return out;
}));
const ipv4 = corpus.ipv4Packets().map((p) => {
  const packet = outcome(() => {
    const out = new Uint8Array(encodedLengthIpv4Packet(p));
    encodeIpv4Packet(p, out, 0);
    return out;
  });
  const udp = outcome(() => {
    const c = upperChecksum4(p.source, p.destination, 17, p.payload, 0, p.payload.length);
    return Uint8Array.of(c >> 8, c & 0xff);
  });
  return `${packet} ${udp}`;
});
const headers = corpus.ipv6Headers().map((h) => outcome(() => {
  const out = new Uint8Array(40);
  encodeIpv6Header(h, out, 0);
  return out;
}));

const lines = [
  '/**',
  ' * Golden outputs of the wire codecs for the corpus of test/wire/wire-corpus.ts, made by',
  ' * scripts/gen-wire-golden.mjs from the codecs before the allocation-free rewrite (8ef8b50).',
  ' * `encoded` is hex or `throws:<error name>`; `decoded` / `corrupted` digest the decode result',
  ' * of those octets and of a copy with one bit flipped (wire-corpus.ts `resultDigest`).',
  ' */',
  'export interface GoldenMobility { readonly encoded: string; readonly decoded?: string; readonly corrupted?: string }',
  '',
  `export const GOLDEN_MOBILITY: readonly GoldenMobility[] = ${JSON.stringify(mobility, null, 0).replace(/\},\{/g, '},\n  {')};`,
  '',
  `export const GOLDEN_IPV6_PACKETS: readonly string[] = ${JSON.stringify(ipv6).replace(/","/g, '",\n  "')};`,
  '',
  `export const GOLDEN_IPV6_HEADERS: readonly string[] = ${JSON.stringify(headers).replace(/","/g, '",\n  "')};`,
  '',
  '/** IPv4 packets (hex or throws) and, after a space, the UDP checksum of the payload over their addresses. */',
  `export const GOLDEN_IPV4_PACKETS: readonly string[] = ${JSON.stringify(ipv4).replace(/","/g, '",\n  "')};`,
  '',
];
process.stdout.write(lines.join('\n'));
