/**
 * The send ring (native/dsmip6.c, "send ring"; docs/native.md): batches whose result the daemon
 * does not wait for leave through one native thread of their own, so their sendmmsg — and on a
 * veth link the peer's receive work the kernel runs inside it — is done on another CPU. A home
 * agent registering a burst of mobile nodes hands it the home link's multicast frames (DAD probes,
 * unsolicited NAs) and its Binding Acknowledgements.
 *
 * One ring per process, RING_SLOTS slots of one batch each, filled by this (the only) JS thread.
 * `submit*` copies a batch into the next free slot and returns true; false when the ring is full
 * or the batch does not fit a slot (the caller then sends it itself, at once). The kernel's verdict
 * arrives later: `reap` folds each port's sent and refused counts into its PortStats (refusals
 * with the last errno's code). A port that stops hands its socket to `release`, which closes it
 * only once the thread has done every slot submitted before (it may still be sending on it; a
 * descriptor closed under it could be reused by another socket, which would then send the bytes).
 */
import { constants as osConstants } from 'node:os';
import type { PortStats, TxBatch } from '../ports.js';
import { native, type NativeAddon } from './native.js';

interface RingAddon extends NativeAddon {
  readonly constants: NativeAddon['constants'] & Record<
    'RING_SLOTS' | 'RING_PORTS' | 'RING_CTL' | 'RING_OFFSETS' | 'RING_LENGTHS' | 'RING_DSTS' | 'RING_PORTNUMS'
    | 'RING_DATA_AT' | 'RING_DATA' | 'RING_SLOT' | 'RING_KIND_PACKET' | 'RING_KIND_DATAGRAM', number>;
  sendRingOpen(): ArrayBuffer;
  sendRingKick(): number;
  sendRingDrain(timeoutMs: number, most?: number): number;
  sendRingStop(): number;
}

const HEAD = 0;
const TAIL = 1;
const SLEEPING = 2;
/** Word SLEEPING's value while the thread sleeps until woken (native/dsmip6.c, RING_NAP_NS). */
const ASLEEP = 2;
/** How long `drain` waits for the thread at most. */
const DRAIN_MS = 1000;

/** errno → name; the first of two names for one number (EAGAIN, not EWOULDBLOCK), as libuv says it. */
const ERRNO_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(osConstants.errno)) if (!ERRNO_NAMES.has(n)) ERRNO_NAMES.set(n, name);

/** The name a refusal's errno gets in PortStats.lastError: the one a port's own send would give. */
export function ringErrnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

/** One slot's views into the ring's memory. */
interface Slot {
  readonly header: Int32Array;
  readonly offsets: Uint32Array;
  readonly lengths: Uint32Array;
  readonly destinations: Uint8Array;
  readonly ports: Uint16Array;
  readonly data: Uint8Array;
}

/** A port that sends through the ring: its number in the ring's counters and what was reaped. */
export interface RingPort {
  readonly id: number;
  readonly stats: PortStats;
  sent: number;
  refused: number;
}

export class SendRing {
  private static instance: SendRing | undefined | null;
  private readonly ctl: Int32Array;
  private readonly slots: Slot[] = [];
  private readonly kindPacket: number;
  private readonly kindDatagram: number;
  private readonly dataBytes: number;
  private readonly oneOffset = new Uint32Array(1);
  private readonly oneLength = new Uint32Array(1);
  /** Whether each place in the ring's counters is taken by a port. */
  private readonly taken: boolean[] = [];
  /** Sockets of released ports the thread was not done with: closed once tail reaches `until`. */
  private readonly closing: { readonly fd: number; readonly until: number; readonly id: number;
    readonly close: (fd: number) => void }[] = [];

  /**
   * The process's ring, started on first use; undefined when the addon has none, or when another
   * JS thread (a worker) owns it: the ring has one producer, and its ports then send themselves.
   */
  static shared(): SendRing | undefined {
    if (SendRing.instance === undefined) {
      const n = native() as RingAddon;
      SendRing.instance = null;
      if (typeof n.sendRingOpen === 'function') {
        try {
          SendRing.instance = new SendRing(n);
        } catch (e) {
          if (!(e instanceof RangeError)) throw e; // another thread's ring
        }
      }
    }
    return SendRing.instance ?? undefined;
  }

