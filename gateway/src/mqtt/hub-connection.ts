import {
  type HubCommitted,
  type HubFloor,
  type HubStatus,
  hubCommittedSchema,
  hubCommittedTopic,
  hubFloorTopic,
  hubStatusTopic,
  type PumpLink,
  pumpLinkTopic,
  type TelemetrySample,
  telemetryTopic,
} from '@pumpwatch/protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { TelemetryTransport } from '../outbox/outbox-drain.js';

export interface HubConnectionOptions {
  hubId: string;
  topicPrefix: string;
  version: string;
  mqtt: GatewayConfig['mqtt'];
  heartbeatMs: number;
  now: () => number;
  logger: Logger;
  /** Outbox figures for the status, so the server can tell a budget gap from a transit loss. */
  outbox: () => NonNullable<HubStatus['outbox']>;
  /** Called on every (re)connect, after the online status was sent: republish retained state here. */
  onConnect: () => void;
  /** The server's commit watermarks for this hub (docs/protocol.md, "Confirmation"). */
  onCommitted: (committed: HubCommitted) => void;
  /** A `committed` message that failed its schema: logged, counted, ignored. */
  onBadCommitted?: (detail: string) => void;
}

/** How long a graceful close waits for the offline status and in-flight PUBACKs before cutting. */
const CLOSE_GRACE_MS = 1000;

/**
 * The hub's MQTT session: a Last Will that marks the hub offline, a retained online status on every
 * connect and heartbeat, and QoS 1 telemetry publishes that resolve on PUBACK. Reconnects are mqtt.js's
 * own (`reconnectPeriod`); it also resends unacknowledged publishes after a reconnect.
 */
export class HubConnection implements TelemetryTransport {
  private client: MqttClient | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private ready = false;
  private readonly statusTopic: string;
  private readonly committedTopic: string;

  constructor(private readonly options: HubConnectionOptions) {
    this.statusTopic = hubStatusTopic(options.topicPrefix, options.hubId);
    this.committedTopic = hubCommittedTopic(options.topicPrefix, options.hubId);
  }

  /**
   * True from mqtt.js's `connect` event to the next `close`. Not `client.connected`: that turns true
   * before mqtt.js has resent the publishes still unacknowledged from the last connection, and a publish
   * in that window would overtake them, breaking the outbox's FIFO order on the wire.
   */
  get connected(): boolean {
    return this.ready && this.client !== null;
  }

  /** Starts connecting and returns at once: the hub runs (and queues to disk) with or without a broker. */
  connect(): void {
    if (this.client) return;
    const { mqtt: settings, hubId, logger } = this.options;
    const clientOptions: IClientOptions = {
      // `{hubId}:…`: the embedded broker ties a client id to the hub logged in (docs/security.md).
      clientId: settings.clientId ?? `${hubId}:gateway`,
      username: settings.username,
      password: settings.password,
      reconnectPeriod: settings.reconnectPeriodMs,
      connectTimeout: settings.connectTimeoutMs,
      keepalive: settings.keepaliveS,
      clean: true,
      queueQoSZero: false,
      will: this.will(),
    };
    const client = mqtt.connect(settings.url, clientOptions);
    this.client = client;
    client.on('connect', () => {
      this.ready = true;
      logger.info({ url: settings.url, hubId }, 'connected to the broker');
      this.publishStatus(true);
      // The retained watermark arrives at once; later ones as the server commits.
      client.subscribe(this.committedTopic, { qos: 1 }, (error, granted) => {
        if (error || granted?.some((grant) => grant.qos === 128))
          logger.warn(
            { err: error },
            'cannot subscribe to the commit watermarks: the broker ACL may refuse it',
          );
      });
      this.options.onConnect();
    });
    client.on('message', (topic, payload) => {
      if (topic !== this.committedTopic) return;
      this.receiveCommitted(payload);
    });
    // The will is sent with each CONNECT: refresh its timestamp for every attempt.
    client.on('reconnect', () => {
      client.options.will = this.will();
    });
    client.on('close', () => {
      this.ready = false;
      logger.debug({ url: settings.url }, 'broker connection closed');
    });
    client.on('offline', () => logger.warn({ url: settings.url }, 'broker offline; samples queue on disk'));
    // Every failed reconnect emits an error; `offline` already warned once, so these go to debug.
    client.on('error', (error) => logger.debug({ err: error, url: settings.url }, 'broker connection error'));
    this.heartbeat = setInterval(() => this.publishStatus(true), this.options.heartbeatMs);
  }

