/** The ICMPv6 codec object in the Codec shape (test/harness.ts) used by tests and the fuzzer. */
import { decodeIcmpv6, encodeIcmpv6, encodedLengthIcmpv6, type Icmpv6Message } from './icmpv6.js';
import { ok, type WireResult } from './result.js';

/** The pseudo-header addresses icmpv6Codec uses (the Codec shape has no place for them). */
export const ICMPV6_CODEC_SOURCE = '2001:db8::1';
export const ICMPV6_CODEC_DESTINATION = '2001:db8::2';

/**
 * A Codec<Icmpv6Message> (test/harness.ts) whose encode uses fixed pseudo-header addresses and
 * whose decode drops the checksum without checking it (so fuzzing reaches the body parsers).
 */
export function icmpv6CodecFor(source: string, destination: string) {
  return {
    name: 'icmpv6',
    encodedLength: encodedLengthIcmpv6,
    encode: (m: Icmpv6Message, out: Uint8Array, offset: number): number =>
      encodeIcmpv6(m, out, offset, source, destination),
    decode(b: Uint8Array, offset: number, end: number): WireResult<Icmpv6Message> {
      const r = decodeIcmpv6(b, offset, end);
      return r.ok ? ok(r.value.message, r.consumed) : r;
    },
  };
}

export const icmpv6Codec = icmpv6CodecFor(ICMPV6_CODEC_SOURCE, ICMPV6_CODEC_DESTINATION);
