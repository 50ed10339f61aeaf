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

/**
 * Index of each sample rule in a pump's verdicts, in `sampleRuleIds` order. An enum rather than an object
 * built from the list: the server's bundle (npm run build) writes each `R.x` as its number, so the
 * shifts of `verdict`/`setVerdict` are constants. Loading indexes from an object measured ~6–13 % of
 * the engine's time (npm run bench:engine).
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
sampleRuleIds.forEach((id, index) => {
  if (R[id] !== index) throw new Error(`rule-index: R.${id} is ${R[id]}, not its place ${index}`);
});

/** Verdicts are small integers so a pump's state is one typed array: 0 = condition absent. */
export const NONE = 0;
export const LOW = 1;
export const MEDIUM = 2;
export const HIGH = 3;
export type Verdict = typeof NONE | typeof LOW | typeof MEDIUM | typeof HIGH;

export const PRIORITY_OF: Record<Exclude<Verdict, 0>, Priority> = { 1: 'low', 2: 'medium', 3: 'high' };
export const VERDICT_OF: Record<Priority, Verdict> = { low: LOW, medium: MEDIUM, high: HIGH };
