import type { StoredSample } from '../ports.js';

/** Measurement of telemetry samples in InfluxDB (docs/storage.md). */
export const SAMPLE_MEASUREMENT = 'pump_telemetry';

/**
 * One sample as an InfluxDB line, timestamp in ms (`precision=ms`): tags `hub` and `pump`; fields named
 * and in the units of the protocol (docs/protocol.md), plus `receivedAt` (server clock). Numbers without a
 * suffix are floats, so a rate of 5 and one of 5.5 never conflict in type; integers carry `i`.
 * A pump's series is keyed by (measurement, hub, pump, ts), so writing the same sample again replaces it
 * with itself: replays after an outage or a crash are idempotent.
 */
export function sampleLine(row: StoredSample, measurement = SAMPLE_MEASUREMENT): string {
  const { sample } = row;
  let fields = `seq=${sample.seq}i,state="${sample.state}",rate_mL_h=${sample.rate_mL_h},vi_mL=${sample.vi_mL}`;
  if (sample.vtbi_mL !== undefined) fields += `,vtbi_mL=${sample.vtbi_mL}`;
  if (sample.pressure_mmHg !== undefined) fields += `,pressure_mmHg=${sample.pressure_mmHg}`;
  if (sample.occlusionLimit_mmHg !== undefined)
    fields += `,occlusionLimit_mmHg=${sample.occlusionLimit_mmHg}`;
  if (sample.battery_pct !== undefined) fields += `,battery_pct=${sample.battery_pct}`;
  if (sample.onBattery !== undefined) fields += `,onBattery=${sample.onBattery}`;
  // Flags are lower_snake_case (protocol), so a comma-separated string needs no escaping.
  fields += `,alarms="${sample.alarms.join(',')}",alarmCount=${sample.alarms.length}i`;
  if (sample.hubTs !== undefined) fields += `,hubTs=${sample.hubTs}i`;
  fields += `,receivedAt=${row.receivedAt}i`;
  return `${escapeKey(measurement)},hub=${escapeKey(row.hubId)},pump=${escapeKey(row.pumpId)} ${fields} ${sample.ts}`;
}

const KEY_SPECIALS = /[,= \\]/;

/** Measurement names and tag values escape commas, equals signs, spaces and backslashes. */
export function escapeKey(value: string): string {
  return KEY_SPECIALS.test(value) ? value.replace(/[,= \\]/g, (c) => `\\${c}`) : value;
}
