import type { BucketStats, PumpState, SampleBucket, TelemetrySample } from '@pumpwatch/protocol';
import { sampleColumns } from './schema.js';

export const SELECT_COLUMNS = sampleColumns.join(', ');

export type SampleRow = Record<(typeof sampleColumns)[number], unknown>;

export function rowToSample(row: SampleRow): TelemetrySample {
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
  if (row.epoch !== null && row.epoch !== undefined) sample.epoch = String(row.epoch);
  return sample;
}

/** Columns a history bucket summarises (rowToBucket maps them back to the protocol's names). */
const bucketColumns = ['rate_ml_h', 'vi_ml', 'pressure_mmhg', 'battery_pct'];

/** Buckets start at multiples of `step` (pump time); min / max / avg skip absent (NULL) values. */
export const bucketSql = `
  SELECT (ts // $step) * $step AS t, count(*) AS n,
    ${bucketColumns.map((c) => `min(${c}) AS ${c}_min, max(${c}) AS ${c}_max, avg(${c}) AS ${c}_mean`).join(',\n    ')}
  FROM samples
  WHERE pump_id = $pump AND ts >= $from AND ts <= $to
  GROUP BY t ORDER BY t LIMIT $limit`;

export function rowToBucket(row: Record<string, unknown>): SampleBucket {
  const stats = (column: string): BucketStats =>
    row[`${column}_min`] === null
      ? null
      : {
          min: Number(row[`${column}_min`]),
          max: Number(row[`${column}_max`]),
          mean: Number(row[`${column}_mean`]),
        };
  return {
    t: Number(row.t),
    n: Number(row.n),
    rate_mL_h: stats('rate_ml_h'),
    vi_mL: stats('vi_ml'),
    pressure_mmHg: stats('pressure_mmhg'),
    battery_pct: stats('battery_pct'),
  };
}
