import type { AlertStatus, Priority, PumpState, RuleId } from '@pumpwatch/protocol';

/**
 * Human names of the rule ids (docs/clinical-reference.md#rule-catalog). A `Record` over `RuleId`, so a
 * rule added to the protocol fails the typecheck here until it has a name.
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
};

export const PRIORITY_LABELS: Record<Priority, string> = {
  high: 'High priority',
  medium: 'Medium priority',
  low: 'Low priority',
};

/** Short form shown inside the badge next to the shape; the full label is the accessible name. */
export const PRIORITY_SHORT: Record<Priority, string> = { high: 'HIGH', medium: 'MED', low: 'LOW' };

export const STATE_LABELS: Record<PumpState, string> = {
  infusing: 'Infusing',
  paused: 'Paused',
  stopped: 'Stopped',
  kvo: 'KVO (keep vein open)',
  complete: 'Complete',
  standby: 'Standby',
  off: 'Off',
};

export const STATUS_LABELS: Record<AlertStatus, string> = {
  active: 'Active — not acknowledged',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};
