import { patientInputSchema } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { FORM_ERROR, fieldErrors, fieldOf, serverErrors, validateForm } from '../src/care/care-forms.js';

/** The coordinator's forms: the browser validates with the protocol's schemas, each problem on its field. */

const patient = {
  displayName: 'Bea Test',
  birthDate: '1950-02-03',
  teamId: 'team_1',
  phone: '+44 20 7946 0999',
};
const therapy = {
  drug: 'Ertapenem',
  dose: '1 g daily',
  rate_mL_h: '100',
  vtbi_mL: '100',
  scheduleKind: 'continuous',
  startDate: '2026-12-07',
};

describe('patient form', () => {
  it('builds the body the server accepts, and the same schema accepts it', () => {
    const result = validateForm('patient', { ...patient, allergies: ' Penicillin ' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.body).toEqual({
      displayName: 'Bea Test',
      birthDate: '1950-02-03',
      teamId: 'team_1',
      phones: [{ label: 'home', number: '+44 20 7946 0999' }],
      caregivers: [],
      allergies: 'Penicillin',
    });
    expect(patientInputSchema.safeParse(result.body).success).toBe(true);
  });

  it('puts each problem next to its own field and nothing else', () => {
    const result = validateForm('patient', {
      ...patient,
      displayName: ' ',
      phone: 'call me',
      birthDate: '3 Feb',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['birthDate', 'displayName', 'phone']);
    expect(result.errors.displayName).toBe('Required');
    expect(result.errors.phone).toContain('phone number');
  });

  it('names the missing part of a half-filled caregiver at its field', () => {
    const result = validateForm('patient', {
      ...patient,
      caregiverName: 'Rui',
      caregiverPhone: '+351 912 000 000',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({ caregiverRelation: 'Required' });
  });

  it('an access line date without a type is not sent as a line, a bad date on a line is refused at its field', () => {
    const ok = validateForm('patient', { ...patient, accessLineInsertedOn: '2026-12-01' });
    expect(ok.ok && 'accessLine' in (ok.body as object)).toBe(false);
    const bad = validateForm('patient', {
      ...patient,
      accessLineType: 'picc',
      accessLineInsertedOn: 'yesterday',
    });
    expect(bad.ok ? {} : bad.errors).toEqual({ accessLineInsertedOn: expect.any(String) });
  });
});

describe('therapy form', () => {
  it('refuses an empty rate as Required, text as a number, at their fields', () => {
    const empty = validateForm('therapy', { ...therapy, rate_mL_h: '' });
    expect(empty.ok ? {} : empty.errors).toEqual({ rate_mL_h: 'Required' });
    const text = validateForm('therapy', { ...therapy, vtbi_mL: 'lots' });
    expect(text.ok ? {} : Object.keys(text.errors)).toEqual(['vtbi_mL']);
    const negative = validateForm('therapy', { ...therapy, rate_mL_h: '-5' });
    expect(negative.ok ? {} : Object.keys(negative.errors)).toEqual(['rate_mL_h']);
  });

  it('an intermittent schedule needs its interval, length and first dose', () => {
    const result = validateForm('therapy', { ...therapy, scheduleKind: 'intermittent' });
    expect(result.ok ? [] : Object.keys(result.errors).sort()).toEqual([
      'durationMin',
      'everyHours',
      'firstDoseAt',
    ]);
    const full = validateForm('therapy', {
      ...therapy,
      scheduleKind: 'intermittent',
      everyHours: '8',
      durationMin: '30',
      firstDoseAt: '2026-12-07T08:00',
    });
    expect(full.ok).toBe(true);
    if (full.ok)
      expect((full.body as { schedule: unknown }).schedule).toEqual({
        kind: 'intermittent',
        everyHours: 8,
        durationMin: 30,
        firstDoseAt: new Date('2026-12-07T08:00').getTime(),
      });
  });

  it('an end before the start is refused at the end date', () => {
    const result = validateForm('therapy', { ...therapy, endDate: '2026-12-01' });
    expect(result.ok ? {} : result.errors).toEqual({ endDate: 'The end date is before the start date' });
  });
});

describe('assignment form', () => {
  it('asks to choose a pump and a therapy, and sends only the therapy in the body', () => {
    const none = validateForm('assignment', { pumpId: '', therapyId: '' });
    expect(none.ok ? {} : none.errors).toEqual({ pumpId: 'Choose one', therapyId: 'Choose one' });
    const ok = validateForm('assignment', { pumpId: 'PUMP-1', therapyId: 'thr_1' });
    expect(ok).toEqual({ ok: true, body: { therapyId: 'thr_1' }, pumpId: 'PUMP-1' });
    const reserved = validateForm('assignment', { pumpId: 'constructor', therapyId: 'thr_1' });
    expect(reserved.ok ? {} : Object.keys(reserved.errors)).toEqual(['pumpId']);
  });
});

describe("the server's errors on the same fields", () => {
  it('maps VALIDATION_FAILED issues (sendValidationError paths) to fields', () => {
    const errors = serverErrors('patient', {
      code: 'VALIDATION_FAILED',
      issues: [
        { path: 'caregivers.0.phone', message: 'a phone number' },
        { path: 'birthDate', message: 'Invalid ISO date' },
        { path: 'somethingNew', message: 'unknown' },
      ],
    });
    expect(errors).toEqual({
      caregiverPhone: 'a phone number',
      birthDate: 'Invalid ISO date',
      [FORM_ERROR]: 'unknown',
    });
    expect(fieldOf('therapy', 'order.rate_mL_h')).toBe('rate_mL_h');
    expect(fieldOf('therapy', 'schedule.firstDoseAt')).toBe('firstDoseAt');
  });

  it('keeps the first problem of a field', () => {
    expect(
      fieldErrors('patient', [
        { path: 'displayName', message: 'first' },
        { path: 'displayName', message: 'second' },
      ]),
    ).toEqual({ displayName: 'first' });
  });

  it('puts codes on their field or the form, and says nothing was saved', () => {
    expect(serverErrors('patient', { code: 'TEAM_NOT_FOUND' })).toEqual({
      teamId: expect.stringContaining('team'),
    });
    expect(serverErrors('assignment', { code: 'THERAPY_NOT_FOUND' })).toHaveProperty('therapyId');
    expect(serverErrors('therapy', { code: 'PATIENT_DISCHARGED' })[FORM_ERROR]).toContain('discharged');
    expect(serverErrors('patient', { code: 'NETWORK' })[FORM_ERROR]).toContain('nothing was saved');
    expect(serverErrors('patient', { code: 'HTTP_502' })[FORM_ERROR]).toContain('HTTP_502');
  });
});
