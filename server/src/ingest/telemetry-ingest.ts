import type { HubFloor, HubStatus, IngestRejectReason, PumpLink, TelemetrySample } from '@pumpwatch/protocol';
import type { Logger } from 'pino';
import { decodeMessage } from './decode-message.js';
import { type IngestStats, RejectionLogLimiter } from './ingest-stats.js';

/** A handler may still refuse a valid message (a pump another hub owns): it returns the reason. */
export interface IngestHandlers {
  onSample(hubId: string, pumpId: string, sample: TelemetrySample): IngestRejectReason | undefined;
  onHubStatus(hubId: string, status: HubStatus): void;
  onPumpLink(hubId: string, pumpId: string, link: PumpLink): IngestRejectReason | undefined;
  /** What a hub still holds, for the commit watermarks (server/src/confirm); optional for older callers. */
  onHubFloor?(hubId: string, floor: HubFloor): void;
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
    try {
      // Inside the try: this runs in the MQTT client's listener, where a throw would end the process.
      const message = decodeMessage(this.topicPrefix, topic, payload);
      switch (message.kind) {
        case 'telemetry': {
          const refused = this.handlers.onSample(message.hubId, message.pumpId, message.sample);
          if (refused) this.reject(refused, topic);
          return;
        }
        case 'hubStatus':
          this.stats.hubStatuses += 1;
          this.handlers.onHubStatus(message.hubId, message.status);
          return;
        case 'pumpLink': {
          const refused = this.handlers.onPumpLink(message.hubId, message.pumpId, message.link);
          if (refused) this.reject(refused, topic);
          return;
        }
        case 'hubFloor':
          this.handlers.onHubFloor?.(message.hubId, message.floor);
          return;
        case 'ownConfirmation':
          return;
        case 'rejected':
          this.reject(message.reason, message.detail);
          return;
      }
    } catch (error) {
      this.handlerErrors += 1;
      this.logger.error({ err: error, topic }, 'failed to handle a valid message');
    }
  }

  private reject(reason: IngestRejectReason, detail: unknown): void {
    this.stats.reject(reason);
    const { log, suppressedBefore } = this.logLimiter.shouldLog(reason, this.now());
    if (suppressedBefore > 0)
      this.logger.warn({ suppressed: suppressedBefore }, 'rejected messages not logged');
    if (log) this.logger.warn({ reason, detail }, 'rejected MQTT message');
  }
}
