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
import { decodeRows } from './decode-rows.js';
import type { SqlConnection } from './guarded-connection.js';
import { KeyedJsonWriter } from './keyed-json-writer.js';

/** The `kind` column of `care_records`: which table of the port a row belongs to. */
export type CareKind = keyof CareStore;

const schemas = {
  patients: patientSchema,
  therapies: therapySchema,
  assignments: assignmentSchema,
  teams: careTeamSchema,
  pauses: plannedPauseSchema,
} satisfies Record<CareKind, z.ZodType>;

/**
 * One kind of care record. Every read checks the record against its protocol schema: a record the
 * server once stored can still be poison at the next start (written before a check existed, or damaged
 * on disk), as orders and alerts can (store/quarantine.ts).
 */
class DuckDbCareTable<T extends { id: string }> implements CareTable<T> {
  constructor(
    private readonly writer: KeyedJsonWriter<CareKind>,
    private readonly kind: CareKind,
  ) {}

  put(record: T): Promise<void> {
    return this.writer.put(this.kind, record.id, record);
  }

  /** Null when absent; a stored record that fails its schema throws (it is there: null would be a lie). */
  async get(id: string): Promise<T | null> {
    const [row] = await this.writer.select(this.kind, id);
    return row ? this.decode(row) : null;
  }

  /** By id; a row that does not decode goes to `onBadRow` and is left out (without one, it throws). */
  async all(onBadRow?: BadRowHandler): Promise<T[]> {
    return decodeRows(
      await this.writer.select(this.kind),
      (row) => this.decode(row),
      (row) => row.key,
      onBadRow,
    );
  }

  /** Undecodable JSON, a schema failure, or an id other than the key it was stored under all throw. */
  private decode(row: { key: string; json: string }): T {
    const record = schemas[this.kind].parse(JSON.parse(row.json)) as unknown as T;
    if (record.id !== row.key) throw new Error(`care record stored as ${row.key} carries id ${record.id}`);
    return record;
  }
}

/** The CareStore port on the embedded store (server/src/care/ports.ts, docs/storage.md#care-records). */
export interface DuckDbCareStore extends CareStore {
  /** Resolves once every put asked for so far has committed (or failed): close waits for it. */
  drain(): Promise<void>;
}

export function openDuckDbCareStore(connection: SqlConnection): DuckDbCareStore {
  // Care records (`care_records`, schema.ts): one JSON document per record, keyed by kind and id.
  const writer = new KeyedJsonWriter<CareKind>(connection, 'care_records', 'id');
  return {
    patients: new DuckDbCareTable<Patient>(writer, 'patients'),
    therapies: new DuckDbCareTable<Therapy>(writer, 'therapies'),
    assignments: new DuckDbCareTable<Assignment>(writer, 'assignments'),
    teams: new DuckDbCareTable<CareTeam>(writer, 'teams'),
    pauses: new DuckDbCareTable<PlannedPause>(writer, 'pauses'),
    drain: () => writer.drain(),
  };
}
