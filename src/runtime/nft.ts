/**
 * dsmip6's own nftables table, and nothing broader. It drops Neighbor Discovery the kernel would
 * forward into one of dsmip6's TUNs (`dsmip6*`): ND is link-local (RFC 4861 §6.1, §7.1: hop limit
 * 255 on receipt, so a forwarded copy is dropped at the far end anyway), yet with proxy ND in
 * userspace the home agent holds no kernel proxy entry, and the kernel forwards a neighbour's
 * unicast NS for a home address down the binding's /128 route into the tunnel, while the
 * userspace responder answers it on the home link. And it drops the ICMPv6 Parameter Problem
 * errors the kernel sends because it does not implement Mobile IPv6 itself (platform.md §1):
 * - code 2 (unrecognised option) for a packet whose first extension header is Destination Options
 *   (the Home Address option of a BU arriving at the home agent);
 * - code 0 (erroneous header field) for a packet whose first extension header is a Type 2
 *   Routing Header (a BA arriving at the mobile node).
 * `@th` is the ICMPv6 header: octet 14 is the invoking packet's Next Header, octet 50 the
 * routing type of a Routing Header that follows the invoking IPv6 header.
 * The table is created with `nft -f -`, recorded in the journal, and deleted on exit.
 */
import { execFileSync } from 'node:child_process';

export const NFT_FAMILY = 'inet';
export const NFT_TABLE = 'dsmip6';

export function nftRuleset(table = NFT_TABLE): string {
  return [
    `table ${NFT_FAMILY} ${table} {`,
    '  chain forward {',
    '    type filter hook forward priority 0; policy accept;',
    '    oifname "dsmip6*" icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit,'
      + ' nd-neighbor-advert, nd-redirect } counter drop comment "ND is link-local: not into a tunnel"',
    '  }',
    '  chain output {',
    '    type filter hook output priority 0; policy accept;',
    '    icmpv6 type parameter-problem icmpv6 code 2 @th,112,8 60 counter drop comment "HAO: no kernel MIP6"',
    '    icmpv6 type parameter-problem icmpv6 code 0 @th,112,8 43 @th,400,8 2 counter drop comment "RH2"',
    '  }',
    '}',
    '',
  ].join('\n');
}

export type Exec = (file: string, args: readonly string[], input?: string) => string;

export const execNft: Exec = (file, args, input) =>
  execFileSync(file, [...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

/** Creates (or replaces) the table. */
export function installNftTable(exec: Exec = execNft, table = NFT_TABLE): void {
  deleteNftTable(exec, table);
  exec('nft', ['-f', '-'], nftRuleset(table));
}

/** Deletes the table if it exists (idempotent). */
export function deleteNftTable(exec: Exec = execNft, table = NFT_TABLE): void {
  try {
    exec('nft', ['delete', 'table', NFT_FAMILY, table]);
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '');
    const msg = e instanceof Error ? `${e.message} ${stderr}` : String(e);
    if (!/No such file or directory|does not exist/.test(msg)) throw e;
  }
}