  private constructor(private readonly n: RingAddon) {
    const c = n.constants;
    const buffer = n.sendRingOpen();
    this.ctl = new Int32Array(buffer, 0, c.RING_CTL / 4);
    this.kindPacket = c.RING_KIND_PACKET;
    this.kindDatagram = c.RING_KIND_DATAGRAM;
    this.dataBytes = c.RING_DATA;
    for (let k = 0; k < c.RING_SLOTS; k++) {
      const at = c.RING_CTL + k * c.RING_SLOT;
      this.slots.push({
        header: new Int32Array(buffer, at, 16),
        offsets: new Uint32Array(buffer, at + c.RING_OFFSETS, 64),
        lengths: new Uint32Array(buffer, at + c.RING_LENGTHS, 64),
        destinations: new Uint8Array(buffer, at + c.RING_DSTS, 64 * 16),
        ports: new Uint16Array(buffer, at + c.RING_PORTNUMS, 64),
        data: new Uint8Array(buffer, at + c.RING_DATA_AT, c.RING_DATA),
      });
    }
  }

  /** The process's ring and a place in it for a port with `stats`; undefined when either is missing. */
  static attach(stats: PortStats): { readonly ring: SendRing; readonly port: RingPort } | undefined {
    const ring = SendRing.shared();
    const port = ring?.port(stats);
    return ring !== undefined && port !== undefined ? { ring, port } : undefined;
  }

  /** A port's place in the ring's counters; undefined when every place is taken. */
  port(stats: PortStats): RingPort | undefined {
    let id = 0;
    while (id < this.n.constants.RING_PORTS && this.taken[id] === true) id++;
    if (id === this.n.constants.RING_PORTS) return undefined;
    this.taken[id] = true;
    const base = 8 + 4 * id;
    return { id, stats, sent: Atomics.load(this.ctl, base), refused: Atomics.load(this.ctl, base + 1) };
  }

  /**
   * The port `p` ends: waits for the thread, reaps its counts, then closes its socket `fd` with
   * `close` and frees its place. When the thread is not done (the wait timed out, or it is
   * stopped), socket and place are kept until it is: never closed while a slot still names them.
   */
  release(p: RingPort, fd: number, close: (fd: number) => void): void {
    const left = this.drain();
    this.reap(p);
    if (left === 0) {
      this.taken[p.id] = false;
      close(fd);
    } else {
      this.closing.push({ fd, until: Atomics.load(this.ctl, HEAD), id: p.id, close });
    }
  }

