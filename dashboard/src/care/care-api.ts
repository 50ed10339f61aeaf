import {
  alertSchema,
  assignmentSchema,
  careTeamSchema,
  patientSchema,
  patientSummarySchema,
  therapySchema,
} from '@pumpwatch/protocol';
import { z } from 'zod';
import { type ApiFailure, readApiError } from '../errors.js';

/**
 * The care routes (docs/api.md#care) as the dashboard calls them: every reply parsed with the protocol's
 * schemas, every failure as the server's stable code (or NETWORK / BAD_RESPONSE). fetch is injected (the
 * console's bearer fetch, which also ends the session on a 401).
 */

export type CareFetch = (
  url: string,
  init?: RequestInit,
) => Promise<Pick<Response, 'ok' | 'status' | 'json'>>;
export type ApiResult<T> = { ok: true; data: T } | { ok: false; failure: ApiFailure };

/** A nurse's full record, or what a viewer is given (the summary: initials, team, status). */
export const patientReplySchema = z.union([patientSchema, patientSummarySchema]);
export type PatientReply = z.infer<typeof patientReplySchema>;

export async function call<T>(fetcher: CareFetch, url: string, schema: z.ZodType<T>, init?: RequestInit) {
  let res: Awaited<ReturnType<CareFetch>>;
  try {
    res = await fetcher(url, { ...init, headers: { accept: 'application/json', ...(init?.headers ?? {}) } });
  } catch {
    return { ok: false, failure: { code: 'NETWORK' } } satisfies ApiResult<T>;
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) return { ok: false, failure: readApiError(res.status, json) } satisfies ApiResult<T>;
  const parsed = schema.safeParse(json);
  return parsed.success
    ? ({ ok: true, data: parsed.data } satisfies ApiResult<T>)
    : ({ ok: false, failure: { code: 'BAD_RESPONSE' } } satisfies ApiResult<T>);
}

/** A request with a JSON body; without one (a DELETE) no content type, which the server would refuse empty. */
export const send = (method: 'POST' | 'PUT' | 'DELETE', body?: unknown): RequestInit =>
  body === undefined
    ? { method }
    : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };

const id = encodeURIComponent;

export function createCareApi(fetcher: CareFetch) {
  return {
    teams: () => call(fetcher, '/api/teams', z.array(careTeamSchema)),
    patients: () => call(fetcher, '/api/patients', z.array(patientSummarySchema)),
    patient: (patientId: string) => call(fetcher, `/api/patients/${id(patientId)}`, patientReplySchema),
    therapiesOf: (patientId: string) =>
      call(fetcher, `/api/patients/${id(patientId)}/therapies`, z.array(therapySchema)),
    therapy: (therapyId: string) => call(fetcher, `/api/therapies/${id(therapyId)}`, therapySchema),
    alertsOf: (patientId: string) =>
      call(fetcher, `/api/alerts?status=all&patientId=${id(patientId)}`, z.array(alertSchema)),
    createPatient: (input: unknown) => call(fetcher, '/api/patients', patientSchema, send('POST', input)),
    createTherapy: (patientId: string, input: unknown) =>
      call(fetcher, `/api/patients/${id(patientId)}/therapies`, therapySchema, send('POST', input)),
    assignPump: (pumpId: string, body: unknown) =>
      call(fetcher, `/api/pumps/${id(pumpId)}/assignment`, assignmentSchema, send('PUT', body)),
  };
}

export type CareApi = ReturnType<typeof createCareApi>;

/** True when the reply is the full record (nurse and above), false for a viewer's summary. */
export function isFullPatient(reply: PatientReply): reply is z.infer<typeof patientSchema> {
  return 'birthDate' in reply;
}
