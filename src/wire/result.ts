/**
 * Results of decoding bytes that came from the network.
 *
 * Contract for every decoder in `src/wire/`: given any byte string it returns a `WireResult` and
 * never throws. A failure names what was wrong and the absolute byte offset (in the buffer the
 * caller passed) where decoding stopped, so `dsmip6 decode` can print `error: <what> at offset <n>`
 * and the engines can map it to an RFC action (drop and count, Binding Error, ICMPv6 error).
 *
 * Encoders are the other side: they take values this program built, so an invalid value is a bug
 * of the caller and they throw `EncodeError` (conventions C5: remote errors are values, local
 * errors throw).
 */

/** What kind of malformation a decoder found. */
export type WireErrorKind =
  | 'truncated'
  | 'bad-length'
  | 'bad-value'
  | 'bad-version'
  | 'bad-checksum'
  | 'unsupported';

export interface WireError {
  readonly kind: WireErrorKind;
  /** Absolute offset in the caller's buffer where the problem was found. */
  readonly offset: number;
  /** Human-readable description, e.g. "Mobility Header length field". */
  readonly what: string;
}

export interface WireOk<T> {
  readonly ok: true;
  readonly value: T;
  /** Bytes consumed from the start offset. */
  readonly consumed: number;
}

export interface WireErr {
  readonly ok: false;
  readonly error: WireError;
}

export type WireResult<T> = WireOk<T> | WireErr;

export function ok<T>(value: T, consumed: number): WireOk<T> {
  return { ok: true, value, consumed };
}

export function fail(kind: WireErrorKind, offset: number, what: string): WireErr {
  return { ok: false, error: { kind, offset, what } };
}

/** `truncated` failure unless `need` bytes are available at `offset` before `end`. */
export function needBytes(
  end: number, offset: number, need: number, what: string,
): WireErr | undefined {
  if (offset + need <= end) return undefined;
  const have = Math.max(0, end - offset);
  return fail('truncated', Math.min(offset, end), `${what}: need ${need} bytes, have ${have}`);
}

export function formatWireError(e: WireError): string {
  return `${e.kind}: ${e.what} at offset ${e.offset}`;
}

/** Thrown by encoders when asked to encode an invalid value (a bug in the caller). */
export class EncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodeError';
  }
}

export function encodeCheck(cond: boolean, message: string): asserts cond {
  if (!cond) throw new EncodeError(message);
}

/** Checks that `value` is an integer in [0, max]; throws EncodeError naming `field` otherwise. */
export function checkUint(value: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new EncodeError(`${field} must be an integer in 0..${max}, got ${value}`);
  }
}

/** Throws EncodeError unless `out` has `need` bytes free at `offset`. */
export function checkRoom(out: Uint8Array, offset: number, need: number, what: string): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + need > out.length) {
    throw new EncodeError(`${what}: ${need} bytes do not fit at offset ${offset} of ${out.length}`);
  }
}
