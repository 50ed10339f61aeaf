import type { HubCommitted } from '@pumpwatch/protocol';

/**
 * Where the server's commit watermarks go (docs/protocol.md, "Confirmation"): in production its own
 * MQTT client, retained on `{prefix}/hubs/{hubId}/committed`. Contract: server/test/confirm-contract.ts.
 */
export interface WatermarkPublisher {
  /** False while the message cannot go out (the broker is away): the hub is published again later. */
  readonly ready: boolean;
  /** Resolves once the broker has the message (PUBACK); rejects when it could not be sent. */
  publish(hubId: string, committed: HubCommitted): Promise<void>;
}
