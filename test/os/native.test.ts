/**
 * The addon's own contract (docs/native.md): errno names on OS errors, TypeError/RangeError on
 * bad arguments (never a crash), constants from the C headers, and loading from dist code.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { native, nativeAvailable, packageRoot, sys } from '../../src/os/linux/native.js';
import { OsError, addressBytes } from '../../src/os/ports.js';

test('native: found from dist through the package root', (t) => {
  assert.ok(existsSync(join(packageRoot(), 'binding.gyp')));
  if (!nativeAvailable()) { t.skip('needs the native addon: run npm install'); return; }
  const c = native().constants;
  assert.deepEqual([c.AF_INET, c.AF_INET6, c.AF_NETLINK, c.IPPROTO_MH, c.BATCH_MAX], [2, 10, 16, 135, 64]);
});

test('native: OS errors carry errno names; bad arguments are TypeError/RangeError', (t) => {
  if (!nativeAvailable()) { t.skip('needs the native addon: run npm install'); return; }
  const n = native();
  const c = n.constants;
  assert.throws(() => sys(() => n.close(-1)),
    (e: unknown) => e instanceof OsError && e.code === 'EBADF' && e.syscall === 'close');
  assert.throws(() => sys(() => n.ifIndex('dst-no-such0')),
    (e: unknown) => e instanceof OsError && e.code === 'ENODEV');
  assert.throws(() => n.ifIndex('a-name-longer-than-15'), TypeError);
  const fd = n.socket(c.AF_INET, c.SOCK_DGRAM, 0);
  try {
    n.bindInet(fd, c.AF_INET, addressBytes('127.0.0.1'), 0, 0);
    const data = new Uint8Array(2048 * 4);
    const lens = new Uint32Array(64);
    assert.equal(n.recvBatch(fd, data, 2048, 4, lens, null, null, null, null, 0), 0, 'EAGAIN is 0');
    assert.throws(() => n.recvBatch(fd, data, 2048, 5, lens, null, null, null, null, 0), RangeError);
    assert.throws(() => n.recvBatch(fd, data, 2048, 65, lens, null, null, null, null, 0), RangeError);
    assert.throws(() => n.recvBatch(fd, data, 2048, 4, lens, new Uint8Array(16), null, null, null, 0),
      RangeError, 'addresses without room for 4');
    assert.throws(() => n.sendBatch(fd, c.AF_INET, data, 1, Uint32Array.of(8190), Uint32Array.of(10),
      null, null), RangeError, 'a span outside the buffer');
    assert.throws(() => (n.recvBatch as (...a: unknown[]) => number)(fd, 'x', 2048, 1, lens), TypeError);
    assert.throws(() => (n.pollStart as (...a: unknown[]) => unknown)(fd, 42), TypeError);
    assert.throws(() => (n.pollClose as (...a: unknown[]) => unknown)({}), TypeError);
  } finally {
    n.close(fd);
  }
});
