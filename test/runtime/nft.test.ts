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

test('nft ruleset text names only dsmip6 table, ND forwarded into its TUNs and the two Parameter Problem cases', () => {
  const r = nftRuleset();
  assert.match(r, /^table inet dsmip6 \{/);
  assert.equal((r.match(/drop/g) ?? []).length, 3);
  assert.match(r, /oifname "dsmip6\*" icmpv6 type \{[^}]*nd-neighbor-solicit[^}]*\} counter drop/);
  assert.ok(!/policy drop/.test(r));
});

/** Sends one ICMPv6 message of `type` (hop limit 255) from `ns` to `dst` through IPPROTO_RAW. */
function sendIcmp6(ns: string, src: string, dst: string, type: number): void {
  const py = `
import socket
def a(x): return socket.inet_pton(socket.AF_INET6, x)
body = bytes([${type}, 0, 0, 0, 0, 0, 0, 0]) + a("${dst}")
ip = bytes([0x60, 0, 0, 0]) + len(body).to_bytes(2, "big") + bytes([58, 255]) + a("${src}") + a("${dst}")
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(ip + body, ("${dst}", 0))
`;
  nsExec(ns, 'python3 -', py);
}

test('nft table: a unicast NS the kernel would forward into a dsmip6 TUN is dropped; other traffic passes', async (t) => {
  if (!needRoot(t, ['nft', 'python3', 'ping'])) return;
  await withNamespaces(['a', 'r', 'b'], (ns) => {
    veth(ns.a, ns.r, 'dsa0', 'dsr0', ['fd00:d5:1::a/64'], ['fd00:d5:1::1/64']);
    veth(ns.r, ns.b, 'dsmip6t0', 'dsb0', ['fd00:d5:2::1/64'], ['fd00:d5:2::b/64']);
    nsExec(ns.a, 'ip -6 route add default via fd00:d5:1::1');
    nsExec(ns.b, 'ip -6 route add default via fd00:d5:2::1');
    nsExec(ns.r, 'sysctl -qw net.ipv6.conf.all.forwarding=1');
    nsExec(ns.a, 'ping -6 -c 1 -w 5 fd00:d5:2::b'); // waits out DAD on the new addresses
    const exec: Exec = (file, args, input) => nsExec(ns.r, [file, ...args].join(' '), input);
    installNftTable(exec);
    sendIcmp6(ns.a, 'fd00:d5:1::a', 'fd00:d5:2::b', 135);
    sendIcmp6(ns.a, 'fd00:d5:1::a', 'fd00:d5:2::b', 136);
    const listed = nsExec(ns.r, 'nft list chain inet dsmip6 forward');
    assert.match(listed, /counter packets 2 /, listed);
    const out = nsExec(ns.a, 'ping -6 -c 2 -i 0.2 -W 2 fd00:d5:2::b');
    assert.match(out, / 0% packet loss/, 'echo requests are forwarded as before');
    assert.match(nsExec(ns.r, 'nft list chain inet dsmip6 forward'), /counter packets 2 /, 'echoes did not match');
    deleteNftTable(exec);
  });
});
