import { randomUUID } from 'node:crypto';
import {
  type Assignment,
  type CareTeam,
  type CareTeamInput,
  careTeamInputSchema,
  type Patient,
  type PatientInput,
  patientInputSchema,
  type StoredOrder,
  type Therapy,
  type TherapyInput,
  therapyInputSchema,
} from '@pumpwatch/protocol';
import type { AuditLog } from '../auth/audit-log.js';
import { PumpwatchError } from '../errors.js';
import { Quarantine } from '../store/quarantine.js';
import type { PumpCareInterval } from '../ward/pump-care.js';
import { CareDirectory } from './care-directory.js';
import { MIGRATION_ACTOR, therapiesFromOrders } from './migrate-orders.js';
import { PlannedPauses } from './planned-pauses.js';
import type { CareStore } from './ports.js';

export interface CareServiceDeps {
  store: CareStore;
  audit: AuditLog;
  /** Where each pump's assignment history goes once it changed (the ward shell). */
  ward: {
    setPumpCare(pumpId: string, intervals: readonly PumpCareInterval[]): void;
    setPause(pumpId: string, until: number | null): void;
  };
  now: () => number;
  /** New record ids; random by default (`pat_…`, `thr_…`, `asg_…`, `team_…`). */
  newId?: (prefix: string) => string;
}

