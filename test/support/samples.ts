/**
 * A telemetry sample as a hub publishes it: infusing 50 mL/h of 100 mL at low pressure, on battery at
 * 90 %, stamped now. Tests override what they exercise.
 */
export function hubSample(seq: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    v: 1,
    seq,
    ts: Date.now(),
    state: 'infusing',
    rate_mL_h: 50,
    vi_mL: seq * 0.01,
    vtbi_mL: 100,
    pressure_mmHg: 40,
    occlusionLimit_mmHg: 300,
    battery_pct: 90,
    onBattery: true,
    alarms: [],
    ...overrides,
  };
}
