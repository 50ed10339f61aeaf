import type { Assignment, CareTeam, Patient, PlannedPause, Therapy } from '@pumpwatch/protocol';

/** Care records as the store keeps them: every field their schemas name, so a round trip is exact. */
export function patient(overrides: Partial<Patient> = {}): Patient {
  return {
    id: 'pat_1',
    displayName: 'Ada Quill',
    birthDate: '1951-03-14',
    externalIds: [{ system: 'MRN', value: '000123' }],
    address: { line1: '12 Invented Lane', city: 'Nowhere', postalCode: '00000' },
    phones: [{ label: 'home', number: '+1 555 0100' }],
    caregivers: [{ name: 'Ben Quill', relation: 'son', phone: '+1 555 0101' }],
    language: 'en',
    allergies: 'penicillin',
    accessLine: { type: 'picc', insertedOn: '2026-05-02', site: 'right basilic' },
    notes: 'dog in the house',
    teamId: 'team_north',
    status: 'active',
    dischargedAt: null,
    createdAt: 1000,
    updatedAt: 1000,
    updatedBy: 'coord',
    ...overrides,
  };
}

export function therapy(overrides: Partial<Therapy> = {}): Therapy {
  return {
    id: 'thr_1',
    patientId: 'pat_1',
    drug: 'vancomycin',
    dose: '1 g',
    order: { rate_mL_h: 250, vtbi_mL: 250, tolerance_pct: 10 },
    schedule: { kind: 'intermittent', everyHours: 12, durationMin: 60, firstDoseAt: 1_800_000_000_000 },
    startDate: '2026-05-03',
    endDate: '2026-06-14',
    prescriber: 'Dr. Invented',
    status: 'active',
    createdAt: 1000,
    updatedAt: 1000,
    updatedBy: 'coord',
    ...overrides,
  };
}

export function assignment(overrides: Partial<Assignment> = {}): Assignment {
  return {
    id: 'asg_1',
    pumpId: 'PUMP-0001',
    therapyId: 'thr_1',
    patientId: 'pat_1',
    from: 1_800_000_000_000,
    to: null,
    assignedBy: 'coord',
    endedBy: null,
    ...overrides,
  };
}

export function team(overrides: Partial<CareTeam> = {}): CareTeam {
  return {
    id: 'team_north',
    name: 'North',
    timeZone: 'Europe/Paris',
    members: ['joy', 'kim'],
    createdAt: 1000,
    updatedAt: 1000,
    updatedBy: 'admin',
    ...overrides,
  };
}

export function plannedPause(overrides: Partial<PlannedPause> = {}): PlannedPause {
  return {
    id: 'pause_1',
    pumpId: 'PUMP-0001',
    from: 1_800_000_000_000,
    until: 1_800_001_800_000,
    reason: 'shower',
    by: 'nurse',
    endedAt: null,
    endedBy: null,
    ...overrides,
  };
}
