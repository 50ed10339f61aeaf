import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { PumpwatchError } from '../../errors.js';
import type { Store } from '../ports.js';
import { DuckDbAlertStore } from './alert-store.js';
import { DuckDbOrderStore } from './order-store.js';
import { DuckDbSampleStore } from './sample-store.js';
import { schemaStatements } from './schema.js';

export interface DuckDbStoreOptions {
  /** Directory for `pumpwatch.duckdb`; `:memory:` keeps everything in memory (tests only). */
  dataDir: string;
  /** How often buffered samples are flushed (committed). */
  flushIntervalMs?: number;
}

export interface DuckDbStore extends Store {
  samples: DuckDbSampleStore;
  alerts: DuckDbAlertStore;
  orders: DuckDbOrderStore;
}

/** Opens (creating if needed) the embedded store. Recovers from the write-ahead log after a crash. */
export async function openDuckDbStore({
  dataDir,
  flushIntervalMs = 200,
}: DuckDbStoreOptions): Promise<DuckDbStore> {
  let path = ':memory:';
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true });
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
  for (const statement of schemaStatements) await setup.run(statement);
  setup.closeSync();

  const sampleWriter = await instance.connect();
  const alertWriter = await instance.connect();
  const reader = await instance.connect();
  const appender = await sampleWriter.createAppender('samples');
  const samples = new DuckDbSampleStore(appender, reader);
  const alerts = new DuckDbAlertStore(alertWriter, reader);
  // Orders get their own connection: a write there must never land inside an alert transaction.
  const orderConnection = await instance.connect();
  const orders = new DuckDbOrderStore(orderConnection);

  let lastFlushError: string | undefined;
  const timer = setInterval(() => {
    samples.flush().then(
      () => {
        lastFlushError = undefined;
      },
      (error: unknown) => {
        lastFlushError = String(error);
      },
    );
  }, flushIntervalMs);
  timer.unref();

  return {
    samples,
    alerts,
    orders,
    async health() {
      if (lastFlushError) return { ok: false, detail: `sample flush failed: ${lastFlushError}` };
      try {
        await reader.run('SELECT 1');
        return { ok: true };
      } catch (error) {
        return { ok: false, detail: String(error) };
      }
    },
    async close() {
      clearInterval(timer);
      await samples.flush();
      await alerts.drain();
      appender.closeSync();
      for (const connection of [sampleWriter, alertWriter, orderConnection, reader]) connection.closeSync();
      instance.closeSync();
    },
  };
}
