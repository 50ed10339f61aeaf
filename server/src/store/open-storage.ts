import type { Logger } from 'pino';
import type { ErrorSink } from '../guard.js';
import type { StoreConfig } from './config.js';
import { openDuckDbStore } from './duckdb/open-duckdb-store.js';
import { SampleForwarder } from './forward/forwarder.js';
import { createInfluxSink } from './influx/create-sink.js';
import { openMemoryStorage } from './memory/open-memory-storage.js';
import type { ComponentHealth, Store } from './ports.js';
import { daysToMs, RetentionJob } from './retention.js';

export interface StorageOptions {
  /** Directory of the embedded store; `:memory:` for tests. Not used by `config.kind: 'memory'`. */
  dataDir: string;
  config: StoreConfig;
  logger: Logger;
  now: () => number;
  /** Where timers' and loops' unexpected exceptions go (counted in /api/health). */
  onError?: ErrorSink;
}

export interface Storage extends Store {
  /** `/api/health` components: `store`, and `influx` when InfluxDB is configured. */
  components(): Promise<Record<string, ComponentHealth>>;
  readonly retention: RetentionJob;
  readonly forwarder: SampleForwarder | undefined;
}

/**
 * The server's storage (docs/storage.md, docs/decisions/0005-influxdb-forwarding-from-the-embedded-store.md):
 * the embedded store always holds samples, alerts and orders and answers every query; with InfluxDB
 * configured, a forwarder delivers each stored sample there too, reading the embedded store as its
 * durable spool. `config.kind: 'memory'` keeps all of
 * it in memory instead (memory/), lost at every restart.
 */
export async function openStorage({
  dataDir,
  config,
  logger,
  now,
  onError,
}: StorageOptions): Promise<Storage> {
  if (config.kind === 'memory') {
    logger.warn(
      { store: 'memory' },
      'store.kind is memory: samples, alerts, orders, users and the audit log are lost when the server stops',
    );
    return openMemoryStorage({ config, logger, now, ...(onError ? { onError } : {}) });
  }
  const embedded = await openDuckDbStore({
    dataDir,
    flushIntervalMs: config.flushIntervalMs,
    ...(onError ? { onError } : {}),
  });
  const retention = new RetentionJob({
    samples: embedded.samples,
    horizonMs: daysToMs(config.retentionDays),
    intervalMs: config.retentionIntervalMs,
    now,
    logger,
    ...(onError ? { onError } : {}),
  });
  let forwarder: SampleForwarder | undefined;
  try {
    if (config.influx) {
      const { measurement } = config.influx;
      forwarder = new SampleForwarder({
        spool: embedded.spool,
        sink: createInfluxSink(config.influx),
        measurement,
        logger: logger.child({ component: 'influx' }),
        now,
        batchSize: config.influx.batchSize,
        retryMaxMs: config.influx.retryMaxMs,
        ...(onError ? { onError } : {}),
      });
      await forwarder.start();
    }
  } catch (error) {
    await embedded.close();
    throw error;
  }
  retention.start();

  const storeHealth = async (): Promise<ComponentHealth> => ({
    ...(await embedded.health()),
    retention: retention.figures(),
  });
  return {
    samples: embedded.samples,
    alerts: embedded.alerts,
    orders: embedded.orders,
    pumpParams: embedded.pumpParams,
    security: embedded.security,
    care: embedded.care,
    oncall: embedded.oncall,
    contacts: embedded.contacts,
    retention,
    forwarder,
    health: storeHealth,
    async components() {
      return { store: await storeHealth(), ...(forwarder ? { influx: forwarder.health() } : {}) };
    },
    async close() {
      await retention.stop();
      await forwarder?.stop();
      await embedded.close();
    },
  };
}
