import { ruleIds } from '@pumpwatch/protocol';
import {
  careRuleIds,
  defaultEngineParams,
  defaultEscalationPolicy,
  type EngineParams,
  resolveParams,
  sampleRuleIds,
  WardCore,
} from '@pumpwatch/server';
import { buildScenario, ScenarioPlayer } from '@pumpwatch/simulators';
import {
  comparePeriods,
  detectionByFamily,
  heldOutLikeCase,
  noisyFaultCases,
  noisyNormalCorpus,
  runCase,
  type ScenarioCase,
  scenarioCases,
  sensitivityByRule,
} from '@pumpwatch/simulators/replay';
import { describe, expect, it } from 'vitest';

const START_TS = 1_763_812_800_000;
const newWard = () => new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });

/** As deployed: a pump sampled less often than every 10 s has pump_offline after 3 intervals. */
const slowSamplingParams = new Map<number, EngineParams>();
function newWardFor(c: ScenarioCase): WardCore {
  const interval = c.intervalMs ?? 1000;
  let params = defaultEngineParams;
  if (interval > 10_000) {
    params =
      slowSamplingParams.get(interval) ??
      resolveParams(defaultEngineParams, { liveness: { pumpOfflineAfterMs: 3 * interval } });
    slowSamplingParams.set(interval, params);
  }
  return new WardCore({ params, policy: defaultEscalationPolicy });
}

/**
 * Every rule of the catalog has a scenario that raises it through the ward core. The two liveness
 * rules are raised by the replay's server-clock liveness check (the pump going silent; the hub's Last
 * Will); test/load-generator.test.ts raises them again through a real server and broker. The care rules
 * (dose_missed, dose_early, unassigned_infusing) need a therapy, which scenarios have not: their cases
 * are in server/test/care-rules.test.ts.
 */
describe('a scenario for every rule', () => {
  const catalog = [...sampleRuleIds, 'pump_offline', 'hub_offline'];

  it('covers the whole catalog: sample rules plus pump_offline and hub_offline', () => {
    // nobody_reachable is the paging engine's (server/test/paging-escalation.test.ts).
    expect([...catalog, ...careRuleIds, 'nobody_reachable'].sort()).toEqual([...ruleIds].sort());
    const expected = new Set(scenarioCases.flatMap((c) => Object.keys(c.expect)));
    expect(catalog.filter((rule) => !expected.has(rule))).toEqual([]);
  });

  it.each(catalog)('%s is raised by its scenario', (rule) => {
    const cases = scenarioCases.filter((c) => rule in c.expect);
    for (const scenarioCase of cases) {
      const { raises } = runCase(newWard, scenarioCase, START_TS);
      expect({ case: scenarioCase.id, raised: raises.map((r) => r.rule) }).toEqual({
        case: scenarioCase.id,
        raised: expect.arrayContaining([rule]),
      });
    }
  });

  it('raises nothing the case does not expect or allow, except the known engine findings', () => {
    // Findings reported to the engine's owners (docs/benchmarks.md): free flow at 3× reads as a
    // resistance rise (infiltration), and a pump clock jumping ahead skews a rate window.
    const known = new Set(['free_flow@50:infiltration_suspected', 'clock_skew@100:rate_deviation']);
    const surprises: string[] = [];
    for (const scenarioCase of scenarioCases) {
      const allowed = new Set([...Object.keys(scenarioCase.expect), ...(scenarioCase.allow ?? [])]);
      for (const raise of runCase(newWard, scenarioCase, START_TS).raises) {
        const key = `${scenarioCase.id}:${raise.rule}`;
        if (!allowed.has(raise.rule) && !known.has(key)) surprises.push(key);
      }
    }
    expect(surprises).toEqual([]);
  });
});

/**
 * Issue 16: alarm quality under real-world noise. The held-out finding rebuilt (500 mL/h near half a
 * 300 mmHg limit, 4 % sensor noise, 10 s samples, 2 h): occlusion_developing as it was (slope ≥ 1
 * mmHg/min over 60 s, 30 mmHg above the running minimum) raised it 17–24 times on each such trace.
 */
