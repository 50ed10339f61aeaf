import {
  type Alert,
  type PumpState,
  type SampleBucket,
  type SamplesResponse,
  samplesResponseSchema,
  type TelemetrySample,
} from '@pumpwatch/protocol';
import { deliveredSeries } from './delivered.js';

/**
 * History for the pump detail charts, from `GET /api/pumps/{id}/samples` (docs/api.md). Short ranges
 * read raw samples; long ones ask the server for `step` buckets (min / max / mean per bucket) so a week
 * is a few hundred points, not 600,000. A server that answers a `step` request without `buckets` (older
 * than the downsampling route) still works: its raw samples are bucketed here.
 */

export interface HistoryRange {
  id: string;
  label: string;
  ms: number;
  /** Bucket width asked of the server; null for raw samples. */
  stepMs: number | null;
}

const MIN = 60_000;
const HOUR = 60 * MIN;

/** 15 min … 7 days (issue 6). About 300–700 points each: enough detail, light to draw. */
export const HISTORY_RANGES: readonly HistoryRange[] = [
  { id: '15m', label: '15 min', ms: 15 * MIN, stepMs: null },
  { id: '1h', label: '1 h', ms: HOUR, stepMs: null },
  { id: '6h', label: '6 h', ms: 6 * HOUR, stepMs: MIN },
  { id: '24h', label: '24 h', ms: 24 * HOUR, stepMs: 2 * MIN },
  { id: '7d', label: '7 days', ms: 7 * 24 * HOUR, stepMs: 15 * MIN },
];
export const DEFAULT_RANGE_ID = '15m';
/** The server's cap on raw samples per request (docs/api.md). */
export const MAX_RAW_SAMPLES = 10_000;

export function findRange(id: string | null | undefined): HistoryRange {
  return (
    HISTORY_RANGES.find((r) => r.id === id) ??
    (HISTORY_RANGES.find((r) => r.id === DEFAULT_RANGE_ID) as HistoryRange)
  );
}

/**
 * The range ends at `anchor`: the later of the server clock and the pump's newest sample, because a pump
 * clock that runs ahead (or an accelerated simulator) must not push its newest samples off the chart.
 * No `to` is sent, for the same reason.
 */
export function historyUrl(pumpId: string, range: HistoryRange, anchor: number): string {
  const params = new URLSearchParams({ from: String(Math.max(0, Math.floor(anchor - range.ms))) });
  if (range.stepMs !== null) params.set('step', String(range.stepMs));
  else params.set('limit', String(MAX_RAW_SAMPLES));
  return `/api/pumps/${encodeURIComponent(pumpId)}/samples?${params}`;
}

export type ParsedHistory = { ok: true; response: SamplesResponse } | { ok: false; reason: string };

