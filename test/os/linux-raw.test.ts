/**
 * Linux DatagramPort over raw sockets, the IPv6-CoA signalling paths of design.md:
 * a BU with a Home Address option sent as a hand-built packet on IPPROTO_RAW arrives on the
 * receiver's raw6/60 socket (not on raw6/135), a BA with a Type 2 Routing Header on raw6/43,
 * a plain MH on raw6/135 (the kernel checks our checksum), and IP-in-IP on raw4/41 (with the
 * IPv4 header) and raw6/41.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { addressText, type DatagramBatch, type DatagramPort } from '../../src/os/ports.js';
import { openRaw } from '../../src/os/linux/datagram.js';
import {
  deleteNetns, inNetns, linuxTestBlocker, netnsName,
} from '../../src/os/linux/netns.js';
import { linkedPair, waitFor } from './linux-pair.js';
import { decodeMobilityPacket, encodeMobilityPacket } from '../../src/wire/mh/packet.js';
import { BuFlag } from '../../src/wire/mh/constants.js';
import { writeIpv6 } from '../../src/wire/addr.js';

interface Got { bytes: Uint8Array; peer: string; local: string }

function listen(port: DatagramPort, into: Got[]): void {
  port.onBatch((b: DatagramBatch) => {
    for (let i = 0; i < b.count; i++) {
      into.push({
        bytes: b.packet(i).slice(), peer: b.peerAddress(i), local: addressText(b.localAddresses, i * 16),
      });
    }
  });
}

/** The IPv6 packet a raw6 socket saw: its fixed header rebuilt from the addresses (as the runtime does). */
function rebuild(g: Got, nextHeader: number): Uint8Array {
  const out = new Uint8Array(40 + g.bytes.length);
  out[0] = 0x60;
  out[4] = g.bytes.length >> 8;
  out[5] = g.bytes.length & 0xff;
  out[6] = nextHeader;
  out[7] = 64;
  writeIpv6(out, 8, g.peer);
  writeIpv6(out, 24, g.local);
  out.set(g.bytes, 40);
  return out;
}

const BU = {
  payloadProto: 59, options: [],
  message: { type: 'binding-update', sequence: 42, flags: BuFlag.A | BuFlag.H, lifetimeSeconds: 400 },
} as const;
const BA = {
  payloadProto: 59, options: [],
  message: { type: 'binding-ack', status: 0, flags: 0, sequence: 42, lifetimeSeconds: 400 },
} as const;

/** The sockets of both sides and what each receiving one got. */
interface Rig {
  haRaw: DatagramPort; mnRaw: DatagramPort; mn135: DatagramPort; mn41v4: DatagramPort;
  mn41v6: DatagramPort; ha60: DatagramPort;
  got60: Got[]; got135: Got[]; got43: Got[]; got41v4: Got[]; got41v6: Got[];
}

function rig(mn: string, ha: string, open: DatagramPort[]): Rig {
  const sock = (o: Parameters<typeof openRaw>[0]): DatagramPort => {
    const p = openRaw(o);
    open.push(p);
    return p;
  };
  const [ha60, ha135, haRaw, ha41v4, ha41v6] = inNetns(ha, () => [
    sock({ family: 6, protocol: 60 }), sock({ family: 6, protocol: 135 }),
    sock({ family: 6, protocol: 255 }), sock({ family: 4, protocol: 41 }),
    sock({ family: 6, protocol: 41 }),
  ]);
  const [mn43, mnRaw, mn135, mn41v4, mn41v6] = inNetns(mn, () => [
    sock({ family: 6, protocol: 43 }), sock({ family: 6, protocol: 255 }),
    sock({ family: 6, protocol: 135, checksumOffset: -1 }),
    sock({ family: 4, protocol: 41 }), sock({ family: 6, protocol: 41 }),
  ]);
  const r: Rig = {
    haRaw, mnRaw, mn135, mn41v4, mn41v6, ha60,
    got60: [], got135: [], got43: [], got41v4: [], got41v6: [],
  };
  listen(ha60, r.got60);
  listen(ha135, r.got135);
  listen(mn43, r.got43);
  listen(ha41v4, r.got41v4);
  listen(ha41v6, r.got41v6);
  return r;
}

