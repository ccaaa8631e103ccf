/**
 * The shapes the benchmark suite (`dsmip6 bench`, issue 6) passes between its parts: each part
 * (throughput, handover latency, home agent scale) produces one of these, and the report writer
 * renders them as markdown, JSON and charts. Numbers are what was measured; `null` is "not
 * measured" (the reason is in `notes`), never a default.
 */

/** p50/p95/max (and the sample count) of one measured quantity. */
export interface Summary {
  readonly n: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly max: number | null;
}

/** One handover pair (e.g. `fn2->fn1`, `nat->nat2`, `vertical eth0->eth1`) measured `samples` times. */
export interface HandoverPairResult {
  readonly pair: string;
  readonly samples: number;
  readonly failures: number;
  /** Link change -> the new care-of address present in the kernel (SLAAC/DHCP), ms. */
  readonly addressMs: Summary;
  /** New address present -> BA (registration complete), ms. */
  readonly baMs: Summary;
  /** New address present -> first data packet through the new path, ms. */
  readonly firstDataMs: Summary;
  /** Probe packets (100 pps) lost across the handover. */
  readonly lost: Summary;
  /**
   * The loss bound of issue 6: handover time x rate + 2, at the p50 handover, the handover time
   * running from the old link going down to the first data packet through the new path.
   */
  readonly lossBound: number | null;
}

export interface HandoverBench {
  readonly ratePps: number;
  readonly pairs: readonly HandoverPairResult[];
  readonly notes: readonly string[];
}

export interface HandoverBenchOptions {
  /** Handovers per pair (issue 6: at least 20; --quick may use fewer). */
  readonly repeat: number;
  /** Progress lines for the terminal. */
  readonly log: (line: string) => void;
}
