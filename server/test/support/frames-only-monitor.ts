import type { Alert, ServerFrame } from '@pumpwatch/protocol';
import { AlertService } from '../../src/alerts/alert-service.js';
import { defaultEngineParams } from '../../src/alerts/engine/params.js';
import { defaultEscalationPolicy } from '../../src/alerts/lifecycle.js';
import { IngestStats } from '../../src/ingest/ingest-stats.js';
import { PumpMonitor } from '../../src/monitor.js';
import { PumpRegistry } from '../../src/pumps/pump-registry.js';
import type { AlertStore, SampleStore } from '../../src/store/ports.js';

/** Alerts and samples play no part: nothing is stored. */
const noAlerts: AlertStore = {
  save: async () => undefined,
  get: async () => null,
  unresolved: async (): Promise<Alert[]> => [],
  list: async (): Promise<Alert[]> => [],
  events: async () => [],
};

/**
 * A PumpMonitor with real rules and registry but no store, for what it sends: pump frame tests and
 * `npm run bench:frames`. Pump frames at most once a second per pump, `batch` pumps to a frame.
 */
export function framesOnlyMonitor(broadcast: (frame: ServerFrame) => void, batch?: number): PumpMonitor {
  return new PumpMonitor({
    registry: new PumpRegistry(600_000),
    alerts: new AlertService({
      store: noAlerts,
      params: defaultEngineParams,
      policy: defaultEscalationPolicy,
      tiers: [],
      notifiers: [],
      now: Date.now,
      onTransition: () => undefined,
      onError: () => undefined,
    }),
    samples: { append: () => undefined } as unknown as SampleStore,
    stats: new IngestStats(),
    now: Date.now,
    broadcast,
    pumpFrameIntervalMs: 1000,
    ...(batch ? { pumpFrameBatch: batch } : {}),
  });
}
