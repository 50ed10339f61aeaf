import type { AlertStatus, Priority, PumpState } from '@pumpwatch/protocol';

/** Rule names are shared with the server's pages (protocol/src/rule-labels.ts). */
export { RULE_LABELS } from '@pumpwatch/protocol';

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
