import { z } from 'zod';

/**
 * What the dashboard's service worker (dashboard/src/push/sw.ts) receives, decrypted, in each Web Push
 * from the server (server/src/paging/channels/push-payload.ts; docs/paging.md#web-push). `tag` is the
 * alert id, so every update of one alert replaces its notification instead of stacking.
 */
export const pushPayloadSchema = z.object({
  alertId: z.string().min(1),
  title: z.string(),
  body: z.string(),
  tag: z.string().min(1),
  priority: z.enum(['high', 'medium', 'low']),
  requireInteraction: z.boolean(),
  renotify: z.boolean(),
  reason: z.enum(['raised', 'escalated', 'repeated', 'acknowledged', 'resolved', 'test']),
  /** Good only for acknowledging this alert as this recipient; absent on updates (acknowledged, resolved). */
  ackToken: z.string().optional(),
  /** Same-origin path the worker POSTs `{token}` to; resolved against the worker's own origin. */
  ackUrl: z.string().optional(),
  /** The dashboard's link to the alert. */
  openUrl: z.string(),
  acknowledgedBy: z.string().optional(),
});
export type PushPayload = z.infer<typeof pushPayloadSchema>;

/** What the service worker reports back (`POST /api/push/receipts`). */
export const pushReceiptBodySchema = z
  .object({
    alertId: z.string().min(1).max(128),
    event: z.enum(['displayed', 'clicked']),
    ackToken: z.string().min(1).max(2048),
  })
  .strict();
export type PushReceiptBody = z.infer<typeof pushReceiptBodySchema>;
