import type { Patient } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { patientAlertStatus, patientPageView, REDACTED_NOTE, telHref } from '../src/care/patient-page.js';
import { alert } from './fixtures.js';

const full: Patient = {
  id: 'pat_1',
  displayName: 'Ana Silva',
  birthDate: '1948-05-17',
  externalIds: [{ system: 'MRN', value: 'M-1' }],
  phones: [{ label: 'home', number: '+44 20 7946 0100' }],
  caregivers: [{ name: 'Rui Silva', relation: 'son', phone: '(020) 7946-0101' }],
  accessLine: { type: 'picc', insertedOn: '2026-11-30' },
  allergies: 'Penicillin',
  teamId: 'team_1',
  status: 'active',
  dischargedAt: null,
  createdAt: 0,
  updatedAt: 0,
  updatedBy: 'x',
};
const base = {
  team: undefined,
  therapies: [],
  pumps: [],
  alerts: [],
  alertsError: null,
  now: 0,
  formatTime: String,
};

describe('patient page', () => {
  it('tel: links dial digits only, keeping a leading +', () => {
    expect(telHref('+44 20 7946 0100')).toBe('tel:+442079460100');
    expect(telHref('(020) 7946-0101')).toBe('tel:02079460101');
  });

  it("a nurse's page has the contacts as tap-to-call links and the clinical facts", () => {
    const page = patientPageView({ ...base, patient: full });
    expect(page.redactedNote).toBeNull();
    expect(page.phones).toEqual([{ label: 'home', number: '+44 20 7946 0100', href: 'tel:+442079460100' }]);
    expect(page.caregivers[0]).toMatchObject({
      label: 'Rui Silva',
      relation: 'son',
      href: 'tel:02079460101',
    });
    expect(page.facts).toContainEqual({ label: 'Access line', value: 'PICC, inserted 2026-11-30' });
    expect(page.facts).toContainEqual({ label: 'Allergies', value: 'Penicillin' });
    expect(page.facts).toContainEqual({ label: 'MRN', value: 'M-1' });
  });

  it("a viewer's summary gives no contacts and the page says why", () => {
    const page = patientPageView({
      ...base,
      patient: { id: 'pat_1', displayName: 'A. S.', teamId: 'team_1', status: 'active', redacted: true },
    });
    expect(page.name).toBe('A. S.');
    expect(page.phones).toEqual([]);
    expect(page.caregivers).toEqual([]);
    expect(page.facts).toEqual([]);
    expect(page.redactedNote).toBe(REDACTED_NOTE);
  });

  it('lists the alert history newest first with who acknowledged what', () => {
    const page = patientPageView({
      ...base,
      patient: full,
      alerts: [
        alert({
          id: 'old',
          raisedAt: 1,
          status: 'resolved',
          acknowledgedAt: 5,
          acknowledgedBy: 'grace',
          resolvedAt: 9,
        }),
        alert({ id: 'new', raisedAt: 2 }),
      ],
    });
    expect(page.alerts.map((a) => a.id)).toEqual(['new', 'old']);
    expect(page.alerts[1]?.statusText).toBe('Acknowledged by grace at 5 · resolved 9');
    expect(page.alerts[0]?.statusText).toBe('Active — not acknowledged');
    expect(patientAlertStatus(alert({ status: 'resolved', resolvedAt: 3 }), String)).toBe(
      'Never acknowledged · resolved 3',
    );
    expect(page.alerts[0]?.pumpHref).toBe('#/pumps/pump-1');
  });

  it('says when the alert history is loading or failed', () => {
    expect(patientPageView({ ...base, patient: full, alerts: null }).alertsText).toBe(
      'Loading the alert history…',
    );
    expect(patientPageView({ ...base, patient: full, alerts: [] }).alertsText).toBe('No alerts recorded.');
    expect(patientPageView({ ...base, patient: full, alerts: null, alertsError: 'x' }).alertsText).toBe('x');
  });
});
