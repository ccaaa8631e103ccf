/**
 * The load generator's packets: simulated nodes (half behind a NAT), the BU datagram (IPv4/UDP
 * 4191/IPv6 BU, read back with the project's own decoders) and the BA parser.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  bindingUpdateDatagram, homeAddressOf, indexOfHomeAddress, parseAckDatagram, simulatedNode,
} from '../../src/bench/loadgen-packets.js';
import { decodeMobilityPacket, encodeMobilityPacket } from '../../src/wire/mh/packet.js';
import { parseIpv6 } from '../../src/wire/addr.js';

test('simulated nodes: unique home addresses; odd ones behind a NAT with a port each', () => {
  const a = simulatedNode('2001:db8:1', 0);
  const b = simulatedNode('2001:db8:1', 1);
  assert.equal(a.homeAddress, '2001:db8:1::1:0:0');
  assert.equal(homeAddressOf('2001:db8:1', 70000), '2001:db8:1::1:1:1170');
  assert.equal(indexOfHomeAddress(parseIpv6('2001:db8:1::1:1:1170')!, 0), 70000);
  assert.equal(a.behindNat, false);
  assert.equal(a.outerSource, a.careOf);
  assert.equal(b.behindNat, true);
  assert.notEqual(b.outerSource, b.careOf);
  const seen = new Set<string>();
  for (let i = 1; i < 200_000; i += 2) {
    const n = simulatedNode('2001:db8:1', i);
    seen.add(`${n.outerSource}:${n.outerPort}`);
  }
  assert.equal(seen.size, 100_000, 'every NATed node has its own public address and port');
});

test('the BU datagram: IPv4 header with checksum, UDP to 4191, a BU the MH decoder accepts', () => {
  const n = simulatedNode('2001:db8:1', 3);
  const d = bindingUpdateDatagram(n, 7, '2001:db8:1::1', '192.0.2.1');
  assert.equal(d[0], 0x45);
  assert.equal((d[2] << 8) | d[3], d.length);
  assert.equal(d[9], 17);
  let sum = 0;
  for (let k = 0; k < 20; k += 2) sum += (d[k] << 8) | d[k + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  assert.equal(sum, 0xffff, 'IPv4 header checksum');
  assert.deepEqual([...d.subarray(12, 16)], n.outerSource.split('.').map(Number));
  assert.equal((d[20] << 8) | d[21], n.outerPort);
  assert.equal((d[22] << 8) | d[23], 4191);
  const r = decodeMobilityPacket(d, 28);
  assert.ok(r.ok);
  const m = r.value.mh.message;
  assert.equal(m.type, 'binding-update');
  assert.ok(m.type === 'binding-update' && m.sequence === 7 && (m.flags & 0xc000) === 0xc000);
  assert.equal(r.value.homeAddressOption, n.homeAddress);
  assert.equal(r.value.packet.source, `::ffff:${n.careOf}`);
  const opts: string[] = r.value.mh.options.map((o) => o.type);
  assert.deepEqual(opts, ['ipv4-home-address', 'ipv4-care-of-address']);
});

function ackDatagram(status: number, hoa: string, sequence: number): Uint8Array {
  const inner = encodeMobilityPacket({
    source: '2001:db8:1::1', destination: '::ffff:10.64.0.4', type2RoutingAddress: hoa,
    mh: { payloadProto: 59, message: { type: 'binding-ack', status, flags: 0, sequence, lifetimeSeconds: 3600 },
      options: [] },
  });
  const d = new Uint8Array(28 + inner.length);
  d[0] = 0x45; d[9] = 17;
  d.set([10, 64, 0, 4], 16);
  d[20] = 4191 >> 8; d[21] = 4191 & 0xff; d[22] = 0x10; d[23] = 0x5f;
  d.set(inner, 28);
  return d;
}

test('BA parsing: node index, status, sequence; anything else is undefined', () => {
  const a = parseAckDatagram(ackDatagram(0, homeAddressOf('2001:db8:1', 4), 9));
  assert.deepEqual(a, {
    index: 4, status: 0, sequence: 9, lifetimeSeconds: 3600, outerDestination: 0x0a400004, outerPort: 4191,
  });
  assert.equal(parseAckDatagram(ackDatagram(129, homeAddressOf('2001:db8:1', 5), 1))?.status, 129);
  const bu = bindingUpdateDatagram(simulatedNode('2001:db8:1', 2), 1, '2001:db8:1::1', '192.0.2.1');
  bu[20] = 4191 >> 8; bu[21] = 4191 & 0xff;
  assert.equal(parseAckDatagram(bu), undefined, 'a BU is not a BA');
  const bad = ackDatagram(0, homeAddressOf('2001:db8:1', 4), 9);
  bad[bad.length - 1] ^= 0xff;
  assert.equal(parseAckDatagram(bad), undefined, 'bad MH checksum');
  assert.equal(parseAckDatagram(new Uint8Array(10)), undefined);
  const other = ackDatagram(0, homeAddressOf('2001:db8:1', 4), 9);
  other[20] = 0; other[21] = 53;
  assert.equal(parseAckDatagram(other), undefined, 'not from port 4191');
});
