import { DEFAULT_TOPIC_PREFIX, telemetryTopic } from '@pumpwatch/protocol';
import mqtt, { type MqttClient } from 'mqtt';

export interface PublisherOptions {
  mqttUrl: string;
  hubId: string;
  pumpIds: string[];
  /** Samples per second per pump; 0 = as fast as `inFlight` allows. */
  ratePerPump: number;
  /** Most QoS 1 publishes awaiting their PUBACK at once. */
  inFlight?: number;
}

/**
 * Publishes telemetry for a few pumps with QoS 1 and strictly increasing seqs (1, 2, …), like a hub's
 * gateway would, and counts what the broker acknowledged. `stop` ends it; a dead broker only ends it too.
 */
export class TelemetryPublisher {
  /** Per pump: the highest seq published so far (every seq below it was published too). */
  readonly published = new Map<string, number>();
  /** Per pump: the highest seq the broker acknowledged (PUBACK). */
  readonly pubacked = new Map<string, number>();
  private client: MqttClient | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: PublisherOptions) {
    for (const pumpId of options.pumpIds) this.published.set(pumpId, 0);
  }

  async start(): Promise<void> {
    this.client = await mqtt.connectAsync(this.options.mqttUrl, { reconnectPeriod: 0 });
    this.client.on('error', () => undefined);
    this.running = this.loop();
  }

  /** Ends publishing; publishes still awaiting a PUBACK from a dead broker are given up after 2 s. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, 2000))]);
    await this.client?.endAsync(true).catch(() => undefined);
  }

  get total(): number {
    let sum = 0;
    for (const count of this.published.values()) sum += count;
    return sum;
  }

  private async loop(): Promise<void> {
    const { pumpIds, ratePerPump, hubId } = this.options;
    const inFlight = this.options.inFlight ?? 100;
    const client = this.client as MqttClient;
    const started = Date.now();
    const pending = new Set<Promise<unknown>>();
    let round = 0;
    while (!this.stopped && client.connected) {
      if (ratePerPump > 0) {
        const due = started + (round * 1000) / ratePerPump;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
      round += 1;
      for (const pumpId of pumpIds) {
        const seq = (this.published.get(pumpId) ?? 0) + 1;
        this.published.set(pumpId, seq);
        const payload = JSON.stringify({
          v: 1,
          seq,
          // Distinct per pump and seq: one point per sample in InfluxDB.
          ts: started + seq,
          state: 'infusing',
          rate_mL_h: 50,
          vi_mL: seq / 100,
          vtbi_mL: 1000,
          pressure_mmHg: 40 + (seq % 20),
          occlusionLimit_mmHg: 300,
          battery_pct: 90,
          onBattery: false,
          alarms: [],
        });
        const publish = client
          .publishAsync(telemetryTopic(DEFAULT_TOPIC_PREFIX, hubId, pumpId), payload, { qos: 1 })
          .then(() => {
            if (seq > (this.pubacked.get(pumpId) ?? 0)) this.pubacked.set(pumpId, seq);
          })
          .catch(() => undefined);
        pending.add(publish);
        void publish.finally(() => pending.delete(publish));
        if (pending.size >= inFlight) await Promise.race(pending);
      }
    }
    await Promise.allSettled([...pending]);
  }
}
