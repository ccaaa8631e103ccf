/**
 * The home agent load generator: from its own namespace, sends the Binding Updates of N
 * simulated mobile nodes (loadgen-packets.ts) to a real dsmip6d over UDP 4191, in batches
 * through one IPPROTO_RAW socket (so each node has its own outer source address and port), and
 * reads every Binding Acknowledgement back from a packet socket on its link (the namespace's
 * netfilter drops them before routing: the simulated nodes have no sockets, and the kernel would
 * otherwise route each BA to a local address and answer it with an ICMP error). A round registers (or
 * refreshes) every node with one sequence number, keeping at most `window` BUs unanswered and
 * retransmitting a BU left unanswered for `retransmitMs`.
 */
import { inNetns } from '../os/linux/netns.js';
import { openRaw } from '../os/linux/datagram.js';
import { openIpv4Listener } from '../os/linux/packet-listen.js';
import {
  TxBatch, addressBytes, type DatagramPort, type NdListenPort, type PacketBatch,
} from '../os/ports.js';
import { bindingUpdateDatagram, parseAckDatagram, simulatedNode } from './loadgen-packets.js';

export interface LoadGenOptions {
  readonly ns: string;
  /** The generator's link in `ns`, where the acknowledgements arrive. */
  readonly device: string;
  readonly ha6: string;
  readonly ha4: string;
  readonly homePrefix64: string;
  readonly n: number;
  readonly window: number;
  readonly retransmitMs: number;
  readonly lifetimeSeconds: number;
}

export interface RoundResult {
  readonly sent: number;
  readonly acks: number;
  readonly rejectedByStatus: Record<string, number>;
  readonly ms: number;
  readonly retransmissions: number;
  readonly complete: boolean;
  /** Milliseconds from a BU's (last) sending to its BA: the median and the 99th percentile. */
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
}

interface Round {
  readonly sequence: number;
  readonly packets: readonly Uint8Array[];
  readonly inFlight: Map<number, number>;
  next: number;
  sent: number;
  acks: number;
  retransmissions: number;
  readonly rejected: Record<string, number>;
  /** BU-to-BA milliseconds of each BA so far, in arrival order. */
  readonly latencies: Float64Array;
  done: () => void;
}

export class LoadGenerator {
  private readonly tx: DatagramPort;
  private readonly rx: NdListenPort;
  private readonly batch = new TxBatch();
  private readonly ha: Uint8Array;
  private acked: Uint8Array;
  private round: Round | undefined;
  /** BAs that matched no outstanding BU (duplicates, an old sequence). */
  unexpected = 0;

  constructor(private readonly o: LoadGenOptions) {
    this.ha = addressBytes(o.ha4);
    this.acked = new Uint8Array(o.n);
    [this.tx, this.rx] = inNetns(o.ns, () => [
      openRaw({ family: 4, protocol: 255 }),
      openIpv4Listener({ device: o.device, receiveBuffer: 64 << 20 }),
    ] as const);
    this.rx.onBatch((b) => this.received(b));
  }

  /** The datagrams of one round, built before it is timed. */
  build(sequence: number): Uint8Array[] {
    const o = this.o;
    return Array.from({ length: o.n }, (_, i) =>
      bindingUpdateDatagram(simulatedNode(o.homePrefix64, i), sequence, o.ha6, o.ha4, o.lifetimeSeconds));
  }

  /** Sends every node's BU of `packets` (built by `build(sequence)`) until all are answered. */
  async run(sequence: number, packets: readonly Uint8Array[], timeoutMs: number): Promise<RoundResult> {
    this.acked = new Uint8Array(this.o.n);
    const t0 = performance.now();
    let finished!: () => void;
    const over = new Promise<void>((resolve) => { finished = resolve; });
    const r: Round = {
      sequence, packets, inFlight: new Map(), next: 0, sent: 0, acks: 0, retransmissions: 0,
      rejected: {}, latencies: new Float64Array(this.o.n), done: finished,
    };
    this.round = r;
    const timer = setInterval(() => this.retransmit(r), Math.max(50, this.o.retransmitMs / 4));
    const limit = setTimeout(finished, timeoutMs);
    this.pump(r);
    await over;
    clearInterval(timer);
    clearTimeout(limit);
    this.round = undefined;
    const sorted = r.latencies.subarray(0, r.acks).sort();
    const at = (q: number): number | null => (r.acks === 0 ? null : sorted[Math.floor(q * (r.acks - 1))]);
    return {
      sent: r.sent, acks: r.acks, rejectedByStatus: r.rejected, ms: performance.now() - t0,
      retransmissions: r.retransmissions, complete: r.acks === this.o.n,
      latencyP50Ms: at(0.5), latencyP99Ms: at(0.99),
    };
  }

  /** Datagrams the kernel refused to send. */
  get sendErrors(): number {
    return this.tx.stats.txErrors;
  }

  close(): void {
    this.tx.close();
    this.rx.close();
  }

  private push(r: Round, i: number): void {
    if (!this.batch.push(r.packets[i], this.ha, 0)) {
      this.flush();
      this.batch.push(r.packets[i], this.ha, 0);
    }
    r.inFlight.set(i, performance.now());
    r.sent++;
  }

  private flush(): void {
    if (this.batch.count === 0) return;
    this.tx.sendBatch(this.batch);
    this.batch.clear();
  }

  private pump(r: Round): void {
    while (r.inFlight.size < this.o.window && r.next < this.o.n) this.push(r, r.next++);
    this.flush();
  }

  private retransmit(r: Round): void {
    const old = performance.now() - this.o.retransmitMs;
    for (const [i, at] of r.inFlight) {
      if (at > old) continue;
      r.retransmissions++;
      this.push(r, i);
    }
    this.flush();
  }

  private received(b: PacketBatch): void {
    const r = this.round;
    for (let k = 0; k < b.count; k++) {
      const a = parseAckDatagram(b.data, b.offset(k), b.offset(k) + b.length(k));
      if (a === undefined) continue;
      if (r === undefined || a.sequence !== r.sequence || a.index >= this.o.n || this.acked[a.index] === 1) {
        this.unexpected++;
        continue;
      }
      this.acked[a.index] = 1;
      r.latencies[r.acks] = performance.now() - (r.inFlight.get(a.index) ?? Number.NaN);
      r.inFlight.delete(a.index);
      r.acks++;
      if (a.status !== 0) r.rejected[String(a.status)] = (r.rejected[String(a.status)] ?? 0) + 1;
    }
    if (r === undefined) return;
    if (r.acks === this.o.n) { r.done(); return; }
    this.pump(r);
  }
}
