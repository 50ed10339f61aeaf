import { describe, expect, it } from 'vitest';
import { PumpModel, type PumpSample } from '../src/pump-model.js';
import { STIFF_LINE_COMPLIANCE_mL_per_mmHg } from '../src/pump-physics.js';

const START = 1_700_000_000_000;
const HOUR = 3_600_000;

function play(model: PumpModel, durationMs: number, intervalMs: number): PumpSample[] {
  const samples: PumpSample[] = [];
  for (let ts = START; ts <= START + durationMs; ts += intervalMs) {
    model.advance(ts);
    samples.push(model.sample());
  }
  return samples;
}

describe('PumpModel', () => {
  it('produces identical samples for the same seed and different ones for another seed', () => {
    const build = (seed: number) =>
      new PumpModel({ seed, startTs: START, program: { rate_mL_h: 100, vtbi_mL: 500 } });
    const first = play(build(42), 600_000, 1000);
    const again = play(build(42), 600_000, 1000);
    const other = play(build(43), 600_000, 1000);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('integrates the same volume however often it is sampled', () => {
    const build = () => new PumpModel({ seed: 7, startTs: START, program: { rate_mL_h: 25, vtbi_mL: 500 } });
    const fine = play(build(), HOUR, 1000).at(-1);
    const coarse = play(build(), HOUR, 60_000).at(-1);
    expect(coarse?.vi_mL).toBe(fine?.vi_mL);
  });

  it.each([0.5, 5, 25, 100, 125, 250])('delivers within ±5 %% of %s mL/h over an hour', (rate) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const model = new PumpModel({ seed, startTs: START, program: { rate_mL_h: rate, vtbi_mL: rate * 10 } });
      model.advance(START + HOUR);
      expect(Math.abs(model.vi_mL - rate) / rate).toBeLessThanOrEqual(0.05);
    }
  });

  it('keeps line pressure in the tens of mmHg at normal rates', () => {
    const samples = play(
      new PumpModel({ seed: 9, startTs: START, program: { rate_mL_h: 125, vtbi_mL: 1000 } }),
      600_000,
      5000,
    );
    for (const s of samples) expect(s.pressure_mmHg).toBeGreaterThan(20);
    for (const s of samples) expect(s.pressure_mmHg).toBeLessThan(60);
  });

  it('raises occlusion when pressure reaches the limit at 5 mL/h on a stiff line, within a minute', () => {
    const model = new PumpModel({ seed: 3, startTs: START, program: { rate_mL_h: 5, vtbi_mL: 100 } });
    model.schedule(START + 10_000, {
      type: 'occlusion',
      compliance_mL_per_mmHg: STIFF_LINE_COMPLIANCE_mL_per_mmHg,
    });
    const samples = play(model, 120_000, 1000);
    const alarmed = samples.find((s) => s.alarms.includes('occlusion'));
    expect(alarmed).toBeDefined();
    expect(alarmed?.state).toBe('stopped');
    expect(model.pressure_mmHg).toBeGreaterThanOrEqual(300);
    expect((alarmed?.ts ?? 0) - (START + 10_000)).toBeLessThanOrEqual(60_000);
    const after = samples.filter((s) => s.ts > (alarmed?.ts ?? 0));
    expect(new Set(after.map((s) => s.vi_mL)).size).toBe(1);
  });

  it('takes about five minutes to alarm at 5 mL/h with the default line compliance', () => {
    const model = new PumpModel({ seed: 3, startTs: START, program: { rate_mL_h: 5, vtbi_mL: 100 } });
    model.apply({ type: 'occlusion' });
    const alarmed = play(model, 600_000, 5000).find((s) => s.alarms.includes('occlusion'));
    expect((alarmed?.ts ?? 0) - START).toBeGreaterThan(4 * 60_000);
    expect((alarmed?.ts ?? 0) - START).toBeLessThan(6 * 60_000);
  });

  it('completes at VTBI, holds complete, then switches to KVO at 1 mL/h', () => {
    const model = new PumpModel({
      seed: 5,
      startTs: START,
      program: { rate_mL_h: 250, vtbi_mL: 250 },
      initialVi_mL: 249,
    });
    const samples = play(model, 60_000, 1000);
    const states = samples.map((s) => s.state);
    expect(states).toContain('complete');
    expect(states.at(-1)).toBe('kvo');
    expect(samples.at(-1)?.rate_mL_h).toBe(1);
    expect(samples.at(-1)?.alarms).toContain('vtbi_complete');
    expect(samples.some((s) => s.alarms.includes('near_end'))).toBe(true);
  });

  it('stops and flags air in line', () => {
    const model = new PumpModel({ seed: 1, startTs: START, program: { rate_mL_h: 125, vtbi_mL: 1000 } });
    model.schedule(START + 5000, { type: 'air_in_line' });
    const last = play(model, 10_000, 1000).at(-1);
    expect(last?.state).toBe('stopped');
    expect(last?.alarms).toContain('air_in_line');
  });

  it('flags battery low, then battery empty, then turns off', () => {
    const model = new PumpModel({ seed: 1, startTs: START, program: { rate_mL_h: 80, vtbi_mL: 2000 } });
    model.apply({ type: 'battery_low', battery_pct: 18, drain_pct_h: 60 });
    model.advance(START + 1000);
    expect(model.sample().alarms).toContain('battery_low');
    model.advance(START + 14 * 60_000);
    expect(model.sample().alarms).toContain('battery_empty');
    model.advance(START + 20 * 60_000);
    expect(model.state).toBe('off');
  });

  it('raises pressure below the limit as the site infiltrates', () => {
    const model = new PumpModel({ seed: 2, startTs: START, program: { rate_mL_h: 100, vtbi_mL: 1000 } });
    model.advance(START + 10_000);
    const baseline = model.pressure_mmHg;
    model.apply({ type: 'infiltration', factor: 5, rampMs: 60_000 });
    model.advance(START + 120_000);
    expect(model.pressure_mmHg).toBeGreaterThan(baseline * 3);
    expect(model.pressure_mmHg).toBeLessThan(300);
    expect(model.sample().alarms).toEqual([]);
  });

  it('delivers more than programmed in free flow, even when paused', () => {
    const model = new PumpModel({ seed: 2, startTs: START, program: { rate_mL_h: 50, vtbi_mL: 1000 } });
    model.apply({ type: 'pause' });
    model.apply({ type: 'free_flow', factor: 3 });
    model.advance(START + HOUR / 2);
    expect(model.state).toBe('paused');
    expect(model.vi_mL).toBeGreaterThan(70);
  });

  it('goes silent but keeps infusing after stop_reporting', () => {
    const model = new PumpModel({ seed: 2, startTs: START, program: { rate_mL_h: 100, vtbi_mL: 1000 } });
    model.schedule(START + 1000, { type: 'stop_reporting' });
    model.advance(START + 60_000);
    expect(model.reporting).toBe(false);
    expect(model.vi_mL).toBeGreaterThan(1.5);
  });

  it('refuses to run backwards in time', () => {
    const model = new PumpModel({ seed: 2, startTs: START, program: { rate_mL_h: 100, vtbi_mL: 1000 } });
    model.advance(START + 1000);
    expect(() => model.advance(START)).toThrow(expect.objectContaining({ code: 'TIME_BACKWARDS' }));
  });

  it('rejects an impossible program', () => {
    expect(() => new PumpModel({ seed: 1, startTs: START, program: { rate_mL_h: 0, vtbi_mL: 10 } })).toThrow(
      expect.objectContaining({ code: 'PROGRAM_INVALID' }),
    );
  });
});