  publishTelemetry(pumpId: string, sample: TelemetrySample): Promise<void> {
    const topic = telemetryTopic(this.options.topicPrefix, this.options.hubId, pumpId);
    return this.publish(topic, JSON.stringify(sample), false);
  }

  /** What the hub still holds (QoS 1, not retained), before it re-sends: the server can then pass gaps. */
  publishFloor(floor: HubFloor): Promise<void> {
    return this.publish(
      hubFloorTopic(this.options.topicPrefix, this.options.hubId),
      JSON.stringify(floor),
      false,
    );
  }

  private receiveCommitted(payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.options.onBadCommitted?.('invalid JSON');
      return;
    }
    const parsed = hubCommittedSchema.safeParse(json);
    if (!parsed.success) {
      this.options.onBadCommitted?.(parsed.error.issues[0]?.message ?? 'schema');
      return;
    }
    this.options.onCommitted(parsed.data);
  }

  /** Retained link state of one pump; dropped while disconnected (the gateway republishes on connect). */
  publishLink(pumpId: string, link: PumpLink): void {
    const client = this.client;
    if (!client || !this.connected) return;
    const topic = pumpLinkTopic(this.options.topicPrefix, this.options.hubId, pumpId);
    this.publishRaw(client, topic, JSON.stringify(link), true).catch((error: unknown) =>
      this.options.logger.debug({ err: error, pumpId }, 'pump link not acknowledged'),
    );
  }

  /** Publishes the retained offline status, waits briefly for acks in flight, then disconnects. */
  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const client = this.client;
    if (!client) return;
    this.client = null;
    const wasReady = this.ready;
    this.ready = false;
    if (wasReady && client.connected) {
      const offline = this.publishRaw(client, this.statusTopic, this.statusPayload(false), true);
      await withTimeout(
        offline.catch(() => {}),
        CLOSE_GRACE_MS,
      );
      await withTimeout(outgoingEmpty(client), CLOSE_GRACE_MS);
    }
    // A clean DISCONNECT when nothing is pending (the broker then discards the will); otherwise cut.
    const force = !client.connected || Object.keys(client.outgoing).length > 0;
    await withTimeout(client.endAsync(force), CLOSE_GRACE_MS);
  }

  private publishStatus(online: boolean): void {
    const client = this.client;
    if (!client || !this.connected) return;
    this.publishRaw(client, this.statusTopic, this.statusPayload(online), true).catch((error: unknown) =>
      this.options.logger.debug({ err: error }, 'hub status not acknowledged'),
    );
  }

  private statusPayload(online: boolean): string {
    const status: HubStatus = {
      online,
      ts: this.options.now(),
      ...(online && { version: this.options.version, outbox: this.options.outbox() }),
    };
    return JSON.stringify(status);
  }

  private will(): NonNullable<IClientOptions['will']> {
    return { topic: this.statusTopic, payload: Buffer.from(this.statusPayload(false)), qos: 1, retain: true };
  }

  private publish(topic: string, payload: string, retain: boolean): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('not connected: the hub connection is closed'));
    return this.publishRaw(client, topic, payload, retain);
  }

  private publishRaw(client: MqttClient, topic: string, payload: string, retain: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, { qos: 1, retain }, (error) => (error ? reject(error) : resolve()));
    });
  }
}

function outgoingEmpty(client: MqttClient): Promise<void> {
  if (Object.keys(client.outgoing).length === 0) return Promise.resolve();
  return new Promise((resolve) => client.once('outgoingEmpty', () => resolve()));
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise.then(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
