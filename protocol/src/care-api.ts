import { z } from 'zod';
import { assignmentSchema, patientSchema, patientSummarySchema, plannedPauseSchema } from './care.js';
import { idSchema } from './ids.js';

/** Replies of the care routes that are not a record of care.ts as it is (docs/api.md#care). */

/** `GET /api/patients/{patientId}`: the full record to nurses and above, the summary to viewers. */
export const patientReplySchema = z.union([patientSchema, patientSummarySchema]);

/** `GET /api/pumps/{pumpId}/assignment`: the current assignment (null: none) and every earlier one. */
export const pumpAssignmentsSchema = z.object({
  pumpId: idSchema,
  current: assignmentSchema.nullable(),
  history: z.array(assignmentSchema),
});

/** `GET /api/pumps/{pumpId}/pause`: the planned pause in force, null when none. */
export const pumpPauseSchema = z.object({ pumpId: idSchema, current: plannedPauseSchema.nullable() });
