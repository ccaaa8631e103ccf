/**
 * HomeLink on the real kernel (root only): two namespaces joined by a veth pair, the home
 * agent's side `home0` and a neighbour's `nb0`, with the Linux link ports opened inside the
 * home agent's namespace.
 *
 *  - DAD: addresses the neighbour owns are duplicates (its kernel answers our probe with an NA),
 *    the others are unique after RetransTimer, all in one batch of concurrent DADs; a probe for
 *    the same address from another node (a LinuxNd in the neighbour's namespace, another nonce)
 *    is a duplicate too; our own probe never counts.
 *  - Unsolicited NA: the neighbour's stale entry for an address moves to the home agent's MAC.
 *  - Gratuitous ARP: the same for an IPv4 address in the neighbour's ARP cache.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { HomeLink, RETRANS_TIMER_MS, linkFacts } from '../../src/runtime/neighbour.js';
import { dadSolicitation } from '../../src/runtime/neighbour-packets.js';
import { Logger } from '../../src/runtime/logger.js';
import { LinuxNetlink } from '../../src/os/linux/netlink.js';
import { openLinkLayer, openNd } from '../../src/os/linux/packet.js';
import {
  connectNetns, createNetns, deleteNetns, inNetns, ipIn, linuxTestBlocker, netnsName,
} from '../../src/os/linux/netns.js';
import { RtnlClient } from '../../src/os/netlink/rtnl.js';

const HA = netnsName('nh-ha');
const NB = netnsName('nh-nb');

interface Rig { link: HomeLink; netlink: LinuxNetlink; lines: string[]; mac: string }

function rig(ethernetMulticast: boolean, sendRing: boolean): Rig {
  const lines: string[] = [];
  const netlink = inNetns(HA, () => new LinuxNetlink());
  const rtnl = new RtnlClient(netlink);
  const link = new HomeLink({
    openNd: () => inNetns(HA, () => openNd({ device: 'home0', icmpTypes: [135, 136], ethernetMulticast, sendRing })),
    openLinkLayer: () => inNetns(HA, () => openLinkLayer({ device: 'home0' })),
    facts: () => linkFacts(rtnl, 'home0'),
    log: new Logger({ write: (l) => lines.push(l) }, 'debug'),
  });
  const mac = ipIn(HA, ['-br', 'link', 'show', 'home0']).split(/\s+/)[2];
  return { link, netlink, lines, mac };
}

function topology(): void {
  createNetns(HA);
  createNetns(NB);
  connectNetns(HA, 'home0', NB, 'nb0');
  ipIn(HA, ['addr', 'add', '2001:db8:1::1/64', 'dev', 'home0', 'nodad']);
  ipIn(HA, ['addr', 'add', '192.0.2.1/24', 'dev', 'home0']);
  for (const a of ['2001:db8:1::100/64', '2001:db8:1::200/64']) {
    ipIn(NB, ['addr', 'add', a, 'dev', 'nb0', 'nodad']);
  }
  ipIn(NB, ['addr', 'add', '192.0.2.2/24', 'dev', 'nb0']);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * The home agent kernel's neighbour entries for the solicited-node groups of the test's home
 * addresses (2001:db8:1::xxx and 2001:db8:1::1:xx: ff02::1:ff00:xxx, ff02::1:ff01:xx).
 */
const probedGroupNeighbours = (): string[] =>
  ipIn(HA, ['-6', 'neigh', 'show', 'nud', 'all', 'dev', 'home0']).split('\n')
    .filter((l) => /^ff02::1:ff0[01]:/.test(l));

const MODES = [
  { how: 'every packet through IPPROTO_RAW', ethernetMulticast: false, sendRing: false },
  { how: 'multicast as Ethernet frames', ethernetMulticast: true, sendRing: false },
  { how: 'multicast as Ethernet frames from the send thread', ethernetMulticast: true, sendRing: true },
];
for (const m of MODES) {
  test(`home link on the kernel (${m.how}): DAD, unsolicited NA, gratuitous ARP`,
    (t) => homeLinkOnKernel(t, m.ethernetMulticast, m.sendRing));
}

