/**
 * Hash routes, so the server needs no route of its own: `#/` the overview, `#/pumps/{pumpId}` a pump,
 * `#/patients` the caseload and `#/patients/{patientId}` one patient (issue 13).
 */
export type Route =
  | { view: 'overview' }
  | { view: 'pump'; pumpId: string; rangeId: string | null }
  | { view: 'patients' }
  | { view: 'patient'; patientId: string };

export function parseRoute(hash: string): Route {
  if (/^#\/patients\/?$/.test(hash)) return { view: 'patients' };
  const patient = /^#\/patients\/([^/?]+)$/.exec(hash);
  if (patient) {
    const patientId = decodeSegment(patient[1] as string);
    return patientId === null ? { view: 'overview' } : { view: 'patient', patientId };
  }
  const match = /^#\/pumps\/([^/?]+)(?:\?(.*))?$/.exec(hash);
  if (!match) return { view: 'overview' };
  const pumpId = decodeSegment(match[1] as string);
  if (pumpId === null) return { view: 'overview' };
  const range = new URLSearchParams(match[2] ?? '').get('range');
  return { view: 'pump', pumpId, rangeId: range };
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function pumpHref(pumpId: string, rangeId?: string): string {
  return `#/pumps/${encodeURIComponent(pumpId)}${rangeId ? `?range=${encodeURIComponent(rangeId)}` : ''}`;
}

export const PATIENTS_HREF = '#/patients';

export function patientHref(patientId: string): string {
  return `#/patients/${encodeURIComponent(patientId)}`;
}