const randomId = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`;

/**
 * Patients, therapies, pump assignments and care teams (docs/care.md): every change is validated,
 * stored (resolving once durable), audited with before and after, and handed to the ward, so the next
 * alert of a pump names the patient it belongs to. Reads come from the in-memory directory.
 */
export class CareService {
  readonly directory = new CareDirectory();
  readonly pauses: PlannedPauses;

  constructor(private readonly deps: CareServiceDeps) {
    this.pauses = new PlannedPauses({
      store: deps.store.pauses,
      audit: deps.audit,
      ward: deps.ward,
      now: deps.now,
      newId: (prefix) => this.newId(prefix),
    });
  }

  /**
   * Reads every care record back and gives the ward each assigned pump's history. `legacyOrders`, the
   * per-pump orders of a store made before patients existed, become patientless therapies the first
   * time (migrate-orders.ts): a pump already assigned, or migrated before, is left alone.
   */
  async restore(quarantine: Quarantine = new Quarantine(), legacyOrders: StoredOrder[] = []): Promise<void> {
    const { store } = this.deps;
    const bad = quarantine.badRows('care');
    for (const team of await store.teams.all(bad)) this.directory.putTeam(team);
    for (const patient of await store.patients.all(bad)) this.directory.putPatient(patient);
    for (const therapy of await store.therapies.all(bad)) this.directory.putTherapy(therapy);
    for (const assignment of await store.assignments.all(bad)) this.directory.putAssignment(assignment);
    await this.migrate(
      legacyOrders.filter((order) => this.directory.assignmentsOf(order.pumpId).length === 0),
    );
    for (const pumpId of this.directory.assignedPumps()) this.feedWard(pumpId);
    await this.pauses.restore(bad);
  }

  private async migrate(orders: StoredOrder[]): Promise<void> {
    if (orders.length === 0) return;
    const { therapies, assignments } = therapiesFromOrders(orders, this.deps.now());
    for (const therapy of therapies) {
      if (this.directory.therapy(therapy.id)) continue;
      await this.deps.store.therapies.put(therapy);
      this.directory.putTherapy(therapy);
    }
    for (const assignment of assignments) {
      await this.deps.store.assignments.put(assignment);
      this.directory.putAssignment(assignment);
    }
    await this.deps.audit.record(MIGRATION_ACTOR, 'orders_migrated', null, null, {
      pumps: orders.map((order) => order.pumpId),
    });
  }

  // --- Teams ----------------------------------------------------------------------------------------

  async createTeam(input: CareTeamInput, by: string): Promise<CareTeam> {
    const now = this.deps.now();
    const team: CareTeam = {
      ...careTeamInputSchema.parse(input),
      id: this.newId('team'),
      createdAt: now,
      updatedAt: now,
      updatedBy: by,
    };
    await this.deps.store.teams.put(team);
    this.directory.putTeam(team);
    await this.deps.audit.record(by, 'team_created', team.id, null, team);
    return team;
  }

  async updateTeam(id: string, input: CareTeamInput, by: string): Promise<CareTeam> {
    const before = this.requireTeam(id);
    const team: CareTeam = {
      ...before,
      ...careTeamInputSchema.parse(input),
      updatedAt: this.deps.now(),
      updatedBy: by,
    };
    await this.deps.store.teams.put(team);
    this.directory.putTeam(team);
    await this.deps.audit.record(by, 'team_updated', id, before, team);
    return team;
  }

  // --- Patients -------------------------------------------------------------------------------------

  async createPatient(input: PatientInput, by: string): Promise<Patient> {
    const parsed = patientInputSchema.parse(input);
    this.requireTeam(parsed.teamId);
    const now = this.deps.now();
    const patient: Patient = {
      ...parsed,
      id: this.newId('pat'),
      status: 'active',
      dischargedAt: null,
      createdAt: now,
      updatedAt: now,
      updatedBy: by,
    };
    await this.deps.store.patients.put(patient);
    this.directory.putPatient(patient);
    await this.deps.audit.record(by, 'patient_created', patient.id, null, patient);
    return patient;
  }

  async updatePatient(id: string, input: PatientInput, by: string): Promise<Patient> {
    const before = this.requirePatient(id);
    const parsed = patientInputSchema.parse(input);
    this.requireTeam(parsed.teamId);
    const patient: Patient = { ...before, ...parsed, updatedAt: this.deps.now(), updatedBy: by };
    await this.deps.store.patients.put(patient);
    this.directory.putPatient(patient);
    await this.deps.audit.record(by, 'patient_updated', id, before, patient);
    // The name and team are in every alert snapshot from now on.
    for (const pumpId of this.directory.pumpsOfPatient(id)) this.feedWard(pumpId);
    return patient;
  }

  /** Ends the patient's open pump assignments; the record and its history stay. */
  async dischargePatient(id: string, by: string): Promise<Patient> {
    const before = this.requirePatient(id);
    if (before.status === 'discharged') return before;
    const now = this.deps.now();
    for (const therapy of this.directory.therapiesOf(id)) {
      for (const assignment of this.directory.openAssignmentsOfTherapy(therapy.id))
        await this.endAssignment(assignment.pumpId, by, now);
    }
    const patient: Patient = {
      ...before,
      status: 'discharged',
      dischargedAt: now,
      updatedAt: now,
      updatedBy: by,
    };
    await this.deps.store.patients.put(patient);
    this.directory.putPatient(patient);
    await this.deps.audit.record(by, 'patient_discharged', id, before, patient);
    return patient;
  }

  /**
   * A patient's full record, contact details included: every such read is audited (who, when, whose),
   * minimum necessary (docs/security.md). Callers check the role first.
   */
  async readPatient(id: string, by: string): Promise<Patient> {
    const patient = this.requirePatient(id);
    await this.deps.audit.record(by, 'patient_read', id);
    return patient;
  }

  // --- Therapies ------------------------------------------------------------------------------------

  async createTherapy(patientId: string, input: TherapyInput, by: string): Promise<Therapy> {
    const patient = this.requirePatient(patientId);
    if (patient.status === 'discharged')
      throw new PumpwatchError('PATIENT_DISCHARGED', `patient ${patientId} is discharged`);
    const now = this.deps.now();
    const therapy: Therapy = {
      ...therapyInputSchema.parse(input),
      id: this.newId('thr'),
      patientId,
      createdAt: now,
      updatedAt: now,
      updatedBy: by,
    };
    await this.deps.store.therapies.put(therapy);
    this.directory.putTherapy(therapy);
    await this.deps.audit.record(by, 'therapy_created', therapy.id, null, therapy);
    return therapy;
  }

  async updateTherapy(id: string, input: TherapyInput, by: string): Promise<Therapy> {
    const before = this.requireTherapy(id);
    const therapy: Therapy = {
      ...before,
      ...therapyInputSchema.parse(input),
      updatedAt: this.deps.now(),
      updatedBy: by,
    };
    await this.saveTherapy(before, therapy, by);
    return therapy;
  }

  /** `PUT /api/pumps/{id}/order` on an assigned pump: the order of the therapy it runs. */
  async setTherapyOrder(
    id: string,
    order: Therapy['order'] & { drug: string },
    by: string,
  ): Promise<Therapy> {
    const before = this.requireTherapy(id);
    const { drug, ...rest } = order;
    const therapy: Therapy = { ...before, drug, order: rest, updatedAt: this.deps.now(), updatedBy: by };
    await this.saveTherapy(before, therapy, by);
    return therapy;
  }

  // --- Assignments ----------------------------------------------------------------------------------

  /**
   * Gives the pump to a therapy from `from` (default now), ending its current assignment there: data
   * before `from` stays with whoever had the pump then.
   */
  async assign(pumpId: string, therapyId: string, by: string, from = this.deps.now()): Promise<Assignment> {
    const therapy = this.requireTherapy(therapyId);
    const patient = therapy.patientId === null ? undefined : this.directory.patient(therapy.patientId);
    if (patient?.status === 'discharged')
      throw new PumpwatchError('PATIENT_DISCHARGED', `patient ${patient.id} is discharged`);
    const now = this.deps.now();
    if (from > now)
      throw new PumpwatchError('ASSIGNMENT_CONFLICT', 'an assignment cannot start in the future');
    const current = this.directory.currentAssignment(pumpId);
    if (current && from < current.from)
      throw new PumpwatchError(
        'ASSIGNMENT_CONFLICT',
        `the pump's current assignment started at ${current.from}; a new one cannot start before it`,
      );
    if (current) await this.endAssignment(pumpId, by, from);
    const assignment: Assignment = {
      id: this.newId('asg'),
      pumpId,
      therapyId,
      patientId: therapy.patientId,
      from,
      to: null,
      assignedBy: by,
      endedBy: null,
    };
    await this.deps.store.assignments.put(assignment);
    this.directory.putAssignment(assignment);
    await this.deps.audit.record(by, 'pump_assigned', pumpId, current ?? null, assignment);
    this.feedWard(pumpId);
    return assignment;
  }

  /** Ends the pump's current assignment at `at` (default now); undefined when it had none. */
  async endAssignment(pumpId: string, by: string, at = this.deps.now()): Promise<Assignment | undefined> {
    const current = this.directory.currentAssignment(pumpId);
    if (!current) return undefined;
    const ended: Assignment = { ...current, to: Math.max(at, current.from), endedBy: by };
    await this.deps.store.assignments.put(ended);
    this.directory.putAssignment(ended);
    await this.deps.audit.record(by, 'pump_unassigned', pumpId, current, ended);
    this.feedWard(pumpId);
    return ended;
  }

  // --- Inside ---------------------------------------------------------------------------------------

  private async saveTherapy(before: Therapy, therapy: Therapy, by: string): Promise<void> {
    await this.deps.store.therapies.put(therapy);
    this.directory.putTherapy(therapy);
    await this.deps.audit.record(by, 'therapy_updated', therapy.id, before, therapy);
    for (const pumpId of this.directory.pumpsOfTherapy(therapy.id)) this.feedWard(pumpId);
  }

  private feedWard(pumpId: string): void {
    this.deps.ward.setPumpCare(pumpId, this.directory.intervalsFor(pumpId));
  }

  private newId(prefix: string): string {
    return (this.deps.newId ?? randomId)(prefix);
  }

  private requirePatient(id: string): Patient {
    const patient = this.directory.patient(id);
    if (!patient) throw new PumpwatchError('PATIENT_NOT_FOUND', `no patient ${id}`);
    return patient;
  }

  private requireTherapy(id: string): Therapy {
    const therapy = this.directory.therapy(id);
    if (!therapy) throw new PumpwatchError('THERAPY_NOT_FOUND', `no therapy ${id}`);
    return therapy;
  }

  private requireTeam(id: string): CareTeam {
    const team = this.directory.team(id);
    if (!team) throw new PumpwatchError('TEAM_NOT_FOUND', `no care team ${id}`);
    return team;
  }
}
