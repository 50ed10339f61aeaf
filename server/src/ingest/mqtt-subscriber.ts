import type { Duplex } from 'node:stream';
import { serverSubscriptions } from '@pumpwatch/protocol';
import mqtt, { type IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { type ErrorSink, guarded, logToConsole } from '../guard.js';

export interface MqttSubscriberOptions {
  url: string;
  /** The embedded broker's in-process connection; without it the client connects to `url`. */
  stream?: () => Duplex;
  /** Stable per server (random, kept in its data directory), so the broker can keep its session. */
  clientId: string;
  username?: string;
  password?: string;
  topicPrefix: string;
  onMessage: (topic: string, payload: Buffer) => void;
  /** After every (re)connect and subscribe: the commit watermarks are published again from here. */
  onConnect?: () => void;
  logger: Logger;
  /** Where a listener's exception goes: thrown inside mqtt.js's emitter it would end the process. */
  onError?: ErrorSink;
}

export interface MqttSubscriber {
  connected(): boolean;
  /** QoS 1; resolves on the broker's PUBACK. */
  publish(topic: string, payload: string, options: { retain: boolean }): Promise<void>;
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
  const clientOptions: IClientOptions = {
    // A stable id and a persistent session (clean: false) with QoS 1: while the server is away or the
    // broker restarts (with persistence), the broker keeps the telemetry the hubs already had
    // acknowledged, instead of dropping it for want of a subscriber.
    clientId: options.clientId,
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
  };
  const { stream } = options;
  // mqtt.js calls the builder again on every reconnect: a fresh in-process connection each time.
  const client: MqttClient = stream
    ? new MqttClient(() => stream(), clientOptions)
    : mqtt.connect(options.url, clientOptions);
  const onError = options.onError ?? logToConsole;
  client.on(
    'connect',
    guarded(
      'mqtt/connect',
      () => {
        lastError = undefined;
        logger.info({ url: options.url }, 'connected to MQTT broker');
        client.subscribe(serverSubscriptions(options.topicPrefix), { qos: 1 }, (error) => {
          if (error) logger.error({ err: error }, 'MQTT subscribe failed');
        });
        options.onConnect?.();
      },
      onError,
    ),
  );
  client.on(
    'message',
    guarded('mqtt/message', (topic: string, payload: Buffer) => options.onMessage(topic, payload), onError),
  );
  client.on(
    'error',
    guarded(
      'mqtt/error',
      (error: Error) => {
        lastError = error.message;
        logger.warn({ err: error.message }, 'MQTT client error');
      },
      onError,
    ),
  );
  client.on(
    'offline',
    guarded('mqtt/offline', () => logger.warn('MQTT broker unreachable; reconnecting'), onError),
  );
  return {
    connected: () => client.connected,
    publish: (topic, payload, { retain }) =>
      new Promise<void>((resolve, reject) => {
        client.publish(topic, payload, { qos: 1, retain }, (error) => (error ? reject(error) : resolve()));
      }),
    lastError: () => lastError,
    close: () => client.endAsync(true),
  };
}
