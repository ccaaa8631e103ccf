/**
 * What `dsmip6 bench` writes to bench/results/: the machine it ran on, and the result of each
 * part. Numbers are what was measured; `null` is "not measured" with the reason in `notes`.
 */
import type { HandoverBench } from './types.js';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly kernel: string;
  readonly node: string;
  readonly iperf3: string;
  readonly openvpn: string;
  readonly dsmip6Commit: string;
}

/** One iperf3 test on one path, the median over its repetitions. */
export interface ThroughputRow {
  readonly path: string;
  /** 'tcp', or 'udp' with the offered rate in Mbit/s (0: unlimited). */
  readonly test: string;
  readonly repeats: number;
  /** Received Mbit/s (median). */
  readonly mbps: number | null;
  /** UDP loss, percent (median); null for TCP. */
  readonly lossPercent: number | null;
  /** CPU of the tunnel process on the sending (home) side and the mobile side, percent of one core. */
  readonly tunnelCpuHome: number | null;
  readonly tunnelCpuMobile: number | null;
  /** iperf3's own cpu_utilization_percent.host_total (client) and remote_total (server). */
  readonly iperfCpuClient: number | null;
  readonly iperfCpuServer: number | null;
  /** Every repetition's Mbit/s. */
  readonly samples: readonly number[];
}

export interface ThroughputBench {
  readonly seconds: number;
  readonly rows: readonly ThroughputRow[];
  readonly notes: readonly string[];
}

/** One N of the home agent scale part. */
export interface ScaleRow {
  readonly bindings: number;
  /** BUs sent in the first registration round, retransmissions included. */
  readonly busSent: number;
  readonly bindingAcks: number;
  /** BAs whose status was not 0 (accepted), by status. */
  readonly rejectedByStatus: Readonly<Record<string, number>>;
  readonly registerMs: number | null;
  /** N / registerMs: sustained BU/s with every BA received. */
  readonly registerPerSecond: number | null;
  /** Daemon CPU per registration (CPU time over the round / N), microseconds. */
  readonly registerCpuMicros: number | null;
  /** Of that, its main (JavaScript) thread's: what bounds the rate. Absent in older results. */
  readonly registerMainCpuMicros?: number | null;
  /** A full refresh round of all N (new sequence numbers), as fast as the daemon answers. */
  readonly refreshMs: number | null;
  readonly refreshPerSecond: number | null;
  /** Daemon CPU during the refresh round, percent of one core. */
  readonly refreshCpu: number | null;
  /** Daemon CPU per refresh BU, microseconds. */
  readonly refreshCpuMicros: number | null;
  /** (VmRSS 3.5 s after registering N, settled) - (VmRSS before), / N. */
  readonly rssBytesPerBinding: number | null;
  /** (VmHWM, the peak VmRSS, read then) - (VmRSS before), / N: what the registration burst needed. */
  readonly rssPeakBytesPerBinding: number | null;
  /** The same 3.5 s after the refresh round: every binding replaced once (the steady state). */
  readonly rssSteadyBytesPerBinding: number | null;
  readonly rssBeforeKb: number | null;
  readonly rssAfterKb: number | null;
  readonly rssSteadyKb: number | null;
  /** Bindings counted through the control socket's `bc` view, page by page. */
  readonly bcCount: number | null;
  /** DADs the home agent ran (one probe each, RetransTimer wait) for the N new home addresses. */
  readonly dadProbed: number | null;
  /** New home addresses reported unique without a probe (DAD_IN_FLIGHT_MAX reached, no socket). */
  readonly dadSkipped: number | null;
  readonly retransmissions: number;
  /** BU-to-BA milliseconds in the registration round, median and 99th percentile (absent before). */
  readonly registerLatencyP50Ms?: number | null;
  readonly registerLatencyP99Ms?: number | null;
}

export interface ScaleBench {
  readonly window: number;
  readonly rows: readonly ScaleRow[];
  readonly notes: readonly string[];
}

export interface BenchResults {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly quick: boolean;
  readonly machine: MachineInfo;
  readonly throughput: ThroughputBench | null;
  readonly handover: HandoverBench | null;
  readonly scale: ScaleBench | null;
  readonly notes: readonly string[];
}