async function homeLinkOnKernel(t: test.TestContext, ethernetMulticast: boolean, sendRing: boolean): Promise<void> {
  const blocker = linuxTestBlocker();
  if (blocker !== undefined) { t.skip(blocker); return; }
  let r: Rig | undefined;
  try {
    topology();
    // The link-local address of home0 must have finished the kernel's own DAD (NA source).
    await until('a link-local address on home0', () =>
      /fe80::/.test(ipIn(HA, ['-6', 'addr', 'show', 'dev', 'home0', 'scope', 'link', '-tentative'])));
    r = rig(ethernetMulticast, sendRing);
    const rr = r;

    await t.test('concurrent DADs: owned addresses are duplicates, the others unique', async () => {
      const results = new Map<string, { duplicate: boolean; ms: number }>();
      const t0 = performance.now();
      const addrs = ['2001:db8:1::100', '2001:db8:1::200', '2001:db8:1::300', '2001:db8:1::400'];
      for (const a of addrs) {
        rr.link.dad(a, (duplicate) => results.set(a, { duplicate, ms: performance.now() - t0 }));
      }
      await until('every DAD result', () => results.size === addrs.length);
      assert.deepEqual(addrs.map((a) => results.get(a)!.duplicate), [true, true, false, false]);
      // Found from the NA, not by waiting for the timer (which would have said "unique").
      assert.ok(results.get(addrs[0])!.ms < RETRANS_TIMER_MS, `duplicate found in ${results.get(addrs[0])!.ms} ms`);
      assert.ok(results.get(addrs[2])!.ms >= RETRANS_TIMER_MS - 5, 'unique only after RetransTimer');
      assert.equal(rr.link.counters.probesSent, 4);
      t.diagnostic(`duplicate in ${results.get(addrs[0])!.ms.toFixed(1)} ms, ` +
        `unique in ${results.get(addrs[2])!.ms.toFixed(1)} ms`);
    });

    await t.test('200 DADs at once, 20 of them owned by the neighbour', async () => {
      const addrs = Array.from({ length: 200 }, (_, i) => `2001:db8:1::1:${(i + 1).toString(16)}`);
      const owned = addrs.filter((_, i) => i % 10 === 3);
      for (const a of owned) ipIn(NB, ['addr', 'add', `${a}/64`, 'dev', 'nb0', 'nodad']);
      const results = new Map<string, boolean>();
      const t0 = performance.now();
      for (const a of addrs) rr.link.dad(a, (d) => results.set(a, d));
      const sendMs = performance.now() - t0;
      await until('200 DAD results', () => results.size === addrs.length);
      const total = performance.now() - t0;
      assert.deepEqual(addrs.filter((a) => results.get(a)), owned);
      assert.equal(rr.link.inFlight, 0);
      t.diagnostic(`200 DADs: probes sent in ${sendMs.toFixed(1)} ms, all results in ${total.toFixed(0)} ms`);
    });

    await t.test('another node probing the same address at the same time: duplicate', async () => {
      const other = inNetns(NB, () => openNd({ device: 'nb0', icmpTypes: [135, 136] }));
      try {
        let result: boolean | undefined;
        rr.link.dad('2001:db8:1::500', (d) => { result = d; });
        other.send(dadSolicitation('2001:db8:1::500', new Uint8Array([7, 7, 7, 7, 7, 7])));
        await until('the DAD result', () => result !== undefined);
        assert.equal(result, true);
      } finally {
        other.close();
      }
    });

    await t.test('unsolicited NA moves the neighbour\'s entry to the home agent\'s MAC', async () => {
      const hoa = '2001:db8:1::700';
      ipIn(NB, ['-6', 'neigh', 'replace', hoa, 'lladdr', '02:00:5e:00:53:99', 'dev', 'nb0', 'nud', 'stale']);
      rr.link.announceNeighbour(hoa);
      await until('the neighbour entry to change', () =>
        ipIn(NB, ['-6', 'neigh', 'show', hoa]).includes(`lladdr ${rr.mac}`));
      assert.equal(rr.link.counters.sendErrors, 0);
    });

    await t.test('gratuitous ARP moves the neighbour\'s ARP entry to the home agent\'s MAC', async () => {
      const v4 = '192.0.2.129';
      ipIn(NB, ['-4', 'neigh', 'replace', v4, 'lladdr', '02:00:5e:00:53:99', 'dev', 'nb0', 'nud', 'stale']);
      rr.link.announceArp(v4);
      await until('the ARP entry to change', () => ipIn(NB, ['-4', 'neigh', 'show', v4]).includes(`lladdr ${rr.mac}`));
      assert.equal(rr.link.counters.arpSent, 2);
    });

    await t.test('the kernel kept a neighbour entry per group only when the packets went through it', () => {
      const entries = probedGroupNeighbours();
      t.diagnostic(`${entries.length} neighbour entries for probed groups on home0`);
      if (ethernetMulticast) assert.deepEqual(entries, []);
      else assert.ok(entries.length > 0, 'the IPv6 output path resolves each group it sends to');
    });
  } finally {
    r?.link.close();
    r?.netlink.close();
    deleteNetns(HA);
    deleteNetns(NB);
  }
}
