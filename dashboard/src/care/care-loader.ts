import type { Alert, CareTeam, PatientSummary, Therapy } from '@pumpwatch/protocol';
import type { ApiResult, CareApi, PatientReply } from './care-api.js';
import {
  type FieldErrors,
  FORM_ERROR,
  type FormKind,
  type FormValues,
  serverErrors,
  validateForm,
} from './care-forms.js';
import { type CaseloadFilter, DEFAULT_FILTER } from './caseload.js';
import { therapyLine } from './therapy-line.js';

/**
 * The care pages' data, apart from their DOM (as controller/detail-loader.ts is for the pump view): the
 * teams and the therapies the cards name (for "day 12 of 42 · next dose"), the caseload, one patient's
 * record, therapies and alert history, and the coordinator's forms. It fetches what the route needs,
 * re-reads on a clock that is passed in, and calls `onChange` when something arrived.
 */

const DIRECTORY_REFRESH_MS = 5 * 60_000;
const PAGE_REFRESH_MS = 30_000;
const RETRY_MS = 60_000;

export interface FormState {
  errors: FieldErrors;
  busy: boolean;
  /** "Patient Ana Silva created." after a success; null otherwise. */
  done: string | null;
  /** Increments after each success, so the view clears the form's inputs once. */
  version: number;
}

export interface PatientData {
  patientId: string;
  patient: PatientReply | null;
  therapies: readonly Therapy[];
  alerts: readonly Alert[] | null;
  error: string | null;
  alertsError: string | null;
}

export interface CaseloadData {
  patients: readonly PatientSummary[] | null;
  therapies: ReadonlyMap<string, readonly Therapy[]>;
  error: string | null;
  filter: CaseloadFilter;
}

function failureText(what: string, result: Extract<ApiResult<unknown>, { ok: false }>): string {
  const { code } = result.failure;
  if (code === 'NETWORK') return `Could not reach the server for ${what}.`;
  if (code === 'PATIENT_NOT_FOUND') return 'The server has no such patient.';
  if (code === 'FORBIDDEN') return `Your role may not see ${what}.`;
  return `Could not load ${what} (${code}).`;
}

