import {
  alertSchema,
  escalationPolicyResponseSchema,
  feedTokenResponseSchema,
  overrideSchema,
  rotationSchema,
  teamOnCallResponseSchema,
} from '@pumpwatch/protocol';
import { z } from 'zod';
import { type CareFetch, call, send } from '../care/care-api.js';

/**
 * The on-call and paging routes (docs/api.md "On call" and "Paging") as the dashboard calls them. The
 * on-call replies are parsed with the protocol's schemas; devices, contact details, receipts, the
 * escalation path and alert events have no protocol schema yet (they live in server/src/paging), so they
 * are mirrored here, as session.ts does for the login reply, until protocol/ has them.
 */

const epochMs = z.number().int().nonnegative();

/** `GET /api/me/devices`: never the keys. */
export const deviceSchema = z.object({
  id: z.string(),
  label: z.string(),
  pushService: z.string(),
  createdAt: epochMs,
  lastSuccessAt: epochMs.nullable(),
});
export type Device = z.infer<typeof deviceSchema>;

/** The same checks as the server's contact details (server/src/paging/contacts/ports.ts). */
export const contactInputSchema = z.object({
  email: z.email('an email address such as ana@example.org').max(254).nullable(),
  smsNumber: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +447700900123')
    .nullable(),
});
export const contactSchema = z.object({ email: z.string().nullable(), smsNumber: z.string().nullable() });
export type Contact = z.infer<typeof contactSchema>;

/** One channel's answer for one address (server/src/paging/channels/channel.ts `Receipt`). */
export const receiptSchema = z.object({
  channel: z.enum(['push', 'email', 'webhook']),
  target: z.string(),
  recipient: z.string(),
  status: z.enum(['sent', 'failed', 'skipped']),
  at: epochMs,
  statusCode: z.number().int().optional(),
  error: z.string().optional(),
  attempts: z.number().int().nonnegative().optional(),
});
export type Receipt = z.infer<typeof receiptSchema>;

/** `GET /api/alerts/{id}/paging`: where the alert stands on its team's escalation policy. */
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
      delayMs: z.object({ high: z.number(), medium: z.number(), low: z.number().nullable() }),
      usernames: z.array(z.string()),
      webhooks: z.number().int().nonnegative(),
      unresolved: z.number().int().nonnegative(),
    }),
  ),
});
export type PagingPath = z.infer<typeof pagingPathSchema>;

/** `GET /api/alerts/{id}/events`, oldest first (docs/api.md). */
export const alertEventSchema = z.object({
  alertId: z.string(),
  type: z.string(),
  at: epochMs,
  actor: z.string(),
  alert: alertSchema,
  details: z.record(z.string(), z.unknown()).nullish(),
});
export type AlertEvent = z.infer<typeof alertEventSchema>;

const id = encodeURIComponent;
const anything = z.unknown();

export function createOncallApi(fetcher: CareFetch) {
  const team = (teamId: string) => `/api/teams/${id(teamId)}`;
  return {
    onCall: (teamId: string, at?: number) =>
      call(fetcher, `${team(teamId)}/oncall${at === undefined ? '' : `?at=${at}`}`, teamOnCallResponseSchema),
    rotations: (teamId: string) => call(fetcher, `${team(teamId)}/rotations`, z.array(rotationSchema)),
    putRotations: (teamId: string, body: unknown) =>
      call(fetcher, `${team(teamId)}/rotations`, z.array(rotationSchema), send('PUT', body)),
    overrides: (teamId: string) => call(fetcher, `${team(teamId)}/overrides`, z.array(overrideSchema)),
    createOverride: (teamId: string, body: unknown) =>
      call(fetcher, `${team(teamId)}/overrides`, overrideSchema, send('POST', body)),
    cancelOverride: (teamId: string, overrideId: string) =>
      call(fetcher, `${team(teamId)}/overrides/${id(overrideId)}`, overrideSchema, send('DELETE')),
    policy: (teamId: string) =>
      call(fetcher, `${team(teamId)}/escalation-policy`, escalationPolicyResponseSchema),
    feedToken: () => call(fetcher, '/api/me/oncall-feed-token', feedTokenResponseSchema, send('POST', {})),
    devices: () => call(fetcher, '/api/me/devices', z.array(deviceSchema)),
    removeDevice: (deviceId: string) =>
      call(fetcher, `/api/me/devices/${id(deviceId)}`, anything, send('DELETE')),
    contact: () => call(fetcher, '/api/me/contact', contactSchema),
    putContact: (body: unknown) => call(fetcher, '/api/me/contact', contactSchema, send('PUT', body)),
    testPage: () =>
      call(fetcher, '/api/me/test-page', z.object({ receipts: z.array(receiptSchema) }), send('POST', {})),
    paging: (alertId: string) => call(fetcher, `/api/alerts/${id(alertId)}/paging`, pagingPathSchema),
    events: (alertId: string) =>
      call(fetcher, `/api/alerts/${id(alertId)}/events`, z.array(alertEventSchema)),
  };
}

export type OncallApi = ReturnType<typeof createOncallApi>;
