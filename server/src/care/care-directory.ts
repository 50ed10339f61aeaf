import type { Assignment, CareTeam, Patient, StoredOrder, Therapy } from '@pumpwatch/protocol';
import { DateTime } from 'luxon';
import type { PumpCareInterval } from '../ward/pump-care.js';

/** Which patients a caseload query returns. */
export interface PatientFilter {
  /** Part of the name or of an external id, any case. */
  q?: string;
  teamId?: string;
  status?: Patient['status'];
}

/**
 * Every patient, therapy, assignment and care team, in memory and without I/O: the care store's
 * records, indexed. Answers who had a pump when, and what the ward needs to name an alert's patient.
 */
export class CareDirectory {
  private readonly patients = new Map<string, Patient>();
  private readonly therapies = new Map<string, Therapy>();
  private readonly teams = new Map<string, CareTeam>();
  private readonly assignments = new Map<string, Assignment>();
  private readonly assignmentsByPump = new Map<string, Assignment[]>();

  putPatient(patient: Patient): void {
    this.patients.set(patient.id, patient);
  }

  putTherapy(therapy: Therapy): void {
    this.therapies.set(therapy.id, therapy);
  }

  putTeam(team: CareTeam): void {
    this.teams.set(team.id, team);
  }

  putAssignment(assignment: Assignment): void {
    this.assignments.set(assignment.id, assignment);
    const list = (this.assignmentsByPump.get(assignment.pumpId) ?? []).filter((a) => a.id !== assignment.id);
    list.push(assignment);
    list.sort((a, b) => a.from - b.from);
    this.assignmentsByPump.set(assignment.pumpId, list);
  }

  patient(id: string): Patient | undefined {
    return this.patients.get(id);
  }

  therapy(id: string): Therapy | undefined {
    return this.therapies.get(id);
  }

  team(id: string): CareTeam | undefined {
    return this.teams.get(id);
  }

  allTeams(): CareTeam[] {
    return [...this.teams.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  findPatients(filter: PatientFilter = {}): Patient[] {
    const q = filter.q?.trim().toLowerCase();
    return [...this.patients.values()]
      .filter(
        (patient) =>
          (filter.teamId === undefined || patient.teamId === filter.teamId) &&
          (filter.status === undefined || patient.status === filter.status) &&
          (!q ||
            patient.displayName.toLowerCase().includes(q) ||
            patient.externalIds.some((external) => external.value.toLowerCase().includes(q))),
      )
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  therapiesOf(patientId: string): Therapy[] {
    return [...this.therapies.values()]
      .filter((therapy) => therapy.patientId === patientId)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** A pump's assignments, oldest first. */
  assignmentsOf(pumpId: string): Assignment[] {
    return [...(this.assignmentsByPump.get(pumpId) ?? [])];
  }

  /** The open assignment of a pump, if it has one. */
  currentAssignment(pumpId: string): Assignment | undefined {
    const last = this.assignmentsByPump.get(pumpId)?.at(-1);
    return last && last.to === null ? last : undefined;
  }

  /** Open assignments of a therapy (a therapy may run on more than one pump). */
  openAssignmentsOfTherapy(therapyId: string): Assignment[] {
    return [...this.assignments.values()].filter((a) => a.therapyId === therapyId && a.to === null);
  }

  /** Pumps with any assignment, for restoring the ward. */
  assignedPumps(): string[] {
    return [...this.assignmentsByPump.keys()];
  }

  /** What the ward needs of a pump's history: who and what in each interval, and the order in force. */
  intervalsFor(pumpId: string): PumpCareInterval[] {
    return this.assignmentsOf(pumpId).flatMap((assignment) => {
      const therapy = this.therapies.get(assignment.therapyId);
      if (!therapy) return [];
      const patient = therapy.patientId === null ? undefined : this.patients.get(therapy.patientId);
      return [
        {
          from: assignment.from,
          to: assignment.to,
          snapshot: {
            patient: patient
              ? { id: patient.id, displayName: patient.displayName, teamId: patient.teamId }
              : null,
            therapy: { id: therapy.id, drug: therapy.drug },
          },
          order: therapy.status === 'active' ? orderOf(therapy, pumpId) : null,
          active: therapy.status === 'active',
          schedule: therapy.schedule.kind === 'intermittent' ? therapy.schedule : null,
          endsAt: therapy.endDate ? endOfDay(therapy.endDate, this.timeZoneOf(patient?.teamId)) : null,
        },
      ];
    });
  }

  /** A team's time zone; UTC for a therapy with no patient yet. */
  private timeZoneOf(teamId: string | undefined): string {
    return (teamId === undefined ? undefined : this.teams.get(teamId)?.timeZone) ?? 'UTC';
  }

  /** Pumps whose intervals change when this therapy or its patient changes. */
  pumpsOfTherapy(therapyId: string): string[] {
    const pumps = new Set<string>();
    for (const assignment of this.assignments.values())
      if (assignment.therapyId === therapyId) pumps.add(assignment.pumpId);
    return [...pumps];
  }

  pumpsOfPatient(patientId: string): string[] {
    return [...new Set(this.therapiesOf(patientId).flatMap((therapy) => this.pumpsOfTherapy(therapy.id)))];
  }
}

/** The first instant after an ISO date in a time zone: a therapy ending on that date runs all of it. */
function endOfDay(isoDate: string, timeZone: string): number {
  return DateTime.fromISO(isoDate, { zone: timeZone }).plus({ days: 1 }).toMillis();
}

/** A therapy's order as the rules check it on one pump. */
function orderOf(therapy: Therapy, pumpId: string): StoredOrder {
  return {
    ...therapy.order,
    drug: therapy.drug,
    pumpId,
    updatedAt: therapy.updatedAt,
    updatedBy: therapy.updatedBy,
  };
}
