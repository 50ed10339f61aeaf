import { serverSubscriptions } from '@pumpwatch/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

export interface MqttSubscriberOptions {
  url: string;
  /** Stable per server (derived from its data directory), so the broker can keep its session. */
  clientId: string;
  username?: string;
  password?: string;
  topicPrefix: string;
  onMessage: (topic: string, payload: Buffer) => void;
  logger: Logger;
}

export interface MqttSubscriber {
  connected(): boolean;
  /** Why the last connection attempt failed, for `/api/health`. */
  lastError(): string | undefined;
  close(): Promise<void>;
}

/**
 * The server's own MQTT client: the same code path for the embedded broker and an external one. It
 * reconnects by itself (mqtt.js reconnectPeriod) and resubscribes on every connect.
 */
export function startMqttSubscriber(options: MqttSubscriberOptions): MqttSubscriber {
  const { logger } = options;
  let lastError: string | undefined;
  const client: MqttClient = mqtt.connect(options.url, {
    // A stable id and a persistent session (clean: false) with QoS 1: while the server is away or the
    // broker restarts (with persistence), the broker keeps the telemetry the hubs already had
    // acknowledged, instead of dropping it for want of a subscriber.
    clientId: options.clientId,
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
  });
  client.on('connect', () => {
    lastError = undefined;
    logger.info({ url: options.url }, 'connected to MQTT broker');
    client.subscribe(serverSubscriptions(options.topicPrefix), { qos: 1 }, (error) => {
      if (error) logger.error({ err: error }, 'MQTT subscribe failed');
    });
  });
  client.on('message', (topic, payload) => options.onMessage(topic, payload));
  client.on('error', (error) => {
    lastError = error.message;
    logger.warn({ err: error.message }, 'MQTT client error');
  });
  client.on('offline', () => logger.warn('MQTT broker unreachable; reconnecting'));
  return {
    connected: () => client.connected,
    lastError: () => lastError,
    close: () => client.endAsync(true),
  };
}
