import { idSchema, prioritySchema } from '@pumpwatch/protocol';
import { z } from 'zod';

const epochMs = z.number().int().nonnegative();

/**
 * Where one alert stands on its team's escalation policy (docs/paging.md#escalation): the next page
 * and when it is due, a page begun and not yet finished, and everyone it reached. Stored (the on-call
 * store's `pages`) before each page goes out and after it came back, so a restarted server carries on
 * where it stopped and never sends a finished page twice.
 */
export const pageRecordSchema = z.object({
  alertId: z.string().min(1).max(128),
  pumpId: idSchema,
  hubId: z.string().min(1).max(128),
  /** The patient's care team; null for an alert of an unassigned pump (the config's default policy). */
  teamId: idSchema.nullable(),
  priority: prioritySchema,
  /** Number of the next page (0 = the first), counted across the policy's repeats. */
  attempt: z.number().int().nonnegative(),
  /** When the next page is due; null once paging is over. */
  nextAt: epochMs.nullable(),
  /** A page begun and not known to have finished: sent again after a crash (at least once). */
  sending: z.object({ attempt: z.number().int().nonnegative(), startedAt: epochMs }).nullable(),
  state: z.enum(['paging', 'quiet', 'stopped', 'exhausted']),
  stopped: z.object({ reason: z.enum(['acknowledged', 'resolved']), by: z.string(), at: epochMs }).nullable(),
  /** Usernames a page reached (a channel said sent): told when the alert is acknowledged. */
  reached: z.array(z.string()).max(200),
  /** Pages that reached somebody (a person or a gateway). */
  pagesReached: z.number().int().nonnegative(),
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type PageRecord = z.infer<typeof pageRecordSchema>;
