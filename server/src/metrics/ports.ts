import type { Alert, PumpView } from '@pumpwatch/protocol';
import type { Notifier } from '../alerts/notifiers/notifier.js';
import type { Channel } from '../paging/channels/channel.js';
import type { PagingStats } from '../paging/paging-service.js';
import type { ComponentHealth } from '../store/ports.js';
import type { EventBus } from '../ward/event-bus.js';
import type { WardEvents } from '../ward/ward-events.js';

/**
 * What the metrics read when Prometheus scrapes: figures the server already keeps for `/api/health`,
 * so no hot path (ingest, the ward) is rewired for metrics. Each is called once per scrape.
 */
export interface MetricSources {
  ingest(): {
    accepted: number;
    duplicates: number;
    hubStatuses: number;
    rejected: Readonly<Record<string, number>>;
    handlerErrors: number;
  };
  openAlerts(): readonly Alert[];
  /** Every pump's view: only counted (online, hubs online), never labelled by pump or hub. */
  pumps(): readonly PumpView[];
  websocket(): { clients: number; dropped: Readonly<Record<string, number>>; rejected: number };
  mqttConnected(): boolean;
  /** `/api/health` components: `store.pendingSamples`, `influx.backlog`, `influx.lastWriteAt`… */
  storeComponents(): Promise<Record<string, ComponentHealth>>;
  paging(): PagingStats;
  errors(): { internal: number; alertTransitions: number };
}

/**
 * The server's metrics, as the rest of the server sees them (docs/operations.md#metrics). Nothing
 * outside server/src/metrics/ imports prom-client: this port is the only way in.
 */
export interface ServerMetrics {
  /** `Content-Type` of `render()` (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** Every metric, read from its sources now. */
  render(): Promise<string>;
  /**
   * Every metric family exposed, by name and type: a histogram's series add `_bucket`, `_sum` and
   * `_count` to its name. The deploy files' test checks every dashboard and alert query against it.
   */
  families(): Array<{ name: string; type: 'counter' | 'gauge' | 'histogram' | 'summary' }>;
  /** A paging channel whose receipts are counted by channel and outcome, and timed from `raised`. */
  instrumentChannel(channel: Channel): Channel;
  /** The config tiers' webhooks, counted and timed the same way (`channel="escalation_webhook"`). */
  instrumentWebhooks(webhooks: Notifier): Notifier;
  /**
   * Starts reading `sources` at each scrape and listening to the ward's alert transitions. Call it once
   * the WebSocket is attached to the bus, so `raised → WS frame` is timed after the frame went out.
   */
  watch(bus: EventBus<WardEvents>, sources: MetricSources): void;
}
