/**
 * Every change the daemons make to the system goes through here: it is journaled before it is
 * made (journal.ts), made through our rtnetlink client, and undone at shutdown — or at the next
 * start after a crash. Operations are idempotent: adding what exists or removing what is gone is
 * not an error (the kernel's EEXIST/ENOENT/ESRCH/EADDRNOTAVAIL are absorbed).
 */
import { RTN_THROW } from '../os/netlink/constants.js';
import { alreadyExists, doesNotExist, type RtnlClient, type RtnlResult } from '../os/netlink/rtnl.js';
import { Journal, type JournalEntry, type Undo } from './journal.js';
import { deleteNftTable, installNftTable, type Exec, execNft } from './nft.js';
import { sysctlPath, writeSysctl } from './sysctl.js';

export class SystemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SystemError';
  }
}

export interface RouteOptions {
  readonly ifname?: string;
  readonly gateway?: string;
  readonly table?: number;
  readonly metric?: number;
  /** A throw route (RTN_THROW): the lookup in `table` fails and the next rule is tried. */
  readonly throw?: boolean;
}

export class System {
  private readonly indexes = new Map<string, number>();
  private readonly ownLinks = new Set<string>();
  /** Links looked up during the current undo pass: ifindex, or undefined when gone. */
  private readonly passLinks = new Map<string, number | undefined>();

  constructor(
    readonly rtnl: RtnlClient,
    readonly journal: Journal,
    private readonly exec: Exec = execNft,
    private readonly writeSys: (path: string, value: string) => string | undefined = writeSysctl,
  ) {}

  /** The ifindex of `ifname` (cached; throws SystemError when there is no such link). */
  index(ifname: string): number {
    const cached = this.indexes.get(ifname);
    if (cached !== undefined) return cached;
    const r = this.rtnl.getLink(ifname);
    if (!r.ok) throw new SystemError(`interface ${ifname}: ${r.error.text}`);
    this.indexes.set(ifname, r.value.index);
    return r.value.index;
  }

  forgetIndex(ifname: string): void {
    this.indexes.delete(ifname);
  }

  private check(r: RtnlResult<void>, adding: boolean): void {
    if (r.ok) return;
    if (adding ? alreadyExists(r.error) : doesNotExist(r.error)) return;
    throw new SystemError(r.error.text);
  }

  address(ifname: string, address: string, prefixLength: number, present: boolean): void {
    const e: JournalEntry = { kind: 'address', ifname, address, prefixLength };
    this.change(e, present, () => {
      const spec = { index: this.index(ifname), address, prefixLength, nodad: true };
      this.check(present ? this.rtnl.addAddress(spec) : this.rtnl.delAddress(spec), present);
    });
  }

  /**
   * `ifname` is this process's own (a TUN it holds open, not persistent): the kernel deletes the
   * link and every route through it when the process ends, however it ends, so such routes are
   * not journaled. A home agent adds one per binding: journaling them cost a write and a few
   * hundred bytes per binding, and an undo each at stop. (Those per-binding routes now bypass
   * System altogether, batched: tun-routes.ts.)
   */
  ownLink(ifname: string): void {
    this.ownLinks.add(ifname);
  }

  route(prefix: string, o: RouteOptions, present: boolean): void {
    const through = o.ifname !== undefined && this.ownLinks.has(o.ifname);
    const e: JournalEntry | undefined = through ? undefined : { kind: 'route', prefix, ...o };
    this.change(e, present, () => {
      const spec = {
        dst: prefix, ...(o.ifname !== undefined ? { oif: this.index(o.ifname) } : {}),
        ...(o.gateway !== undefined ? { gateway: o.gateway } : {}),
        ...(o.table !== undefined ? { table: o.table } : {}),
        ...(o.metric !== undefined ? { metric: o.metric } : {}),
        ...(o.throw === true ? { type: RTN_THROW } : {}),
      };
      this.check(present ? this.rtnl.replaceRoute(spec) : this.rtnl.delRoute(spec), present);
    });
  }

