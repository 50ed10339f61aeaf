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
import { GroupCommit } from './group-commit.js';
import type { SqlConnection } from './guarded-connection.js';

/** The `kind` column of `care_records`: which table of the port a row belongs to. */
export type CareKind = keyof CareStore;

interface PendingPut {
  kind: CareKind;
  id: string;
  json: string;
}

/**
 * Care records in the embedded store (`care_records`, schema.ts): one JSON document per record, keyed by
 * kind and id, replaced on change.
 *
 * Puts are group-committed as alert saves are (alert-store.ts): each commit syncs the WAL (~5–10 ms),
 * so the puts asked for while one is on disk go together in the next statement; migrating a fleet's
 * orders at start (two records per pump, migrate-orders.ts) then costs a few commits, not hundreds.
 */
class DuckDbCareWriter {
  private readonly puts = new GroupCommit<PendingPut>((group) => this.commit(group));

  constructor(private readonly connection: SqlConnection) {}

  /** Resolves once the record is committed (in the write-ahead log: it survives a SIGKILL). */
  put(kind: CareKind, record: { id: string }): Promise<void> {
    // Serialised now, so a caller changing the object after `put` changes nothing stored.
    return this.puts.add({ kind, id: record.id, json: JSON.stringify(record) });
  }

  /** Resolves once every put asked for so far has committed (or failed). */
  drain(): Promise<void> {
    return this.puts.drain();
  }

  private async commit(group: PendingPut[]): Promise<void> {
    // One row per key, the newest: DuckDB refuses a statement that inserts the same key twice.
    const latest = new Map<string, PendingPut>();
    for (const put of group) latest.set(`${put.kind}\u0000${put.id}`, put);
    const values: Record<string, string> = {};
    const rows = [...latest.values()].map((put, i) => {
      values[`kind${i}`] = put.kind;
      values[`id${i}`] = put.id;
      values[`json${i}`] = put.json;
      return `($kind${i}, $id${i}, $json${i})`;
    });
    // One statement is one transaction (autocommit): it resolves once committed.
    await this.connection.run(
      `INSERT OR REPLACE INTO care_records (kind, id, json) VALUES ${rows.join(', ')}`,
      values,
    );
  }

  async select(kind: CareKind, id?: string): Promise<Array<{ id: string; json: string }>> {
    // A read after a put sees it, as the memory store's does.
    await this.drain();
    const result = await this.connection.runAndReadAll(
      `SELECT id, json FROM care_records WHERE kind = $kind${id === undefined ? '' : ' AND id = $id'}
       ORDER BY id`,
      id === undefined ? { kind } : { kind, id },
    );
    return result.getRowObjectsJS().map((row) => ({ id: String(row.id), json: String(row.json) }));
  }
}

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
    private readonly writer: DuckDbCareWriter,
    private readonly kind: CareKind,
  ) {}

  put(record: T): Promise<void> {
    return this.writer.put(this.kind, record);
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
      (row) => row.id,
      onBadRow,
    );
  }

  /** Undecodable JSON, a schema failure, or an id other than the key it was stored under all throw. */
  private decode(row: { id: string; json: string }): T {
    const record = schemas[this.kind].parse(JSON.parse(row.json)) as unknown as T;
    if (record.id !== row.id) throw new Error(`care record stored as ${row.id} carries id ${record.id}`);
    return record;
  }
}

/** The CareStore port on the embedded store (server/src/care/ports.ts, docs/storage.md#care-records). */
export interface DuckDbCareStore extends CareStore {
  /** Resolves once every put asked for so far has committed (or failed): close waits for it. */
  drain(): Promise<void>;
}

export function openDuckDbCareStore(connection: SqlConnection): DuckDbCareStore {
  const writer = new DuckDbCareWriter(connection);
  return {
    patients: new DuckDbCareTable<Patient>(writer, 'patients'),
    therapies: new DuckDbCareTable<Therapy>(writer, 'therapies'),
    assignments: new DuckDbCareTable<Assignment>(writer, 'assignments'),
    teams: new DuckDbCareTable<CareTeam>(writer, 'teams'),
    pauses: new DuckDbCareTable<PlannedPause>(writer, 'pauses'),
    drain: () => writer.drain(),
  };
}
