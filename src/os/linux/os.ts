/**
 * The Linux implementation of OsPorts: what the runtime is given in production
 * (the simulator and runtime tests are given src/os/mem instead).
 */
import type { OsPorts } from '../ports.js';
import { openRaw, openUdp } from './datagram.js';
import { LinuxNetlink } from './netlink.js';
import { LinuxNetlinkQueue } from './netlink-queue.js';
import { openLinkLayer, openNd } from './packet.js';
import { openNdListener } from './packet-listen.js';
import { LinuxTun } from './tun.js';

export const linuxOs: OsPorts = {
  openTun: (options) => LinuxTun.open(options),
  openUdp: (options) => openUdp(options),
  openRaw: (options) => openRaw(options),
  openNetlink: () => new LinuxNetlink(),
  openNetlinkQueue: () => LinuxNetlinkQueue.open(),
  openNd: (options) => openNd(options),
  openLinkLayer: (options) => openLinkLayer(options),
  openNdListener: (options) => openNdListener(options),
};

export { LinuxTun } from './tun.js';
export { LinuxDatagram, openRaw, openUdp } from './datagram.js';
export { LinuxNetlink, LinuxSubscription } from './netlink.js';
export { liveWatchers } from './io.js';
export { LinuxLinkLayer, LinuxNd, openLinkLayer, openNd } from './packet.js';
export { LinuxNdListener, ndFilter, openNdListener } from './packet-listen.js';
