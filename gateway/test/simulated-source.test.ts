import { buildScenario } from '@pumpwatch/simulators';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LinkState, PumpReading } from '../src/sources/pump-source.js';
import { SimulatedPumpSource } from '../src/sources/simulated.js';

afterEach(() => {
  vi.useRealTimers();
});

function record() {
  const readings: PumpReading[] = [];
  const links: LinkState[] = [];
  return {
    readings,
    links,
    listener: {
      reading: (r: PumpReading) => readings.push(r),
      link: (_: string, s: LinkState) => links.push(s),
      error: () => {},
    },
  };
}

describe('SimulatedPumpSource', () => {
  it('samples every interval with event time running speed× faster than the wall clock', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const source = new SimulatedPumpSource({
      pumpId: 'P-1',
      scenario: buildScenario('normal', { rate_mL_h: 100 }),
      seed: 1,
      intervalMs: 1000,
      speed: 60,
      now: () => Date.now(),
    });
    const { readings, links, listener } = record();
    await source.start(listener);
    vi.advanceTimersByTime(5000);
    await source.stop();
    vi.advanceTimersByTime(5000);

    expect(links).toEqual(['up', 'down']);
    expect(readings).toHaveLength(6);
    const ts = readings.map((r) => r.sample.ts - 1_700_000_000_000);
    expect(ts).toEqual([0, 60_000, 120_000, 180_000, 240_000, 300_000]);
    expect(readings.every((r) => r.sample.hubTs === r.sample.ts)).toBe(true);
    // 5 simulated minutes at 100 mL/h, within the ±5 % the model promises.
    expect(readings.at(-1)?.sample.vi_mL).toBeCloseTo(8.33, 0);
  });

  it('emits nothing while the scenario has the pump silent', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const source = new SimulatedPumpSource({
      pumpId: 'P-2',
      scenario: buildScenario('silent', { onsetMs: 2500 }),
      seed: 1,
      now: () => Date.now(),
    });
    const { readings, listener } = record();
    await source.start(listener);
    vi.advanceTimersByTime(10_000);
    await source.stop();
    expect(readings).toHaveLength(3);
  });
});