describe('alarm quality under real-world noise (issue 16)', () => {
  const outcomeOf = (scenarioCase: ScenarioCase) => runCase(newWardFor, scenarioCase, START_TS);

  it('rebuilds the held-out finding: a normal trace near half the limit, with a few percent of noise', () => {
    const scenarioCase = heldOutLikeCase(1);
    const player = new ScenarioPlayer(
      { ...buildScenario('normal', scenarioCase.params), physics: scenarioCase.physics },
      { seed: 1, startTs: START_TS },
    );
    const pressures = Array.from(
      { length: 720 },
      (_, i) => player.sampleAt(START_TS + i * 10_000)?.pressure_mmHg,
    );
    const values = pressures.filter((p): p is number => p !== undefined);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(mean / 300).toBeGreaterThan(0.47);
    expect(mean / 300).toBeLessThan(0.53);
    expect(sd / mean).toBeGreaterThan(0.03);
  });

  it.each([1, 2, 3, 4])('raises occlusion_developing at most once on held-out-like trace #%i', (seed) => {
    const raises = outcomeOf(heldOutLikeCase(seed)).raises.filter((r) => r.rule === 'occlusion_developing');
    expect(raises.length).toBeLessThanOrEqual(1);
  });

  it('stays at ≤ 1 false alert per 100 pump-hours, all rules together, over the 5,000 h noisy corpus', () => {
    const corpus = noisyNormalCorpus();
    const outcomes = corpus.map(outcomeOf);
    const hours = outcomes.reduce((sum, o) => sum + o.pumpHours, 0);
    expect(hours).toBeGreaterThanOrEqual(5000);
    const raises = outcomes.flatMap((o) => o.raises.map((r) => `${r.rule} in ${o.scenarioCase.id}`));
    expect((raises.length * 100) / hours).toBeLessThanOrEqual(1);
    // The two trend rules this issue changed: no false warning at all (infiltration_suspected raised 27,
    // 2.1 per episode, with its running-minimum baseline), so no re-raise either.
    expect(raises.filter((r) => r.startsWith('occlusion_developing'))).toEqual([]);
    expect(raises.filter((r) => r.startsWith('infiltration_suspected'))).toEqual([]);
    // One episode, one alert: no rule raises anew within 5 min of its alert resolving.
    expect(outcomes.reduce((sum, o) => sum + o.reraisesWithinHoldOff, 0)).toBe(0);
  }, 180_000);

  describe('the fault cases under the same noise, sampled every 1–60 s', () => {
    const rows = detectionByFamily(noisyFaultCases().map(outcomeOf));
    const sensitivity = sensitivityByRule(rows);

    it('detects every fault where pressure carries it, infiltration at 25–150 mL/h included', () => {
      const missed = [...sensitivity]
        .filter(([rule, t]) => rule !== 'occlusion_developing' && t.detected < t.of)
        .map(([rule, t]) => `${rule} ${t.detected}/${t.of}`);
      expect(missed).toEqual([]);
      const infiltration = sensitivity.get('infiltration_suspected');
      expect(infiltration?.of).toBeGreaterThanOrEqual(48);
      // The early warning, at 0.5 and 5 mL/h: measured 23/24 (the miss: 8 % noise at 10 s, where the
      // pump's own alarm still raised occlusion_downstream).
      const developing = sensitivity.get('occlusion_developing') ?? { detected: 0, of: 1 };
      expect(developing.detected / developing.of).toBeGreaterThanOrEqual(0.9);
    });

    it('says where pressure cannot carry infiltration: 5 mL/h, inside the noise', () => {
      const low = rows.find((r) => r.rule === 'infiltration_suspected' && r.family === 'infiltration@5');
      expect(low).toMatchObject({ carried: 0, notCarried: 12 });
    });

    it('raises each fault once, not once per flap', () => {
      const flapping = rows.filter((r) => r.raisesPerDetection > 1).map((r) => `${r.rule} ${r.family}`);
      expect(flapping).toEqual([]);
    });
  });

  // The bound is the pressure trend's span: six readings when the pump reports less often than every
  // 10 s (rules/pressure.ts TREND_MIN_READINGS), so a trend rule read every 60 s waits for them.
  it('gives the same verdicts for the same trace read every 1 s, 10 s or 60 s, within 6 sample periods', () => {
    const periods = comparePeriods(outcomeOf, scenarioCases);
    expect(periods.filter((p) => !p.sameRules).map((p) => p.id)).toEqual([]);
    const lagging = periods.filter((p) => p.worstLagPeriods > 6).map((p) => `${p.id} ${p.worstLagPeriods}`);
    expect(lagging).toEqual([]);
  });

  it('still warns of an occlusion at ≤ 5 mL/h at least 50 % earlier than the pump alarms', () => {
    for (const scenarioCase of scenarioCases.filter((c) => c.expect.occlusion_developing !== undefined)) {
      const onset = scenarioCase.expect.occlusion_developing as number;
      const { raises } = outcomeOf(scenarioCase);
      const developing = raises.find((r) => r.rule === 'occlusion_developing');
      const limit = raises.find((r) => r.rule === 'occlusion_downstream');
      expect({ id: scenarioCase.id, developing: !!developing, limit: !!limit }).toEqual({
        id: scenarioCase.id,
        developing: true,
        limit: true,
      });
      const earlier = 1 - ((developing?.atMs ?? 0) - onset) / ((limit?.atMs ?? 0) - onset);
      expect(earlier).toBeGreaterThanOrEqual(0.5);
    }
  });
});
