/**
 * `npm run bench:engine`: Binding Updates per second processed by the Home Agent engine alone
 * (decode, checks, binding cache, BA built as a value; no I/O, no BA encoding), with 1k, 10k and
 * 100k bindings held, and the heap bytes each binding costs. Half the mobile nodes register from
 * IPv6 care-of addresses, half through a NAT over UDP with a dynamic IPv4 home address.
 * Run with --expose-gc (the npm script does) for the heap figure.
 */
import { formatIpv6, parseIpv6 } from '../../src/wire/addr.js';
import { encodeMobilityPacket } from '../../src/wire/mh/packet.js';
import { HomeAgent } from '../../src/engine/ha/home-agent.js';
import { homeAgentConfig } from '../../src/engine/ha/config.js';
import type { ReceivedMh } from '../../src/engine/types.js';

const HA = '2001:db8:1::1';
const HA4 = '203.0.113.1';

function hoa(i: number): string {
  const b = parseIpv6('2001:db8:1::')!;
  b[12] = (i >>> 24) & 0xff; b[13] = (i >>> 16) & 0xff; b[14] = (i >>> 8) & 0xff; b[15] = i & 0xff;
  return formatIpv6(b);
}

function buFor(i: number, seq: number): ReceivedMh {
  const homeAddress = hoa(i + 256);
  const message = { type: 'binding-update' as const, sequence: seq, flags: 0xc000, lifetimeSeconds: 3600 };
  if (i % 2 === 0) {
    const bytes = encodeMobilityPacket({
      source: `2001:db8:2:${(i >> 16).toString(16)}::${(i & 0xffff).toString(16)}`, destination: HA,
      homeAddressOption: homeAddress, mh: { payloadProto: 59, message, options: [] },
    });
    return { kind: 'mh', via: { kind: 'ipv6' }, bytes };
  }
  const v4coa = `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;
  const bytes = encodeMobilityPacket({
    source: `::ffff:${v4coa}`, destination: HA, homeAddressOption: homeAddress,
    mh: {
      payloadProto: 59, message,
      options: [
        { type: 'ipv4-home-address', prefixLength: 32, requestPrefix: false, address: '0.0.0.0' },
        { type: 'ipv4-care-of-address', address: v4coa },
      ],
    },
  });
  // A few NATs, each with up to 60,000 mappings: (public address, port) is unique per node.
  const nat = `198.51.100.${1 + Math.floor(i / 60000)}`;
  const via = {
    kind: 'udp4' as const, source: nat, sourcePort: 1024 + (i % 60000),
    destination: HA4, destinationPort: 4191,
  };
  return { kind: 'mh', via, bytes };
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) { gc(); gc(); }
  return process.memoryUsage().heapUsed;
}

function run(n: number): Record<string, number> {
  const ha = new HomeAgent(homeAgentConfig({
    address: HA, ipv4Address: HA4, homePrefixes: [{ prefix: '2001:db8:1::/64' }], dad: false,
    acceptDsmip6: true, ipv4HomeAddressPool: '10.200.0.0/14', bindingsMax: n + 10,
  }));
  const first = Array.from({ length: n }, (_, i) => buFor(i, 1));
  const refresh = Array.from({ length: n }, (_, i) => buFor(i, 2));
  const before = heapUsed();
  let t0 = performance.now();
  for (const bu of first) ha.handle(0, bu);
  const registerMs = performance.now() - t0;
  const after = heapUsed();
  // `first` is used below so that it is still live at `after`: were it collected in between,
  // the BUs' own heap would be subtracted from the bindings' (how much depends on the packets).
  if (ha.cache.size !== n || first.length !== n) throw new Error(`expected ${n} bindings, have ${ha.cache.size}`);
  t0 = performance.now();
  let bas = 0;
  for (const bu of refresh) bas += ha.handle(1000, bu).filter((o) => o.kind === 'send-mh').length;
  const refreshMs = performance.now() - t0;
  if (bas !== n) throw new Error(`expected ${n} BAs, got ${bas}`);
  return {
    bindings: n,
    registerPerSecond: Math.round(n / (registerMs / 1000)),
    refreshPerSecond: Math.round(n / (refreshMs / 1000)),
    heapBytesPerBinding: Math.round((after - before) / n),
  };
}

const sizes = process.argv.includes('--quick') ? [1000, 10_000] : [1000, 10_000, 100_000];
const rows = sizes.map(run);
console.log('| bindings held | new registrations BU/s | refreshes BU/s | heap bytes per binding |');
console.log('|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.bindings} | ${r.registerPerSecond} | ${r.refreshPerSecond} | ${r.heapBytesPerBinding} |`);
}
if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
