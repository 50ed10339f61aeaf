import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ErrorSink } from '../guard.js';
import type { IngestHandlers } from '../ingest/telemetry-ingest.js';
import type { RecentSeq, SampleStore } from '../store/ports.js';
import type { confirmConfigSchema, heartbeatConfigSchema } from './config.js';
import { ConfirmationService } from './confirmation-service.js';
import { confirmingHandlers } from './confirming-handlers.js';
import { HeartbeatPinger } from './heartbeat.js';
import { MqttWatermarkPublisher, type PublishingClient } from './mqtt-watermark-publisher.js';

export interface ConfirmationOptions {
  confirm: z.infer<typeof confirmConfigSchema>;
  heartbeat: z.infer<typeof heartbeatConfigSchema>;
  topicPrefix: string;
  samples: Pick<SampleStore, 'committed'>;
  /** The seqs the ward restored, and each pump's hub now. */
  restored: readonly RecentSeq[];
  hubOf: (pumpId: string) => string | undefined;
  now: () => number;
  logger: Logger;
  onError: ErrorSink;
  /** For the heartbeat: whether ingest, store and engine work now. */
  healthy: () => Promise<{ ok: boolean; reason?: string }>;
}

export interface Confirmation {
  readonly service: ConfirmationService;
  readonly heartbeat: HeartbeatPinger | undefined;
  /** The ward's handlers, confirming what it takes. */
  handlers(ward: IngestHandlers): IngestHandlers;
  /** Once the server's MQTT client exists: watermarks go out through it, and again on each connect. */
  attach(client: PublishingClient): void;
  onBrokerConnect(): void;
  start(): void;
  stop(): void;
}

/** The "nothing lost, a silent monitor is an alarm" capability of the server, wired in one place. */
export function composeConfirmation(options: ConfirmationOptions): Confirmation {
  const publisher = new MqttWatermarkPublisher(options.topicPrefix);
  const service = new ConfirmationService({
    samples: options.samples,
    publisher,
    now: options.now,
    onError: options.onError,
    minIntervalMs: options.confirm.minIntervalMs,
  });
  service.restore(options.restored, options.hubOf);
  const { url } = options.heartbeat;
  const heartbeat = url
    ? new HeartbeatPinger({
        url,
        intervalMs: options.heartbeat.intervalMs,
        timeoutMs: options.heartbeat.timeoutMs,
        healthy: options.healthy,
        logger: options.logger.child({ component: 'heartbeat' }),
      })
    : undefined;
  return {
    service,
    heartbeat,
    handlers: (ward) => confirmingHandlers(ward, service),
    attach: (client) => publisher.attach(client),
    onBrokerConnect: () => service.republishAll(),
    start() {
      service.start();
      heartbeat?.start();
    },
    stop() {
      service.stop();
      heartbeat?.stop();
    },
  };
}
