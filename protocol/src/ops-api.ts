import { z } from 'zod';
import { alertSchema } from './alert.js';

/** Replies of the operational routes and the alert event log (docs/api.md, docs/operations.md). */

const epochMs = z.number().int().nonnegative();

/** One part of the server `GET /api/health` reports on (store, broker, engine …) and its own figures. */
export const healthComponentSchema = z.looseObject({ ok: z.boolean(), detail: z.string().optional() });

/**
 * `GET /api/health`: 200 `ok` when every component is ok, 503 `degraded` naming the failing ones. The
 * counters beside them (ingest, websocket, paging …) are operational figures, open-ended by design.
 */
export const healthResponseSchema = z.looseObject({
  status: z.enum(['ok', 'degraded']),
  failing: z.array(z.string()).optional(),
  components: z.record(z.string(), healthComponentSchema),
});

export const alertEventTypes = [
  'raised',
  'retriggered',
  'escalated',
  'latched',
  'acknowledged',
  'snoozed',
  'renotified',
  'notified',
  'resolved',
] as const;

/** `GET /api/alerts/{alertId}/events`, oldest first: each transition and the alert after it. */
export const alertEventSchema = z.object({
  alertId: z.string(),
  type: z.enum(alertEventTypes),
  at: epochMs,
  actor: z.string(),
  alert: alertSchema,
  /** What else the event carries: a webhook delivery's result, a snooze duration, an escalation tier. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AlertEventView = z.infer<typeof alertEventSchema>;