export function parseHistory(json: unknown): ParsedHistory {
  const parsed = samplesResponseSchema.safeParse(json);
  if (parsed.success) return { ok: true, response: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid' };
}

/** Buckets raw samples the way the server's `step` does (bucket start = a multiple of `step`). */
export function bucketize(samples: readonly TelemetrySample[], stepMs: number): SampleBucket[] {
  type Field = 'rate_mL_h' | 'vi_mL' | 'pressure_mmHg' | 'battery_pct';
  const fields: Field[] = ['rate_mL_h', 'vi_mL', 'pressure_mmHg', 'battery_pct'];
  const buckets: SampleBucket[] = [];
  let sums: Record<Field, { sum: number; n: number }> | null = null;
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  for (const s of sorted) {
    const t = Math.floor(s.ts / stepMs) * stepMs;
    let b = buckets[buckets.length - 1];
    if (!b || b.t !== t || !sums) {
      b = { t, n: 0, rate_mL_h: null, vi_mL: null, pressure_mmHg: null, battery_pct: null };
      buckets.push(b);
      sums = {
        rate_mL_h: { sum: 0, n: 0 },
        vi_mL: { sum: 0, n: 0 },
        pressure_mmHg: { sum: 0, n: 0 },
        battery_pct: { sum: 0, n: 0 },
      };
    }
    b.n++;
    for (const f of fields) {
      const value = s[f];
      if (value === undefined) continue;
      const acc = sums[f];
      acc.sum += value;
      acc.n++;
      const prev = b[f];
      b[f] = {
        min: prev ? Math.min(prev.min, value) : value,
        max: prev ? Math.max(prev.max, value) : value,
        mean: acc.sum / acc.n,
      };
    }
  }
  return buckets;
}

export type HistorySource = 'samples' | 'buckets' | 'browser-buckets';

/** Column-oriented series for uPlot: `x` in epoch ms, every other array the same length. */
export interface ChartData {
  source: HistorySource;
  x: number[];
  programmed: (number | null)[];
  delivered: (number | null)[];
  vi: (number | null)[];
  vtbi: (number | null)[];
  pressure: (number | null)[];
  /** Highest pressure in each bucket (a spike the mean would hide); raw samples: all null. */
  pressureMax: (number | null)[];
  limit: (number | null)[];
  /** Pump state per raw sample (null for buckets): a state change restarts the delivered rate. */
  states: (PumpState | null)[];
  /** The server returned as many raw samples as it allows: the range may be cut short at its end. */
  truncated: boolean;
}

export function chartData(
  response: SamplesResponse,
  stepMs: number | null,
  latest: TelemetrySample | null,
): ChartData {
  if (response.buckets) return fromBuckets(response.buckets, 'buckets', latest);
  if (stepMs !== null) {
    return {
      ...fromBuckets(bucketize(response.samples, stepMs), 'browser-buckets', latest),
      truncated: response.samples.length >= MAX_RAW_SAMPLES,
    };
  }
  return fromSamples(response.samples, response.samples.length >= MAX_RAW_SAMPLES);
}

export function fromSamples(samples: readonly TelemetrySample[], truncated = false): ChartData {
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  return {
    source: 'samples',
    x: sorted.map((s) => s.ts),
    programmed: sorted.map((s) => s.rate_mL_h),
    delivered: deliveredSeries(sorted),
    vi: sorted.map((s) => s.vi_mL),
    vtbi: sorted.map((s) => s.vtbi_mL ?? null),
    pressure: sorted.map((s) => s.pressure_mmHg ?? null),
    pressureMax: sorted.map(() => null),
    limit: sorted.map((s) => s.occlusionLimit_mmHg ?? null),
    states: sorted.map((s) => s.state),
    truncated,
  };
}

/**
 * Buckets carry no VTBI or occlusion limit: the pump's newest values are drawn as reference lines.
 * Delivered rate per bucket is the rise of the bucket's highest VI (≈ VI at its end) since the previous
 * bucket, over the time between them; a fall (new bag) shows as a gap.
 */
function fromBuckets(
  buckets: readonly SampleBucket[],
  source: HistorySource,
  latest: TelemetrySample | null,
): ChartData {
  const delivered: (number | null)[] = [];
  buckets.forEach((b, i) => {
    const prev = buckets[i - 1];
    if (!prev?.vi_mL || !b.vi_mL || b.vi_mL.max < prev.vi_mL.max) {
      delivered.push(null);
      return;
    }
    delivered.push(((b.vi_mL.max - prev.vi_mL.max) / (b.t - prev.t)) * 3_600_000);
  });
  return {
    source,
    x: buckets.map((b) => b.t),
    programmed: buckets.map((b) => b.rate_mL_h?.mean ?? null),
    delivered,
    vi: buckets.map((b) => b.vi_mL?.max ?? null),
    vtbi: buckets.map(() => latest?.vtbi_mL ?? null),
    pressure: buckets.map((b) => b.pressure_mmHg?.mean ?? null),
    pressureMax: buckets.map((b) => b.pressure_mmHg?.max ?? null),
    limit: buckets.map(() => latest?.occlusionLimit_mmHg ?? null),
    states: buckets.map(() => null),
    truncated: false,
  };
}

/**
 * Adds a live sample (from a pump frame) to raw chart data, if it is newer than the last point. The
 * delivered rate of the new point is recomputed over the same trailing window as the rest.
 */
export function appendSample(data: ChartData, sample: TelemetrySample): ChartData {
  if (data.source !== 'samples') return data;
  const lastX = data.x[data.x.length - 1];
  if (lastX !== undefined && sample.ts <= lastX) return data;
  const tail = data.x.map((ts, i) => ({
    ts,
    vi_mL: data.vi[i] ?? 0,
    ...(data.states[i] ? { state: data.states[i] } : {}),
  }));
  tail.push({ ts: sample.ts, vi_mL: sample.vi_mL, state: sample.state });
  const delivered = deliveredSeries(tail.slice(-400));
  return {
    ...data,
    x: [...data.x, sample.ts],
    programmed: [...data.programmed, sample.rate_mL_h],
    delivered: [...data.delivered, delivered[delivered.length - 1] ?? null],
    vi: [...data.vi, sample.vi_mL],
    vtbi: [...data.vtbi, sample.vtbi_mL ?? null],
    pressure: [...data.pressure, sample.pressure_mmHg ?? null],
    pressureMax: [...data.pressureMax, null],
    limit: [...data.limit, sample.occlusionLimit_mmHg ?? null],
    states: [...data.states, sample.state],
  };
}

/** Drops points that have slid out of the range's start. */
export function trimBefore(data: ChartData, from: number): ChartData {
  const start = data.x.findIndex((t) => t >= from);
  if (start <= 0) return data;
  const cut = <T>(a: T[]) => a.slice(start);
  return {
    ...data,
    x: cut(data.x),
    programmed: cut(data.programmed),
    delivered: cut(data.delivered),
    vi: cut(data.vi),
    vtbi: cut(data.vtbi),
    pressure: cut(data.pressure),
    pressureMax: cut(data.pressureMax),
    limit: cut(data.limit),
    states: cut(data.states),
  };
}

export interface AlertMarker {
  id: string;
  at: number;
  priority: Alert['priority'];
  rule: Alert['rule'];
  status: Alert['status'];
  resolvedAt: number | null;
}

/**
 * One marker per alert of this pump raised within [from, to], oldest first, from the alert history
 * (`GET /api/alerts?status=all&pumpId=…`) merged with the alerts the console holds (newer, from frames).
 */
export function alertMarkers(
  pumpId: string,
  sources: readonly (readonly Alert[])[],
  from: number,
  to: number,
): AlertMarker[] {
  const byId = new Map<string, Alert>();
  for (const list of sources) {
    // By pump id alone: the pump's alerts from before it moved to another hub are still its own.
    for (const a of list) if (a.pumpId === pumpId) byId.set(a.id, a);
  }
  return [...byId.values()]
    .filter((a) => a.raisedAt >= from && a.raisedAt <= to)
    .sort((a, b) => a.raisedAt - b.raisedAt || (a.id < b.id ? -1 : 1))
    .map((a) => ({
      id: a.id,
      at: a.raisedAt,
      priority: a.priority,
      rule: a.rule,
      status: a.status,
      resolvedAt: a.resolvedAt,
    }));
}
