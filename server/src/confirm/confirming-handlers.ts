import type { IngestHandlers } from '../ingest/telemetry-ingest.js';
import type { ConfirmationService } from './confirmation-service.js';

/**
 * The ward's ingest handlers, with every sample it took (stored, or a duplicate of one already taken)
 * noted for confirmation. A refused sample (a pump another hub owns) is not confirmed: the hub keeps
 * it and shows that nobody is confirming that pump.
 */
export function confirmingHandlers(ward: IngestHandlers, confirmations: ConfirmationService): IngestHandlers {
  return {
    onSample(hubId, pumpId, sample) {
      const refused = ward.onSample(hubId, pumpId, sample);
      if (refused === undefined) confirmations.taken(hubId, pumpId, sample);
      return refused;
    },
    onHubStatus: (hubId, status) => ward.onHubStatus(hubId, status),
    onPumpLink: (hubId, pumpId, link) => ward.onPumpLink(hubId, pumpId, link),
    onHubFloor: (hubId, floor) => confirmations.floor(hubId, floor),
  };
}
