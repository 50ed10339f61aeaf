import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { PumpState, TelemetrySample } from '@pumpwatch/protocol';
import type { SampleQuery, SampleStore, StoredSample } from '../ports.js';
import { sampleColumns } from './schema.js';

const SELECT_COLUMNS = sampleColumns.join(', ');

type Row = Record<(typeof sampleColumns)[number], unknown>;

/**
 * Samples go through DuckDB's appender (row-at-a-time into a columnar buffer) and are flushed in batches
 * by a timer, which is what makes tens of thousands of samples per second cheap.
 */
export class DuckDbSampleStore implements SampleStore {
  private pending = 0;

  constructor(
    private readonly appender: DuckDBAppender,
    private readonly reader: DuckDBConnection,
  ) {}

  append({ hubId, pumpId, receivedAt, sample }: StoredSample): void {
    const a = this.appender;
    a.appendVarchar(hubId);
    a.appendVarchar(pumpId);
    a.appendBigInt(BigInt(sample.seq));
    a.appendBigInt(BigInt(sample.ts));
    a.appendBigInt(BigInt(receivedAt));
    a.appendVarchar(sample.state);
    a.appendDouble(sample.rate_mL_h);
    a.appendDouble(sample.vi_mL);
    appendOptionalDouble(a, sample.vtbi_mL);
    appendOptionalDouble(a, sample.pressure_mmHg);
    appendOptionalDouble(a, sample.occlusionLimit_mmHg);
    appendOptionalDouble(a, sample.battery_pct);
    if (sample.onBattery === undefined) a.appendNull();
    else a.appendBoolean(sample.onBattery);
    a.appendVarchar(JSON.stringify(sample.alarms));
    if (sample.hubTs === undefined) a.appendNull();
    else a.appendBigInt(BigInt(sample.hubTs));
    a.endRow();
    this.pending += 1;
  }

  get pendingRows(): number {
    return this.pending;
  }

  async flush(): Promise<void> {
    if (this.pending === 0) return;
    this.appender.flushSync();
    this.pending = 0;
  }

  async query(pumpId: string, { from, to, limit }: SampleQuery): Promise<TelemetrySample[]> {
    await this.flush();
    const result = await this.reader.runAndReadAll(
      `SELECT ${SELECT_COLUMNS} FROM samples
       WHERE pump_id = $pump AND ts >= $from AND ts <= $to
       ORDER BY ts, seq LIMIT $limit`,
      {
        pump: pumpId,
        from: BigInt(from ?? 0),
        to: BigInt(to ?? Number.MAX_SAFE_INTEGER),
        limit: BigInt(limit),
      },
    );
    return (result.getRowObjectsJS() as Row[]).map(rowToSample);
  }

  async latestPerPump(): Promise<StoredSample[]> {
    await this.flush();
    const result = await this.reader.runAndReadAll(
      `SELECT ${SELECT_COLUMNS} FROM samples
       QUALIFY row_number() OVER (PARTITION BY pump_id ORDER BY ts DESC, seq DESC) = 1`,
    );
    return (result.getRowObjectsJS() as Row[]).map((row) => ({
      hubId: String(row.hub_id),
      pumpId: String(row.pump_id),
      receivedAt: Number(row.received_at),
      sample: rowToSample(row),
    }));
  }

  async recentSeqs(limit: number): Promise<Array<{ pumpId: string; seq: number }>> {
    await this.flush();
    const result = await this.reader.runAndReadAll(
      `SELECT pump_id, seq FROM samples
       QUALIFY row_number() OVER (PARTITION BY pump_id ORDER BY seq DESC) <= $limit
       ORDER BY pump_id, seq`,
      { limit: BigInt(limit) },
    );
    return (result.getRowObjectsJS() as Array<{ pump_id: string; seq: bigint | number }>).map((row) => ({
      pumpId: row.pump_id,
      seq: Number(row.seq),
    }));
  }
}

function appendOptionalDouble(appender: DuckDBAppender, value: number | undefined): void {
  if (value === undefined) appender.appendNull();
  else appender.appendDouble(value);
}

function rowToSample(row: Row): TelemetrySample {
  const sample: TelemetrySample = {
    v: 1,
    seq: Number(row.seq),
    ts: Number(row.ts),
    state: row.state as PumpState,
    rate_mL_h: Number(row.rate_ml_h),
    vi_mL: Number(row.vi_ml),
    alarms: JSON.parse(String(row.alarms)) as string[],
  };
  if (row.vtbi_ml !== null) sample.vtbi_mL = Number(row.vtbi_ml);
  if (row.pressure_mmhg !== null) sample.pressure_mmHg = Number(row.pressure_mmhg);
  if (row.occlusion_limit_mmhg !== null) sample.occlusionLimit_mmHg = Number(row.occlusion_limit_mmhg);
  if (row.battery_pct !== null) sample.battery_pct = Number(row.battery_pct);
  if (row.on_battery !== null) sample.onBattery = Boolean(row.on_battery);
  if (row.hub_ts !== null) sample.hubTs = Number(row.hub_ts);
  return sample;
}
