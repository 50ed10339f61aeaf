/**
 * Hash routes, so the server needs no route of its own: `#/` the overview, `#/pumps/{pumpId}` a pump,
 * `#/patients` the caseload and `#/patients/{patientId}` one patient (issue 13); `#/oncall` the rota of
 * my teams and `#/teams/{teamId}/oncall` one team's, `#/me/devices` my devices, and `#/alerts/{alertId}`
 * one alert with its escalation path and receipts (issue 14: the link every page carries).
 */
export type Route =
  | { view: 'overview' }
  | { view: 'pump'; pumpId: string; rangeId: string | null }
  | { view: 'patients' }
  | { view: 'patient'; patientId: string }
  | { view: 'oncall'; teamId: string | null }
  | { view: 'devices' }
  | { view: 'alert'; alertId: string };

export function parseRoute(hash: string): Route {
  if (/^#\/oncall\/?$/.test(hash)) return { view: 'oncall', teamId: null };
  if (/^#\/me\/devices\/?$/.test(hash)) return { view: 'devices' };
  const team = /^#\/teams\/([^/?]+)\/oncall\/?$/.exec(hash);
  if (team) {
    const teamId = decodeSegment(team[1] as string);
    return teamId === null ? { view: 'overview' } : { view: 'oncall', teamId };
  }
  const alert = /^#\/alerts\/([^/?]+)$/.exec(hash);
  if (alert) {
    const alertId = decodeSegment(alert[1] as string);
    return alertId === null ? { view: 'overview' } : { view: 'alert', alertId };
  }
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

export const ONCALL_HREF = '#/oncall';
export const DEVICES_HREF = '#/me/devices';

export function teamOncallHref(teamId: string): string {
  return `#/teams/${encodeURIComponent(teamId)}/oncall`;
}

export function alertHref(alertId: string): string {
  return `#/alerts/${encodeURIComponent(alertId)}`;
}
