import type { HubStatus, PumpLink, TelemetrySample } from '@pumpwatch/protocol';
import type { Logger } from 'pino';
import { decodeMessage } from './decode-message.js';
import { type IngestStats, RejectionLogLimiter } from './ingest-stats.js';

export interface IngestHandlers {
  onSample(hubId: string, pumpId: string, sample: TelemetrySample): void;
  onHubStatus(hubId: string, status: HubStatus): void;
  onPumpLink(hubId: string, pumpId: string, link: PumpLink): void;
}

/**
 * Turns raw MQTT messages into validated samples and hub statuses. Bad input is counted by reason and
 * logged without flooding; a handler failure is logged and counted, never thrown back into the client.
 */
export class TelemetryIngest {
  private readonly logLimiter = new RejectionLogLimiter();
  handlerErrors = 0;

  constructor(
    private readonly topicPrefix: string,
    private readonly stats: IngestStats,
    private readonly handlers: IngestHandlers,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  handle(topic: string, payload: Uint8Array): void {
    const message = decodeMessage(this.topicPrefix, topic, payload);
    try {
      switch (message.kind) {
        case 'telemetry':
          this.handlers.onSample(message.hubId, message.pumpId, message.sample);
          return;
        case 'hubStatus':
          this.stats.hubStatuses += 1;
          this.handlers.onHubStatus(message.hubId, message.status);
          return;
        case 'pumpLink':
          this.handlers.onPumpLink(message.hubId, message.pumpId, message.link);
          return;
        case 'rejected': {
          this.stats.reject(message.reason);
          const { log, suppressedBefore } = this.logLimiter.shouldLog(message.reason, this.now());
          if (suppressedBefore > 0)
            this.logger.warn({ suppressed: suppressedBefore }, 'rejected messages not logged');
          if (log)
            this.logger.warn({ reason: message.reason, detail: message.detail }, 'rejected MQTT message');
          return;
        }
      }
    } catch (error) {
      this.handlerErrors += 1;
      this.logger.error({ err: error, topic }, 'failed to handle a valid message');
    }
  }
}
