#!/usr/bin/env node
/**
 * The testbed's DHCPv4 client for one mobile interface: `dhcp-agent --iface IF --state FILE
 * [--metric N]`, run inside the node's namespace from `testbed up` until `down`, like a
 * desktop's DHCP client daemon. It is the project's sans-IO client (src/proto/dhcp-client.ts) on
 * a UDP socket bound to IF:68, driven by the link: carrier up (the interface joined a network)
 * starts it (INIT-REBOOT with the last lease, else DISCOVER), carrier or link down stops it
 * (address and route removed, the server not told). A lease is applied with `ip`: the address
 * with the lease's lifetime and a default route `proto dhcp` with metric N. FILE gets the state
 * as JSON. On networks without DHCP the client retransmits and backs off as RFC 2131 says.
 * It stands in for the daemon's own client (`UseDhcp enabled`): an address another client set.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DhcpClient, type DhcpClientOutput, type DhcpOsOp } from '../proto/dhcp-client.js';
import { Xoshiro128 } from '../proto/prng.js';
import { encodeDhcpMessage, encodedLengthDhcpMessage } from '../wire/dhcpv4.js';
import { RTNLGRP_LINK } from '../os/netlink/constants.js';
import { linuxOs } from '../os/linux/os.js';
import type { DatagramPort } from '../os/ports.js';
import { run, tryRun } from './sh.js';

interface Args { iface: string; state: string; metric: number }

function parseArgs(argv: readonly string[]): Args {
  const a: Partial<Args> = { metric: 100 };
  for (let i = 0; i < argv.length; i += 2) {
    const v = argv[i + 1];
    if (argv[i] === '--iface') a.iface = v;
    else if (argv[i] === '--state') a.state = v;
    else if (argv[i] === '--metric') a.metric = Number(v);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!a.iface || !a.state || !Number.isInteger(a.metric)) {
    throw new Error('usage: dhcp-agent --iface IF --state FILE [--metric N]');
  }
  return a as Args;
}

const log = (msg: string, fields: Record<string, unknown> = {}): void => {
  process.stdout.write(`${new Date().toISOString()} dhcp-agent ${msg} ${JSON.stringify(fields)}\n`);
};

const sysfs = (iface: string, what: string): string => {
  try {
    return readFileSync(`/sys/class/net/${iface}/${what}`, 'utf8').trim();
  } catch {
    return '';
  }
};

class Agent {
  private timer: NodeJS.Timeout | undefined;
  private linkUp = false;
  private address: string | null = null;

  constructor(
    private readonly args: Args, private readonly client: DhcpClient, private readonly sock: DatagramPort,
  ) {}

  now(): number {
    return performance.now();
  }

  /** Compares the link with what it was; starts or stops the client on a change. */
  link(): void {
    const up = sysfs(this.args.iface, 'operstate') === 'up';
    if (up === this.linkUp) return;
    this.linkUp = up;
    log(up ? 'link up' : 'link down');
    this.feed(this.client.handle(this.now(), { kind: up ? 'start' : 'stop' }));
  }

  feed(outs: readonly DhcpClientOutput[]): void {
    for (const o of outs) {
      if (o.kind === 'send') this.send(o);
      else if (o.kind === 'os') this.apply(o.op);
      else this.event(o.event);
    }
    this.arm();
    this.save();
  }

  private send(o: Extract<DhcpClientOutput, { kind: 'send' }>): void {
    const bytes = new Uint8Array(encodedLengthDhcpMessage(o.message));
    encodeDhcpMessage(o.message, bytes, 0);
    try {
      this.sock.send(o.udp.destination, o.udp.destinationPort, bytes);
    } catch (e) {
      log('send failed', { error: String(e) });
    }
  }

  private event(e: Extract<DhcpClientOutput, { kind: 'event' }>['event']): void {
    if (e.type === 'dropped') return;
    log(e.type, e.type === 'bound' || e.type === 'renewed' ? { address: e.lease.address } : { ...e });
    if (e.type === 'bound' || e.type === 'renewed') {
      const l = e.lease;
      this.address = `${l.address}/${l.prefixLength}`;
      // The lease's lifetime on the address: it is "dynamic", and goes if this agent dies.
      const lft = l.expiresAt === undefined ? 'forever' : String(l.leaseSeconds);
      tryRun('ip', ['addr', 'change', this.address, 'dev', this.args.iface,
        'valid_lft', lft, 'preferred_lft', lft]);
    } else if (e.type === 'lost') {
      this.address = null;
    }
  }

  private apply(op: DhcpOsOp): void {
    const dev = this.args.iface;
    const metric = String(this.args.metric);
    switch (op.op) {
      case 'address-set':
        run('ip', ['addr', 'replace', `${op.address}/${op.prefixLength}`, 'dev', dev]);
        return;
      case 'address-clear':
        tryRun('ip', ['addr', 'del', `${op.address}/${op.prefixLength}`, 'dev', dev]);
        return;
      case 'default-route-set':
        run('ip', ['route', 'replace', 'default', 'via', op.gateway, 'dev', dev, 'proto', 'dhcp',
          'src', op.source, 'metric', metric]);
        return;
      case 'default-route-clear':
        tryRun('ip', ['route', 'del', 'default', 'via', op.gateway, 'dev', dev, 'proto', 'dhcp',
          'metric', metric]);
    }
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const at = this.client.nextDeadline();
    if (at === undefined) return;
    this.timer = setTimeout(() => this.feed(this.client.onTimeout(this.now())), Math.max(0, at - this.now()));
  }

  save(): void {
    const s = { iface: this.args.iface, pid: process.pid, link: this.linkUp ? 'up' : 'down',
      state: this.client.state, address: this.address };
    writeFileSync(this.args.state, `${JSON.stringify(s)}\n`);
  }

  stop(): void {
    this.feed(this.client.handle(this.now(), { kind: 'stop' }));
    if (this.timer) clearTimeout(this.timer);
    this.sock.close();
  }
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const mac = Uint8Array.from(sysfs(args.iface, 'address').split(':').map((h) => parseInt(h, 16)));
  const client = new DhcpClient({ chaddr: mac, prng: new Xoshiro128(process.pid ^ Date.now()) });
  const sock = linuxOs.openUdp({
    family: 4, address: '0.0.0.0', port: 68, device: args.iface, broadcast: true, reuseAddress: true,
  });
  const agent = new Agent(args, client, sock);
  sock.onBatch((b) => {
    for (let i = 0; i < b.count; i++) {
      if (b.peerPort(i) !== 67) continue;
      agent.feed(client.handle(agent.now(), { kind: 'received', bytes: b.packet(i).slice() }));
    }
  }, (e) => log('socket error', { error: e.message }));
  // Any link message (or lost ones) makes the agent look at the interface again.
  const netlink = linuxOs.openNetlink();
  const sub = netlink.subscribe([RTNLGRP_LINK],
    { onMessages: () => agent.link(), onOverflow: () => agent.link() });
  const quit = (): void => {
    log('stopping');
    sub.close();
    agent.stop();
    process.exit(0);
  };
  process.on('SIGTERM', quit);
  process.on('SIGINT', quit);
  log('running', { iface: args.iface });
  agent.save();
  agent.link();
}

main();
