import { type Alert, ackBodySchema, alertSchema, apiErrorSchema } from '@pumpwatch/protocol';

export type AckResult = { ok: true; alert: Alert } | { ok: false; code: string; message: string };

type FetchLike = (url: string, init: RequestInit) => Promise<Pick<Response, 'ok' | 'status' | 'json'>>;

export const NAME_REQUIRED_MESSAGE = 'Enter your name in “Your name” before acknowledging.';

/**
 * `POST /api/alerts/{id}/ack` with `{by}` (docs/api.md). Never throws: every outcome, including a
 * network failure, comes back as a result the row can show. A remote acknowledgement acknowledges only:
 * it never clears or silences the pump itself (ALARMS.md).
 */
export async function acknowledgeAlert(alertId: string, by: string, fetchFn: FetchLike): Promise<AckResult> {
  const body = ackBodySchema.safeParse({ by });
  if (!body.success) return { ok: false, code: 'NAME_REQUIRED', message: NAME_REQUIRED_MESSAGE };

  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchFn(`/api/alerts/${encodeURIComponent(alertId)}/ack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body.data),
    });
  } catch {
    return {
      ok: false,
      code: 'NETWORK',
      message: 'Could not reach the server: the alert is NOT acknowledged. Try again.',
    };
  }

  const json: unknown = await res.json().catch(() => undefined);
  if (res.ok) {
    const alert = alertSchema.safeParse(json);
    if (alert.success) return { ok: true, alert: alert.data };
    return { ok: false, code: 'BAD_RESPONSE', message: 'The server sent an unexpected reply. Try again.' };
  }
  const error = apiErrorSchema.safeParse(json);
  const code = error.success ? error.data.error.code : `HTTP_${res.status}`;
  return { ok: false, code, message: messageFor(code, error.success ? error.data.error.message : undefined) };
}

function messageFor(code: string, serverMessage: string | undefined): string {
  switch (code) {
    case 'ALERT_NOT_FOUND':
      return 'This alert no longer exists on the server (it may have been resolved).';
    case 'VALIDATION_FAILED':
      return `The server refused the acknowledgement${serverMessage ? `: ${serverMessage}` : '.'}`;
    default:
      return `Acknowledgement failed (${code}). Try again.`;
  }
}
