import { type Alert, ackBodySchema } from '@pumpwatch/protocol';
import { type FetchLike, postAlertAction } from './alert-request.js';

export type AckResult = { ok: true; alert: Alert } | { ok: false; code: string; message: string };

export const NAME_REQUIRED_MESSAGE = 'Enter your name in “Your name” before acknowledging.';

/**
 * `POST /api/alerts/{id}/ack` (docs/api.md). With a login, `by` is null and the body empty: the server
 * records the logged-in user. Without one (authentication disabled, development) `by` is the typed name.
 * Never throws: every outcome, including a network failure, comes back as a result the row can show. A
 * remote acknowledgement acknowledges only: it never clears or silences the pump itself (ALARMS.md).
 */
export async function acknowledgeAlert(
  alertId: string,
  by: string | null,
  fetchFn: FetchLike,
): Promise<AckResult> {
  const body = ackBodySchema.safeParse(by === null ? {} : { by });
  if (!body.success) return { ok: false, code: 'NAME_REQUIRED', message: NAME_REQUIRED_MESSAGE };
  const result = await postAlertAction(`/api/alerts/${encodeURIComponent(alertId)}/ack`, body.data, fetchFn);
  if (result.ok) return result;
  return { ok: false, code: result.code, message: messageFor(result.code, result.serverMessage) };
}

function messageFor(code: string, serverMessage: string | undefined): string {
  switch (code) {
    case 'NETWORK':
      return 'Could not reach the server: the alert is NOT acknowledged. Try again.';
    case 'BAD_RESPONSE':
      return 'The server sent an unexpected reply. Try again.';
    case 'ALERT_NOT_FOUND':
      return 'This alert no longer exists on the server (it may have been resolved).';
    case 'VALIDATION_FAILED':
      return `The server refused the acknowledgement${serverMessage ? `: ${serverMessage}` : '.'}`;
    case 'UNAUTHENTICATED':
      return 'Your session has expired: the alert is NOT acknowledged. Log in again.';
    case 'FORBIDDEN':
      return 'Your role cannot acknowledge alerts: the alert is NOT acknowledged. Ask a nurse.';
    default:
      return `Acknowledgement failed (${code}). Try again.`;
  }
}
