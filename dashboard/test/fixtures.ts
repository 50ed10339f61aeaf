import type { Alert, PumpView, TelemetrySample } from '@pumpwatch/protocol';

export function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    hubId: 'hub-1',
    pumpId: 'pump-1',
    rule: 'occlusion_downstream',
    priority: 'high',
    status: 'active',
    raisedAt: 1_000_000,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    message: 'Downstream occlusion: 310 mmHg at limit 300 mmHg',
    details: {},
    latched: false,
    snoozedUntil: null,
    escalationLevel: 0,
    escalatedAt: null,
    ...overrides,
  };
}

export function sample(overrides: Partial<TelemetrySample> = {}): TelemetrySample {
  return {
    v: 1,
    seq: 1,
    ts: 1_000_000,
    state: 'infusing',
    rate_mL_h: 12.5,
    vi_mL: 120,
    vtbi_mL: 250,
    pressure_mmHg: 90,
    occlusionLimit_mmHg: 300,
    battery_pct: 82,
    onBattery: false,
    alarms: [],
    ...overrides,
  };
}

export function pump(overrides: Partial<PumpView> = {}): PumpView {
  return {
    pumpId: 'pump-1',
    hubId: 'hub-1',
    latest: sample(),
    online: true,
    lastSeen: 1_000_000,
    hubOnline: true,
    alerts: [],
    ...overrides,
  };
}
