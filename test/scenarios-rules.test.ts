import { ruleIds } from '@pumpwatch/protocol';
import {
  careRuleIds,
  defaultEngineParams,
  defaultEscalationPolicy,
  sampleRuleIds,
  WardCore,
} from '@pumpwatch/server';
import { runCase, scenarioCases } from '@pumpwatch/simulators/replay';
import { describe, expect, it } from 'vitest';

const START_TS = 1_763_812_800_000;
const newWard = () => new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });

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
