/**
 * Native byte order for netlink.
 *
 * Netlink headers and attribute values are in the host's byte order (not network order). This
 * project runs on little-endian x86_64, so the codec reads and writes every multi-byte field as
 * little-endian, explicitly (DataView with littleEndian = true), rather than through typed arrays
 * whose order silently follows the host. Loading this module on a big-endian host throws at once,
 * so a mismatch can never produce wrongly ordered requests. Addresses inside attributes are byte
 * strings in network order and are copied, not byte-swapped.
 */

/** True when the host stores the low byte of a 16-bit integer first. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

if (!HOST_LITTLE_ENDIAN) {
  throw new Error('netlink codec: written for little-endian hosts (netlink is native-endian)');
}

/** Little-endian, as netlink is on this host. */
export const NATIVE_LITTLE_ENDIAN = true;

let lastBytes: Uint8Array | undefined;
let lastView: DataView = new DataView(new ArrayBuffer(0));

/**
 * A DataView over exactly the bytes of `b` (which may itself be a view into a larger buffer).
 * Creating a DataView costs more than the reads a codec does with it, so the view of the most
 * recent array is reused: one encode or decode asks for the same buffer's view many times.
 */
export function viewOf(b: Uint8Array): DataView {
  if (b !== lastBytes || lastView.byteLength !== b.byteLength) {
    lastView = new DataView(b.buffer, b.byteOffset, b.byteLength);
    lastBytes = b;
  }
  return lastView;
}

export function getU16(v: DataView, off: number): number {
  return v.getUint16(off, NATIVE_LITTLE_ENDIAN);
}

export function getU32(v: DataView, off: number): number {
  return v.getUint32(off, NATIVE_LITTLE_ENDIAN);
}

export function getI32(v: DataView, off: number): number {
  return v.getInt32(off, NATIVE_LITTLE_ENDIAN);
}

export function setU16(v: DataView, off: number, value: number): void {
  v.setUint16(off, value, NATIVE_LITTLE_ENDIAN);
}

export function setU32(v: DataView, off: number, value: number): void {
  v.setUint32(off, value, NATIVE_LITTLE_ENDIAN);
}

export function setI32(v: DataView, off: number, value: number): void {
  v.setInt32(off, value, NATIVE_LITTLE_ENDIAN);
}

/** NLMSG_ALIGN / RTA_ALIGN: rounds up to a multiple of 4. */
export function align4(n: number): number {
  return (n + 3) & ~3;
}
