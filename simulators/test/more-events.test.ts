import { describe, expect, it } from 'vitest';
import { PumpModel } from '../src/pump-model.js';

const START = 1_700_000_000_000;
const HOUR = 3_600_000;

function pump(rate: number, seed = 1): PumpModel {
  return new PumpModel({ seed, startTs: START, program: { rate_mL_h: rate, vtbi_mL: rate * 10 } });
}

describe('rate_error', () => {
  it.each([0.5, 5, 80, 250])('under-delivers 30 %% at %s mL/h and shows it in the volume infused', (rate) => {
    const model = pump(rate);
    model.apply({ type: 'rate_error', factor: 0.7 });
    model.advance(START + HOUR);
    // ±5 % pump accuracy around 70 % of the rate.
    expect(model.vi_mL / rate).toBeGreaterThan(0.7 * 0.95);
    expect(model.vi_mL / rate).toBeLessThan(0.7 * 1.05);
    // The pump still reports its programmed rate: it does not know.
    expect(model.sample().rate_mL_h).toBe(rate);
  });

  it('restores normal delivery with factor 1, and lowers line pressure while under-delivering', () => {
    const faulty = pump(100);
    const healthy = pump(100);
    faulty.schedule(START, { type: 'rate_error', factor: 0.5 });
    faulty.schedule(START + HOUR, { type: 'rate_error', factor: 1 });
    faulty.advance(START + HOUR / 2);
    healthy.advance(START + HOUR / 2);
    expect(faulty.pressure_mmHg).toBeLessThan(healthy.pressure_mmHg - 8);
    faulty.advance(START + 2 * HOUR);
    healthy.advance(START + 2 * HOUR);
    expect(faulty.vi_mL).toBeGreaterThan(140);
    expect(faulty.vi_mL).toBeLessThan(160);
  });

  it('rejects a negative factor with a stable code', () => {
    expect(() => pump(10).apply({ type: 'rate_error', factor: -1 })).toThrow(
      expect.objectContaining({ code: 'EVENT_INVALID' }),
    );
  });
});

describe('pump_alarm', () => {
  it('raises a native flag, stops the pump and keeps it stopped until cleared', () => {
    const model = pump(100);
    model.schedule(START + 10_000, { type: 'pump_alarm', flag: 'upstream_occlusion' });
    model.advance(START + 20_000);
    const alarmed = model.sample();
    expect(alarmed.alarms).toContain('upstream_occlusion');
    expect(alarmed.state).toBe('stopped');
    model.apply({ type: 'resume' });
    expect(model.state).toBe('stopped');
    const vi = model.vi_mL;
    model.advance(START + 60_000);
    expect(model.vi_mL).toBe(vi);
    model.apply({ type: 'clear_pump_alarm', flag: 'upstream_occlusion' });
    model.apply({ type: 'resume' });
    model.advance(START + 70_000);
    expect(model.state).toBe('infusing');
    expect(model.sample().alarms).not.toContain('upstream_occlusion');
  });

  it('keeps infusing for an advisory flag raised with stops: false', () => {
    const model = pump(100);
    model.apply({ type: 'pump_alarm', flag: 'temperature', stops: false });
    model.advance(START + 10_000);
    expect(model.state).toBe('infusing');
    expect(model.sample().alarms).toEqual(['temperature']);
  });
});
