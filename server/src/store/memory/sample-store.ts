import type { SampleBucket, TelemetrySample } from '@pumpwatch/protocol';
import type { BucketQuery, RecentSeq, SampleQuery, SampleStore, StoredSample } from '../ports.js';
import { assertInteger, assertLimit, compareText, type MemoryLifecycle } from './lifecycle.js';

interface SampleRow {
  hubId: string;
  /** Arrival order across all pumps: which epoch is a pump's current one (`recentSeqs`). */
  arrival: number;
  receivedAt: number;
  sample: TelemetrySample;
}

/** The samples of a memory store: per pump, sorted by (ts, seq); equal keys keep their append order. */
export interface MemorySampleData {
  pumps: Map<string, SampleRow[]>;
  arrivals: number;
}

export function newSampleData(): MemorySampleData {
  return { pumps: new Map(), arrivals: 0 };
}

/**
 * Samples in memory, answering every query as the DuckDB adapter's SQL does (sample-store.ts, rows.ts).
 * An appended sample is visible at once; `flush` has nothing to commit, and nothing is durable.
 */
export class MemorySampleStore implements SampleStore {
  constructor(
    private readonly data: MemorySampleData,
    private readonly lifecycle: MemoryLifecycle,
  ) {}

  append({ hubId, pumpId, receivedAt, sample }: StoredSample): void {
    this.lifecycle.assertOpen('appends');
    assertInteger('seq', sample.seq);
    assertInteger('ts', sample.ts);
    assertInteger('receivedAt', receivedAt);
    if (sample.hubTs !== undefined) assertInteger('hubTs', sample.hubTs);
    const row: SampleRow = { hubId, arrival: this.data.arrivals++, receivedAt, sample: copySample(sample) };
    let rows = this.data.pumps.get(pumpId);
    if (!rows) {
      rows = [];
      this.data.pumps.set(pumpId, rows);
    }
    // Samples nearly always arrive in time order: the insertion point is then the end.
    const at = upperBound(rows, sample.ts, sample.seq);
    if (at === rows.length) rows.push(row);
    else rows.splice(at, 0, row);
  }

  /** Every sample counted, for `/api/health`. */
  get count(): number {
    let n = 0;
    for (const rows of this.data.pumps.values()) n += rows.length;
    return n;
  }

  async flush(): Promise<void> {
    this.lifecycle.assertOpen('flushes');
  }

  /** Nothing to wait for: an appended sample is as durable as a memory store gets. */
  async committed(): Promise<void> {}

  async query(pumpId: string, { from, to, limit }: SampleQuery): Promise<TelemetrySample[]> {
    this.lifecycle.assertOpen('queries');
    assertLimit(limit);
    const out: TelemetrySample[] = [];
    for (const row of this.inRange(pumpId, from, to)) {
      if (out.length >= limit) break;
      out.push(copySample(row.sample));
    }
    return out;
  }

  /** As bucketSql: buckets at `(ts // step) * step` (DuckDB's `//` truncates toward zero), oldest first. */
  async buckets(pumpId: string, { from, to, limit, step }: BucketQuery): Promise<SampleBucket[]> {
    this.lifecycle.assertOpen('queries');
    assertLimit(limit);
    assertInteger('step', step);
    const out: SampleBucket[] = [];
    let current: BucketAccumulator | undefined;
    for (const { sample } of this.inRange(pumpId, from, to)) {
      const t = sample.ts - (sample.ts % step);
      if (current?.t !== t) {
        // Rows are in ts order, so bucket starts only grow: a bucket is complete when the next begins.
        if (current) out.push(current.bucket());
        if (out.length >= limit) return out;
        current = new BucketAccumulator(t);
      }
      current.add(sample);
    }
    if (current && out.length < limit) out.push(current.bucket());
    return out;
  }

  async latestPerPump(): Promise<StoredSample[]> {
    this.lifecycle.assertOpen('queries');
    const out: StoredSample[] = [];
    for (const pumpId of [...this.data.pumps.keys()].sort(compareText)) {
      const rows = this.data.pumps.get(pumpId) as SampleRow[];
      const row = rows[rows.length - 1];
      if (row) {
        out.push({ hubId: row.hubId, pumpId, receivedAt: row.receivedAt, sample: copySample(row.sample) });
      }
    }
    return out;
  }

