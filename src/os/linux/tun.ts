/**
 * TunPort over /dev/net/tun (IFF_TUN | IFF_NO_PI). Receiving is a read() loop of up to 64
 * packets per batch into fixed slots; sending is a write() loop. MTU and link state are set over
 * netlink by the caller (the device starts down, with MTU 1500).
 *
 * With `offload` (IFF_VNET_HDR + TUNSETOFFLOAD CSUM | TSO4 | TSO6, when the kernel grants them)
 * one read may return a 64 KB TCP super-packet: reads go into 64 KB slots (16 per call). A call
 * without super-packets is delivered in place (partial checksums completed in the read slots,
 * each packet just behind its header). Otherwise each read is turned into plain packets
 * (segments cut by the addon's tsoSplit, which does what dataplane/tso.ts segmentTcp specifies;
 * checksums completed) in a second batch of ordinary slots, delivered in order whenever it
 * fills. Writes carry an empty header.
 */
import {
  BATCH_MAX, RxBatch, TxBatch, newPortStats, type BatchHandler, type ErrorHandler,
  type PacketBatch, type TunOptions, type TunPort,
} from '../ports.js';
import {
  VNET_HDR_LEN, finishPartialChecksum, isTcpSuperPacket, needsChecksum, newVnetHeader,
  readVnetHeader,
} from '../../dataplane/tso.js';
import { checkOne, checkOpen, pump, sendAll, tail, Watcher } from './io.js';
import { native, sys } from './native.js';

/** Reads per call with offload (each slot holds a 64 KB super-packet and its header). */
const OFFLOAD_READS = 16;
const OFFLOAD_SLOT = 65536 + VNET_HDR_LEN;

/**
 * Default receive slot. A packet longer than its slot is counted in `stats.rxTruncated` and
 * dropped, so the slot must be at least the device MTU (2048 covers MTU 1500 and below).
 */
export const TUN_SLOT_DEFAULT = 2048;

/** The reads of an offload batch as packets, in place: packet i is read idx[i], behind its header. */
class InPlaceReads implements PacketBatch {
  count = 0;
  readonly idx = new Uint8Array(BATCH_MAX);
  readonly data: Uint8Array;
  constructor(private readonly reads: RxBatch) { this.data = reads.data; }
  offset(i: number): number { return this.idx[i] * this.reads.slotSize + VNET_HDR_LEN; }
  length(i: number): number { return this.reads.lengths[this.idx[i]] - VNET_HDR_LEN; }
  packet(i: number): Uint8Array {
    return this.data.subarray(this.offset(i), this.offset(i) + this.length(i));
  }
}

export class LinuxTun implements TunPort {
  readonly stats = newPortStats();
  private fd: number;
  private watcher: Watcher | undefined;
  private readonly batch: RxBatch;
  private readonly one = new TxBatch(0);
  /** With offload: the plain packets made of what `batch` read. */
  private readonly plain: RxBatch | undefined;
  /** With offload: `batch` itself when a call read no super-packet; a Buffer view of it to copy. */
  private readonly inPlace: InPlaceReads;
  private readonly readView: Buffer;
  private readonly vnet = newVnetHeader();
  /** Super-packets segmented, and reads dropped as malformed (offload only). */
  readonly offloadStats = { superPackets: 0, segments: 0, checksums: 0, malformed: 0 };

  private constructor(
    fd: number, readonly name: string, readonly ifindex: number, slot: number,
    /** Whether the kernel granted the offloads asked for. */
    readonly offload: boolean,
  ) {
    this.fd = fd;
    this.batch = new RxBatch(offload ? OFFLOAD_SLOT : slot, false);
    this.plain = offload ? new RxBatch(slot, false) : undefined;
    this.inPlace = new InPlaceReads(this.batch);
    const d = this.batch.data;
    this.readView = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  }

  /** Creates the device in the calling thread's network namespace. Throws OsError. */
  static open(options: TunOptions = {}): LinuxTun {
    const slot = options.slotSize ?? TUN_SLOT_DEFAULT;
    if (!Number.isInteger(slot) || slot < 1280 || slot > 65536) {
      throw new RangeError(`TUN slot size ${slot}: expected 1280..65536`);
    }
    const t = sys(() => native().tunOpen(options.name ?? null, options.multiQueue ?? false,
      options.offload ?? false));
    return new LinuxTun(t.fd, t.name, t.ifindex, slot, t.offload);
  }

  /** The raw fd (tests and diagnostics). */
  get fileDescriptor(): number {
    return this.fd;
  }

