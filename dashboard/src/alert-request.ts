import { type Alert, alertSchema } from '@pumpwatch/protocol';
import { readApiError } from './errors.js';

/** The part of `fetch` the alert actions use, so unit tests pass a fake. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Pick<Response, 'ok' | 'status' | 'json'>>;

export type AlertActionResult =
  | { ok: true; alert: Alert }
  | { ok: false; code: string; message: string; serverMessage?: string };

/**
 * POSTs a JSON body to an alert route and reads the updated alert back with `alertSchema`. Never throws:
 * a network failure is code `NETWORK`, a reply that is not an alert `BAD_RESPONSE`, an error body its
 * `error.code` (or `HTTP_<status>` when it has none). `message` is filled in by the caller.
 */
export async function postAlertAction(
  url: string,
  body: unknown,
  fetchFn: FetchLike,
): Promise<AlertActionResult> {
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, code: 'NETWORK', message: '' };
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (res.ok) {
    const alert = alertSchema.safeParse(json);
    if (alert.success) return { ok: true, alert: alert.data };
    return { ok: false, code: 'BAD_RESPONSE', message: '' };
  }
  const { code, serverMessage } = readApiError(res.status, json);
  return { ok: false, code, message: '', ...(serverMessage === undefined ? {} : { serverMessage }) };
}