  async recentSeqs(limit: number): Promise<RecentSeq[]> {
    this.lifecycle.assertOpen('queries');
    const out: RecentSeq[] = [];
    for (const pumpId of [...this.data.pumps.keys()].sort(compareText)) {
      const rows = this.data.pumps.get(pumpId) as SampleRow[];
      const last = rows.reduce((a, b) => (b.arrival > a.arrival ? b : a));
      const epoch = last.sample.epoch;
      const seqs = rows.filter((row) => row.sample.epoch === epoch).map((row) => row.sample.seq);
      seqs.sort((a, b) => b - a);
      for (const seq of seqs.slice(0, Math.max(0, limit)).reverse())
        out.push({ pumpId, seq, ...(epoch !== undefined && { epoch }) });
    }
    return out;
  }

  /** Retention by server receive time; no forwarder reads a memory store, so nothing is held back. */
  async prune(receivedBefore: number): Promise<number> {
    this.lifecycle.assertOpen('deletes');
    let deleted = 0;
    for (const [pumpId, rows] of this.data.pumps) {
      const kept = rows.filter((row) => row.receivedAt >= receivedBefore);
      deleted += rows.length - kept.length;
      if (kept.length === 0) this.data.pumps.delete(pumpId);
      else if (kept.length !== rows.length) this.data.pumps.set(pumpId, kept);
    }
    return deleted;
  }

  /** One pump's rows with `from ≤ ts ≤ to`; `from` defaults to 0 as in the SQL adapter's bounds. */
  private *inRange(pumpId: string, from = 0, to = Number.MAX_SAFE_INTEGER): Generator<SampleRow> {
    const rows = this.data.pumps.get(pumpId);
    if (!rows) return;
    for (let i = lowerBound(rows, from); i < rows.length; i += 1) {
      const row = rows[i] as SampleRow;
      if (row.sample.ts > to) return;
      yield row;
    }
  }
}

/** min / max / mean of one column over the samples that carry it; null when none does (SQL NULL). */
class Stats {
  private n = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private sum = 0;

  add(value: number | undefined): void {
    if (value === undefined) return;
    this.n += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  result(): { min: number; max: number; mean: number } | null {
    return this.n === 0 ? null : { min: this.min, max: this.max, mean: this.sum / this.n };
  }
}

class BucketAccumulator {
  private n = 0;
  private readonly rate = new Stats();
  private readonly vi = new Stats();
  private readonly pressure = new Stats();
  private readonly battery = new Stats();

  constructor(readonly t: number) {}

  add(sample: TelemetrySample): void {
    this.n += 1;
    this.rate.add(sample.rate_mL_h);
    this.vi.add(sample.vi_mL);
    this.pressure.add(sample.pressure_mmHg);
    this.battery.add(sample.battery_pct);
  }

  bucket(): SampleBucket {
    return {
      t: this.t,
      n: this.n,
      rate_mL_h: this.rate.result(),
      vi_mL: this.vi.result(),
      pressure_mmHg: this.pressure.result(),
      battery_pct: this.battery.result(),
    };
  }
}

/**
 * The sample as the DuckDB adapter gives it back (rows.ts `rowToSample`): its known fields only, in that
 * order, `v` 1, a fresh `alarms` array. Copied on the way in and out, so no caller shares the stored object.
 */
function copySample(sample: TelemetrySample): TelemetrySample {
  const copy: TelemetrySample = {
    v: 1,
    seq: sample.seq,
    ts: sample.ts,
    state: sample.state,
    rate_mL_h: sample.rate_mL_h,
    vi_mL: sample.vi_mL,
    alarms: [...sample.alarms],
  };
  if (sample.vtbi_mL !== undefined) copy.vtbi_mL = sample.vtbi_mL;
  if (sample.pressure_mmHg !== undefined) copy.pressure_mmHg = sample.pressure_mmHg;
  if (sample.occlusionLimit_mmHg !== undefined) copy.occlusionLimit_mmHg = sample.occlusionLimit_mmHg;
  if (sample.battery_pct !== undefined) copy.battery_pct = sample.battery_pct;
  if (sample.onBattery !== undefined) copy.onBattery = sample.onBattery;
  if (sample.hubTs !== undefined) copy.hubTs = sample.hubTs;
  if (sample.epoch !== undefined) copy.epoch = sample.epoch;
  return copy;
}

/** First index whose ts is ≥ `ts`. */
function lowerBound(rows: readonly SampleRow[], ts: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid] as SampleRow).sample.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose (ts, seq) is greater than the given one. */
function upperBound(rows: readonly SampleRow[], ts: number, seq: number): number {
  const last = rows[rows.length - 1];
  if (!last || last.sample.ts < ts || (last.sample.ts === ts && last.sample.seq <= seq)) return rows.length;
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const { sample } = rows[mid] as SampleRow;
    if (sample.ts < ts || (sample.ts === ts && sample.seq <= seq)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
