import type { CaseOutcome } from './quality-report.js';
import type { ScenarioCase } from './scenario-cases.js';

/** The periods the issue names: the same physical trace read every 1 s, 10 s and 60 s. */
export const SAMPLE_PERIODS_MS = [1000, 10_000, 60_000] as const;

/** One fault case read at each period: the rules it raised and when each first did. */
export interface PeriodComparison {
  id: string;
  periodsMs: readonly number[];
  /** Per period, rule → first raise (ms from the start). */
  firstRaises: Array<Map<string, number>>;
  /** Every period raised the same rules. */
  sameRules: boolean;
  /** Largest |first raise at a period − first raise at the shortest| over rules, in that period's units. */
  worstLagPeriods: number;
}

/**
 * Plays each case at every period (the pump model's physics does not depend on how often it is read,
 * only the sensor's draws do) and compares the verdicts: the same rules, each raised within a bounded
 * number of periods of when the 1 s reading raised it. Each trace runs ten periods longer, so the
 * slowest reading still gets the readings a rule needs.
 *
 * One cause, one alert: where the 1 s reading raised a warning that a more telling alert later
 * superseded (occlusion_developing before infiltration_suspected), a slower reading may see both
 * conditions in one sample and raise only the alert that explains more. The nurse was told of that cause
 * then, so the warning counts as raised with it.
 */
export function comparePeriods(
  run: (scenarioCase: ScenarioCase) => CaseOutcome,
  cases: readonly ScenarioCase[],
  periodsMs: readonly number[] = SAMPLE_PERIODS_MS,
): PeriodComparison[] {
  return cases.map((base) => {
    const outcomes = periodsMs.map((intervalMs) =>
      run({ ...base, intervalMs, durationMs: base.durationMs + 10 * intervalMs }),
    );
    const firstRaises = outcomes.map(({ raises }) => {
      const first = new Map<string, number>();
      for (const r of raises) if (!first.has(r.rule)) first.set(r.rule, r.atMs);
      return first;
    });
    const reference = firstRaises[0] as Map<string, number>;
    const referenceSuperseded = (outcomes[0] as CaseOutcome).supersededBy;
    for (const first of firstRaises.slice(1)) {
      for (const [rule, by] of referenceSuperseded) {
        const toldAt = first.get(by);
        if (!first.has(rule) && toldAt !== undefined) first.set(rule, toldAt);
      }
    }
    const key = (m: Map<string, number>) => [...m.keys()].sort().join(',');
    let worstLagPeriods = 0;
    firstRaises.forEach((first, i) => {
      for (const [rule, at] of first) {
        const at1 = reference.get(rule);
        if (at1 !== undefined)
          worstLagPeriods = Math.max(worstLagPeriods, Math.abs(at - at1) / (periodsMs[i] as number));
      }
    });
    return {
      id: base.id,
      periodsMs,
      firstRaises,
      sameRules: firstRaises.every((m) => key(m) === key(reference)),
      worstLagPeriods,
    };
  });
}
