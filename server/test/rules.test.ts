import type { RuleId, TelemetrySample } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { evaluateSample, initialPumpEngineState } from '../src/alerts/engine/evaluate.js';
import { livenessConditions } from '../src/alerts/engine/liveness.js';
import { defaultEngineParams } from '../src/alerts/engine/params.js';
import { sample } from './fixtures.js';

function activeRulesOver(samples: TelemetrySample[]): Array<RuleId[]> {
  const state = initialPumpEngineState();
  return samples.map((s) => [...(evaluateSample(state, s, defaultEngineParams)?.keys() ?? [])]);
}

describe('occlusion_downstream', () => {
  it('raises occlusion when pressure reaches the limit at 1 mL/h', () => {
    const [before, at] = activeRulesOver([
      sample({ seq: 1, ts: 1, rate_mL_h: 1, pressure_mmHg: 299 }),
      sample({ seq: 2, ts: 2, rate_mL_h: 1, pressure_mmHg: 300 }),
    ]);
    expect(before).toEqual([]);
    expect(at).toEqual(['occlusion_downstream']);
  });

  it('raises on the pump flag even without a pressure reading', () => {
    const { pressure_mmHg: _omit, ...noPressure } = sample({ alarms: ['occlusion'] });
    expect(activeRulesOver([noPressure])[0]).toEqual(['occlusion_downstream']);
  });

  it('does not flap while pressure hovers around the limit', () => {
    const pressures = [305, 298, 302, 296, 301, 299, 303];
    const active = activeRulesOver(pressures.map((p, i) => sample({ seq: i, ts: i, pressure_mmHg: p })));
    expect(active.every((rules) => rules.includes('occlusion_downstream'))).toBe(true);
  });

  it('clears once pressure falls below 90 % of the limit', () => {
    const active = activeRulesOver([
      sample({ seq: 1, ts: 1, pressure_mmHg: 320 }),
      sample({ seq: 2, ts: 2, pressure_mmHg: 260 }),
    ]);
    expect(active[1]).toEqual([]);
  });
});

describe('battery_low', () => {
  it('is medium at 20 % on battery and high at 5 %', () => {
    const state = initialPumpEngineState();
    const low = evaluateSample(
      state,
      sample({ ts: 1, battery_pct: 20, onBattery: true }),
      defaultEngineParams,
    );
    const empty = evaluateSample(
      state,
      sample({ ts: 2, battery_pct: 5, onBattery: true }),
      defaultEngineParams,
    );
    expect(low?.get('battery_low')?.priority).toBe('medium');
    expect(empty?.get('battery_low')?.priority).toBe('high');
  });

  it('stays quiet at 15 % on mains power', () => {
    expect(activeRulesOver([sample({ battery_pct: 15, onBattery: false })])[0]).toEqual([]);
  });
});

describe('air_in_line', () => {
  it('raises high on the pump flag', () => {
    const state = initialPumpEngineState();
    const conditions = evaluateSample(state, sample({ alarms: ['air_in_line'] }), defaultEngineParams);
    expect(conditions?.get('air_in_line')?.priority).toBe('high');
  });
});

describe('event time', () => {
  it('ignores a sample older than one already evaluated', () => {
    const state = initialPumpEngineState();
    evaluateSample(state, sample({ ts: 10 }), defaultEngineParams);
    expect(evaluateSample(state, sample({ ts: 5, alarms: ['air_in_line'] }), defaultEngineParams)).toBeNull();
  });
});

describe('liveness', () => {
  const params = defaultEngineParams;

  it('raises pump_offline after 30 s of silence, high while it was infusing', () => {
    const input = { latest: sample({ state: 'infusing' }), lastSeen: 0 };
    expect(livenessConditions(input, 30_000, params).size).toBe(0);
    expect(livenessConditions(input, 30_001, params).get('pump_offline')?.priority).toBe('high');
  });

  it('says hub_offline instead of pump_offline when the hub went away', () => {
    const input = {
      latest: sample({ state: 'paused' }),
      lastSeen: 0,
      hub: { online: false, lastHeardAt: 0 },
    };
    const conditions = livenessConditions(input, 60_000, params);
    expect([...conditions.keys()]).toEqual(['hub_offline']);
    expect(conditions.get('hub_offline')?.priority).toBe('medium');
  });

  it('treats a hub whose heartbeat stopped for over 60 s as offline', () => {
    const input = { latest: null, lastSeen: null, hub: { online: true, lastHeardAt: 0 } };
    expect(livenessConditions(input, 60_001, params).has('hub_offline')).toBe(true);
  });
});
