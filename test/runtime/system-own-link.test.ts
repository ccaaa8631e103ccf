import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { RtnlClient } from '../../src/os/netlink/rtnl.js';
import { Journal } from '../../src/runtime/journal.js';
import { System } from '../../src/runtime/system.js';

/** Enough of an rtnetlink client for routes: every link exists, every change succeeds. */
function stubRtnl(calls: string[]): RtnlClient {
  const ok = { ok: true as const, value: undefined };
  return {
    getLink: (ref: string) => ({ ok: true, value: { index: ref === 'tun0' ? 7 : 3 } }),
    replaceRoute: (s: { dst: string; oif?: number }) => { calls.push(`replace ${s.dst} ${s.oif}`); return ok; },
    delRoute: (s: { dst: string; oif?: number }) => { calls.push(`del ${s.dst} ${s.oif}`); return ok; },
  } as unknown as RtnlClient;
}

test('system: routes through the process\'s own TUN are made but not journaled; others are', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dsmip6-system-'));
  try {
    const calls: string[] = [];
    const journal = new Journal(join(dir, 'journal'));
    const s = new System(stubRtnl(calls), journal);
    s.ownLink('tun0');
    s.route('2001:db8:1::5/128', { ifname: 'tun0' }, true);
    s.route('10.0.0.0/8', { ifname: 'eth0' }, true);
    assert.equal(journal.size, 1, 'only the route through eth0 is journaled');
    assert.deepEqual(Journal.leftovers(join(dir, 'journal')),
      [{ kind: 'route', prefix: '10.0.0.0/8', ifname: 'eth0' }]);
    s.route('2001:db8:1::5/128', { ifname: 'tun0' }, false);
    s.route('10.0.0.0/8', { ifname: 'eth0' }, false);
    assert.equal(journal.size, 0);
    assert.deepEqual(calls, [
      'replace 2001:db8:1::5/128 7', 'replace 10.0.0.0/8 3', 'del 2001:db8:1::5/128 7', 'del 10.0.0.0/8 3',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