/** BU from the CoA with the HoA in a Home Address option, hand-built, on IPPROTO_RAW -> raw6/60. */
async function bindingUpdate(r: Rig): Promise<void> {
  const bu = encodeMobilityPacket({
    source: 'fd77::1', destination: 'fd77::2', homeAddressOption: 'fd99::100', mh: BU,
  });
  r.mnRaw.send('fd77::2', 0, bu);
  await waitFor(() => r.got60.length === 1);
  assert.equal(r.got60[0].peer, 'fd77::1');
  assert.equal(r.got60[0].local, 'fd77::2');
  assert.deepEqual(r.got60[0].bytes, bu.subarray(40), 'from the Destination Options header on');
  const d = decodeMobilityPacket(rebuild(r.got60[0], 60));
  assert.ok(d.ok, JSON.stringify(d));
  assert.equal(d.value.homeAddressOption, 'fd99::100');
  assert.deepEqual(d.value.mh.message, BU.message, 'MH checksum verified over the HoA');
}

/** BA to the CoA with the HoA in a Type 2 Routing Header, on IPPROTO_RAW -> raw6/43. */
async function bindingAck(r: Rig): Promise<void> {
  const ba = encodeMobilityPacket({
    source: 'fd77::2', destination: 'fd77::1', type2RoutingAddress: 'fd99::100', mh: BA,
  });
  r.haRaw.send('fd77::1', 0, ba);
  await waitFor(() => r.got43.length === 1);
  const d = decodeMobilityPacket(rebuild(r.got43[0], 43));
  assert.ok(d.ok, JSON.stringify(d));
  assert.equal(d.value.type2RoutingAddress, 'fd99::100');
  assert.deepEqual(d.value.mh.message, BA.message);
}

/** A plain MH on raw6/135 (our checksum, IPV6_CHECKSUM -1 on the sender, passes the receiving
 *  kernel's check at offset 4), then IPv6-in-IPv4 on raw4/41 (outer header included) and
 *  IPv6-in-IPv6 on raw6/41. */
async function plainAndTunnelled(r: Rig): Promise<void> {
  const plain = encodeMobilityPacket({ source: 'fd77::1', destination: 'fd77::2', mh: BU });
  r.mn135.send('fd77::2', 0, plain.subarray(40));
  await waitFor(() => r.got135.length === 1);
  assert.deepEqual(r.got135[0].bytes, plain.subarray(40));
  assert.equal(r.got135[0].peer, 'fd77::1');
  r.mn41v4.send('10.77.0.2', 0, plain);
  r.mn41v6.send('fd77::2', 0, plain);
  await waitFor(() => r.got41v4.length === 1 && r.got41v6.length === 1);
  const outer = r.got41v4[0].bytes;
  assert.equal(outer[0], 0x45);
  assert.equal(outer[9], 41);
  assert.equal(outer[6] & 0x40, 0x40, 'DF set (IP_PMTUDISC_DO)');
  assert.deepEqual([...outer.subarray(12, 20)], [10, 77, 0, 1, 10, 77, 0, 2]);
  assert.deepEqual(outer.subarray(20), plain);
  assert.equal(r.got41v4[0].peer, '10.77.0.1');
  assert.deepEqual(r.got41v6[0].bytes, plain);
}

test('raw sockets: BU+HAO on raw6/60, BA+RH2 on raw6/43, plain MH on raw6/135, IP-in-IP on 41',
  async (t) => {
    const why = linuxTestBlocker();
    if (why) { t.skip(why); return; }
    const mn = netnsName('raw-mn');
    const ha = netnsName('raw-ha');
    const open: DatagramPort[] = [];
    try {
      linkedPair(mn, ha, '10.77.0', 'fd77::');
      const r = rig(mn, ha, open);
      await bindingUpdate(r);
      await bindingAck(r);
      await plainAndTunnelled(r);
      // The HAO packet of the BU never reached raw6/135: only the plain MH did.
      await new Promise((res) => setTimeout(res, 50));
      assert.equal(r.got135.length, 1);
      assert.equal(r.ha60.stats.rxPackets, 1);
    } finally {
      for (const p of open) p.close();
      deleteNetns(mn);
      deleteNetns(ha);
    }
  });
