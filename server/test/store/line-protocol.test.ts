import { describe, expect, it } from 'vitest';
import { escapeKey, sampleLine } from '../../src/store/influx/line-protocol.js';
import { sample } from '../fixtures.js';

describe('InfluxDB line protocol of a sample', () => {
  it('tags hub and pump, keeps the protocol’s field names and units, and stamps the pump time in ms', () => {
    const line = sampleLine({
      hubId: 'hub-1',
      pumpId: 'PUMP-0001',
      receivedAt: 1_800_000_000_100,
      sample: sample({
        seq: 42,
        ts: 1_800_000_000_000,
        rate_mL_h: 25.5,
        alarms: ['occlusion', 'door_open'],
        hubTs: 1_800_000_000_040,
      }),
    });
    expect(line).toBe(
      'pump_telemetry,hub=hub-1,pump=PUMP-0001 seq=42i,state="infusing",rate_mL_h=25.5,vi_mL=10,vtbi_mL=100,' +
        'pressure_mmHg=60,occlusionLimit_mmHg=300,battery_pct=90,onBattery=false,alarms="occlusion,door_open",' +
        'alarmCount=2i,hubTs=1800000000040i,receivedAt=1800000000100i 1800000000000',
    );
  });

  it('leaves out optional fields the sample does not carry, and writes whole numbers as floats', () => {
    const {
      vtbi_mL: _a,
      pressure_mmHg: _b,
      occlusionLimit_mmHg: _c,
      battery_pct: _d,
      onBattery: _e,
      ...bare
    } = sample({
      rate_mL_h: 5,
    });
    expect(sampleLine({ hubId: 'h', pumpId: 'p', receivedAt: 2, sample: bare })).toBe(
      'pump_telemetry,hub=h,pump=p seq=1i,state="infusing",rate_mL_h=5,vi_mL=10,alarms="",alarmCount=0i,receivedAt=2i 1000000',
    );
  });

  it('escapes commas, equals signs, spaces and backslashes in names', () => {
    expect(escapeKey('a b,c=d\\e')).toBe('a\\ b\\,c\\=d\\\\e');
    expect(escapeKey('PUMP-0001')).toBe('PUMP-0001');
  });
});
