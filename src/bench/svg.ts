/**
 * Hand-written SVG charts for the benchmark report (no dependencies): horizontal bars of
 * throughput by path, and the handover latency of each pair (p50, p95 and max markers).
 */
import type { HandoverBench } from './types.js';
import type { ThroughputRow } from './results.js';

const W = 760;
const LABEL = 250;
const ROW = 22;
const TOP = 40;
const COLOURS: Readonly<Record<string, string>> = {
  tcp: '#3a6ea5', 'udp 0': '#c0504d', default: '#9bbb59',
};

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function text(x: number, y: number, s: string, size = 12, extra = ''): string {
  const at = `x="${x.toFixed(1)}" y="${y.toFixed(1)}"`;
  return `<text ${at} font-family="sans-serif" font-size="${size}"${extra}>${escapeXml(s)}</text>`;
}

/** A "nice" axis maximum at or above `x` (1, 2 or 5 times a power of ten). */
export function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function frame(height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}">`,
    `<rect width="${W}" height="${height}" fill="white"/>`,
    text(10, 20, title, 14, ' font-weight="bold"'),
    ...body, '</svg>', '',
  ].join('\n');
}

function axis(y0: number, y1: number, max: number, unit: string): string[] {
  const out: string[] = [];
  const span = W - LABEL - 60;
  for (let k = 0; k <= 5; k++) {
    const x = LABEL + (span * k) / 5;
    out.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y1}" stroke="#ddd"/>`);
    out.push(text(x - 10, y1 + 14, String(Math.round((max * k) / 5))));
  }
  out.push(text(W - 55, y1 + 14, unit));
  return out;
}

/** Powers of ten from 10 up to the first at or above `max`: the decades of a log axis. */
export function decades(max: number): number[] {
  const out = [10];
  while (out[out.length - 1] < max) out.push(out[out.length - 1] * 10);
  return out.length > 1 ? out : [10, 100];
}

/**
 * Bars of Mbit/s, one per measured (path, test) row, on a logarithmic axis from 10 Mbit/s (the
 * bare path is tens of times faster than any tunnel).
 */
export function throughputSvg(rows: readonly ThroughputRow[]): string {
  const shown = rows.filter((r) => r.mbps !== null);
  const ticks = decades(Math.max(1, ...shown.map((r) => r.mbps as number)));
  const top = Math.log10(ticks[ticks.length - 1]);
  const span = W - LABEL - 60;
  const xOf = (v: number): number => (span * (Math.log10(Math.max(10, v)) - 1)) / (top - 1);
  const body: string[] = [];
  shown.forEach((r, i) => {
    const y = TOP + i * ROW;
    const w = Math.max(1, xOf(r.mbps as number));
    const colour = COLOURS[r.test] ?? COLOURS[r.test.split(' ')[0]] ?? COLOURS.default;
    body.push(text(8, y + 14, `${r.path} · ${r.test === 'udp 0' ? 'udp unlimited' : r.test}`));
    body.push(`<rect x="${LABEL}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" ` +
      `fill="${colour}"/>`);
    body.push(text(LABEL + w + 4, y + 14, `${Math.round(r.mbps as number)}`));
  });
  const bottom = TOP + shown.length * ROW;
  ticks.forEach((t) => {
    const x = LABEL + xOf(t);
    body.unshift(`<line x1="${x.toFixed(1)}" y1="${TOP}" x2="${x.toFixed(1)}" y2="${bottom}" stroke="#ddd"/>`,
      text(x - 10, bottom + 14, String(t)));
  });
  body.push(text(W - 55, bottom + 14, 'Mbit/s (log)'));
  return frame(bottom + 30, 'Throughput by path (iperf3, median, received Mbit/s)', body);
}

/** Per handover pair: a line from p50 to max of "address present -> first data", with markers. */
export function handoverSvg(h: HandoverBench): string {
  const pairs = h.pairs.filter((p) => p.firstDataMs.max !== null);
  const max = niceMax(Math.max(1, ...pairs.map((p) => p.firstDataMs.max as number)));
  const span = W - LABEL - 60;
  const x = (v: number): number => LABEL + (span * v) / max;
  const body: string[] = [];
  pairs.forEach((p, i) => {
    const y = TOP + i * ROW + ROW / 2;
    const s = p.firstDataMs;
    body.push(text(8, y + 4, `${p.pair} (n=${s.n})`));
    body.push(`<line x1="${x(s.p50 as number)}" y1="${y}" x2="${x(s.max as number)}" y2="${y}" ` +
      'stroke="#888"/>');
    body.push(`<circle cx="${x(s.p50 as number)}" cy="${y}" r="5" fill="#3a6ea5"/>`);
    if (s.p95 !== null) {
      body.push(`<rect x="${x(s.p95) - 4}" y="${y - 4}" width="8" height="8" fill="#c0504d"/>`);
    }
    body.push(`<line x1="${x(s.max as number)}" y1="${y - 6}" x2="${x(s.max as number)}" y2="${y + 6}" ` +
      'stroke="black" stroke-width="2"/>');
  });
  const bottom = TOP + Math.max(1, pairs.length) * ROW;
  if (pairs.length === 0) body.push(text(LABEL, TOP + 14, 'no handover measured'));
  body.unshift(...axis(TOP, bottom, max, 'ms'));
  body.push(text(LABEL, bottom + 30, '● p50   ■ p95   | max  (new address present → first data packet)'));
  return frame(bottom + 45, 'Handover latency by pair', body);
}
