import { z } from 'zod';
import { alertSchema } from './alert.js';
import { careSnapshotSchema } from './care.js';
import { idSchema } from './ids.js';
import { storedOrderSchema } from './order.js';
import { telemetrySampleSchema } from './telemetry.js';

/** A pump as the server sees it: identity, newest sample, liveness and its open alerts. */
export const pumpViewSchema = z.object({
  pumpId: idSchema,
  hubId: idSchema,
  latest: telemetrySampleSchema.nullable(),
  /** False when the pump has sent nothing for longer than its offline timeout, or its hub is offline. */
  online: z.boolean(),
  /** Server time (epoch ms) of the last valid sample. */
  lastSeen: z.number().int().nonnegative().nullable(),
  hubOnline: z.boolean(),
  /** Alerts of this pump that are not resolved, worst first. */
  alerts: z.array(alertSchema),
  /** The gateway's link to the pump (serial / BLE); `unknown` until the hub reports it. */
  link: z.enum(['up', 'down', 'unknown']).optional(),
  /** The prescribed order, when one is set. */
  order: storedOrderSchema.nullable().optional(),
  /** The patient and therapy the pump is assigned to now (docs/care.md); null when unassigned. */
  care: careSnapshotSchema.nullable().optional(),
  /** End (epoch ms) of a planned pause in force (docs/care.md#planned-pauses): a stop until then is expected. */
  plannedPauseUntil: z.number().int().nonnegative().optional(),
});
export type PumpView = z.infer<typeof pumpViewSchema>;
