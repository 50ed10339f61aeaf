import { type Alert, DEFAULT_SNOOZE_MS, MAX_SNOOZE_MS, snoozeBodySchema } from '@pumpwatch/protocol';
import { type FetchLike, postAlertAction } from './alert-request.js';
import { errorMessage } from './errors.js';

/**
 * Snooze = pause the audio of one alert for a bounded time (2 min default, never unbounded:
 * docs/clinical-reference.md#alarm-lifecycle; protocol: at most 15 min). `POST /api/alerts/{id}/snooze`
 * `{by, durationMs}` returns the alert with `snoozedUntil`, and every console stops sounding it. Snoozing
 * never acknowledges: the alert stays in the inbox, active, and sounds again when the snooze ends.
 */

/** Choices offered in the console, each within the protocol's bounds. */
export const SNOOZE_CHOICES_MS = [DEFAULT_SNOOZE_MS, 5 * 60_000, 10 * 60_000, MAX_SNOOZE_MS] as const;

export const SNOOZE_NAME_REQUIRED_MESSAGE = 'Enter your name in “Your name” before snoozing.';

export type SnoozeResult =
  | { ok: true; alert: Alert }
  | {
      ok: false;
      code: string;
      message: string;
      /**
       * The server did not record the snooze but the alert exists (no such route yet, or unreachable):
       * the console may keep the alert quiet locally for the same bounded time.
       */
      localFallback: boolean;
    };

export function clampSnoozeMs(ms: number): number {
  if (!Number.isFinite(ms)) return DEFAULT_SNOOZE_MS;
  return Math.min(MAX_SNOOZE_MS, Math.max(10_000, Math.round(ms)));
}

/** `by` is null with a login (the server records the logged-in user), the typed name without one. */
export async function snoozeAlert(
  alertId: string,
  by: string | null,
  durationMs: number,
  fetchFn: FetchLike,
): Promise<SnoozeResult> {
  const durationOnly = { durationMs: clampSnoozeMs(durationMs) };
  const body = snoozeBodySchema.safeParse(by === null ? durationOnly : { by, ...durationOnly });
  if (!body.success) {
    return { ok: false, code: 'NAME_REQUIRED', message: SNOOZE_NAME_REQUIRED_MESSAGE, localFallback: false };
  }
  const url = `/api/alerts/${encodeURIComponent(alertId)}/snooze`;
  const result = await postAlertAction(url, body.data, fetchFn);
  if (result.ok) return result;
  // Not recorded, but the alert exists (unreachable, or a server without the route): quiet it here.
  const localFallback = ['NETWORK', 'NOT_FOUND', 'HTTP_404'].includes(result.code);
  return { ok: false, code: result.code, message: errorMessage('snooze', result), localFallback };
}
