import { createHash } from 'node:crypto';
import {
  DEFAULT_TOPIC_PREFIX,
  pumpViewSchema,
  type TelemetrySample,
  telemetryTopic,
} from '@pumpwatch/protocol';
import mqtt, { type MqttClient } from 'mqtt';

/** One fault put on a pump: the sample's identity, and when it was handed to MQTT and acknowledged. */
export interface InjectedFault {
  pumpId: string;
  hubId: string;
  seq: number;
  /** The alert the sample raises: `{pumpId}.{rule}.{seq}` (server/src/alerts/engine-core.ts). */
  alertId: string;
  /** The `Topic` header of its page: the server's derivation from the alert id (push-channel.ts). */
  pushTopic: string;
  /** `performance.now()` just before the publish. */
  publishedAt: number;
  /** The sample's `ts`: the alert's `raisedAt`. */
  ts: number;
  /** `performance.now()` at the broker's PUBACK: the sample had reached the broker. */
  ackedAt: number | null;
}

/** Far enough ahead of the pump's own counter that its next samples are still new (SeqWindow), not so
 *  far that they fall behind the window: the pump would look silent and raise pump_offline. */
const SEQ_LEAP = 1000;

/**
 * Puts an `air_in_line` alarm on a running pump at a moment the benchmark chooses: its next sample, sent
 * on the pump's own topic (its hub's subtree; the server binds a pump to the hub in the topic) by a
 * client of its own, so the load generator's pumps need no change. The sample is the pump's latest as
 * the server holds it, moved to now (volume extrapolated at its rate), with the alarm flag: one sample
 * raises the high alert, the pump's next sample clears the flag and the alert latches until acknowledged.
 */
export class FaultInjector {
  private readonly latest = new Map<string, { hubId: string; sample: TelemetrySample }>();
  private readonly prefix = DEFAULT_TOPIC_PREFIX;

  private constructor(private readonly client: MqttClient) {}

  static async connect(mqttUrl: string): Promise<FaultInjector> {
    const client = await mqtt.connectAsync(mqttUrl, {
      clientId: `pumpwatch-bench-faults-${process.pid}`,
      clean: true,
      reconnectPeriod: 0,
    });
    return new FaultInjector(client);
  }

  /** Reads each pump's hub and latest sample from the server (`GET /api/pumps/{id}`), before the run. */
  async prepare(httpUrl: string, pumpIds: readonly string[]): Promise<void> {
    for (const pumpId of pumpIds) {
      const response = await fetch(`${httpUrl}/api/pumps/${pumpId}`);
      if (!response.ok) throw new Error(`GET /api/pumps/${pumpId}: HTTP ${response.status}`);
      const view = pumpViewSchema.parse(await response.json());
      if (!view.latest) throw new Error(`pump ${pumpId} has sent no sample yet`);
      this.latest.set(pumpId, { hubId: view.hubId, sample: view.latest });
    }
  }

  inject(pumpId: string): InjectedFault {
    const known = this.latest.get(pumpId);
    if (!known) throw new Error(`pump ${pumpId} was not prepared`);
    const { hubId, sample: before } = known;
    const ts = Date.now();
    const hours = Math.max(0, ts - before.ts) / 3_600_000;
    const sample: TelemetrySample = {
      ...before,
      seq: before.seq + SEQ_LEAP,
      ts,
      hubTs: ts,
      vi_mL: before.state === 'infusing' ? before.vi_mL + before.rate_mL_h * hours : before.vi_mL,
      alarms: ['air_in_line'],
    };
    // Each pump faults once; a second fault on it would reuse the same seq.
    this.latest.delete(pumpId);
    const alertId = `${pumpId}.air_in_line.${sample.seq}`;
    const fault: InjectedFault = {
      pumpId,
      hubId,
      seq: sample.seq,
      alertId,
      pushTopic: createHash('sha256').update(alertId).digest('base64url').slice(0, 32),
      publishedAt: performance.now(),
      ts,
      ackedAt: null,
    };
    this.client.publish(
      telemetryTopic(this.prefix, hubId, pumpId),
      JSON.stringify(sample),
      { qos: 1 },
      (error) => {
        if (!error) fault.ackedAt = performance.now();
      },
    );
    return fault;
  }

  async close(): Promise<void> {
    await this.client.endAsync().catch(() => {});
  }
}
