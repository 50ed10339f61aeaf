import type { TelemetrySample } from '@pumpwatch/protocol';

/** A normal infusing sample; tests override what they exercise. */
export function sample(overrides: Partial<TelemetrySample> = {}): TelemetrySample {
  return {
    v: 1,
    seq: 1,
    ts: 1_000_000,
    state: 'infusing',
    rate_mL_h: 5,
    vi_mL: 10,
    vtbi_mL: 100,
    pressure_mmHg: 60,
    occlusionLimit_mmHg: 300,
    battery_pct: 90,
    onBattery: false,
    alarms: [],
    ...overrides,
  };
}
