import { describe, expect, it } from 'vitest';
import { hubStatusSchema, telemetrySampleSchema } from '../src/index.js';

const valid = {
  v: 1,
  seq: 1042,
  ts: 1763812800000,
  state: 'infusing',
  rate_mL_h: 25.0,
  vi_mL: 12.5,
  vtbi_mL: 100,
  pressure_mmHg: 120,
  occlusionLimit_mmHg: 300,
  battery_pct: 80,
  onBattery: false,
  alarms: ['occlusion', 'air_in_line'],
};

describe('telemetry sample v1', () => {
  it('accepts the documented example', () => {
    expect(telemetrySampleSchema.parse(valid)).toEqual(valid);
  });

  it('accepts a sample with only the required fields and defaults alarms to none', () => {
    const minimal = { v: 1, seq: 0, ts: 1, state: 'stopped', rate_mL_h: 0, vi_mL: 0 };
    expect(telemetrySampleSchema.parse(minimal).alarms).toEqual([]);
  });

  it('keeps unknown alarm flags so the pump_alarm rule can see them', () => {
    expect(telemetrySampleSchema.parse({ ...valid, alarms: ['keypad_stuck'] }).alarms).toEqual([
      'keypad_stuck',
    ]);
  });

  it.each([
    ['another version', { v: 2 }],
    ['a negative seq', { seq: -1 }],
    ['a fractional seq', { seq: 1.5 }],
    ['a string ts', { ts: '1763812800000' }],
    ['an unknown state', { state: 'running' }],
    ['a negative rate', { rate_mL_h: -1 }],
    ['an absurd rate', { rate_mL_h: 1e9 }],
    ['a rate that is not a number', { rate_mL_h: 'fast' }],
    ['battery above 100 %', { battery_pct: 101 }],
    ['an alarm flag with spaces', { alarms: ['air in line'] }],
    ['alarms that are not a list', { alarms: 'occlusion' }],
  ])('rejects %s', (_name, patch) => {
    expect(telemetrySampleSchema.safeParse({ ...valid, ...patch }).success).toBe(false);
  });

  it.each(['v', 'seq', 'ts', 'state', 'rate_mL_h', 'vi_mL'])('rejects a sample without %s', (field) => {
    const sample: Record<string, unknown> = { ...valid };
    delete sample[field];
    expect(telemetrySampleSchema.safeParse(sample).success).toBe(false);
  });
});

describe('hub status', () => {
  it('accepts online and offline (Last Will) payloads', () => {
    expect(hubStatusSchema.parse({ online: true, ts: 1, version: '0.1.0' }).online).toBe(true);
    expect(hubStatusSchema.parse({ online: false, ts: 1 }).online).toBe(false);
  });

  it('rejects a status without online', () => {
    expect(hubStatusSchema.safeParse({ ts: 1 }).success).toBe(false);
  });
});
