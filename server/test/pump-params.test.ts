import { describe, expect, it } from 'vitest';
import { defaultEngineParams } from '../src/alerts/engine/params.js';
import { EngineCore } from '../src/alerts/engine-core.js';
import { defaultEscalationPolicy } from '../src/alerts/lifecycle.js';
import { PumpwatchError } from '../src/errors.js';
import { sample } from './fixtures.js';

/** Rule settings changed at run time (PUT /api/pumps/{id}/params) on top of the config's overrides. */
function core() {
  return new EngineCore({
    params: defaultEngineParams,
    pumpParams: { 'PUMP-CFG': { battery: { lowPct: 10 } } },
    policy: defaultEscalationPolicy,
  });
}

function feed(engine: EngineCore, pumpId: string, battery_pct: number, seq: number) {
  const transitions = engine.onSample(
    'hub',
    pumpId,
    sample({ seq, ts: 1_000_000 + seq * 1000, battery_pct, onBattery: true }),
    0,
  );
  for (const transition of transitions) engine.apply(transition.alert);
  return transitions.map((transition) => `${transition.type}:${transition.alert.rule}`);
}

describe('rule settings per pump at run time', () => {
  it('layers on the config: defaults, then the config’s per-pump override, then the runtime one', () => {
    const engine = core();
    expect(engine.paramsOf('PUMP-A').battery.lowPct).toBe(20);
    expect(engine.paramsOf('PUMP-CFG').battery.lowPct).toBe(10);
    engine.setPumpParams('PUMP-CFG', { battery: { criticalPct: 3 } });
    expect(engine.paramsOf('PUMP-CFG').battery).toMatchObject({ lowPct: 10, criticalPct: 3 });
    engine.setPumpParams('PUMP-CFG', null);
    expect(engine.paramsOf('PUMP-CFG').battery).toMatchObject({ lowPct: 10, criticalPct: 5 });
    // Other pumps keep sharing the defaults.
    expect(engine.paramsOf('PUMP-B')).toBe(engine.paramsOf('PUMP-A'));
  });

  it('judges a running pump’s next sample by the new setting, and by the old one once removed', () => {
    const engine = core();
    expect(feed(engine, 'PUMP-A', 25, 1)).toEqual([]);
    expect(feed(engine, 'PUMP-A', 25, 2)).toEqual([]);
    engine.setPumpParams('PUMP-A', { battery: { lowPct: 30 } });
    expect(feed(engine, 'PUMP-A', 25, 3)).toEqual(['raised:battery_low']);
    engine.setPumpParams('PUMP-A', null);
    expect(feed(engine, 'PUMP-A', 25, 4)).toEqual(['resolved:battery_low']);
  });

  it('refuses an unknown or mistyped parameter with its path and changes nothing', () => {
    const engine = core();
    engine.setPumpParams('PUMP-A', { battery: { lowPct: 30 } });
    const attempt = () => engine.setPumpParams('PUMP-A', { battery: { lowPct: 'high', lowPcnt: 40 } });
    expect(attempt).toThrow(PumpwatchError);
    try {
      attempt();
    } catch (error) {
      expect((error as PumpwatchError).code).toBe('CONFIG_INVALID');
      expect((error as PumpwatchError).details).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: 'battery.lowPct' })]),
      );
    }
    expect(engine.paramsOf('PUMP-A').battery.lowPct).toBe(30);
    expect(engine.pumpOverride('PUMP-A')).toEqual({ battery: { lowPct: 30 } });
  });
});
