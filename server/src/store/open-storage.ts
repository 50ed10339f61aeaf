import type { Logger } from 'pino';
import type { StoreConfig } from './config.js';
import { type DuckDbStore, openDuckDbStore } from './duckdb/open-duckdb-store.js';
import { SampleForwarder } from './forward/forwarder.js';
import { createInfluxSink } from './influx/create-sink.js';
import type { ComponentHealth, Store } from './ports.js';
import { daysToMs, RetentionJob } from './retention.js';

export interface StorageOptions {
  /** Directory of the embedded store; `:memory:` for tests. */
  dataDir: string;
  config: StoreConfig;
  logger: Logger;
  now: () => number;
}

export interface Storage extends Store {
  /** `/api/health` components: `store`, and `influx` when InfluxDB is configured. */
  components(): Promise<Record<string, ComponentHealth>>;
  readonly retention: RetentionJob;
  readonly forwarder: SampleForwarder | undefined;
  readonly embedded: DuckDbStore;
}

/**
 * The server's storage (docs/storage.md, docs/decisions/0003): the embedded store always holds samples,
 * alerts and orders and answers every query; with InfluxDB configured, a forwarder delivers each stored
 * sample there too, reading the embedded store as its durable spool.
 */
export async function openStorage({ dataDir, config, logger, now }: StorageOptions): Promise<Storage> {
  const embedded = await openDuckDbStore({ dataDir, flushIntervalMs: config.flushIntervalMs });
  const retention = new RetentionJob({
    samples: embedded.samples,
    horizonMs: daysToMs(config.retentionDays),
    intervalMs: config.retentionIntervalMs,
    now,
    logger,
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
    retention,
    forwarder,
    embedded,
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
