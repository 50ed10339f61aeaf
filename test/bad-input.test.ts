import { telemetryTopic } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestServer } from './support/server-harness.js';
import { waitFor } from './support/wait.js';

interface Health {
  status: string;
  ingest: { accepted: number; rejected: Record<string, number> };
}

const prefix = 'pumpwatch/v1';

function goodSample(seq: number) {
  return JSON.stringify({
    v: 1,
    seq,
    ts: 1_763_812_800_000 + seq * 1000,
    state: 'infusing',
    rate_mL_h: 25,
    vi_mL: seq * 0.007,
    alarms: [],
  });
}

describe('bad input over MQTT (embedded aedes)', () => {
  let server: PumpwatchServer;
  let client: MqttClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await mqtt.connectAsync(server.mqttUrl);
  });
  afterAll(async () => {
    await client?.endAsync();
    await server?.stop();
  });

  it('rejects each kind of bad payload by reason and keeps every good sample around them', async () => {
    const topic = telemetryTopic(prefix, 'hub-bad', 'PUMP-BAD');
    const bad: Array<[string, string | Buffer]> = [
      [topic, 'not json at all'],
      [topic, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00])],
      [topic, JSON.stringify({ v: 1, seq: 'x' })],
      [topic, JSON.stringify({ v: 1, seq: 5, ts: 1, state: 'infusing', rate_mL_h: 'fast', vi_mL: 0 })],
      [topic, JSON.stringify({ v: 2, seq: 5, ts: 1, state: 'infusing', rate_mL_h: 1, vi_mL: 0 })],
      // Over the 64 KiB payload limit, under the broker's packet limit (64 KiB + 1 KiB), so it reaches ingest.
      [topic, JSON.stringify({ pad: 'x'.repeat(64 * 1024) })],
      [`${prefix}/hubs/hub-bad/pumps/PUMP-BAD/unknown`, goodSample(99)],
      [`${prefix}/something/else`, '{}'],
      [`${prefix}/hubs/hub-bad/status`, JSON.stringify({ online: 'maybe' })],
      [telemetryTopic(prefix, 'hub-bad', 'constructor'), goodSample(1)],
      [`${prefix}/hubs/__proto__/status`, JSON.stringify({ online: true, ts: 1 })],
    ];
    let seq = 0;
    for (const [badTopic, payload] of bad) {
      seq += 1;
      await client.publishAsync(topic, goodSample(seq), { qos: 1 });
      await client.publishAsync(badTopic, payload, { qos: 1 });
    }
    seq += 1;
    await client.publishAsync(topic, goodSample(seq), { qos: 1 });

    const health = await waitFor(
      async () => {
        const { body } = await getJson<Health>(`${server.httpUrl}/api/health`);
        const rejected = Object.values(body.ingest.rejected).reduce((a, b) => a + b, 0);
        return body.ingest.accepted === seq && rejected === bad.length ? body : undefined;
      },
      { what: 'all messages counted' },
    );
    expect(health.status).toBe('ok');
    expect(health.ingest.rejected).toEqual({
      invalid_json: 2,
      schema_invalid: 4,
      payload_too_large: 1,
      unknown_topic: 2,
      reserved_id: 2,
      pump_not_owned: 0,
    });
    const { body } = await getJson<{ samples: Array<{ seq: number }> }>(
      `${server.httpUrl}/api/pumps/PUMP-BAD/samples`,
    );
    expect(body.samples.map((s) => s.seq)).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
  });

  it('stores a redelivered sample once', async () => {
    const topic = telemetryTopic(prefix, 'hub-dup', 'PUMP-DUP');
    for (const s of [1, 2, 2, 3, 1, 3]) await client.publishAsync(topic, goodSample(s), { qos: 1 });
    const samples = await waitFor(async () => {
      const { body } = await getJson<{ samples: Array<{ seq: number }> }>(
        `${server.httpUrl}/api/pumps/PUMP-DUP/samples`,
      );
      return body.samples?.length === 3 ? body.samples : undefined;
    });
    expect(samples.map((s) => s.seq)).toEqual([1, 2, 3]);
    const { body } = await getJson<{ ingest: { duplicates: number } }>(`${server.httpUrl}/api/health`);
    expect(body.ingest.duplicates).toBeGreaterThanOrEqual(3);
  });
});