  /**
   * Hands `count` packets (spans of data[0, used)) to the thread, for an AF_PACKET socket:
   * packet i to the link-layer address destinations[i*8, i*8 + halen) out of `ifindex`.
   */
  submitPacket(
    p: RingPort, fd: number, ifindex: number, protocol: number, halen: number, data: Uint8Array,
    used: number, count: number, offsets: Uint32Array, lengths: Uint32Array, destinations: Uint8Array,
  ): boolean {
    const s = this.claim(count, data, used, offsets, lengths);
    if (s === undefined) return false;
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < halen; j++) s.destinations[i * 16 + j] = destinations[i * 8 + j];
    }
    return this.commit(s, this.kindPacket, p, fd, ifindex, protocol, halen, count);
  }

  /** Hands a datagram batch (destinations and ports as TxBatch holds them) to the thread. */
  submitDatagram(p: RingPort, fd: number, family: number, batch: TxBatch): boolean {
    const s = this.claim(batch.count, batch.data, batch.used, batch.offsets, batch.lengths);
    if (s === undefined) return false;
    s.destinations.set(batch.addresses.subarray(0, batch.count * 16));
    s.ports.set(batch.ports.subarray(0, batch.count));
    return this.commit(s, this.kindDatagram, p, fd, family, 0, 0, batch.count);
  }

  /** Hands one message (data[0, length)) to the thread, for a socket that needs no destination. */
  submitMessage(p: RingPort, fd: number, family: number, data: Uint8Array, length: number): boolean {
    this.oneLength[0] = length;
    const s = this.claim(1, data, length, this.oneOffset, this.oneLength);
    return s !== undefined && this.commit(s, this.kindDatagram, p, fd, family, 0, 0, 1);
  }

  /** Folds what the thread did for `p` since the last reap into its stats; returns the refusals. */
  reap(p: RingPort): number {
    const base = 8 + 4 * p.id;
    const sent = Atomics.load(this.ctl, base);
    const refused = Atomics.load(this.ctl, base + 1);
    const newRefused = (refused - p.refused) | 0;
    p.stats.txPackets += (sent - p.sent) | 0;
    p.stats.txErrors += newRefused;
    if (newRefused > 0) {
      const errno = Atomics.load(this.ctl, base + 2);
      p.stats.lastError = ringErrnoName(errno);
    }
    p.sent = sent;
    p.refused = refused;
    return newRefused;
  }

  /**
   * Waits until the thread has sent everything submitted but `most` slots (at most DRAIN_MS);
   * returns the slots left.
   */
  drain(most = 0): number {
    const left = this.n.sendRingDrain(DRAIN_MS, most);
    this.closeReleased();
    return left;
  }

  /**
   * Runs `submit` (one of the submit methods); when it finds the ring full, waits for a free slot
   * and submits again, `rounds` times at most. When the batch cannot fit a slot at all, waits until
   * the thread has sent everything, so that what the caller then sends itself overtakes nothing it
   * handed over. True once submitted. (Waiting for one slot, not for the whole ring: at 64 slots a
   * full ring is a thread that fell behind, and the JS thread should stop only as long as it takes
   * to catch up by one batch.)
   */
  submitOrWait(submit: () => boolean, rounds = 1): boolean {
    if (submit()) return true;
    for (let r = 0; r < rounds; r++) {
      const left = this.drain(this.slots.length - 1);
      if (submit()) return true;
      if (left < this.slots.length) {
        this.drain();
        return false;
      }
    }
    return false;
  }

  /** Closes the sockets of released ports the thread is done with now. */
  private closeReleased(): void {
    if (this.closing.length === 0) return;
    const tail = Atomics.load(this.ctl, TAIL);
    while (this.closing.length > 0 && ((tail - this.closing[0].until) | 0) >= 0) {
      const c = this.closing.shift()!;
      this.taken[c.id] = false;
      c.close(c.fd);
    }
  }

  /**
   * The next free slot with data[0, used) copied in and the spans' offsets and lengths (which
   * must lie within it); undefined when the ring is full or the bytes do not fit a slot.
   */
  private claim(
    count: number, data: Uint8Array, used: number, offsets: Uint32Array, lengths: Uint32Array,
  ): Slot | undefined {
    this.closeReleased();
    const head = Atomics.load(this.ctl, HEAD);
    if (count < 1 || count > 64 || used > this.dataBytes
      || ((head - Atomics.load(this.ctl, TAIL)) | 0) >= this.slots.length) {
      return undefined;
    }
    const s = this.slots[(head >>> 0) % this.slots.length];
    s.data.set(used === data.length ? data : data.subarray(0, used));
    s.offsets.set(count === offsets.length ? offsets : offsets.subarray(0, count));
    s.lengths.set(count === lengths.length ? lengths : lengths.subarray(0, count));
    return s;
  }

  private commit(
    s: Slot, kind: number, p: RingPort, fd: number, where: number, protocol: number, halen: number,
    count: number,
  ): boolean {
    const h = s.header;
    h[0] = kind; h[1] = fd; h[2] = where; h[3] = protocol; h[4] = halen; h[5] = count; h[6] = p.id;
    Atomics.add(this.ctl, HEAD, 1);
    // Asleep until woken (idle for a while): one wake-up for everything this turn submits. A
    // napping thread (1) looks again by itself within RING_NAP_NS.
    if (!this.kickDue && Atomics.load(this.ctl, SLEEPING) === ASLEEP) {
      this.kickDue = true;
      queueMicrotask(this.kick);
    }
    return true;
  }

  private kickDue = false;
  private readonly kick = (): void => {
    this.kickDue = false;
    this.n.sendRingKick();
  };
}
