/** Data-plane drop counters by reason (shown by `dsmip6 ctl stats`). */
export type DataplaneDrop =
  | 'malformed'
  | 'no-binding'
  | 'unknown-endpoint'
  | 'ingress-source'
  | 'not-from-home-address'
  | 'not-for-home-address'
  | 'no-tunnel'
  | 'too-big';

export class DropCounters {
  private readonly counts = new Map<DataplaneDrop, number>();

  count(reason: DataplaneDrop): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  get(reason: DataplaneDrop): number {
    return this.counts.get(reason) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
