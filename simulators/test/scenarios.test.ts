import { telemetrySampleSchema } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { demoFleet } from '../src/demo-fleet.js';
import { buildScenario, createPumpFromScenario, scenarioNames } from '../src/scenarios.js';

const START = 1_700_000_000_000;

describe('scenarios', () => {
  it.each(scenarioNames)('every sample of %s passes the telemetry schema', (name) => {
    const pump = createPumpFromScenario(buildScenario(name), { seed: 11, startTs: START });
    for (let seq = 0, ts = START; ts <= START + 15 * 60_000; ts += 2000, seq++) {
      pump.advance(ts);
      const parsed = telemetrySampleSchema.safeParse({ ...pump.sample(), seq });
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
  });

  it.each([5, 25, 100])('occlusion at %s mL/h reaches the limit within 60 s of onset', (rate) => {
    const pump = createPumpFromScenario(buildScenario('occlusion', { rate_mL_h: rate, onsetMs: 10_000 }), {
      seed: 1,
      startTs: START,
    });
    pump.advance(START + 10_000 + 60_000);
    expect(pump.sample().alarms).toContain('occlusion');
  });

  it('rejects an unknown scenario with a stable code', () => {
    expect(() => buildScenario('nope')).toThrow(expect.objectContaining({ code: 'SCENARIO_UNKNOWN' }));
  });
});

describe('demo fleet', () => {
  it('has six or more pumps with valid, unique ids', () => {
    const fleet = demoFleet();
    expect(fleet.length).toBeGreaterThanOrEqual(6);
    expect(new Set(fleet.map((p) => p.pumpId)).size).toBe(fleet.length);
    for (const p of fleet) expect(p.pumpId).toMatch(/^PUMP-\d{4}$/);
  });

  it('develops an occlusion and another problem within two minutes', () => {
    const alarmsSeen = new Set<string>();
    const statesSeen = new Set<string>();
    for (const { scenario, seed } of demoFleet()) {
      const pump = createPumpFromScenario(scenario, { seed, startTs: START });
      for (let ts = START; ts <= START + 120_000; ts += 1000) {
        pump.advance(ts);
        const sample = pump.sample();
        for (const flag of sample.alarms) alarmsSeen.add(flag);
        statesSeen.add(sample.state);
      }
    }
    expect(alarmsSeen).toContain('occlusion');
    expect(alarmsSeen.has('air_in_line') || alarmsSeen.has('battery_low')).toBe(true);
    expect(statesSeen).toContain('paused');
    expect(statesSeen).toContain('kvo');
  });
});
