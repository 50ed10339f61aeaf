import type { EscalationPolicy, Override, Rotation } from '@pumpwatch/protocol';
import type { OnCallStore, OnCallTable, StoredFeedToken } from '../../oncall/ports.js';
import { decodeOnCallRecord, keyOfRecord, type OnCallKind } from '../../oncall/record-kinds.js';
import type { PageRecord } from '../../paging/page-record.js';
import type { BadRowHandler } from '../quarantine.js';
import { decodeRows } from './decode-rows.js';
import type { SqlConnection } from './guarded-connection.js';
import { KeyedJsonWriter } from './keyed-json-writer.js';

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

class DuckDbOnCallTable<T> implements OnCallTable<T> {
  constructor(
    private readonly writer: KeyedJsonWriter<OnCallKind>,
    private readonly kind: OnCallKind,
  ) {}

  put(record: T): Promise<void> {
    return this.writer.put(this.kind, keyOfRecord(this.kind, record), record);
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
  const writer = new KeyedJsonWriter<OnCallKind>(connection, 'oncall_records', 'record_key');
  return {
    rotations: new DuckDbOnCallTable<Rotation>(writer, 'rotations'),
    overrides: new DuckDbOnCallTable<Override>(writer, 'overrides'),
    policies: new DuckDbOnCallTable<EscalationPolicy>(writer, 'policies'),
    feedTokens: new DuckDbOnCallTable<StoredFeedToken>(writer, 'feedTokens'),
    pages: new DuckDbOnCallTable<PageRecord>(writer, 'pages'),
    drain: () => writer.drain(),
  };
}
