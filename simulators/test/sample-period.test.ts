import { describe, expect, it } from 'vitest';
import type { CaseOutcome } from '../src/replay/quality-report.js';
import { comparePeriods } from '../src/replay/sample-period.js';
import type { ScenarioCase } from '../src/replay/scenario-cases.js';

const base: ScenarioCase = {
  id: 'infiltration@100',
  scenario: 'infiltration',
  params: { rate_mL_h: 100 },
  durationMs: 3_600_000,
  expect: {},
};

/** What a ward raised at each period: rule → first raise, and which rule superseded which. */
function fakeRun(
  byPeriod: Record<number, { raises: Record<string, number>; superseded?: [string, string][] }>,
) {
  return (scenarioCase: ScenarioCase): CaseOutcome => {
    const period = byPeriod[scenarioCase.intervalMs ?? 0];
    if (!period) throw new Error(`no outcome for ${scenarioCase.intervalMs}`);
    return {
      scenarioCase,
      raises: Object.entries(period.raises).map(([rule, atMs]) => ({ rule, priority: 'medium', atMs })),
      samples: 0,
      pumpHours: 1,
      retriggers: 0,
      reraisesWithinHoldOff: 0,
      supersededBy: new Map(period.superseded ?? []),
    };
  };
}

describe('the same trace read at 1 s, 10 s and 60 s', () => {
  it('counts a warning that the 1 s reading saw superseded as told with the alert that superseded it', () => {
    const run = fakeRun({
      1000: {
        raises: { occlusion_developing: 1_080_000, infiltration_suspected: 1_115_000 },
        superseded: [['occlusion_developing', 'infiltration_suspected']],
      },
      10000: { raises: { occlusion_developing: 1_090_000, infiltration_suspected: 1_130_000 } },
      60000: { raises: { infiltration_suspected: 1_200_000 } },
    });
    const [comparison] = comparePeriods(run, [base]);
    expect(comparison?.sameRules).toBe(true);
    expect(comparison?.firstRaises[2]?.get('occlusion_developing')).toBe(1_200_000);
    // The warning "came" 120 s late at 60 s: two periods.
    expect(comparison?.worstLagPeriods).toBe(2);
  });

  it('still reports a rule missing at a slower reading when nothing superseded it', () => {
    const run = fakeRun({
      1000: { raises: { occlusion_developing: 1_080_000, infiltration_suspected: 1_115_000 } },
      10000: { raises: { occlusion_developing: 1_090_000, infiltration_suspected: 1_130_000 } },
      60000: { raises: { infiltration_suspected: 1_200_000 } },
    });
    expect(comparePeriods(run, [base])[0]?.sameRules).toBe(false);
  });
});
