import type { EscalationPolicy, Override, Rotation } from '@pumpwatch/protocol';
import type { OnCallStore, OnCallTable, StoredFeedToken } from '../../oncall/ports.js';
import { decodeOnCallRecord, keyOfRecord, type OnCallKind } from '../../oncall/record-kinds.js';
import type { PageRecord } from '../../paging/page-record.js';
import type { BadRowHandler } from '../quarantine.js';
import { compareText, type MemoryLifecycle } from './lifecycle.js';

/** Record JSON by key, per kind: kept as text, as the embedded store keeps it, so every read is a copy. */
export type MemoryOnCallData = Record<OnCallKind, Map<string, string>>;

export function newOnCallData(): MemoryOnCallData {
  return {
    rotations: new Map(),
    overrides: new Map(),
    policies: new Map(),
    feedTokens: new Map(),
    pages: new Map(),
  };
}

/**
 * One kind of on-call record in memory, answering as the DuckDB adapter (duckdb/oncall-store.ts):
 * ordered by key, every read checked against its schema (the contract suite holds the two equal).
 */
class MemoryOnCallTable<T> implements OnCallTable<T> {
  constructor(
    private readonly records: Map<string, string>,
    private readonly kind: OnCallKind,
    private readonly lifecycle: MemoryLifecycle,
  ) {}

  async put(record: T): Promise<void> {
    this.lifecycle.assertOpen('writes');
    this.records.set(keyOfRecord(this.kind, record), JSON.stringify(record));
  }

  async get(key: string): Promise<T | null> {
    this.lifecycle.assertOpen('queries');
    const json = this.records.get(key);
    return json === undefined ? null : decodeOnCallRecord<T>(this.kind, key, json);
  }

  async all(onBadRow?: BadRowHandler): Promise<T[]> {
    this.lifecycle.assertOpen('queries');
    const out: T[] = [];
    for (const key of [...this.records.keys()].sort(compareText)) {
      try {
        out.push(decodeOnCallRecord<T>(this.kind, key, this.records.get(key) as string));
      } catch (error) {
        if (!onBadRow) throw error;
        onBadRow(key, error);
      }
    }
    return out;
  }
}

export function openMemoryOnCallStore(data: MemoryOnCallData, lifecycle: MemoryLifecycle): OnCallStore {
  // A store's data from before pages were kept has none yet.
  data.pages ??= new Map();
  return {
    rotations: new MemoryOnCallTable<Rotation>(data.rotations, 'rotations', lifecycle),
    overrides: new MemoryOnCallTable<Override>(data.overrides, 'overrides', lifecycle),
    policies: new MemoryOnCallTable<EscalationPolicy>(data.policies, 'policies', lifecycle),
    feedTokens: new MemoryOnCallTable<StoredFeedToken>(data.feedTokens, 'feedTokens', lifecycle),
    pages: new MemoryOnCallTable<PageRecord>(data.pages, 'pages', lifecycle),
  };
}
