/**
 * Binding Update sequence numbers (RFC 6275 §9.5.1): 16 bits, compared modulo 2^16. `a` is newer
 * than `b` when (a - b) mod 65536 lies in 1..32767; equal, or within the 32768 values before, is
 * not newer. This is UMIP's `MIP6_SEQ_GT`.
 */
export const SEQNO_MODULUS = 0x10000;

export function seqNewer(a: number, b: number): boolean {
  const d = (a - b) & 0xffff;
  return d !== 0 && d < 0x8000;
}

export function seqNext(a: number): number {
  return (a + 1) & 0xffff;
}
