import type { Priority, RuleId } from '@pumpwatch/protocol';

/**
 * Rules evaluated on each sample, in evaluation order: a rule may read the verdict of one before it
 * (unexpected_stop stays quiet while an occlusion or air alarm already explains the stop). Liveness rules
 * (pump_offline, hub_offline) run on the server clock instead; see liveness.ts.
 */
export const sampleRuleIds = [
  'occlusion_downstream',
  'occlusion_developing',
  'infiltration_suspected',
  'rate_deviation',
  'free_flow',
  'air_in_line',
  'unexpected_stop',
  'near_end',
  'infusion_complete',
  'battery_low',
  'order_mismatch',
  'clock_skew',
  'pump_alarm',
] as const satisfies readonly RuleId[];
export type SampleRuleId = (typeof sampleRuleIds)[number];

export const RULE_COUNT = sampleRuleIds.length;

/** Index of each sample rule in a pump's verdict array. */
export const R = Object.fromEntries(sampleRuleIds.map((id, index) => [id, index])) as Record<
  SampleRuleId,
  number
>;

/** Verdicts are small integers so a pump's state is one typed array: 0 = condition absent. */
export const NONE = 0;
export const LOW = 1;
export const MEDIUM = 2;
export const HIGH = 3;
export type Verdict = typeof NONE | typeof LOW | typeof MEDIUM | typeof HIGH;

export const PRIORITY_OF: Record<Exclude<Verdict, 0>, Priority> = { 1: 'low', 2: 'medium', 3: 'high' };
export const VERDICT_OF: Record<Priority, Verdict> = { low: LOW, medium: MEDIUM, high: HIGH };
