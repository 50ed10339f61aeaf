import type { CareTeam, PumpView, Therapy } from '@pumpwatch/protocol';
import { formatClock } from '../format.js';
import type { Role } from '../session.js';
import type { PumpCardView } from '../view.js';
import { isFullPatient } from './care-api.js';
import type { FormKind } from './care-forms.js';
import type { CareLoader, FormState } from './care-loader.js';
import { type CaseloadFilter, type CaseloadView, caseloadView } from './caseload.js';
import { type PatientPageView, patientPageView } from './patient-page.js';

/** The care pages (`#/patients`, `#/patients/{id}`) as the view draws them. */

export interface Option {
  value: string;
  label: string;
}

export interface FormModel extends FormState {
  kind: FormKind;
  /** Choices of the form's selects, by field name. */
  options: Record<string, readonly Option[]>;
}

export type CarePageModel =
  | {
      kind: 'patients';
      caseload: CaseloadView | null;
      statusText: string;
      filter: CaseloadFilter;
      teams: readonly Option[];
      /** Coordinators and admins (and development without a login) get the forms. */
      canEdit: boolean;
      /** Viewers: the name search does not apply (initials only). */
      canSearchNames: boolean;
      form: FormModel;
    }
  | {
      kind: 'patient';
      patientId: string;
      page: PatientPageView | null;
      statusText: string;
      canEdit: boolean;
      therapyForm: FormModel;
      assignForm: FormModel;
    };

export function canEditCare(role: Role | null): boolean {
  return role === null || role === 'coordinator' || role === 'admin';
}

const teamOptions = (teams: readonly CareTeam[]): Option[] =>
  teams.map((t) => ({ value: t.id, label: t.name }));

/** Pumps a coordinator may assign: every pump the server reports, the unassigned ones first. */
export function pumpOptions(pumps: Iterable<PumpView>): Option[] {
  return [...pumps]
    .sort((a, b) => Number(Boolean(a.care)) - Number(Boolean(b.care)) || a.pumpId.localeCompare(b.pumpId))
    .map((p) => ({
      value: p.pumpId,
      label: `${p.pumpId} on ${p.hubId}${p.care?.patient ? ` (now ${p.care.patient.displayName})` : ' (unassigned)'}`,
    }));
}

export function therapyOptions(therapies: readonly Therapy[]): Option[] {
  return therapies
    .filter((t) => t.status !== 'completed')
    .map((t) => ({ value: t.id, label: `${t.drug}, ${t.dose} (from ${t.startDate})` }));
}

export interface CareModelInput {
  route: { view: 'patients' } | { view: 'patient'; patientId: string };
  loader: CareLoader;
  viewer: { username: string | null; role: Role | null };
  pumps: ReadonlyMap<string, PumpView>;
  cardOf: (pump: PumpView) => PumpCardView;
  serverClock: number;
}

export function carePageModel(input: CareModelInput): CarePageModel {
  const { loader, viewer, route, serverClock } = input;
  const teams = loader.teams();
  const forms = loader.forms();
  const canEdit = canEditCare(viewer.role);
  if (route.view === 'patients') {
    const data = loader.caseload();
    const caseload = data.patients
      ? caseloadView(data.patients, teams, data.therapies, viewer, data.filter)
      : null;
    return {
      kind: 'patients',
      caseload,
      statusText: data.error ?? (data.patients ? '' : 'Loading the caseload…'),
      filter: data.filter,
      teams: teamOptions(teams),
      canEdit,
      canSearchNames: viewer.role !== 'viewer',
      form: { ...forms.patient, kind: 'patient', options: { teamId: teamOptions(teams) } },
    };
  }
  const data = loader.patient(route.patientId);
  const patient = data.patient;
  const team = patient ? teams.find((t) => t.id === patient.teamId) : undefined;
  const mine = [...input.pumps.values()].filter((p) => p.care?.patient?.id === route.patientId);
  const page = patient
    ? patientPageView({
        patient,
        team,
        therapies: data.therapies,
        pumps: mine.map(input.cardOf),
        alerts: data.alerts,
        alertsError: data.alertsError,
        now: serverClock,
        formatTime: (at) => `${new Date(at).toISOString().slice(0, 10)} ${formatClock(at)}`,
      })
    : null;
  return {
    kind: 'patient',
    patientId: route.patientId,
    page,
    statusText: data.error ?? (patient ? '' : 'Loading the patient…'),
    // A discharged patient gets no new therapy or pump (the server answers PATIENT_DISCHARGED).
    canEdit:
      canEdit &&
      (!patient || patient.status === 'active') &&
      (!patient || isFullPatient(patient) || viewer.role === null),
    therapyForm: { ...forms.therapy, kind: 'therapy', options: {} },
    assignForm: {
      ...forms.assignment,
      kind: 'assignment',
      options: { pumpId: pumpOptions(input.pumps.values()), therapyId: therapyOptions(data.therapies) },
    },
  };
}
