import type { Registry } from 'prom-client';
import { collectedCounter, collectedGauge, type SourceReader } from './collected.js';

/**
 * What came in over MQTT (IngestStats, the counts `/api/health` shows under `ingest`) and whether the
 * server is connected to its broker. Rejections are labelled by reason only: the reasons are the
 * protocol's fixed list (`ingestRejectReasons`), each present from the start at 0.
 */
export function registerIngestMetrics(registry: Registry, read: SourceReader): void {
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_ingest_samples_accepted_total',
    help: 'Telemetry samples accepted (validated, not a duplicate) since the server started.',
    samples: (sources) => [[{}, sources.ingest().accepted]],
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_ingest_samples_duplicate_total',
    help: 'Telemetry samples dropped as a repeat of a seq already received (a hub re-sending after a lost PUBACK).',
    samples: (sources) => [[{}, sources.ingest().duplicates]],
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_ingest_messages_rejected_total',
    help: 'MQTT messages refused, by reason (docs/protocol.md); each reason is counted from 0.',
    labelNames: ['reason'],
    samples: (sources) =>
      Object.entries(sources.ingest().rejected).map(([reason, count]) => [{ reason }, count] as const),
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_ingest_hub_statuses_total',
    help: 'Hub status messages (heartbeats, Last Will) received.',
    samples: (sources) => [[{}, sources.ingest().hubStatuses]],
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_ingest_handler_errors_total',
    help: 'MQTT messages whose handling threw (a bug, not bad input); the message was dropped.',
    samples: (sources) => [[{}, sources.ingest().handlerErrors]],
  });
  collectedGauge({
    registry,
    read,
    name: 'pumpwatch_mqtt_connected',
    help: '1 while the server is connected to its MQTT broker (embedded or external), else 0.',
    samples: (sources) => [[{}, sources.mqttConnected() ? 1 : 0]],
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_internal_errors_total',
    help: 'Exceptions of timers and listeners that were contained and logged (`internalErrors` in /api/health).',
    samples: (sources) => [[{}, sources.errors().internal]],
  });
}
