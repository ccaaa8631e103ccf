/**
 * A simulated NAPT (RFC 4787 behaviour of Linux masquerade): endpoint-independent mapping of
 * (private address, port) to a public port, refreshed by outbound traffic only, expiring after an
 * idle timeout; inbound packets without a live mapping are dropped. `rebind()` models a NAT that
 * lost its state (reboot, conntrack flush): every mapping is forgotten and new ones get new
 * ports. A static port forward models a home agent behind NAT.
 */
import type { Instant } from '../proto/time.js';

interface Mapping {
  readonly privateAddress: string;
  readonly privatePort: number;
  readonly publicPort: number;
  lastOutbound: Instant;
}

export class Nat {
  private readonly byPrivate = new Map<string, Mapping>();
  private readonly byPublicPort = new Map<number, Mapping>();
  private readonly forwards = new Map<number, { address: string; port: number }>();
  private nextPort: number;
  rebinds = 0;

  constructor(
    readonly publicAddress: string,
    readonly idleTimeoutMs: number,
    firstPort = 20000,
  ) {
    this.nextPort = firstPort;
  }

  /** Static forward of a public port to a private endpoint (never expires). */
  forward(publicPort: number, address: string, port: number): void {
    this.forwards.set(publicPort, { address, port });
  }

  /** Outbound: the public port for (address, port), creating or refreshing the mapping. */
  outbound(now: Instant, address: string, port: number): number {
    for (const [pub, f] of this.forwards) if (f.address === address && f.port === port) return pub;
    const key = `${address}|${port}`;
    let m = this.byPrivate.get(key);
    if (m && now - m.lastOutbound >= this.idleTimeoutMs) {
      this.drop(m);
      m = undefined;
    }
    if (!m) {
      m = { privateAddress: address, privatePort: port, publicPort: this.nextPort++, lastOutbound: now };
      if (this.nextPort > 65000) this.nextPort = 20000;
      this.byPrivate.set(key, m);
      this.byPublicPort.set(m.publicPort, m);
    }
    m.lastOutbound = now;
    return m.publicPort;
  }

  /** Inbound to a public port: the private endpoint, or undefined (no live mapping: dropped). */
  inbound(now: Instant, publicPort: number): { address: string; port: number } | undefined {
    const f = this.forwards.get(publicPort);
    if (f) return f;
    const m = this.byPublicPort.get(publicPort);
    if (!m) return undefined;
    if (now - m.lastOutbound >= this.idleTimeoutMs) {
      this.drop(m);
      return undefined;
    }
    return { address: m.privateAddress, port: m.privatePort };
  }

  rebind(): void {
    this.byPrivate.clear();
    this.byPublicPort.clear();
    this.nextPort += 1000;
    this.rebinds++;
  }

  private drop(m: Mapping): void {
    this.byPrivate.delete(`${m.privateAddress}|${m.privatePort}`);
    this.byPublicPort.delete(m.publicPort);
  }
}
