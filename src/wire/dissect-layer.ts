/** The layer records a dissection produces, and the conversion of values to plain JSON. */
import { toHex } from './bytes.js';

export interface Layer {
  readonly layer: string;
  /** Absolute offset of the layer's first octet. */
  readonly offset: number;
  readonly length: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Makes values printable: bytes as hex, bigints as decimal text, undefined fields dropped. */
export function plain(v: object): Record<string, unknown>;
export function plain(v: unknown): unknown;
export function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return toHex(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map((x) => plain(x));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v)
      .filter(([, x]) => x !== undefined).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}
