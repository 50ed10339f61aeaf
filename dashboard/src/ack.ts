import { type Alert, ackBodySchema } from '@pumpwatch/protocol';
import { type FetchLike, postAlertAction } from './alert-request.js';
import { errorMessage } from './errors.js';

export type AckResult = { ok: true; alert: Alert } | { ok: false; code: string; message: string };

export const NAME_REQUIRED_MESSAGE = 'Enter your name in “Your name” before acknowledging.';

/**
 * `POST /api/alerts/{id}/ack` (docs/api.md). With a login, `by` is null and the body empty: the server
 * records the logged-in user. Without one (authentication disabled, development) `by` is the typed name.
 * Never throws: every outcome, including a network failure, comes back as a result the row can show. A
 * remote acknowledgement acknowledges only: it never clears or silences the pump itself
 * (docs/clinical-reference.md#alarm-lifecycle).
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
  return { ok: false, code: result.code, message: errorMessage('ack', result) };
}
