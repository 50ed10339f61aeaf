import { z } from 'zod';
import { alertStatusSchema } from './alert.js';
import { escalationStepSchema } from './oncall.js';

/** Replies of the paging routes (docs/api.md#paging, docs/paging.md). */

const epochMs = z.number().int().nonnegative();

/** `GET /api/me/devices`, `POST /api/me/devices` → 201: a push device, never its keys. */
export const deviceViewSchema = z.object({
  id: z.string(),
  label: z.string(),
  /** Origin of the push service endpoint. */
  pushService: z.string(),
  createdAt: epochMs,
  lastSuccessAt: epochMs.nullable(),
});

/**
 * `PUT /api/me/contact`: where else a person can be reached, with the words a form shows beside the field.
 * The server checks the body with it; the dashboard checks its form with it before sending.
 */
export const contactInputSchema = z.object({
  email: z.email('an email address such as ana@example.org').max(254).nullable(),
  /** E.164 (`+447700900123`): what SMS and voice gateways take. */
  smsNumber: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +447700900123')
    .nullable(),
});

/** `GET|PUT /api/me/contact`. */
export const contactViewSchema = z.object({ email: z.string().nullable(), smsNumber: z.string().nullable() });

/** `GET /api/push/vapid-public-key`: what a browser subscribes with. */
export const vapidKeyResponseSchema = z.object({ publicKey: z.string() });

/** One channel's answer for one address. */
export const pageReceiptSchema = z.object({
  channel: z.enum(['push', 'email', 'webhook']),
  /** Device label, email address or gateway URL: never patient data. */
  target: z.string(),
  recipient: z.string(),
  status: z.enum(['sent', 'failed', 'skipped']),
  at: epochMs,
  statusCode: z.number().int().optional(),
  error: z.string().optional(),
  attempts: z.number().int().nonnegative(),
});

/** `POST /api/me/test-page`. */
export const testPageResponseSchema = z.object({ receipts: z.array(pageReceiptSchema) });

/** `POST /api/alerts/{alertId}/ack-by-token`, `POST /api/gateway/ack`: what was done, never the patient. */
export const ackResultSchema = z.object({
  id: z.string(),
  status: alertStatusSchema,
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: epochMs.nullable(),
});

/** `GET /api/alerts/{alertId}/paging`: where the alert stands on its team's escalation policy. */
export const pagingPathSchema = z.object({
  alertId: z.string(),
  teamId: z.string().nullable(),
  state: z.enum(['paging', 'quiet', 'stopped', 'exhausted']),
  nextAt: epochMs.nullable(),
  attempt: z.number().int().nonnegative(),
  repeat: z.number().int().nonnegative(),
  reached: z.array(z.string()),
  stopped: z.object({ reason: z.enum(['acknowledged', 'resolved']), by: z.string(), at: epochMs }).nullable(),
  steps: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      delayMs: escalationStepSchema.shape.delayMs,
      usernames: z.array(z.string()),
      webhooks: z.number().int().nonnegative(),
      unresolved: z.number().int().nonnegative(),
    }),
  ),
});
