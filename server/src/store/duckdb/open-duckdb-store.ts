import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { StoredOrder } from '@pumpwatch/protocol';
import { PumpwatchError } from '../../errors.js';
import { type ErrorSink, guarded as guardedCallback, logToConsole } from '../../guard.js';
import type { Store, StoredPumpParams } from '../ports.js';
import { keepPrivate, makePrivateDir } from '../private-files.js';
import { type AlertDatabase, openAlertDatabase } from './alert-database.js';
import { DuckDbAlertStore } from './alert-store.js';
import { type DuckDbCareStore, openDuckDbCareStore } from './care-store.js';
import { contactSchemaStatements, DuckDbContactStore } from './contact-store.js';
import { GuardedConnection } from './guarded-connection.js';
import { type DuckDbOnCallStore, onCallSchemaStatements, openDuckDbOnCallStore } from './oncall-store.js';
import { PumpJsonTable } from './pump-json-table.js';
import { DuckDbSampleSpool } from './sample-spool.js';
import { DuckDbSampleStore } from './sample-store.js';
import { epochMigration, ingestIdMigration, STAGING, schemaStatements } from './schema.js';
import { DuckDbSecurityStore, securitySchemaStatements } from './security-store.js';

export interface DuckDbStoreOptions {
  /** Directory for `pumpwatch.duckdb`; `:memory:` keeps everything in memory (tests only). */
  dataDir: string;
  /** How often buffered samples are flushed (committed): the most a SIGKILL can lose. */
  flushIntervalMs?: number;
  /** Rows per retention delete transaction. */
  pruneChunk?: number;
  /** Where an exception of the flush timer goes (counted in /api/health). */
  onError?: ErrorSink;
}

export interface DuckDbStore extends Store {
  samples: DuckDbSampleStore;
  alerts: DuckDbAlertStore;
  orders: PumpJsonTable<StoredOrder>;
  pumpParams: PumpJsonTable<StoredPumpParams>;
  security: DuckDbSecurityStore;
  care: DuckDbCareStore;
  oncall: DuckDbOnCallStore;
  contacts: DuckDbContactStore;
  /** The samples table read in order by forwarders (InfluxDB). */
  spool: DuckDbSampleSpool;
}

