import { detectionByFamily, sensitivityByRule } from './detection-report.js';
import type { NoisyFaultCase } from './noisy-faults.js';
import { type CaseOutcome, median } from './quality-report.js';
import type { ScenarioCase } from './scenario-cases.js';

/** One setting of one threshold, as a partial engine parameter tree (docs/alerts.md#parameters). */
export interface TradeoffSetting {
  rule: string;
  parameter: string;
  value: number;
  overrides: Record<string, Record<string, number>>;
}

const setting = (rule: string, group: string, key: string, value: number): TradeoffSetting => ({
  rule,
  parameter: `${group}.${key}`,
  value,
  overrides: { [group]: { [key]: value } },
});

/**
 * The main thresholds of the two trend rules (issue 16), each swept around its default with the rest
 * at their defaults: how many real faults each setting catches against how many false alerts it costs.
 */
export const TRADEOFF_SETTINGS: readonly TradeoffSetting[] = [
  ...[1.5, 2, 3, 4, 6].map((v) => setting('occlusion_developing', 'occlusion', 'developingMinT', v)),
  ...[0, 30_000, 60_000, 120_000].map((v) =>
    setting('occlusion_developing', 'occlusion', 'developingMinDurationMs', v),
  ),
  // The warning's line, its clear line 5 points below it as by default: how much earlier a lower line
  // warns, and for how many false alerts.
  ...[0.4, 0.45, 0.5].map((v) => ({
    ...setting('occlusion_developing', 'occlusion', 'developingFraction', v),
    overrides: { occlusion: { developingFraction: v, developingClearFraction: v - 0.05 } },
  })),
  ...[1.25, 1.5, 2, 2.5, 3].map((v) => setting('infiltration_suspected', 'infiltration', 'factor', v)),
  ...[30_000, 60_000, 120_000, 240_000].map((v) =>
    setting('infiltration_suspected', 'infiltration', 'sustainMs', v),
  ),
];

export interface TradeoffRow {
  setting: TradeoffSetting;
  /** Carried noisy fault variants of this rule detected, of how many. */
  detected: number;
  of: number;
  /** Median detection delay per fault case (a rule at one rate), which pooled would mix 0.5 and 5 mL/h. */
  delayMedianMs: Map<string, number>;
  /** False alerts of this rule, and of every rule, per 100 pump-hours of the normal corpus. */
  falsePer100h: number;
  allFalsePer100h: number;
}

/** Replays the noisy fault variants and the normal corpus with one setting; `run` builds the ward. */
export function tradeoffRow(
  run: (scenarioCase: ScenarioCase, overrides: TradeoffSetting['overrides']) => CaseOutcome,
  s: TradeoffSetting,
  faults: readonly NoisyFaultCase[],
  normal: readonly ScenarioCase[],
): TradeoffRow {
  const mine = faults.filter((c) => s.rule in c.expect);
  const rows = detectionByFamily(mine.map((c) => run(c, s.overrides))).filter((r) => r.rule === s.rule);
  const total = sensitivityByRule(rows).get(s.rule) ?? { detected: 0, of: 0 };
  let hours = 0;
  let falses = 0;
  let all = 0;
  for (const c of normal) {
    const outcome = run(c, s.overrides);
    hours += outcome.pumpHours;
    all += outcome.raises.length;
    falses += outcome.raises.filter((r) => r.rule === s.rule).length;
  }
  return {
    setting: s,
    detected: total.detected,
    of: total.of,
    delayMedianMs: new Map(rows.map((r) => [r.family, median(r.delaysMs)])),
    falsePer100h: (falses * 100) / Math.max(hours, 1e-9),
    allFalsePer100h: (all * 100) / Math.max(hours, 1e-9),
  };
}