  rule(family: 4 | 6, from: string, table: number, priority: number, present: boolean): void {
    const e: JournalEntry = { kind: 'rule', family, from, table, priority };
    this.change(e, present, () => {
      const spec = { from, table, priority };
      this.check(present ? this.rtnl.addRule(spec) : this.rtnl.delRule(spec), present);
    });
  }

  proxyNeighbour(ifname: string, address: string, present: boolean): void {
    const e: JournalEntry = { kind: 'proxy-neighbour', ifname, address };
    this.change(e, present, () => {
      const spec = { index: this.index(ifname), address };
      this.check(present ? this.rtnl.addProxyNeighbour(spec) : this.rtnl.delProxyNeighbour(spec), present);
    });
  }

  /** Sets a sysctl (`net.ipv6.conf.all.forwarding`), journaling the previous value. */
  sysctl(name: string, value: string): void {
    const path = sysctlPath(name);
    const previous = this.writeSys(path, value);
    if (previous !== undefined) this.journal.record({ kind: 'sysctl', path, previous });
  }

  nftTable(): void {
    this.journal.record({ kind: 'nft-table', family: 'inet', name: 'dsmip6' });
    installNftTable(this.exec);
  }

  /** Journals before adding; forgets after removing (`e` undefined: nothing to journal). */
  private change(e: JournalEntry | undefined, present: boolean, act: () => void): void {
    if (e === undefined) {
      act();
    } else if (present) {
      this.journal.record(e);
      act();
    } else {
      act();
      this.journal.forgetEntry(e);
    }
  }

  /**
   * Undoes one journal entry (shutdown, or leftovers of a crashed run); idempotent. Each link is
   * looked up once per pass (`startPass`), not once per entry: a pass over 100k routes into a
   * TUN that is gone costs one lookup.
   */
  readonly undo: Undo = Object.assign((e: JournalEntry): void => this.undoOne(e), {
    startPass: (): void => this.passLinks.clear(),
  });

  private undoOne(e: JournalEntry): void {
    switch (e.kind) {
      case 'address':
        return this.ifExists(e.ifname, () => this.rawAddress(e.ifname, e.address, e.prefixLength));
      case 'route': return this.undoRoute(e);
      case 'rule':
        return this.check(this.rtnl.delRule({ from: e.from, table: e.table, priority: e.priority }), false);
      case 'proxy-neighbour':
        return this.ifExists(e.ifname, () => this.check(
          this.rtnl.delProxyNeighbour({ index: this.passIndex(e.ifname), address: e.address }), false));
      case 'sysctl': this.writeSys(e.path, e.previous); return;
      case 'nft-table': deleteNftTable(this.exec); return;
      case 'link': return;
    }
  }

  private rawAddress(ifname: string, address: string, prefixLength: number): void {
    this.check(this.rtnl.delAddress({ index: this.passIndex(ifname), address, prefixLength }), false);
  }

  private undoRoute(e: Extract<JournalEntry, { kind: 'route' }>): void {
    const act = (): void => {
      const spec = {
        dst: e.prefix, ...(e.ifname !== undefined ? { oif: this.passIndex(e.ifname) } : {}),
        ...(e.table !== undefined ? { table: e.table } : {}),
      };
      this.check(this.rtnl.delRoute(spec), false);
    };
    if (e.ifname !== undefined) this.ifExists(e.ifname, act); else act();
  }

  /** Runs `act` unless the interface has gone (its addresses and routes went with it). */
  private ifExists(ifname: string, act: () => void): void {
    if (!this.passLinks.has(ifname)) {
      this.forgetIndex(ifname);
      const r = this.rtnl.getLink(ifname);
      this.passLinks.set(ifname, r.ok ? r.value.index : undefined);
    }
    if (this.passLinks.get(ifname) !== undefined) act();
  }

  /** The ifindex ifExists found in this pass. */
  private passIndex(ifname: string): number {
    return this.passLinks.get(ifname) ?? this.index(ifname);
  }
}
