/**
 * Solicited-node groups joined for DAD when the home link has no listener (neighbour.ts): a
 * group is shared by addresses with the same low 24 bits, so joins are counted and the group is
 * left with its last user.
 */
import type { NdPort } from '../os/ports.js';
import type { Logger } from './logger.js';
import { solicitedNode } from './neighbour-packets.js';

export class SolicitedGroups {
  /** Groups joined, with how many DADs use each. */
  private readonly groups = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  /** Joins the group of `address` on `nd`; the group, or undefined when it could not be joined. */
  join(nd: NdPort, address: string): string | undefined {
    const group = solicitedNode(address) as string;
    const n = this.groups.get(group) ?? 0;
    if (n === 0) {
      try {
        nd.joinGroup(group);
      } catch (e) {
        // Without the group, another node's simultaneous probe goes unheard; NAs still arrive.
        this.log.limited('dad-join', 'warn', 'DAD: cannot join the solicited-node group',
          { group, error: String(e) });
        return undefined;
      }
    }
    this.groups.set(group, n + 1);
    return group;
  }

  /** One user of `group` is done; the last one leaves it on `nd` (if still open). */
  leave(nd: NdPort | undefined, group: string | undefined): void {
    if (group === undefined) return;
    const n = (this.groups.get(group) ?? 1) - 1;
    if (n > 0) { this.groups.set(group, n); return; }
    this.groups.delete(group);
    try { nd?.leaveGroup(group); } catch { /* the socket goes with close() anyway */ }
  }
}
