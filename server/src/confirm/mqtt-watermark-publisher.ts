import { type HubCommitted, hubCommittedTopic } from '@pumpwatch/protocol';
import type { WatermarkPublisher } from './ports.js';

/** The part of the server's MQTT client the watermarks need (ingest/mqtt-subscriber.ts). */
export interface PublishingClient {
  connected(): boolean;
  publish(topic: string, payload: string, options: { retain: boolean }): Promise<void>;
}

/**
 * Retained, QoS 1, on `{prefix}/hubs/{hubId}/committed`: a hub that connects later reads the newest at
 * once. Nothing is queued while the broker is away (`ready` is false): the service publishes the
 * current watermarks when it is back, never a backlog of old ones.
 */
export class MqttWatermarkPublisher implements WatermarkPublisher {
  private client: PublishingClient | undefined;

  constructor(private readonly topicPrefix: string) {}

  /** The client exists only once the broker is started; until then nothing is ready. */
  attach(client: PublishingClient): void {
    this.client = client;
  }

  get ready(): boolean {
    return this.client?.connected() ?? false;
  }

  publish(hubId: string, committed: HubCommitted): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('no MQTT client yet'));
    return client.publish(hubCommittedTopic(this.topicPrefix, hubId), JSON.stringify(committed), {
      retain: true,
    });
  }
}