export function createCareLoader(deps: { api: CareApi; now: () => number; onChange(): void }) {
  const { api, now, onChange } = deps;
  let stopped = false;
  let teams: readonly CareTeam[] = [];
  let teamsAt = Number.NEGATIVE_INFINITY;
  let teamsLoading = false;
  const therapyCache = new Map<string, { therapy: Therapy | null; at: number; loading: boolean }>();
  const caseload: CaseloadData = {
    patients: null,
    therapies: new Map(),
    error: null,
    filter: DEFAULT_FILTER,
  };
  let caseloadAt = Number.NEGATIVE_INFINITY;
  let caseloadToken = 0;
  let patient: PatientData | null = null;
  let patientAt = Number.NEGATIVE_INFINITY;
  let patientToken = 0;
  const forms: Record<FormKind, FormState> = {
    patient: { errors: {}, busy: false, done: null, version: 0 },
    therapy: { errors: {}, busy: false, done: null, version: 0 },
    assignment: { errors: {}, busy: false, done: null, version: 0 },
  };

  const changed = () => {
    if (!stopped) onChange();
  };

  function ensureTeams(): void {
    if (teamsLoading || now() - teamsAt < DIRECTORY_REFRESH_MS) return;
    teamsLoading = true;
    void api.teams().then((result) => {
      teamsLoading = false;
      // A failure is retried after a minute, not on every render.
      teamsAt = result.ok ? now() : now() - DIRECTORY_REFRESH_MS + RETRY_MS;
      if (result.ok) teams = result.data;
      changed();
    });
  }

  function therapy(therapyId: string): Therapy | undefined {
    const cached = therapyCache.get(therapyId);
    const age = cached ? now() - cached.at : Number.POSITIVE_INFINITY;
    const due = cached?.therapy ? age >= DIRECTORY_REFRESH_MS : age >= RETRY_MS;
    if (!cached?.loading && due) {
      therapyCache.set(therapyId, { therapy: cached?.therapy ?? null, at: cached?.at ?? 0, loading: true });
      void api.therapy(therapyId).then((result) => {
        const previous = therapyCache.get(therapyId)?.therapy ?? null;
        therapyCache.set(therapyId, {
          therapy: result.ok ? result.data : previous,
          at: now(),
          loading: false,
        });
        changed();
      });
    }
    return cached?.therapy ?? undefined;
  }

  function loadCaseload(): void {
    const mine = ++caseloadToken;
    caseloadAt = now();
    void api.patients().then(async (result) => {
      if (mine !== caseloadToken) return;
      if (!result.ok) {
        caseload.error = failureText('the caseload', result);
        changed();
        return;
      }
      caseload.patients = result.data;
      caseload.error = null;
      changed();
      // The drugs, for the drug filter: one request per patient, a few at a time.
      const therapies = new Map(caseload.therapies);
      const queue = [...result.data];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const got = await api.therapiesOf(next.id);
          if (got.ok) therapies.set(next.id, got.data);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      if (mine !== caseloadToken) return;
      caseload.therapies = therapies;
      changed();
    });
  }

  function loadPatient(patientId: string, quiet: boolean): void {
    const mine = ++patientToken;
    patientAt = now();
    if (!quiet || patient?.patientId !== patientId) {
      patient = { patientId, patient: null, therapies: [], alerts: null, error: null, alertsError: null };
    }
    void Promise.all([api.patient(patientId), api.therapiesOf(patientId), api.alertsOf(patientId)]).then(
      ([record, therapies, alerts]) => {
        if (mine !== patientToken || !patient) return;
        patient = {
          patientId,
          patient: record.ok ? record.data : patient.patient,
          therapies: therapies.ok ? therapies.data : patient.therapies,
          alerts: alerts.ok ? alerts.data : patient.alerts,
          error: record.ok ? null : failureText('this patient', record),
          alertsError: alerts.ok ? null : failureText('the alert history', alerts),
        };
        for (const t of patient.therapies) therapyCache.set(t.id, { therapy: t, at: now(), loading: false });
        changed();
      },
    );
  }

  async function submit(kind: FormKind, values: FormValues, patientId: string | null): Promise<void> {
    const form = forms[kind];
    if (form.busy) return;
    form.done = null;
    const checked = validateForm(kind, values);
    if (!checked.ok) {
      // Nothing is sent while the browser finds a problem.
      form.errors = checked.errors;
      changed();
      return;
    }
    form.errors = {};
    form.busy = true;
    changed();
    const result =
      kind === 'patient'
        ? await api.createPatient(checked.body)
        : kind === 'therapy'
          ? patientId
            ? await api.createTherapy(patientId, checked.body)
            : null
          : await api.assignPump(checked.pumpId ?? '', checked.body);
    if (stopped) return;
    form.busy = false;
    if (!result) {
      form.errors = { [FORM_ERROR]: 'Open a patient first.' };
    } else if (!result.ok) {
      form.errors = serverErrors(kind, result.failure);
    } else {
      form.version += 1;
      const data = result.data as { displayName?: string; drug?: string; pumpId?: string };
      form.done =
        kind === 'patient'
          ? `Patient ${data.displayName} created.`
          : kind === 'therapy'
            ? `Therapy ${data.drug} added.`
            : `Pump ${data.pumpId} assigned.`;
      // What changed shows at once: the list, the patient page (the pump's card follows on the socket).
      if (kind === 'patient') loadCaseload();
      if (patientId) loadPatient(patientId, true);
    }
    changed();
  }

  return {
    /** Teams and the therapies behind the cards' lines; called on every render. */
    teams(): readonly CareTeam[] {
      ensureTeams();
      return teams;
    },
    /** "Day 12 of 42 · next dose 14:00, in 2 h 05 min" for a therapy id (fetched once, then cached). */
    timing(therapyId: string | undefined, teamId: string | undefined, at: number): string | null {
      if (!therapyId) return null;
      ensureTeams();
      const zone = teams.find((t) => t.id === teamId)?.timeZone;
      return therapyLine(therapy(therapyId), zone, at);
    },
    caseload(): CaseloadData {
      ensureTeams();
      if (now() - caseloadAt >= PAGE_REFRESH_MS) loadCaseload();
      return caseload;
    },
    setFilter(filter: CaseloadFilter): void {
      caseload.filter = filter;
      changed();
    },
    patient(patientId: string): PatientData {
      ensureTeams();
      if (patient?.patientId !== patientId) loadPatient(patientId, false);
      else if (now() - patientAt >= PAGE_REFRESH_MS) loadPatient(patientId, true);
      return patient as PatientData;
    },
    forms: (): Readonly<Record<FormKind, FormState>> => forms,
    submit: (kind: FormKind, values: FormValues, patientId: string | null) =>
      void submit(kind, values, patientId),
    /** Leaving a patient: forget the page so a late reply cannot draw it again. */
    leavePatient(): void {
      patientToken++;
      patient = null;
      for (const kind of ['therapy', 'assignment'] as const)
        forms[kind] = { ...forms[kind], errors: {}, done: null };
    },
    stop(): void {
      stopped = true;
      caseloadToken++;
      patientToken++;
    },
  };
}

export type CareLoader = ReturnType<typeof createCareLoader>;
