/** Every fuzz target of src/wire, joined (see registry.ts). */
import type { Codec } from '../harness.js';
import { dhcpTargets } from './targets-dhcp.js';
import { icmpTargets } from './targets-icmp.js';
import { ipDecodeOnly, ipTargets } from './targets-ip.js';
import type { FuzzTarget } from './registry.js';

export const allTargets: readonly FuzzTarget<unknown>[] = [...ipTargets, ...icmpTargets, ...dhcpTargets];
export const allDecodeOnly: readonly Codec<unknown>[] = [...ipDecodeOnly];
