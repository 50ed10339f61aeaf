import { z } from 'zod';
import { careSnapshotSchema } from './care.js';
import { idSchema } from './ids.js';

/** Rule ids of the catalog in docs/clinical-reference.md#rule-catalog; an alert's `rule` is one of these. */
export const ruleIds = [
  'occlusion_downstream',
  'occlusion_developing',
  'infiltration_suspected',
  'rate_deviation',
  'free_flow',
  'unexpected_stop',
  'near_end',
  'infusion_complete',
  'air_in_line',
  'battery_low',
  'pump_offline',
  'hub_offline',
  'order_mismatch',
  'clock_skew',
  'pump_alarm',
  // Care rules (docs/care.md#rules-that-need-the-therapy): they need the pump's therapy.
  'dose_missed',
  'dose_early',
  'unassigned_infusing',
  // A care team's alerts reach nobody (docs/paging.md#nobody-reachable): raised by the paging engine.
  'nobody_reachable',
] as const;
export const ruleIdSchema = z.enum(ruleIds);
export type RuleId = z.infer<typeof ruleIdSchema>;

/** IEC 60601-1-8 priorities. */
export const priorities = ['high', 'medium', 'low'] as const;
export const prioritySchema = z.enum(priorities);
export type Priority = z.infer<typeof prioritySchema>;

export const PRIORITY_RANK: Record<Priority, number> = { high: 3, medium: 2, low: 1 };

export const alertStatuses = ['active', 'acknowledged', 'resolved'] as const;
export const alertStatusSchema = z.enum(alertStatuses);
export type AlertStatus = z.infer<typeof alertStatusSchema>;

const epochMs = z.number().int().nonnegative();

export const alertSchema = z.object({
  id: z.string().min(1).max(128),
  hubId: idSchema,
  pumpId: idSchema,
  rule: ruleIdSchema,
  priority: prioritySchema,
  status: alertStatusSchema,
  raisedAt: epochMs,
  acknowledgedAt: epochMs.nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: epochMs.nullable(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  /**
   * True while the condition has ended but the alert still waits for acknowledgement (IEC 60601-1-8
   * latching). A latched alert stays `active` until someone acknowledges it.
   */
  latched: z.boolean(),
  /** Audio paused until this time (epoch ms); null when not snoozed. Always bounded. */
  snoozedUntil: epochMs.nullable(),
  /** On-call tier currently notified: 0 is the first tier. */
  escalationLevel: z.number().int().nonnegative(),
  /** When the alert last escalated to a higher tier or priority. */
  escalatedAt: epochMs.nullable(),
  /**
   * Server time at which the next escalation or re-notification is due while nobody acknowledges it;
   * null once acknowledged, resolved, or for priorities that do not escalate.
   */
  nextEscalationAt: epochMs.nullable().optional(),
  /**
   * Who the pump was giving what when the alert was raised (docs/care.md): kept with the alert, so a
   * pump reassigned since still shows the alert under the patient it was raised for. Null: the pump had
   * no therapy assigned; absent on alerts stored before patients existed.
   */
  patient: careSnapshotSchema.shape.patient.optional(),
  therapy: careSnapshotSchema.shape.therapy.nullable().optional(),
});
export type Alert = z.infer<typeof alertSchema>;
