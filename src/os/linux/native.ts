/**
 * Loads the native addon (native/dsmip6.c, built by node-gyp at `npm install` into
 * build/Release/dsmip6.node) and types its surface. See docs/native.md.
 *
 * The addon is found relative to the package root (the nearest directory above this module
 * holding binding.gyp), so it loads the same from dist/src/os/linux and from an installed
 * package. It is loaded lazily, on first use: code paths that never touch Linux ports (codecs,
 * the simulator, mem doubles) run without it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OsError } from '../ports.js';

/** Integer constants taken from the C headers at build time. */
export interface NativeConstants {
  readonly AF_INET: number; readonly AF_INET6: number; readonly AF_NETLINK: number;
  readonly SOCK_DGRAM: number; readonly SOCK_RAW: number; readonly NETLINK_ROUTE: number;
  readonly IPPROTO_IP: number; readonly IPPROTO_IPV6: number; readonly IPPROTO_IPIP: number;
  readonly IPPROTO_UDP: number; readonly IPPROTO_RAW: number; readonly IPPROTO_ROUTING: number;
  readonly IPPROTO_DSTOPTS: number; readonly IPPROTO_MH: number;
  readonly SOL_SOCKET: number; readonly SO_BINDTODEVICE: number; readonly SO_REUSEADDR: number;
  readonly SO_BROADCAST: number; readonly SO_RCVBUF: number; readonly SO_RCVBUFFORCE: number;
  readonly SO_SNDBUF: number; readonly SO_SNDBUFFORCE: number; readonly SO_ERROR: number;
  readonly IP_PKTINFO: number; readonly IP_MTU_DISCOVER: number; readonly IP_PMTUDISC_DO: number;
  readonly IP_HDRINCL: number; readonly IPV6_CHECKSUM: number; readonly IPV6_RECVPKTINFO: number;
  readonly IPV6_V6ONLY: number; readonly IPV6_MTU_DISCOVER: number;
  readonly IPV6_PMTUDISC_DO: number; readonly SOL_NETLINK: number;
  readonly NETLINK_ADD_MEMBERSHIP: number; readonly NETLINK_EXT_ACK: number;
  readonly CLONE_NEWNET: number; readonly BATCH_MAX: number;
}

/** An opaque uv_poll watcher. */
export type PollHandle = object & { readonly __poll: unique symbol };

/** The addon's functions (docs/native.md has the contract of each). */
export interface NativeAddon {
  readonly constants: NativeConstants;
  tunOpen(
    name: string | null, multiQueue: boolean, offload?: boolean,
  ): { fd: number; name: string; ifindex: number; offload: boolean };
  ifIndex(name: string): number;
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: number | string | Uint8Array): void;
  getsockopt(fd: number, level: number, name: number): number;
  bindInet(fd: number, family: number, address: Uint8Array, port: number, scopeId: number): number;
  bindNetlink(fd: number, groups: number): number;
  recvBatch(
    fd: number, data: Uint8Array, slot: number, max: number, lengths: Uint32Array,
    addresses: Uint8Array | null, ports: Uint16Array | null,
    locals: Uint8Array | null, ifindexes: Uint32Array | null, waitMs: number,
  ): number;
  readBatch(fd: number, data: Uint8Array, slot: number, max: number, lengths: Uint32Array): number;
  tsoSplit(
    data: Uint8Array, at: number, length: number, out: Uint8Array, outOffset: number, slot: number,
    lengths: Uint32Array, first: number, max: number,
  ): number;
  sendBatch(
    fd: number, family: number, data: Uint8Array, count: number, offsets: Uint32Array,
    lengths: Uint32Array, addresses: Uint8Array | null, ports: Uint16Array | null, gso?: boolean,
  ): number;
  writeBatch(
    fd: number, data: Uint8Array, count: number, offsets: Uint32Array, lengths: Uint32Array,
    vnetHdr?: boolean,
  ): number;
  pollStart(fd: number, callback: (status: number) => void): PollHandle;
  pollClose(handle: PollHandle): void;
  close(fd: number): void;
  setns(fd: number, nstype: number): void;
}

let loaded: NativeAddon | undefined;

/** The package root: the nearest directory above `from` that holds binding.gyp. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'binding.gyp'))) return dir;
    if (dirname(dir) === dir) throw new Error(`dsmip6: no binding.gyp above ${from}`);
  }
}

/** The addon, loaded on first call. Throws a readable error when it was never built. */
export function native(): NativeAddon {
  if (loaded !== undefined) return loaded;
  const path = join(packageRoot(), 'build', 'Release', 'dsmip6.node');
  if (!existsSync(path)) {
    throw new Error(`dsmip6: native addon missing at ${path}; run \`npm install\` ` +
      '(it builds native/dsmip6.c with node-gyp: needs python3, make and a C compiler)');
  }
  loaded = createRequire(import.meta.url)(path) as NativeAddon;
  return loaded;
}

/** True when the addon file exists (tests use it to skip with a reason). */
export function nativeAvailable(): boolean {
  try {
    native();
    return true;
  } catch {
    return false;
  }
}

/** Turns what the addon threw into an OsError (other errors are bugs: rethrown as they are). */
export function toOsError(e: unknown): OsError {
  if (e instanceof OsError) return e;
  const x = e as { code?: unknown; syscall?: unknown; message?: unknown };
  if (e instanceof Error && typeof x.code === 'string' && typeof x.syscall === 'string') {
    return new OsError(x.code, x.syscall, e.message);
  }
  throw e;
}

/** Runs a native call, converting its OS errors into OsError. */
export function sys<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toOsError(e);
  }
}
