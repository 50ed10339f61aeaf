import {
  DEFAULT_TOPIC_PREFIX,
  type HubStatus,
  hubStatusTopic,
  pumpLinkTopic,
  type TelemetrySample,
  telemetryTopic,
} from '@pumpwatch/protocol';
import mqtt, { type MqttClient } from 'mqtt';

export interface FakeHubOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  url: string;
  hubId: string;
  topicPrefix?: string;
  /** Retained status heartbeat, wall clock (the gateway's default: 15 s). */
  heartbeatMs?: number;
  /** Hub clock for status `ts`: event time, so an accelerated run stays consistent. */
  now?: () => number;
  username?: string;
  password?: string;
  connectTimeoutMs?: number;
}

const QOS1 = { qos: 1 } as const;

export interface FakeHubCounters {
  /** Telemetry publishes handed to the client, and those the broker acknowledged (PUBACK). */
  published: number;
  acked: number;
  errors: number;
}

/**
 * A home hub on the wire without the gateway's outbox: the same session as the real one (retained
 * status on connect and every heartbeat, Last Will `{"online": false}`, QoS 1 telemetry, retained pump
 * link), cheap enough to run thousands in one process for load. `vanish()` drops the TCP connection
 * without DISCONNECT, as a power cut does, so the broker publishes the Last Will.
 */
export class FakeHub {
  readonly counters: FakeHubCounters = { published: 0, acked: 0, errors: 0 };
  private client: MqttClient | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly prefix: string;
  private readonly topics = new Map<string, string>();
  private readonly now: () => number;
  private readonly onAck = (error?: Error) => {
    if (error) this.counters.errors += 1;
    else this.counters.acked += 1;
  };

  constructor(private readonly options: FakeHubOptions) {
    this.prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
    this.now = options.now ?? Date.now;
  }

  get hubId(): string {
    return this.options.hubId;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Connects (resolves on CONNACK), then publishes the retained online status. */
  async connect(): Promise<void> {
    if (this.client) return;
    const { url, hubId, username, password } = this.options;
    const client = mqtt.connect(url, {
      clientId: `pumpwatch-load-${hubId}`,
      clean: true,
      // A load run wants to see a lost connection in its figures, not hide it behind reconnects.
      reconnectPeriod: 0,
      connectTimeout: this.options.connectTimeoutMs ?? 30_000,
      keepalive: 60,
      will: {
        topic: hubStatusTopic(this.prefix, hubId),
        payload: Buffer.from(JSON.stringify(this.status(false))),
        qos: 1,
        retain: true,
      },
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
    });
    this.client = client;
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error(`hub ${hubId}: connection closed before CONNACK`)));
    });
    client.on('error', () => {
      this.counters.errors += 1;
    });
    this.publishStatus(true);
    this.heartbeat = setInterval(() => this.publishStatus(true), this.options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  /** Retained link state of a pump, as the gateway publishes when it opens the pump's port. */
  publishLink(pumpId: string, state: 'up' | 'down'): void {
    this.client?.publish(
      pumpLinkTopic(this.prefix, this.options.hubId, pumpId),
      JSON.stringify({ state, ts: Math.max(1, Math.round(this.now())) }),
      { qos: 1, retain: true },
    );
  }

  /** QoS 1 telemetry; `onAcked` (optional) runs on PUBACK. Dropped (and not counted) while disconnected. */
  publishTelemetry(pumpId: string, sample: TelemetrySample, onAcked?: () => void): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    this.counters.published += 1;
    const callback = onAcked
      ? (error?: Error) => {
          this.onAck(error);
          if (!error) onAcked();
        }
      : this.onAck;
    client.publish(this.topicOf(pumpId), JSON.stringify(sample), QOS1, callback);
    return true;
  }

  /** The hub disappears: TCP cut without DISCONNECT, so the broker publishes the Last Will. */
  vanish(): void {
    this.stopHeartbeat();
    const client = this.client;
    this.client = null;
    client?.end(true);
  }

  /** Graceful goodbye: retained offline status, then DISCONNECT (the broker discards the will). */
  async close(): Promise<void> {
    this.stopHeartbeat();
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (client.connected) {
      await new Promise<void>((resolve) =>
        client.publish(
          hubStatusTopic(this.prefix, this.options.hubId),
          JSON.stringify(this.status(false)),
          { qos: 1, retain: true },
          () => resolve(),
        ),
      );
    }
    await client.endAsync(!client.connected);
  }

  private topicOf(pumpId: string): string {
    let topic = this.topics.get(pumpId);
    if (topic === undefined) {
      topic = telemetryTopic(this.prefix, this.options.hubId, pumpId);
      this.topics.set(pumpId, topic);
    }
    return topic;
  }

  private publishStatus(online: boolean): void {
    this.client?.publish(
      hubStatusTopic(this.prefix, this.options.hubId),
      JSON.stringify(this.status(online)),
      {
        qos: 1,
        retain: true,
      },
    );
  }

  private status(online: boolean): HubStatus {
    return { online, ts: Math.max(1, Math.round(this.now())), ...(online ? { version: 'load-0.1.0' } : {}) };
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
