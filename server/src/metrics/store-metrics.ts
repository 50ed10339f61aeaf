import type { Registry } from 'prom-client';
import type { ComponentHealth } from '../store/ports.js';
import { collectedCounter, collectedGauge, type Sample, type SourceReader } from './collected.js';
import type { ScrapeCache } from './scrape-cache.js';

const figure = (component: ComponentHealth | undefined, name: string): number | undefined => {
  const value = component?.[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};

/**
 * How far the forwarder is behind, in seconds: 0 with nothing waiting; otherwise since its last
 * successful write (or since it started failing, before any write). Samples waiting while writes go
 * through keep it near the batch interval; a stuck forwarder makes it grow by one each second.
 */
export function forwarderLagSeconds(influx: ComponentHealth, nowMs: number): number {
  if ((figure(influx, 'backlog') ?? 0) === 0) return 0;
  const since = figure(influx, 'lastWriteAt') ?? figure(influx, 'failingSince');
  return since === undefined ? 0 : Math.max(0, nowMs - since) / 1000;
}

/**
 * The embedded store's queue (samples appended, not yet committed) and the InfluxDB forwarder's
 * backlog and lag, read from the same components `/api/health` shows. The forwarder families are
 * empty when no InfluxDB is configured.
 */
export function registerStoreMetrics(
  registry: Registry,
  read: SourceReader,
  cache: ScrapeCache,
  now: () => number,
): void {
  const components = (sources: { storeComponents(): Promise<Record<string, ComponentHealth>> }) =>
    cache.get('store', () => sources.storeComponents());
  const fromStore =
    (pick: (store: ComponentHealth | undefined) => number | undefined) =>
    async (sources: Parameters<typeof components>[0]): Promise<Sample[]> => {
      const value = pick((await components(sources)).store);
      return value === undefined ? [] : [[{}, value]];
    };
  const fromInflux =
    (pick: (influx: ComponentHealth) => number | undefined) =>
    async (sources: Parameters<typeof components>[0]): Promise<Sample[]> => {
      const influx = (await components(sources)).influx;
      const value = influx ? pick(influx) : undefined;
      return value === undefined ? [] : [[{}, value]];
    };

  collectedGauge({
    registry,
    read,
    name: 'pumpwatch_store_up',
    help: '1 while the embedded store answers and its last commit succeeded, else 0.',
    samples: fromStore((store) => (store ? (store.ok ? 1 : 0) : undefined)),
  });
  collectedGauge({
    registry,
    read,
    name: 'pumpwatch_store_pending_samples',
    help: 'Samples appended to the embedded store and not yet committed (the group-commit queue).',
    samples: fromStore((store) => figure(store, 'pendingSamples')),
  });
  collectedGauge({
    registry,
    read,
    name: 'pumpwatch_forwarder_up',
    help: '1 while the InfluxDB forwarder reaches its destination, else 0 (absent without InfluxDB).',
    samples: fromInflux((influx) => (influx.ok ? 1 : 0)),
  });
  collectedGauge({
    registry,
    read,
    name: 'pumpwatch_forwarder_backlog_samples',
    help: 'Samples stored but not yet delivered to InfluxDB.',
    samples: fromInflux((influx) => figure(influx, 'backlog')),
  });
  collectedGauge({
    registry,
    read,
    name: 'pumpwatch_forwarder_lag_seconds',
    help: 'Seconds since the forwarder last delivered a batch while samples wait; 0 with an empty backlog.',
    samples: fromInflux((influx) => forwarderLagSeconds(influx, now())),
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_forwarder_forwarded_total',
    help: 'Samples delivered to InfluxDB since the server started.',
    samples: fromInflux((influx) => figure(influx, 'forwarded')),
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_forwarder_rejected_total',
    help: 'Samples InfluxDB refused for good (bad points); they are skipped, not retried.',
    samples: fromInflux((influx) => figure(influx, 'rejected')),
  });
}
