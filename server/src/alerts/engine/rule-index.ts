import type { Priority, RuleId } from '@pumpwatch/protocol';

/**
 * The rules evaluated on each sample, each with its index in a pump's verdicts, in evaluation order: a
 * rule may read the verdict of one before it (unexpected_stop stays quiet while an occlusion or air alarm
 * already explains the stop). Liveness rules (pump_offline, hub_offline) run on the server clock instead;
 * see liveness.ts.
 *
 * An enum rather than an object built from a list: the server's bundle (npm run build) writes each `R.x`
 * as its number, so the shifts of `verdict`/`setVerdict` are constants (+6–13 % in an A/B run of both
 * engines in one process, docs/alerts.md#performance).
 */
export enum R {
  occlusion_downstream = 0,
  occlusion_developing = 1,
  infiltration_suspected = 2,
  rate_deviation = 3,
  free_flow = 4,
  air_in_line = 5,
  unexpected_stop = 6,
  near_end = 7,
  infusion_complete = 8,
  battery_low = 9,
  order_mismatch = 10,
  clock_skew = 11,
  pump_alarm = 12,
}
export type SampleRuleId = keyof typeof R;

/** The names of `R` in index order (a numeric enum also maps each number back to its name). */
export const sampleRuleIds = Object.keys(R)
  .filter((key) => Number.isNaN(Number(key)))
  .sort(
    (a, b) => R[a as SampleRuleId] - R[b as SampleRuleId],
  ) as readonly SampleRuleId[] satisfies readonly RuleId[];

export const RULE_COUNT = sampleRuleIds.length;

/** Verdicts are small integers so a pump's state is one typed array: 0 = condition absent. */
export const NONE = 0;
export const LOW = 1;
export const MEDIUM = 2;
export const HIGH = 3;
export type Verdict = typeof NONE | typeof LOW | typeof MEDIUM | typeof HIGH;

export const PRIORITY_OF: Record<Exclude<Verdict, 0>, Priority> = { 1: 'low', 2: 'medium', 3: 'high' };
export const VERDICT_OF: Record<Priority, Verdict> = { low: LOW, medium: MEDIUM, high: HIGH };
