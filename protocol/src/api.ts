import { z } from 'zod';
import { alertStatusSchema } from './alert.js';

/** Body of `POST /api/alerts/{alertId}/ack`. */
export const ackBodySchema = z.object({ by: z.string().trim().min(1).max(100) });
export type AckBody = z.infer<typeof ackBodySchema>;

/** Query of `GET /api/alerts`; without `status` the server returns alerts that are not resolved. */
export const alertsQuerySchema = z.object({
  status: z.enum([...alertStatusSchema.options, 'all']).optional(),
});

const epochMsParam = z.coerce.number().int().nonnegative();

/** Query of `GET /api/pumps/{pumpId}/samples`: epoch ms bounds, both optional. */
export const samplesQuerySchema = z
  .object({ from: epochMsParam.optional(), to: epochMsParam.optional() })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'from must not be after to',
  });

/** Stable error codes of the HTTP API; clients and tests match on `error.code`, never the message. */
export const apiErrorCodes = ['VALIDATION_FAILED', 'NOT_FOUND', 'ALERT_NOT_FOUND', 'INTERNAL'] as const;
export type ApiErrorCode = (typeof apiErrorCodes)[number];

export const apiErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