/** Opens (creating if needed) the embedded store. Recovers from the write-ahead log after a crash. */
export async function openDuckDbStore({
  dataDir,
  flushIntervalMs = 100,
  pruneChunk,
  onError = logToConsole,
}: DuckDbStoreOptions): Promise<DuckDbStore> {
  let path = ':memory:';
  if (dataDir !== ':memory:') {
    // 0700, and its files 0600 (private-files.ts): DuckDB wrote them 0644 (issue #11).
    makePrivateDir(dataDir);
    path = join(dataDir, 'pumpwatch.duckdb');
  }
  let instance: DuckDBInstance;
  try {
    // Bounded memory: the server shares a small machine with its broker.
    instance = await DuckDBInstance.create(path, { threads: '2', memory_limit: '1GB' });
  } catch (error) {
    throw new PumpwatchError(
      'STORE_OPEN_FAILED',
      `cannot open the embedded store at ${path}: ${String(error)}`,
    );
  }
  const setup = await instance.connect();
  for (const statement of [
    ...schemaStatements,
    ...securitySchemaStatements,
    ...contactSchemaStatements,
    ...onCallSchemaStatements,
  ])
    await setup.run(statement);
  const columns = await setup.runAndReadAll(
    `SELECT 1 FROM duckdb_columns() WHERE database_name = current_database()
       AND table_name = 'samples' AND column_name = 'ingest_id'`,
  );
  if (columns.currentRowCount === 0) {
    for (const statement of ingestIdMigration) await setup.run(statement);
  }
  const epochColumn = await setup.runAndReadAll(
    `SELECT 1 FROM duckdb_columns() WHERE database_name = current_database()
       AND table_name = 'samples' AND column_name = 'epoch'`,
  );
  if (epochColumn.currentRowCount === 0) {
    for (const statement of epochMigration) await setup.run(statement);
  }
  const maxId = await setup.runAndReadAll('SELECT coalesce(max(ingest_id), 0) AS id FROM samples');
  const nextId = Number(maxId.getRowObjectsJS()[0]?.id ?? 0) + 1;
  let alertDb: AlertDatabase;
  try {
    alertDb = await openAlertDatabase(dataDir, setup);
  } catch (error) {
    setup.closeSync();
    instance.closeSync();
    throw error;
  }
  setup.closeSync();
  const modes = dataDir === ':memory:' ? undefined : keepPrivate(dataDir, onError);

  // The appender's connection runs no statements: appends and its flush are synchronous.
  const sampleWriter = await instance.connect();
  const guarded = async (name: string) => new GuardedConnection(await instance.connect(), name);
  const mover = await guarded('sample mover');
  const pruner = await guarded('retention');
  const spoolConnection = await guarded('spool');
  const reader = await guarded('reader');
  const appender = await sampleWriter.createAppender('samples', 'main', STAGING);
  let spool: DuckDbSampleSpool | undefined;
  const samples = new DuckDbSampleStore({
    appender,
    mover,
    reader,
    pruner,
    nextId,
    ...(pruneChunk ? { pruneChunk } : {}),
    forwardedUpTo: () => (spool as DuckDbSampleSpool).forwardedUpTo(),
  });
  spool = new DuckDbSampleSpool(samples, spoolConnection);
  const alerts = new DuckDbAlertStore(alertDb.writer, alertDb.reader);
  // Orders and rule settings share a connection of their own: single statements, written by admins.
  const orderConnection = await guarded('orders');
  const orders = new PumpJsonTable<StoredOrder>(orderConnection, 'orders');
  const pumpParams = new PumpJsonTable<StoredPumpParams>(orderConnection, 'pump_params');
  const securityConnection = await guarded('security');
  const security = new DuckDbSecurityStore(securityConnection);
  // Care records on a connection of their own: their group commits never queue behind an order's.
  const careConnection = await guarded('care');
  const care = openDuckDbCareStore(careConnection);
  // Rotas and escalation policies share it: a handful of records, the same group-commit pattern.
  const oncall = openDuckDbOnCallStore(careConnection);
  // Paging contacts on their own connection: their transactions (BEGIN … COMMIT) share it with nobody.
  const contactConnection = await guarded('contacts');
  const contacts = new DuckDbContactStore(contactConnection);

  let lastFlushError: string | undefined;
  const timer = setInterval(
    guardedCallback(
      'store/flush',
      () =>
        samples.flush().then(
          () => {
            lastFlushError = undefined;
          },
          (error: unknown) => {
            lastFlushError = String(error);
          },
        ),
      onError,
    ),
    flushIntervalMs,
  );
  timer.unref();

  return {
    samples,
    alerts,
    orders,
    pumpParams,
    security,
    care,
    oncall,
    contacts,
    spool,
    async health() {
      const figures = { pendingSamples: samples.pendingRows };
      if (lastFlushError) {
        return {
          ok: false,
          code: 'STORE_FLUSH_FAILED',
          detail: `sample flush failed: ${lastFlushError}`,
          ...figures,
        };
      }
      try {
        await reader.run('SELECT 1');
        await alertDb.reader.run('SELECT 1');
        return { ok: true, ...figures };
      } catch (error) {
        return { ok: false, code: 'STORE_UNAVAILABLE', detail: String(error), ...figures };
      }
    },
    async close() {
      clearInterval(timer);
      // Commit what was appended; close every connection even if that commit failed (thrown at the end).
      let flushError: unknown;
      await samples.flush().catch((error: unknown) => {
        flushError = error;
      });
      await samples.idle();
      await alerts.drain();
      await care.drain();
      await oncall.drain();
      await contacts.drain();
      appender.closeSync();
      await Promise.all(
        [
          mover,
          pruner,
          spoolConnection,
          orderConnection,
          securityConnection,
          careConnection,
          contactConnection,
          reader,
        ].map((connection) => connection.close()),
      );
      sampleWriter.closeSync();
      instance.closeSync();
      await alertDb.close();
      modes?.close();
      if (flushError !== undefined) {
        throw new PumpwatchError(
          'STORE_FLUSH_FAILED',
          `samples not committed at close: ${String(flushError)}`,
        );
      }
    },
  };
}
