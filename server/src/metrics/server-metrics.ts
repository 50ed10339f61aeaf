import { collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import { registerAlertMetrics } from './alert-metrics.js';
import { registerFleetMetrics } from './fleet-metrics.js';
import { registerIngestMetrics } from './ingest-metrics.js';
import { registerNotificationMetrics } from './notification-metrics.js';
import type { MetricSources, ServerMetrics } from './ports.js';
import { ScrapeCache } from './scrape-cache.js';
import { registerStoreMetrics } from './store-metrics.js';

/** prom-client's declarations type `type` as a numeric enum; at run time it is the family's type name. */
const familyType = z.enum(['counter', 'gauge', 'histogram', 'summary']);

/**
 * The server's metrics on a registry of their own (not prom-client's global one: tests run several
 * servers in one process), with Node's default process metrics: CPU, memory, handles, GC and
 * event-loop lag (`nodejs_eventloop_lag_seconds`, and its percentiles from `monitorEventLoopDelay`).
 */
export function createServerMetrics(deps: { now: () => number }): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const cache = new ScrapeCache();
  let sources: MetricSources | undefined;
  const read = () => sources;

  registerIngestMetrics(registry, read);
  registerFleetMetrics(registry, read, cache);
  const alerts = registerAlertMetrics(registry, read, deps.now);
  const notifications = registerNotificationMetrics(registry, read, deps.now);
  registerStoreMetrics(registry, read, cache, deps.now);

  return {
    contentType: registry.contentType,
    render() {
      cache.next();
      return registry.metrics();
    },
    families: () =>
      registry
        .getMetricsAsArray()
        .map((metric) => ({ name: metric.name, type: familyType.parse(metric.type) })),
    instrumentChannel: (channel) => notifications.instrumentChannel(channel),
    instrumentWebhooks: (webhooks) => notifications.instrumentWebhooks(webhooks),
    watch(bus, given) {
      if (sources) throw new Error('metrics are already watching a server');
      sources = given;
      bus.on('alert', 'metrics/alerts', (transition) => {
        alerts.onTransition(transition);
        notifications.onTransition(transition);
      });
    },
  };
}
