import type { Alert, TelemetrySample } from '@pumpwatch/protocol';

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

/** An active high occlusion alert; tests override what they exercise. */
export function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'pump-1.occlusion_downstream.1',
    hubId: 'hub-1',
    pumpId: 'pump-1',
    rule: 'occlusion_downstream',
    priority: 'high',
    status: 'active',
    raisedAt: 1000,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    message: 'occlusion',
    details: { pressure_mmHg: 310 },
    latched: false,
    snoozedUntil: null,
    escalationLevel: 0,
    escalatedAt: null,
    ...overrides,
  };
}
