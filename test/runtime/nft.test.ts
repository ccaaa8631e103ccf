/**
 * The dsmip6 nftables table really suppresses the kernel's ICMPv6 Parameter Problem for a BU with
 * a Home Address option (platform.md §1a), and only that; and it is removed without a trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMobilityPacket } from '../../src/wire/mh/packet.js';
import { toHex } from '../../src/wire/bytes.js';
import { deleteNftTable, installNftTable, nftRuleset, type Exec } from '../../src/runtime/nft.js';
import { needRoot, nsExec, veth, withNamespaces } from './netns.js';

const A = 'fd00:d5::a';
const B = 'fd00:d5::b';

/** Sends `hex` from namespace `ns` through IPPROTO_RAW; returns the ICMPv6 errors seen (2 s at most). */
function sendAndListen(ns: string, hex: string): string {
  const py = `
import socket, select, time
r = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(bytes.fromhex("${hex}"), ("${B}", 0))
seen = []
end = time.time() + 2.0
while time.time() < end:
    if select.select([r], [], [], 0.1)[0]:
        d = r.recv(2000)
        if d[0] not in (133, 134, 135, 136, 143):
            seen.append("%d/%d" % (d[0], d[1]))
            end = min(end, time.time() + 0.3)
print(",".join(seen))
`;
  return nsExec(ns, 'python3 -', py).trim();
}

test('nft table: Parameter Problem for a BU with HAO is dropped only while the table exists', async (t) => {
  if (!needRoot(t, ['nft', 'python3'])) return;
  await withNamespaces(['a', 'b'], (ns) => {
    veth(ns.a, ns.b, 'dsa0', 'dsb0', [`${A}/64`], [`${B}/64`]);
    const bu = toHex(encodeMobilityPacket({
      source: A, destination: B, homeAddressOption: '2001:db8:1::100',
      mh: { payloadProto: 59, message: { type: 'binding-update', sequence: 1, flags: 0xc000, lifetimeSeconds: 8 }, options: [] },
    }));
    const ba = toHex(encodeMobilityPacket({
      source: A, destination: B, type2RoutingAddress: '2001:db8:1::100',
      mh: { payloadProto: 59, message: { type: 'binding-ack', status: 0, flags: 0, sequence: 1, lifetimeSeconds: 8 }, options: [] },
    }));
    assert.equal(sendAndListen(ns.a, bu), '4/2', 'without the table the kernel answers code 2');
    assert.equal(sendAndListen(ns.a, ba), '4/0', 'and code 0 for a Type 2 Routing Header');
    const exec: Exec = (file, args, input) => nsExec(ns.b, [file, ...args].join(' '), input);
    installNftTable(exec);
    assert.equal(sendAndListen(ns.a, bu), '', 'the table drops it');
    assert.equal(sendAndListen(ns.a, ba), '', 'both');
    const listed = nsExec(ns.b, 'nft list table inet dsmip6');
    assert.equal((listed.match(/counter packets 1 /g) ?? []).length, 2, listed);
    const unrelated = toHex(encodeMobilityPacket({
      source: A, destination: B,
      mh: { payloadProto: 58, message: { type: 'binding-refresh-request' }, options: [] },
    }));
    // No socket for protocol 135 there: the kernel answers code 1 (unrecognised next header).
  assert.equal(sendAndListen(ns.a, unrelated), '4/1', 'other Parameter Problems still go out');
    deleteNftTable(exec);
    deleteNftTable(exec); // idempotent
    assert.equal(nsExec(ns.b, 'nft list tables').trim(), '');
  });
});

test('nft ruleset text names only dsmip6 table and the two Parameter Problem cases', () => {
  const r = nftRuleset();
  assert.match(r, /^table inet dsmip6 \{/);
  assert.equal((r.match(/drop/g) ?? []).length, 2);
  assert.ok(!/policy drop/.test(r));
});
