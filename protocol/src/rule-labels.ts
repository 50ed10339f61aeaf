import type { RuleId } from './alert.js';

/**
 * Human names of the rule ids (docs/clinical-reference.md#rule-catalog), shared by the dashboard and the
 * server's pages (push, email, SMS). A `Record` over `RuleId`, so a rule added to the protocol fails the
 * typecheck until it has a name.
 */
export const RULE_LABELS: Record<RuleId, string> = {
  occlusion_downstream: 'Downstream occlusion',
  occlusion_developing: 'Occlusion developing',
  infiltration_suspected: 'Check infusion site',
  rate_deviation: 'Rate deviation',
  free_flow: 'Free flow',
  unexpected_stop: 'Unexpected stop',
  near_end: 'Near end of infusion',
  infusion_complete: 'Infusion complete',
  air_in_line: 'Air in line',
  battery_low: 'Battery low',
  pump_offline: 'Pump offline',
  hub_offline: 'Hub offline',
  order_mismatch: 'Order mismatch',
  clock_skew: 'Clock skew',
  pump_alarm: 'Pump alarm',
  dose_missed: 'Dose not started',
  dose_early: 'Dose started early',
  unassigned_infusing: 'Unassigned pump infusing',
  nobody_reachable: 'Nobody reachable',
};
