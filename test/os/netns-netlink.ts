/**
 * The setup of the root netlink tests: a namespace of its own and a LinuxNetlink socket in it,
 * both gone when `body` ends, even when it fails. Skips with the reason when not possible here.
 */
import type { TestContext } from 'node:test';
import { LinuxNetlink } from '../../src/os/linux/netlink.js';
import { createNetns, deleteNetns, inNetns, linuxTestBlocker, netnsName } from '../../src/os/linux/netns.js';

export async function withNetnsNetlink(
  t: TestContext, tag: string, body: (ns: string, nl: LinuxNetlink) => void | Promise<void>,
): Promise<void> {
  const why = linuxTestBlocker();
  if (why) { t.skip(why); return; }
  const ns = netnsName(tag);
  let nl: LinuxNetlink | undefined;
  try {
    createNetns(ns);
    nl = inNetns(ns, () => new LinuxNetlink());
    await body(ns, nl);
  } finally {
    nl?.close();
    deleteNetns(ns);
  }
}