  onBatch(handler: BatchHandler<PacketBatch>, onError?: ErrorHandler): void {
    checkOpen(this.fd, 'tun onBatch');
    if (this.watcher !== undefined) throw new Error(`${this.name}: onBatch already set`);
    const n = native();
    const { batch } = this;
    const reads = this.offload ? OFFLOAD_READS : BATCH_MAX;
    const receive = (): number => (this.fd < 0 ? 0  // closed by the handler
      : n.readBatch(this.fd, batch.data, batch.slotSize, reads, batch.lengths));
    const deliver = this.plain === undefined ? (): void => handler(batch)
      : (): void => this.unpack(this.plain!, handler);
    this.watcher = new Watcher(this.fd, () => pump(batch, receive, deliver, this.stats, onError));
  }

  write(packet: Uint8Array): void {
    checkOpen(this.fd, 'tun write');
    this.one.offsets[0] = 0;
    this.one.lengths[0] = packet.length;
    checkOne(this.stats, () => native().writeBatch(this.fd, packet, 1, this.one.offsets,
      this.one.lengths, this.offload));
  }

  writeBatch(batch: TxBatch): number {
    checkOpen(this.fd, 'tun writeBatch');
    const n = native();
    return sendAll(batch, (start, count) => {
      const t = tail(batch, start);
      return n.writeBatch(this.fd, batch.data, count, t.offsets, t.lengths, this.offload);
    }, this.stats);
  }

  /**
   * The reads in `batch` (each behind a virtio_net_hdr) as plain packets in `out`, handed to
   * `handler` in order each time `out` fills and at the end.
   */
  private unpack(out: RxBatch, handler: BatchHandler<PacketBatch>): void {
    const { batch, vnet, offloadStats: st } = this;
    const slot = out.slotSize;
    if (!this.anySuperPacket()) { this.inPlaceDeliver(slot, handler); return; }
    const n = native();
    out.count = 0;
    for (let i = 0; i < batch.count; i++) {
      const at = i * batch.slotSize;
      const len = batch.lengths[i] - VNET_HDR_LEN;
      if (len <= 0) { st.malformed++; continue; }
      readVnetHeader(batch.data, at, vnet);
      const off = at + VNET_HDR_LEN;
      if (isTcpSuperPacket(vnet)) {
        const need = Math.ceil(len / Math.max(1, vnet.gsoSize));
        if (out.count > 0 && out.count + need > BATCH_MAX) this.deliver(out, handler);
        const k = n.tsoSplit(batch.data, at, len + VNET_HDR_LEN, out.data, out.count * slot,
          slot, out.lengths, out.count, BATCH_MAX - out.count);
        if (k === 0) { st.malformed++; continue; }
        st.superPackets++;
        st.segments += k;
        out.count += k;
      } else {
        if (len > slot) { st.malformed++; continue; }
        if (out.count === BATCH_MAX) this.deliver(out, handler);
        const to = out.count * slot;
        this.readView.copy(out.data, to, off, off + len);
        if (needsChecksum(vnet)) {
          if (!finishPartialChecksum(out.data, to, len, vnet)) { st.malformed++; continue; }
          st.checksums++;
        }
        out.lengths[out.count++] = len;
      }
    }
    if (out.count > 0) this.deliver(out, handler);
  }

  private anySuperPacket(): boolean {
    const { batch, vnet } = this;
    for (let i = 0; i < batch.count; i++) {
      if (batch.lengths[i] <= VNET_HDR_LEN) continue;
      readVnetHeader(batch.data, i * batch.slotSize, vnet);
      if (isTcpSuperPacket(vnet)) return true;
    }
    return false;
  }

  /** No super-packet in `batch`: its packets where they were read, checksums completed there. */
  private inPlaceDeliver(slot: number, handler: BatchHandler<PacketBatch>): void {
    const { batch, vnet, inPlace: view, offloadStats: st } = this;
    view.count = 0;
    for (let i = 0; i < batch.count; i++) {
      const at = i * batch.slotSize;
      const len = batch.lengths[i] - VNET_HDR_LEN;
      if (len <= 0 || len > slot) { st.malformed++; continue; }
      readVnetHeader(batch.data, at, vnet);
      if (needsChecksum(vnet)) {
        if (!finishPartialChecksum(batch.data, at + VNET_HDR_LEN, len, vnet)) { st.malformed++; continue; }
        st.checksums++;
      }
      view.idx[view.count++] = i;
    }
    if (view.count > 0) handler(view);
  }

  private deliver(out: RxBatch, handler: BatchHandler<PacketBatch>): void {
    handler(out);
    out.count = 0;
  }

  close(): void {
    if (this.fd < 0) return;
    this.watcher?.close();
    this.watcher = undefined;
    native().close(this.fd);
    this.fd = -1;
  }
}
