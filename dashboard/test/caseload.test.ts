import type { CareTeam, PatientSummary, Therapy } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { caseloadView, DEFAULT_FILTER, myTeamIds } from '../src/care/caseload.js';

const team = (id: string, members: string[]): CareTeam => ({
  id,
  name: `Team ${id}`,
  timeZone: 'Europe/London',
  members,
  createdAt: 0,
  updatedAt: 0,
  updatedBy: 'admin',
});
const person = (id: string, displayName: string, teamId: string, extra: Partial<PatientSummary> = {}) => ({
  id,
  displayName,
  teamId,
  status: 'active' as const,
  redacted: false,
  ...extra,
});
const therapy = (patientId: string, drug: string, status: Therapy['status'] = 'active'): Therapy => ({
  id: `thr_${patientId}_${drug}`,
  patientId,
  drug,
  dose: '1 g',
  order: { rate_mL_h: 100, vtbi_mL: 100, tolerance_pct: 10 },
  schedule: { kind: 'continuous' },
  startDate: '2026-12-01',
  status,
  createdAt: 0,
  updatedAt: 0,
  updatedBy: 'x',
});

const teams = [team('north', ['ana', 'Bob']), team('south', ['carl'])];
const patients = [
  person('p1', 'Zoe North', 'north'),
  person('p2', 'Adam North', 'north', { status: 'discharged' }),
  person('p3', 'Sam South', 'south'),
];
const therapies = new Map([
  ['p1', [therapy('p1', 'Vancomycin')]],
  ['p3', [therapy('p3', 'Ceftriaxone'), therapy('p3', 'Vancomycin', 'completed')]],
]);
const nurse = { username: 'ana', role: 'nurse' as const };

describe('caseload', () => {
  it("shows my teams' patients by default, active first then by name", () => {
    const view = caseloadView(patients, teams, therapies, nurse, DEFAULT_FILTER);
    expect(view.rows.map((r) => r.patientId)).toEqual(['p1', 'p2']);
    expect(view.summaryText).toBe('2 of 3 patients: my teams (Team north)');
    expect(view.rows[0]).toMatchObject({
      href: '#/patients/p1',
      teamName: 'Team north',
      drugsText: 'Vancomycin',
    });
  });

  it('matches team members without regard to case; admins and no login see every team', () => {
    expect([...myTeamIds(teams, { username: 'bob', role: 'nurse' })]).toEqual(['north']);
    expect([...myTeamIds(teams, { username: 'root', role: 'admin' })]).toEqual(['north', 'south']);
    expect([...myTeamIds(teams, { username: null, role: null })]).toEqual(['north', 'south']);
  });

  it('says so when the user is in no team, and "All teams" shows everyone', () => {
    const lonely = caseloadView(
      patients,
      teams,
      therapies,
      { username: 'dora', role: 'nurse' },
      DEFAULT_FILTER,
    );
    expect(lonely.rows).toEqual([]);
    expect(lonely.noTeamText).toContain('not a member of any care team');
    const all = caseloadView(patients, teams, therapies, nurse, { ...DEFAULT_FILTER, mine: false });
    expect(all.rows).toHaveLength(3);
    expect(all.noTeamText).toBeNull();
  });

  it('filters by name, team and current drug (completed therapies do not count)', () => {
    const all = { ...DEFAULT_FILTER, mine: false };
    const ids = (f: typeof all) =>
      caseloadView(patients, teams, therapies, nurse, f).rows.map((r) => r.patientId);
    expect(ids({ ...all, q: 'south' })).toEqual(['p3']);
    expect(ids({ ...all, q: 'ZOE' })).toEqual(['p1']);
    expect(ids({ ...all, teamId: 'south' })).toEqual(['p3']);
    expect(ids({ ...all, drug: 'vanco' })).toEqual(['p1']);
    expect(ids({ ...all, drug: 'ceftri', q: 'sam' })).toEqual(['p3']);
    expect(ids({ ...all, drug: 'nothing' })).toEqual([]);
  });

  it("a viewer's initials are not searched by name", () => {
    const redacted = patients.map((p) => ({ ...p, displayName: 'Z. N.', redacted: true }));
    const view = caseloadView(
      redacted,
      teams,
      therapies,
      { username: 'ana', role: 'viewer' },
      { ...DEFAULT_FILTER, q: 'x' },
    );
    expect(view.rows).toHaveLength(2);
  });
});
