/**
 * A home agent restart loses no binding (the durable Binding Cache, src/runtime/ha-store.ts):
 *
 *   [home] hl0 ---- home0 [ha] inet0 ---- eth0 [mn]
 *   2001:db8:1::50, 192.0.2.50     foreign link 2001:db8:20::/64, 198.51.100.0/24
 *   home link 2001:db8:1::/64, 192.0.2.0/24 (HA ::1 / .1)
 *
 * The mobile node registers (IPv6 care-of address, or IPv4 care-of address with UDP forced); the
 * home agent is stopped by SIGTERM or killed by SIGKILL and started again. Before the mobile node
 * sends another Binding Update (its sequence number is checked unchanged), `ctl bc` shows the
 * binding with its remaining lifetime, and a correspondent on the home link (through proxy ND /
 * proxy ARP) and the home agent's own namespace reach both home addresses again. A mobile node
 * killed and restarted re-registers (135 and resynchronisation when its new sequence number is
 * not newer). After the final stop everything is as before and only the kept binding's file
 * stays in the state directory; a start whose configuration refuses it, then a stop, leaves none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { needRoot, nsExec, sh, withNamespaces } from '../runtime/netns.js';
import {
  Daemon, HOA, ctlJson, haConf, homeAndForeignLinks, mnConf, ping, snapshotState, waitFor,
} from './daemon-harness.js';

interface BindingRow {
  homeAddress: string; careOfAddress: string; encapsulation: string; ipv4HomeAddress: string | null;
  lifetimeSeconds: number; remainingSeconds: number; sequence: number;
}
interface Bul { entries: { lastSequenceSent: number | null; state: string }[] }

async function binding(dir: string, careOf: string): Promise<BindingRow> {
  return waitFor(`a binding from ${careOf}`, async () => {
    const bc = await ctlJson<{ bindings: BindingRow[] }>(join(dir, 'ha.sock'), 'bc');
    return bc.bindings.find((b) => b.homeAddress === HOA && b.careOfAddress === careOf && b.ipv4HomeAddress !== null);
  }, 15_000);
}

async function bulSequence(dir: string): Promise<number | null> {
  const bul = await ctlJson<Bul>(join(dir, 'mn.sock'), 'bul');
  return bul.entries[0]?.lastSequenceSent ?? null;
}

type Variant = { name: string; forceUdp: boolean; careOf: string; encapsulation: string };
const VARIANTS: Variant[] = [
  { name: 'IPv6 care-of address', forceUdp: false, careOf: '2001:db8:20::5', encapsulation: 'ipv6' },
  { name: 'IPv4 care-of address, UDP', forceUdp: true, careOf: '198.51.100.5', encapsulation: 'udp4' },
];

for (const v of VARIANTS) {
  test(`HA restart (SIGTERM, then SIGKILL) keeps the binding, ${v.name}: traffic flows before any new BU`, async (t) => {
    if (!needRoot(t, ['ping', 'nft'])) return;
    const dir = mkdtempSync(join(tmpdir(), 'dps-restart-'));
    const stateDir = join(dir, 'ha-state');
    try {
      await withNamespaces(['home', 'ha', 'mn'], async (ns) => {
        homeAndForeignLinks(ns, ['2001:db8:1::50/64', '192.0.2.50/24']);
        if (v.forceUdp) {
          nsExec(ns.mn, 'ip addr add 198.51.100.5/24 dev eth0');
          nsExec(ns.mn, 'ip route add default via 198.51.100.1');
        } else {
          nsExec(ns.mn, 'ip addr add 2001:db8:20::5/64 dev eth0 nodad');
          nsExec(ns.mn, 'ip -6 route add default via 2001:db8:20::1 dev eth0');
        }
        const before = snapshotState(ns.ha, ['home0']);
        writeFileSync(join(dir, 'ha.conf'), haConf(dir, { ipv4Pool: true }));
        writeFileSync(join(dir, 'mn.conf'), mnConf(dir, { ipv4Traffic: true, forceUdp: v.forceUdp }));
        let ha = Daemon.start(ns.ha, join(dir, 'ha.conf'));
        let mn = Daemon.start(ns.mn, join(dir, 'mn.conf'));
        try {
          await ha.waitLog(/home agent running/);
          const first = await binding(dir, v.careOf);
          assert.equal(first.encapsulation, v.encapsulation);
          const v4hoa = first.ipv4HomeAddress!;
          for (const from of [ns.home, ns.ha]) { ping(from, HOA); ping(from, v4hoa); }
          const seq = await bulSequence(dir);
          assert.notEqual(seq, null);
          for (const how of ['SIGTERM', 'SIGKILL'] as const) {
            if (how === 'SIGTERM') await ha.stop(); else ha.kill();
            await waitFor('the home agent gone', async () => (ha.proc.exitCode !== null || ha.proc.signalCode !== null ? true : undefined));
            assert.ok(existsSync(join(stateDir, 'bindings-ha')), `${how}: the bindings file stays`);
            if (how === 'SIGTERM') {
              assert.deepStrictEqual(nsExec(ns.ha, 'ip -6 neigh show proxy'), before.proxy6, 'a clean stop withdraws proxy ND');
            }
            await new Promise((r) => setTimeout(r, 1500)); // time stopped counts against the lifetime
            ha = Daemon.start(ns.ha, join(dir, 'ha.conf'));
            await ha.waitLog(/home agent running/);
            assert.match(ha.log, /bindings restored.*restored=1/);
            const bc = await ctlJson<{ bindings: BindingRow[] }>(join(dir, 'ha.sock'), 'bc');
            const b = bc.bindings.find((x) => x.homeAddress === HOA);
            assert.ok(b, `${how}: binding restored\n${ha.log}`);
            assert.deepStrictEqual([b.careOfAddress, b.encapsulation, b.ipv4HomeAddress, b.sequence, b.lifetimeSeconds],
              [first.careOfAddress, first.encapsulation, v4hoa, first.sequence, first.lifetimeSeconds]);
            assert.ok(b.remainingSeconds < first.remainingSeconds && b.remainingSeconds > 0,
              `remaining lifetime ${b.remainingSeconds} < ${first.remainingSeconds}`);
            for (const from of [ns.home, ns.ha]) { ping(from, HOA); ping(from, v4hoa); }
            assert.equal(await bulSequence(dir), seq, `${how}: the mobile node sent no new BU`);
            assert.ok(!/binding-accepted/.test(ha.log), `${how}: no BU accepted since the restart\n${ha.log}`);
          }
          if (!v.forceUdp) {
            // The mobile node killed and started again: a fresh sequence number, 135 if not newer, resync.
            mn.kill();
            mn = Daemon.start(ns.mn, join(dir, 'mn.conf'));
            const sent = await waitFor('the restarted MN registered', async () => {
              const e = (await ctlJson<Bul>(join(dir, 'mn.sock'), 'bul')).entries[0];
              return e?.state === 'registered' ? e.lastSequenceSent : undefined;
            }, 20_000);
            const again = await binding(dir, v.careOf);
            assert.equal(again.sequence, sent, 'the home agent holds the restarted node\'s sequence number');
            const resynced = /binding-rejected.*status=135/.test(ha.log);
            t.diagnostic(`MN restart: ${resynced ? '135 then resynchronised' : 'new sequence number was newer'}`);
            for (const from of [ns.home, ns.ha]) { ping(from, HOA); ping(from, v4hoa); }
          }
        } finally {
          await mn.stop();
          await ha.stop();
        }
        assert.deepStrictEqual(snapshotState(ns.ha, ['home0']), before, 'the home agent left state behind');
        // The mobile node does not deregister when it stops: the binding is kept, nothing else.
        assert.deepStrictEqual(readdirSync(stateDir), ['bindings-ha'], 'only the kept binding stays');
        // A configuration that no longer allows the binding drops it; a stop with none leaves nothing.
        writeFileSync(join(dir, 'ha-deny.conf'),
          haConf(dir, { ipv4Pool: true }).replace('DefaultBindingAclPolicy allow', 'DefaultBindingAclPolicy deny'));
        const denying = Daemon.start(ns.ha, join(dir, 'ha-deny.conf'));
        await denying.waitLog(/home agent running/);
        assert.match(denying.log, /binding not restored.*refused by the binding ACL/);
        await denying.stop();
        assert.deepStrictEqual(readdirSync(stateDir), [], 'no bindings file and no journal after a stop with no binding');
        assert.deepStrictEqual(snapshotState(ns.ha, ['home0']), before, 'the home agent left state behind');
      });
    } finally {
      sh(`pkill -KILL -f "dsmip6d[.]js -c ${dir}/" || true`);
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
