import type { EscalationPolicy, Override, Rotation } from '@pumpwatch/protocol';
import type { OnCallStore, OnCallTable, StoredFeedToken } from '../../oncall/ports.js';
import { decodeOnCallRecord, keyOfRecord, type OnCallKind } from '../../oncall/record-kinds.js';
import type { PageRecord } from '../../paging/page-record.js';
import type { BadRowHandler } from '../quarantine.js';
import { decodeRows } from './decode-rows.js';
import { GroupCommit } from './group-commit.js';
import type { SqlConnection } from './guarded-connection.js';

/**
 * Rotations, overrides, escalation policies and feed-token hashes (docs/oncall.md), one JSON document
 * per record keyed by kind and key, replaced on change: the care records' layout (care-store.ts), in a
 * table of its own so each port owns its rows. A few dozen records, read whole at start.
 */
export const onCallSchemaStatements = [
  `CREATE TABLE IF NOT EXISTS oncall_records (
     kind VARCHAR NOT NULL,
     record_key VARCHAR NOT NULL,
     json VARCHAR NOT NULL,
     PRIMARY KEY (kind, record_key)
   )`,
];

interface PendingPut {
  kind: OnCallKind;
  key: string;
  json: string;
}

/** Group-committed puts (group-commit.ts), as care records are: a rota saved whole costs one commit. */
class DuckDbOnCallWriter {
  private readonly puts = new GroupCommit<PendingPut>((group) => this.commit(group));

  constructor(private readonly connection: SqlConnection) {}

  /** Resolves once committed (in the write-ahead log: it survives a SIGKILL). */
  put(kind: OnCallKind, record: unknown): Promise<void> {
    // Serialised now, so a caller changing the object after `put` changes nothing stored.
    return this.puts.add({ kind, key: keyOfRecord(kind, record), json: JSON.stringify(record) });
  }

  drain(): Promise<void> {
    return this.puts.drain();
  }

  private async commit(group: PendingPut[]): Promise<void> {
    // One row per key, the newest: DuckDB refuses a statement that inserts the same key twice.
    const latest = new Map<string, PendingPut>();
    for (const put of group) latest.set(`${put.kind}\u0000${put.key}`, put);
    const values: Record<string, string> = {};
    const rows = [...latest.values()].map((put, i) => {
      values[`kind${i}`] = put.kind;
      values[`key${i}`] = put.key;
      values[`json${i}`] = put.json;
      return `($kind${i}, $key${i}, $json${i})`;
    });
    await this.connection.run(
      `INSERT OR REPLACE INTO oncall_records (kind, record_key, json) VALUES ${rows.join(', ')}`,
      values,
    );
  }

  async select(kind: OnCallKind, key?: string): Promise<Array<{ key: string; json: string }>> {
    // A read after a put sees it, as the memory store's does.
    await this.drain();
    const result = await this.connection.runAndReadAll(
      `SELECT record_key, json FROM oncall_records
       WHERE kind = $kind${key === undefined ? '' : ' AND record_key = $key'} ORDER BY record_key`,
      key === undefined ? { kind } : { kind, key },
    );
    return result.getRowObjectsJS().map((row) => ({ key: String(row.record_key), json: String(row.json) }));
  }
}

class DuckDbOnCallTable<T> implements OnCallTable<T> {
  constructor(
    private readonly writer: DuckDbOnCallWriter,
    private readonly kind: OnCallKind,
  ) {}

  put(record: T): Promise<void> {
    return this.writer.put(this.kind, record);
  }

  async get(key: string): Promise<T | null> {
    const [row] = await this.writer.select(this.kind, key);
    return row ? decodeOnCallRecord<T>(this.kind, row.key, row.json) : null;
  }

  async all(onBadRow?: BadRowHandler): Promise<T[]> {
    return decodeRows(
      await this.writer.select(this.kind),
      (row) => decodeOnCallRecord<T>(this.kind, row.key, row.json),
      (row) => row.key,
      onBadRow,
    );
  }
}

export interface DuckDbOnCallStore extends OnCallStore {
  /** Resolves once every put asked for so far has committed (or failed): close waits for it. */
  drain(): Promise<void>;
}

export function openDuckDbOnCallStore(connection: SqlConnection): DuckDbOnCallStore {
  const writer = new DuckDbOnCallWriter(connection);
  return {
    rotations: new DuckDbOnCallTable<Rotation>(writer, 'rotations'),
    overrides: new DuckDbOnCallTable<Override>(writer, 'overrides'),
    policies: new DuckDbOnCallTable<EscalationPolicy>(writer, 'policies'),
    feedTokens: new DuckDbOnCallTable<StoredFeedToken>(writer, 'feedTokens'),
    pages: new DuckDbOnCallTable<PageRecord>(writer, 'pages'),
    drain: () => writer.drain(),
  };
}
