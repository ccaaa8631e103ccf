/**
 * tshark's view of a handover's signalling: the capture (run-capture.ts) decoded by tshark
 * (`-d udp.port==4191,ip`: Wireshark has no DSMIPv6 port), the Binding Updates and Binding
 * Acknowledgements in it as records, and the checks of the fields that matter for what the
 * scenario expects (flags, IPv4 CoA, IPv4 HoA / IPv4 Address Acknowledgement status, NAT
 * detection, MNP, lifetimes, UDP 4191). A capture in which tshark finds a malformed packet or
 * an error-level expert item fails.
 */
import { tryRun } from './sh.js';

interface Outer { readonly src: string; readonly dst: string; readonly sport: number; readonly dport: number }

/** One BU or BA as tshark decoded it; option fields hold every occurrence. */
export interface Signal {
  readonly frame: number;
  /** ms since the epoch. */
  readonly at: number;
  readonly kind: 'bu' | 'ba';
  /** The outer IPv4 header's addresses when carried in UDP (4191), else null. */
  readonly udp: Outer | null;
  readonly src: string;
  readonly dst: string;
  readonly seq: number;
  /** BU: A, H, F, R; BA: R. */
  readonly flags: { readonly a: boolean; readonly h: boolean; readonly f: boolean; readonly r: boolean };
  /** Seconds (tshark shows the 4-second units). */
  readonly lifetime: number;
  /** BA status. */
  readonly status: number | null;
  readonly ipv4Coa: readonly string[];
  /** IPv4 home address option (BU) / IPv4 address acknowledgement (BA) addresses, then MNPs. */
  readonly ipv4Addresses: readonly string[];
  readonly ipv4AckStatus: readonly number[];
  readonly natDetection: boolean;
  /** The NAT detection option's F flag (UDP encapsulation required) and refresh time. */
  readonly natForce: boolean;
  readonly natRefresh: number | null;
  readonly mnp: readonly string[];
}

const FIELDS = [
  'frame.number', 'frame.time_epoch', 'ip.src', 'ip.dst', 'udp.srcport', 'udp.dstport', 'ipv6.src',
  'ipv6.dst', 'mip6.mhtype', 'mip6.bu.seqnr', 'mip6.ba.seqnr', 'mip6.bu.a_flag', 'mip6.bu.h_flag',
  'mip6.bu.f_flag', 'mip6.nemo.bu.r_flag', 'mip6.nemo.ba.r_flag', 'mip6.bu.lifetime', 'mip6.ba.lifetime',
  'mip6.ba.status', 'mip6.ipv4coa.addr', 'mip6.ipv4ha.ha', 'mip6.ipv4aa.sts', 'mip6.natd.f_flag',
  'mip6.natd.refresh_t', 'mip6.nemo.mnp.mnp', 'mip6.nemo.mnp.pfl', 'ipv6.opt.mipv6.home_address',
] as const;

type Row = Record<typeof FIELDS[number], string[]>;

/**
 * UDP 4191 carries DSMIPv6 (IPv4 or IPv6 inside). EtherCAT-over-UDP (port 34980) is off: the
 * probe and TCP traffic use ephemeral ports, and when one happened to be 34980 tshark read the
 * probe payload as EtherCAT mailboxes and called the frames malformed (a failed CI run).
 */
const TSHARK = ['-n', '-d', 'udp.port==4191,ip', '--disable-protocol', 'ecatf'];

function tshark(file: string, filter: string, fields: readonly string[]): string[][] | string {
  const r = tryRun('tshark', ['-r', file, ...TSHARK, '-Y', filter, '-T', 'fields', '-E', 'occurrence=a',
    '-E', 'aggregator=|', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])]);
  if (!r.ok) return `tshark: ${r.stderr.split('\n').filter((l) => !l.startsWith('Running as')).join(' ')}`;
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

const bit = (v: string[]): boolean => v[0] === '1' || v[0] === 'True';
const num = (v: string[]): number | null => (v.length > 0 && v[0] !== '' ? Number(v[0]) : null);

/** The BUs and BAs in `file` (not those quoted in ICMP errors), in capture order. */
export function decodeSignalling(file: string): Signal[] | string {
  const rows = tshark(file, 'mipv6 && (mip6.mhtype == 5 || mip6.mhtype == 6) && !icmp && !icmpv6', FIELDS);
  if (typeof rows === 'string') return rows;
  return rows.map((cells) => {
    const values = (i: number): string[] => (cells[i] ?? '').split('|').filter((x) => x !== '');
    const f = Object.fromEntries(FIELDS.map((k, i) => [k, values(i)])) as Row;
    const bu = f['mip6.mhtype'][0] === '5';
    const ip = f['ip.src'].length > 0 && f['udp.srcport'].length > 0;
    const pfl = f['mip6.nemo.mnp.pfl'];
    return {
      frame: Number(f['frame.number'][0]), at: Math.round(Number(f['frame.time_epoch'][0]) * 1000),
      kind: bu ? 'bu' : 'ba',
      udp: ip ? { src: f['ip.src'][0], dst: f['ip.dst'][0], sport: Number(f['udp.srcport'][0]),
        dport: Number(f['udp.dstport'][0]) } : null,
      src: f['ipv6.opt.mipv6.home_address'][0] ?? f['ipv6.src'][0] ?? '', dst: f['ipv6.dst'].at(-1) ?? '',
      seq: Number((bu ? f['mip6.bu.seqnr'] : f['mip6.ba.seqnr'])[0]),
      flags: { a: bit(f['mip6.bu.a_flag']), h: bit(f['mip6.bu.h_flag']), f: bit(f['mip6.bu.f_flag']),
        r: bit(bu ? f['mip6.nemo.bu.r_flag'] : f['mip6.nemo.ba.r_flag']) },
      lifetime: 4 * (num(bu ? f['mip6.bu.lifetime'] : f['mip6.ba.lifetime']) ?? -1),
      status: bu ? null : num(f['mip6.ba.status']),
      ipv4Coa: f['mip6.ipv4coa.addr'], ipv4Addresses: f['mip6.ipv4ha.ha'],
      ipv4AckStatus: f['mip6.ipv4aa.sts'].map(Number),
      natDetection: f['mip6.natd.refresh_t'].length > 0 || f['mip6.natd.f_flag'].length > 0, 
      natForce: bit(f['mip6.natd.f_flag']), natRefresh: num(f['mip6.natd.refresh_t']),
      mnp: f['mip6.nemo.mnp.mnp'].map((p, i) => `${p}/${pfl[i] ?? '?'}`),
    } satisfies Signal;
  });
}

/** Frames tshark calls malformed or gives an error-level expert item, as `#N message`. */
export function malformedFrames(file: string): string[] | string {
  const rows = tshark(file, '_ws.malformed || _ws.expert.severity == "Error"',
    ['frame.number', '_ws.expert.message']);
  if (typeof rows === 'string') return rows;
  return rows.map((r) => `#${r[0]} ${r[1] ?? 'malformed'}`);
}
