import type { Assignment, CareTeam, Patient, PlannedPause, Therapy } from '@pumpwatch/protocol';
import type { BadRowHandler } from '../store/quarantine.js';

/**
 * One kind of care record, keyed by its id. `put` resolves once the record is durable (committed), as
 * alert saves do: a patient, therapy, assignment or team survives a SIGKILL once `put` has resolved.
 * The whole care model is read into memory at start (a home infusion caseload is hundreds to a few
 * thousand patients), so the port needs no queries beyond `all`.
 */
export interface CareTable<T extends { id: string }> {
  put(record: T): Promise<void>;
  get(id: string): Promise<T | null>;
  /** Every record; one that fails its schema goes to `onBadRow` and is left out (store/quarantine.ts). */
  all(onBadRow?: BadRowHandler): Promise<T[]>;
}

/** Patients, their therapies, pump assignments, care teams and planned pauses (docs/care.md). Records are never deleted:
 * a patient is discharged, a therapy completed, an assignment ended — history stays. */
export interface CareStore {
  patients: CareTable<Patient>;
  therapies: CareTable<Therapy>;
  assignments: CareTable<Assignment>;
  teams: CareTable<CareTeam>;
  /** Planned disconnects of pumps (docs/care.md#planned-pauses). */
  pauses: CareTable<PlannedPause>;
}
