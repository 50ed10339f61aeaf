import { GroupCommit } from './group-commit.js';
import type { SqlConnection } from './guarded-connection.js';

interface PendingPut {
  kind: string;
  key: string;
  json: string;
}

/**
 * Records as one JSON document per (kind, key) row of a table, replaced on change: the layout of the
 * care records and the on-call records, each in a table of its own so each port owns its rows.
 *
 * Puts are group-committed as alert saves are (alert-store.ts): each commit syncs the WAL (~5–10 ms),
 * so the puts asked for while one is on disk go together in the next statement; migrating a fleet's
 * orders at start (two records per pump, migrate-orders.ts) then costs a few commits, not hundreds.
 */
export class KeyedJsonWriter<Kind extends string> {
  private readonly puts = new GroupCommit<PendingPut>((group) => this.commit(group));

  /** `table` has columns `kind`, `keyColumn` and `json` (schema.ts, oncall-store.ts). */
  constructor(
    private readonly connection: SqlConnection,
    private readonly table: string,
    private readonly keyColumn: string,
  ) {}

  /** Resolves once the record is committed (in the write-ahead log: it survives a SIGKILL). */
  put(kind: Kind, key: string, record: unknown): Promise<void> {
    // Serialised now, so a caller changing the object after `put` changes nothing stored.
    return this.puts.add({ kind, key, json: JSON.stringify(record) });
  }

  /** Resolves once every put asked for so far has committed (or failed). */
  drain(): Promise<void> {
    return this.puts.drain();
  }

  async select(kind: Kind, key?: string): Promise<Array<{ key: string; json: string }>> {
    // A read after a put sees it, as the memory store's does.
    await this.drain();
    const result = await this.connection.runAndReadAll(
      `SELECT ${this.keyColumn} AS record_key, json FROM ${this.table}
       WHERE kind = $kind${key === undefined ? '' : ` AND ${this.keyColumn} = $key`} ORDER BY ${this.keyColumn}`,
      key === undefined ? { kind } : { kind, key },
    );
    return result.getRowObjectsJS().map((row) => ({ key: String(row.record_key), json: String(row.json) }));
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
    // One statement is one transaction (autocommit): it resolves once committed.
    await this.connection.run(
      `INSERT OR REPLACE INTO ${this.table} (kind, ${this.keyColumn}, json) VALUES ${rows.join(', ')}`,
      values,
    );
  }
}
