import { z } from 'zod';
import { idSchema } from './ids.js';
import { MAX_RATE_ML_H } from './telemetry.js';

/**
 * A prescribed order for one pump (`PUT /api/pumps/{pumpId}/order`): what the physician ordered. The
 * `order_mismatch` rule compares the pump's programming to it, within `tolerance_pct`.
 */
export const orderSchema = z.object({
  drug: z.string().trim().min(1).max(200),
  rate_mL_h: z.number().positive().max(MAX_RATE_ML_H),
  vtbi_mL: z.number().positive().max(100_000),
  tolerance_pct: z.number().min(0).max(100).default(10),
});
export type Order = z.infer<typeof orderSchema>;
export type OrderInput = z.input<typeof orderSchema>;

/** An order as stored and returned: who set it and when. */
export const storedOrderSchema = orderSchema.extend({
  pumpId: idSchema,
  updatedAt: z.number().int().nonnegative(),
  updatedBy: z.string().nullable(),
});
export type StoredOrder = z.infer<typeof storedOrderSchema>;
