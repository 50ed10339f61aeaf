import { type Logger, pino } from 'pino';
import type { ErrorSink } from '../../guard.js';
import { type StoreConfig, storeConfigSchema } from '../config.js';
import type { Storage } from '../open-storage.js';
import type { ComponentHealth } from '../ports.js';
import { daysToMs, RetentionJob } from '../retention.js';
import { type MemoryStoreData, openMemoryStore } from './open-memory-store.js';

export interface MemoryStorageOptions {
  /** What an earlier memory store kept, to reopen it in the same process; empty by default. */
  data?: MemoryStoreData;
  /** Retention settings (`retentionDays`, `retentionIntervalMs`); the defaults otherwise. */
  config?: StoreConfig;
  logger?: Logger;
  now?: () => number;
  /** Where the retention timer's unexpected exceptions go (counted in /api/health). */
  onError?: ErrorSink;
}

/**
 * The server's storage with everything in memory (`store.kind: memory`): the same ports and the same
 * retention as the embedded store, no InfluxDB forwarder, and nothing survives a restart. For tests,
 * demos and trying the server without a data directory; never for patients' data.
 */
export function openMemoryStorage({
  data,
  config = storeConfigSchema.parse({ kind: 'memory' }),
  logger = pino({ level: 'silent' }),
  now = Date.now,
  onError,
}: MemoryStorageOptions = {}): Storage {
  const store = openMemoryStore(data);
  const retention = new RetentionJob({
    samples: store.samples,
    horizonMs: daysToMs(config.retentionDays),
    intervalMs: config.retentionIntervalMs,
    now,
    logger,
    ...(onError ? { onError } : {}),
  });
  retention.start();
  const storeHealth = async (): Promise<ComponentHealth> => ({
    ...(await store.health()),
    retention: retention.figures(),
  });
  return {
    samples: store.samples,
    alerts: store.alerts,
    orders: store.orders,
    pumpParams: store.pumpParams,
    security: store.security,
    care: store.care,
    oncall: store.oncall,
    contacts: store.contacts,
    retention,
    forwarder: undefined,
    health: storeHealth,
    async components() {
      return { store: await storeHealth() };
    },
    async close() {
      await retention.stop();
      await store.close();
    },
  };
}
