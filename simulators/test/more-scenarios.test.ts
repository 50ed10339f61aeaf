import { orderSchema } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_OFFSET_MS, ORDER_MISMATCH_FACTOR } from '../src/more-scenarios.js';
import { ScenarioPlayer } from '../src/scenario-player.js';
import { buildScenario, createPumpFromScenario, scenarioNames } from '../src/scenarios.js';

const START = 1_700_000_000_000;
const MIN = 60_000;
const HOUR = 60 * MIN;

function firstAlarm(name: string, rate: number, flag: string, limitMs: number): number | null {
  const pump = createPumpFromScenario(buildScenario(name, { rate_mL_h: rate, onsetMs: 0 }), {
    seed: 5,
    startTs: START,
  });
  for (let ts = START; ts <= START + limitMs; ts += 1000) {
    pump.advance(ts);
    if (pump.sample().alarms.includes(flag)) return ts - START;
  }
  return null;
}

describe('scenarios added for every rule', () => {
  it('keeps the existing names, so the demo, the gateway config and the tests still find them', () => {
    for (const name of ['normal', 'occlusion', 'air_in_line', 'battery_low', 'infiltration', 'complete'])
      expect(scenarioNames).toContain(name);
    for (const name of ['paused', 'free_flow', 'silent', 'hub_offline', 'order_mismatch', 'clock_skew'])
      expect(scenarioNames).toContain(name);
  });

  // Realistic compliance: (limit − pressure) × 1.4e-3 mL/mmHg / rate: ~50 min at 0.5, ~5 at 5
  // (docs/clinical-reference.md#occlusion).
  it.each([
    [0.5, 45 * MIN, 55 * MIN],
    [5, 4.5 * MIN, 5.5 * MIN],
    [100, 5_000, 20_000],
  ])('downstream_occlusion at %s mL/h reaches the limit at the realistic time', (rate, min, max) => {
    const alarmMs = firstAlarm('downstream_occlusion', rate, 'occlusion', 2 * HOUR);
    expect(alarmMs).toBeGreaterThanOrEqual(min);
    expect(alarmMs).toBeLessThanOrEqual(max);
  });

  it('rate_deviation under-delivers from onset while reporting the programmed rate', () => {
    const pump = createPumpFromScenario(buildScenario('rate_deviation', { rate_mL_h: 80, onsetMs: 0 }), {
      seed: 2,
      startTs: START,
    });
    pump.advance(START + HOUR);
    expect(pump.vi_mL).toBeLessThan(80 * 0.75);
    expect(pump.sample().rate_mL_h).toBe(80);
  });

  it('near_end has 30 min of infusion left at onset and completes about 30 min later', () => {
    const scenario = buildScenario('near_end', { rate_mL_h: 100, onsetMs: 5 * MIN });
    const pump = createPumpFromScenario(scenario, { seed: 3, startTs: START });
    pump.advance(START + 5 * MIN);
    const remainingMin = ((scenario.program.vtbi_mL - pump.vi_mL) / 100) * 60;
    expect(remainingMin).toBeGreaterThan(28);
    expect(remainingMin).toBeLessThan(32);
    pump.advance(START + 38 * MIN);
    expect(pump.state).toBe('kvo');
  });

  it('order_mismatch carries a valid order matching the first program, then goes tenfold', () => {
    const scenario = buildScenario('order_mismatch', { rate_mL_h: 5, onsetMs: MIN });
    expect(orderSchema.parse(scenario.order)).toMatchObject({
      rate_mL_h: 5,
      vtbi_mL: scenario.program.vtbi_mL,
    });
    const player = new ScenarioPlayer(scenario, { seed: 1, startTs: START });
    expect(player.sampleAt(START)?.rate_mL_h).toBe(5);
    expect(player.sampleAt(START + 2 * MIN)?.rate_mL_h).toBe(5 * ORDER_MISMATCH_FACTOR);
  });

  it('clock_skew shows as sample ts ahead of the hub clock', () => {
    const player = new ScenarioPlayer(buildScenario('clock_skew', { onsetMs: MIN }), {
      seed: 1,
      startTs: START,
    });
    const before = player.sampleAt(START + 30_000);
    const after = player.sampleAt(START + 2 * MIN);
    expect((before?.ts ?? 0) - (before?.hubTs ?? 0)).toBe(0);
    expect((after?.ts ?? 0) - (after?.hubTs ?? 0)).toBe(CLOCK_SKEW_OFFSET_MS);
  });

  it('upstream_occlusion raises the native flag and stops the pump', () => {
    expect(firstAlarm('upstream_occlusion', 100, 'upstream_occlusion', MIN)).toBe(0);
  });
});

describe('ScenarioPlayer', () => {
  it('numbers the samples it publishes and stamps the hub clock', () => {
    const player = new ScenarioPlayer(buildScenario('normal'), { seed: 1, startTs: START });
    const samples = [0, 1000, 2000].map((offset) => player.sampleAt(START + offset));
    expect(samples.map((s) => s?.seq)).toEqual([1, 2, 3]);
    expect(samples.map((s) => s?.hubTs)).toEqual([START, START + 1000, START + 2000]);
  });

  it('publishes nothing while the hub is offline and resumes the seq after it comes back', () => {
    const scenario = {
      ...buildScenario('hub_offline', { onsetMs: 10_000 }),
      hub: { offlineAtMs: 10_000, backAtMs: 20_000 },
    };
    const player = new ScenarioPlayer(scenario, { seed: 1, startTs: START });
    const seqs: Array<number | null> = [];
    for (let offset = 0; offset <= 25_000; offset += 5000)
      seqs.push(player.sampleAt(START + offset)?.seq ?? null);
    expect(seqs).toEqual([1, 2, null, null, 3, 4]);
    expect(player.model.vi_mL).toBeGreaterThan(0.6);
  });

  it('publishes nothing from a silent pump', () => {
    const player = new ScenarioPlayer(buildScenario('silent', { onsetMs: 1000 }), {
      seed: 1,
      startTs: START,
    });
    expect(player.sampleAt(START)).not.toBeNull();
    expect(player.sampleAt(START + 2000)).toBeNull();
  });
});
