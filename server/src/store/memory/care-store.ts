import {
  type Assignment,
  assignmentSchema,
  type CareTeam,
  careTeamSchema,
  type Patient,
  type PlannedPause,
  patientSchema,
  plannedPauseSchema,
  type Therapy,
  therapySchema,
} from '@pumpwatch/protocol';
import type { z } from 'zod';
import type { CareStore, CareTable } from '../../care/ports.js';
import type { BadRowHandler } from '../quarantine.js';
import { compareText, type MemoryLifecycle } from './lifecycle.js';

type CareKind = keyof CareStore;

/** Record JSON by id, per kind. Kept as JSON text, as the embedded store keeps it, so every read is a copy. */
export type MemoryCareData = Record<CareKind, Map<string, string>>;

export function newCareData(): MemoryCareData {
  return {
    patients: new Map(),
    therapies: new Map(),
    assignments: new Map(),
    teams: new Map(),
    pauses: new Map(),
  };
}

const schemas = {
  patients: patientSchema,
  therapies: therapySchema,
  assignments: assignmentSchema,
  teams: careTeamSchema,
  pauses: plannedPauseSchema,
} satisfies Record<CareKind, z.ZodType>;

/**
 * One kind of care record in memory, answering as the DuckDB adapter (duckdb/care-store.ts): ordered by
 * id, and every read checked against the protocol schema, so a record that fails it is quarantined here
 * as it would be there (the contract suite holds the two equal).
 */
class MemoryCareTable<T extends { id: string }> implements CareTable<T> {
  constructor(
    private readonly records: Map<string, string>,
    private readonly schema: z.ZodType,
    private readonly lifecycle: MemoryLifecycle,
  ) {}

  async put(record: T): Promise<void> {
    this.lifecycle.assertOpen('writes');
    this.records.set(record.id, JSON.stringify(record));
  }

  /** Null when absent; a stored record that fails its schema throws, as in the embedded store. */
  async get(id: string): Promise<T | null> {
    this.lifecycle.assertOpen('queries');
    const json = this.records.get(id);
    return json === undefined ? null : this.decode(id, json);
  }

  async all(onBadRow?: BadRowHandler): Promise<T[]> {
    this.lifecycle.assertOpen('queries');
    const out: T[] = [];
    for (const id of [...this.records.keys()].sort(compareText)) {
      try {
        out.push(this.decode(id, this.records.get(id) as string));
      } catch (error) {
        if (!onBadRow) throw error;
        onBadRow(id, error);
      }
    }
    return out;
  }

  private decode(id: string, json: string): T {
    const record = this.schema.parse(JSON.parse(json)) as T;
    if (record.id !== id) throw new Error(`care record stored as ${id} carries id ${record.id}`);
    return record;
  }
}

/** The CareStore port in memory; `data` is what a memory store keeps (open-memory-store.ts). */
export function openMemoryCareStore(data: MemoryCareData, lifecycle: MemoryLifecycle): CareStore {
  return {
    patients: new MemoryCareTable<Patient>(data.patients, schemas.patients, lifecycle),
    therapies: new MemoryCareTable<Therapy>(data.therapies, schemas.therapies, lifecycle),
    assignments: new MemoryCareTable<Assignment>(data.assignments, schemas.assignments, lifecycle),
    teams: new MemoryCareTable<CareTeam>(data.teams, schemas.teams, lifecycle),
    pauses: new MemoryCareTable<PlannedPause>(data.pauses, schemas.pauses, lifecycle),
  };
}
