import { z } from 'zod';
import { alertStatusSchema } from './alert.js';
import { idSchema } from './ids.js';

/**
 * Body of `POST /api/alerts/{alertId}/ack`. With authentication on (the default) the acknowledging
 * person is the logged-in user and `by` is ignored; it names the person only when authentication is
 * disabled (development).
 */
export const ackBodySchema = z.object({ by: z.string().trim().min(1).max(100).optional() });
export type AckBody = z.infer<typeof ackBodySchema>;

const epochMsParam = z.coerce.number().int().nonnegative();

/**
 * Query of `GET /api/alerts`; without `status` the server returns alerts that are not resolved.
 * `pumpId` keeps one pump's alerts (a pump id is unique across the deployment: docs/protocol.md), and
 * `from` / `to` (epoch ms, inclusive) bound their `raisedAt`: the pump detail view asks for its range
 * instead of every alert the server has kept (issue 12).
 */
export const alertsQuerySchema = z
  .object({
    status: z.enum([...alertStatusSchema.options, 'all']).optional(),
    pumpId: idSchema.optional(),
    /** Alerts raised for this patient (the snapshot taken at raise time, docs/care.md). */
    patientId: idSchema.optional(),
    /** Alerts of patients of this care team (at raise time). */
    teamId: idSchema.optional(),
    from: epochMsParam.optional(),
    to: epochMsParam.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'from must not be after to',
  });
export type AlertsQuery = z.infer<typeof alertsQuerySchema>;

/**
 * Query of `GET /api/pumps/{pumpId}/samples`: epoch ms bounds, both optional; `step` (ms, ≥ 1 s) asks for
 * downsampled buckets instead of raw samples; `limit` caps raw samples (default and maximum 10,000).
 */
export const samplesQuerySchema = z
  .object({
    from: epochMsParam.optional(),
    to: epochMsParam.optional(),
    step: z.coerce.number().int().min(1000).max(86_400_000).optional(),
    limit: z.coerce.number().int().positive().max(10_000).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'from must not be after to',
  });

/**
 * `GET /api/pumps/{pumpId}/params` (and `PUT`'s reply): a pump's rule settings. `overrides` is the
 * partial parameter tree an admin set for this pump through the API (null if none), `effective` the whole
 * parameter set in force. Both are open records here: their shape is the server engine's, checked there.
 */
export const pumpParamsResponseSchema = z.object({
  pumpId: z.string(),
  overrides: z.record(z.string(), z.unknown()).nullable(),
  /** Epoch ms (server clock); null when there are no overrides. */
  updatedAt: z.number().int().nonnegative().nullable(),
  updatedBy: z.string().nullable(),
  effective: z.record(z.string(), z.unknown()),
});
export type PumpParamsResponse = z.infer<typeof pumpParamsResponseSchema>;

/**
 * Audio pause (snooze) is always bounded: 2 min by default (docs/clinical-reference.md#alarm-lifecycle),
 * never more than 15 min.
 */
export const DEFAULT_SNOOZE_MS = 120_000;
export const MAX_SNOOZE_MS = 900_000;

/** Body of `POST /api/alerts/{alertId}/snooze`. */
export const snoozeBodySchema = z.object({
  by: z.string().trim().min(1).max(100).optional(),
  durationMs: z.number().int().min(10_000).max(MAX_SNOOZE_MS).default(DEFAULT_SNOOZE_MS),
});
export type SnoozeBody = z.infer<typeof snoozeBodySchema>;

/** Stable error codes of the HTTP API; clients and tests match on `error.code`, never the message. */
export const apiErrorCodes = [
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'ALERT_NOT_FOUND',
  'PUMP_NOT_FOUND',
  'ORDER_NOT_FOUND',
  'PARAMS_INVALID',
  'PARAMS_NOT_FOUND',
  'DASHBOARD_NOT_BUILT',
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof apiErrorCodes)[number];

export const apiErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
