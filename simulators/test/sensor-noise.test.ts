import { describe, expect, it } from 'vitest';
import { PumpModel } from '../src/pump-model.js';
import type { PumpPhysics } from '../src/pump-physics.js';
import { heldOutLikeCase, NOISY_CORPUS_RANGES, noisyNormalCorpus } from '../src/replay/noisy-corpus.js';

const START = 1_700_000_000_000;

function readings(physics: Partial<PumpPhysics>, count: number, stepMs = 1000): Array<number | undefined> {
  const pump = new PumpModel({
    seed: 7,
    startTs: START,
    program: { rate_mL_h: 100, vtbi_mL: 2400 },
    physics,
  });
  return Array.from({ length: count }, (_, i) => {
    pump.advance(START + i * stepMs);
    return pump.sample().pressure_mmHg;
  });
}

describe('the unkinder pressure sensor', () => {
  it('reads as before with the default physics (the fault scenarios keep their figures)', () => {
    const values = readings({}, 200) as number[];
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(30);
    expect(mean).toBeLessThan(36);
    expect(values.every((v) => Math.round(v * 10) === v * 10)).toBe(true);
  });

  it('drops readings, quantises them and scales noise with the reading', () => {
    const values = readings(
      { pressureDropoutProbability: 0.2, pressureQuantum_mmHg: 5, pressureNoiseFraction: 0.08 },
      2000,
    );
    const missing = values.filter((v) => v === undefined).length;
    expect(missing).toBeGreaterThan(300);
    expect(missing).toBeLessThan(500);
    const present = values.filter((v): v is number => v !== undefined);
    expect(present.every((v) => v % 5 === 0)).toBe(true);
    expect(new Set(present).size).toBeGreaterThan(3);
  });

  it('moves with the patient: steps of ±20 mmHg lasting 10–120 s', () => {
    const values = readings({ movementPerHour: 60, pressureNoise_mmHg: 0 }, 3600) as number[];
    const shifted = values.filter((v) => Math.abs(v - 33) > 15).length;
    expect(shifted).toBeGreaterThan(100);
    expect(shifted).toBeLessThan(3000);
  });

  it('drifts slowly', () => {
    const values = readings({ pressureDrift_mmHg_h: 20, pressureNoise_mmHg: 0 }, 2, 1_800_000) as number[];
    expect((values[1] as number) - (values[0] as number)).toBeCloseTo(10, 0);
  });
});

describe('the noisy normal corpus', () => {
  it('is seeded, ≥ 5,000 pump-hours, within its ranges', () => {
    const corpus = noisyNormalCorpus();
    expect(noisyNormalCorpus().map((c) => c.id)).toEqual(corpus.map((c) => c.id));
    expect(corpus.reduce((sum, c) => sum + c.durationMs, 0) / 3_600_000).toBeGreaterThanOrEqual(5000);
    for (const c of corpus) {
      const limit = c.physics?.occlusionLimit_mmHg as number;
      const rate = c.params.rate_mL_h as number;
      expect(limit).toBeGreaterThanOrEqual(100);
      expect(limit).toBeLessThanOrEqual(1000);
      expect(rate).toBeGreaterThanOrEqual(0.1);
      expect(rate).toBeLessThanOrEqual(999);
      const settled = 8 + (c.physics?.lineResistance_mmHg_per_mL_h as number) * rate;
      expect(settled / limit).toBeLessThanOrEqual(0.65 + 1e-9);
      expect(NOISY_CORPUS_RANGES.intervalsMs).toContain(c.intervalMs);
    }
    const intervals = new Set(corpus.map((c) => c.intervalMs));
    expect(intervals.has(1000) && intervals.has(60_000)).toBe(true);
  });

  it('rebuilds the held-out finding at 500 mL/h, half of 300 mmHg, 10 s samples', () => {
    const c = heldOutLikeCase(3);
    expect(c.intervalMs).toBe(10_000);
    expect(8 + (c.physics?.lineResistance_mmHg_per_mL_h as number) * 500).toBeCloseTo(150, 6);
  });
});
