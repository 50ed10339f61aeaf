import type { CareTeam, PatientSummary, Therapy } from '@pumpwatch/protocol';
import { patientHref } from '../route.js';

/**
 * The caseload (`#/patients`): by default the patients of "my" teams, those whose `members` include the
 * logged-in user (every team for an admin, and without a login); then filtered by a search on the name,
 * a team and a drug. Pure, so the filtering is unit-tested.
 */

export interface CaseloadFilter {
  /** Only my teams' patients (the default); false shows every team the server lists. */
  mine: boolean;
  /** Part of the patient's name, any case (ignored for a viewer, who sees initials). */
  q: string;
  /** A team id, or '' for every team. */
  teamId: string;
  /** Part of a drug's name, any case, among the patient's therapies that are not completed. */
  drug: string;
}

export const DEFAULT_FILTER: CaseloadFilter = { mine: true, q: '', teamId: '', drug: '' };

export interface Viewer {
  /** Null without a login (authentication disabled): every team is "mine". */
  username: string | null;
  role: 'viewer' | 'nurse' | 'coordinator' | 'admin' | null;
}

export interface CaseloadRow {
  patientId: string;
  href: string;
  name: string;
  teamName: string;
  status: PatientSummary['status'];
  /** Drugs of the patient's therapies that are not completed, as one line; '' when none is known. */
  drugsText: string;
}

export interface CaseloadView {
  rows: CaseloadRow[];
  /** "12 of 40 patients: my teams (Home infusion team North)". */
  summaryText: string;
  /** When "my teams" is empty because the user is in no team: say so rather than show nothing. */
  noTeamText: string | null;
}

/** The ids of the teams the user belongs to; every team for an admin or without a login. */
export function myTeamIds(teams: readonly CareTeam[], viewer: Viewer): Set<string> {
  if (viewer.username === null || viewer.role === 'admin') return new Set(teams.map((t) => t.id));
  const me = viewer.username.toLowerCase();
  return new Set(teams.filter((t) => t.members.some((m) => m.toLowerCase() === me)).map((t) => t.id));
}

export function currentDrugs(therapies: readonly Therapy[] | undefined): string[] {
  return [...new Set((therapies ?? []).filter((t) => t.status !== 'completed').map((t) => t.drug))];
}

export function caseloadView(
  patients: readonly PatientSummary[],
  teams: readonly CareTeam[],
  therapies: ReadonlyMap<string, readonly Therapy[]>,
  viewer: Viewer,
  filter: CaseloadFilter,
): CaseloadView {
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  const mine = myTeamIds(teams, viewer);
  const q = filter.q.trim().toLowerCase();
  const drug = filter.drug.trim().toLowerCase();
  const rows = patients
    .filter((p) => !filter.mine || mine.has(p.teamId))
    .filter((p) => filter.teamId === '' || p.teamId === filter.teamId)
    // Initials are not a name to search: a viewer's search would only match letters by chance.
    .filter((p) => q === '' || p.redacted || p.displayName.toLowerCase().includes(q))
    .filter(
      (p) => drug === '' || currentDrugs(therapies.get(p.id)).some((d) => d.toLowerCase().includes(drug)),
    )
    .sort(
      (a, b) =>
        Number(a.status === 'discharged') - Number(b.status === 'discharged') ||
        a.displayName.localeCompare(b.displayName),
    )
    .map((p) => ({
      patientId: p.id,
      href: patientHref(p.id),
      name: p.displayName,
      teamName: teamName.get(p.teamId) ?? p.teamId,
      status: p.status,
      drugsText: currentDrugs(therapies.get(p.id)).join(', '),
    }));
  const scope = filter.mine
    ? `my teams${mine.size > 0 ? ` (${[...mine].map((id) => teamName.get(id) ?? id).join(', ')})` : ''}`
    : 'all teams';
  return {
    rows,
    summaryText: `${rows.length} of ${patients.length} patient${patients.length === 1 ? '' : 's'}: ${scope}`,
    noTeamText:
      filter.mine && mine.size === 0
        ? `You (${viewer.username}) are not a member of any care team: choose “All teams” to see every patient.`
        : null,
  };
}
