import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { PumpwatchError } from '../../errors.js';
import { GuardedConnection, type SqlConnection } from './guarded-connection.js';

/**
 * Alert state and its event log live in a database file of their own, `alerts.duckdb` next to
 * `pumpwatch.duckdb`. DuckDB serialises commits and checkpoints per database: sharing the samples' file,
 * an alert's commit waited behind the sample moves and, at every automatic checkpoint, for up to a
 * second — the tail of publish → alert-frame latency (docs/benchmarks.md). Alerts are few and small, so
 * their own file commits in milliseconds whatever the telemetry rate.
 */
export const alertSchemaStatements = [
  `CREATE TABLE IF NOT EXISTS alerts (
     id VARCHAR PRIMARY KEY,
     pump_id VARCHAR NOT NULL,
     status VARCHAR NOT NULL,
     raised_at BIGINT NOT NULL,
     alert_json VARCHAR NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS alert_events (
     event_id BIGINT PRIMARY KEY,
     alert_id VARCHAR NOT NULL,
     type VARCHAR NOT NULL,
     event_at BIGINT NOT NULL,
     actor VARCHAR NOT NULL,
     alert_json VARCHAR NOT NULL,
     details_json VARCHAR
   )`,
];

export interface AlertDatabase {
  writer: SqlConnection;
  reader: SqlConnection;
  /** Waits for running statements, then closes (see GuardedConnection). */
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the alert database. `legacy` is the main database's connection: a store
 * made before alerts had their own file keeps them in `pumpwatch.duckdb`, and they move here once.
 */
export async function openAlertDatabase(dataDir: string, legacy: SqlConnection): Promise<AlertDatabase> {
  const path = dataDir === ':memory:' ? ':memory:' : join(dataDir, 'alerts.duckdb');
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, { threads: '1', memory_limit: '256MB' });
  } catch (error) {
    throw new PumpwatchError('STORE_OPEN_FAILED', `cannot open the alert store at ${path}: ${String(error)}`);
  }
  const setup = await instance.connect();
  try {
    for (const statement of alertSchemaStatements) await setup.run(statement);
    await moveLegacyAlerts(legacy, setup);
    // Event ids continue past whatever is stored, moved or not, so no crash between the move and this
    // line can make the sequence hand out an id already taken. Created with its start rather than
    // altered afterwards (no ALTER: see schema.ts on DuckDB's write-ahead log).
    const stored = await setup.runAndReadAll('SELECT coalesce(max(event_id), 0) AS id FROM alert_events');
    const nextEventId = Number(stored.getRowObjectsJS()[0]?.id ?? 0) + 1;
    await setup.run(`CREATE SEQUENCE IF NOT EXISTS alert_event_seq START ${nextEventId}`);
  } finally {
    setup.closeSync();
  }
  const writer = new GuardedConnection(await instance.connect(), 'alert writer');
  const reader = new GuardedConnection(await instance.connect(), 'alert reader');
  return {
    writer,
    reader,
    async close() {
      await Promise.all([writer.close(), reader.close()]);
      instance.closeSync();
    },
  };
}

/**
 * Copies alerts and events out of the main database, then drops them there. Safe to repeat after a crash
 * at any point: the copy replaces whatever an interrupted run left, and the old tables go only once the
 * copy is committed.
 */
async function moveLegacyAlerts(legacy: SqlConnection, target: SqlConnection): Promise<void> {
  const tables = await legacy.runAndReadAll(
    `SELECT table_name FROM duckdb_tables()
      WHERE database_name = current_database() AND table_name IN ('alerts', 'alert_events')`,
  );
  if (tables.currentRowCount < 2) return;
  const alerts = (await legacy.runAndReadAll('SELECT * FROM alerts')).getRowObjectsJS();
  const events = (
    await legacy.runAndReadAll('SELECT * FROM alert_events ORDER BY event_id')
  ).getRowObjectsJS();
  await target.run('BEGIN TRANSACTION');
  await target.run('DELETE FROM alert_events');
  await target.run('DELETE FROM alerts');
  for (const row of alerts) {
    await target.run('INSERT INTO alerts VALUES ($id, $pump, $status, $raised, $json)', {
      id: String(row.id),
      pump: String(row.pump_id),
      status: String(row.status),
      raised: BigInt(row.raised_at as bigint),
      json: String(row.alert_json),
    });
  }
  for (const row of events) {
    await target.run(
      'INSERT INTO alert_events VALUES ($event, $alert, $type, $at, $actor, $json, $details)',
      {
        event: BigInt(row.event_id as bigint),
        alert: String(row.alert_id),
        type: String(row.type),
        at: BigInt(row.event_at as bigint),
        actor: String(row.actor),
        json: String(row.alert_json),
        details: row.details_json === null ? null : String(row.details_json),
      },
    );
  }
  await target.run('COMMIT');
  await target.run('CHECKPOINT');
  // Only once the copy is on disk: a crash before this line leaves the old tables to copy again.
  for (const statement of [
    'DROP TABLE alert_events',
    'DROP TABLE alerts',
    'DROP SEQUENCE IF EXISTS alert_event_seq',
    'CHECKPOINT',
  ])
    await legacy.run(statement);
}
