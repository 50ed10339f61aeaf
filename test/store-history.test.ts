import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { samplesResponseSchema, telemetryTopic } from '@pumpwatch/protocol';
import { type PumpwatchServer, parseServerConfig, startPumpwatchServer } from '@pumpwatch/server';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningInfluxd, startInfluxd } from './support/influxd.js';
import { getJson } from './support/server-harness.js';
import { waitFor } from './support/wait.js';

const logger = pino({ level: process.env.PUMPWATCH_TEST_LOG ?? 'warn' });

async function startServer(store: Record<string, unknown> = {}): Promise<PumpwatchServer> {
  const config = parseServerConfig({
    http: { host: '127.0.0.1', port: 0 },
    mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0 },
    dataDir: join(mkdtempSync(join(tmpdir(), 'pw-history-')), 'data'),
    pumpOfflineAfterMs: 600_000,
    store,
    // This suite tests storage; the security suites test authentication.
    auth: { mode: 'disabled' },
    logLevel: 'warn',
  });
  return startPumpwatchServer(config, { logger });
}

describe('history over HTTP: raw samples and downsampled buckets', () => {
  let server: PumpwatchServer;
  // A multiple of every step below, an hour ago.
  const base = Math.floor(Date.now() / 600_000) * 600_000 - 3_600_000;

  beforeAll(async () => {
    server = await startServer();
    const client = await mqtt.connectAsync(server.mqttUrl);
    // 10 minutes of one sample every 10 s, pressure rising 1 mmHg per sample; battery only in even minutes.
    for (let i = 0; i < 60; i += 1) {
      const minute = Math.floor(i / 6);
      const sample = {
        v: 1,
        seq: i + 1,
        ts: base + i * 10_000,
        state: 'infusing',
        rate_mL_h: 100,
        vi_mL: i,
        pressure_mmHg: 50 + i,
        ...(minute % 2 === 0 ? { battery_pct: 90 - minute } : {}),
        alarms: [],
      };
      await client.publishAsync(telemetryTopic('pumpwatch/v1', 'hub-h', 'HIST-1'), JSON.stringify(sample), {
        qos: 1,
      });
    }
    await client.endAsync();
    await waitFor(() => server.stats.accepted === 60, { what: '60 accepted samples' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers ?step= with min, max and mean per bucket and no raw samples', async () => {
    const { status, body } = await getJson(
      `${server.httpUrl}/api/pumps/HIST-1/samples?from=${base}&to=${base + 600_000}&step=120000`,
    );
    expect(status).toBe(200);
    const response = samplesResponseSchema.parse(body);
    expect(response).toMatchObject({
      pumpId: 'HIST-1',
      from: base,
      to: base + 600_000,
      step: 120_000,
      count: 5,
    });
    expect(response.samples).toEqual([]);
    expect(response.buckets?.map((bucket) => [bucket.t - base, bucket.n])).toEqual([
      [0, 12],
      [120_000, 12],
      [240_000, 12],
      [360_000, 12],
      [480_000, 12],
    ]);
    expect(response.buckets?.[0]?.pressure_mmHg).toEqual({ min: 50, max: 61, mean: 55.5 });
    // Minutes 0 and 1: battery only in minute 0 (90), so the bucket summarises those six.
    expect(response.buckets?.[0]?.battery_pct).toEqual({ min: 90, max: 90, mean: 90 });
    expect(response.buckets?.[1]?.rate_mL_h).toEqual({ min: 100, max: 100, mean: 100 });
  });

  it('answers without step with raw samples, oldest first, at most limit', async () => {
    const { status, body } = await getJson(`${server.httpUrl}/api/pumps/HIST-1/samples?limit=5`);
    expect(status).toBe(200);
    const response = samplesResponseSchema.parse(body);
    expect(response).toMatchObject({ step: null, count: 5 });
    expect(response.samples.map((sample) => sample.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(response.buckets).toBeUndefined();
  });

  it('refuses a step under one second with VALIDATION_FAILED', async () => {
    const { status, body } = await getJson<{ error: { code: string } }>(
      `${server.httpUrl}/api/pumps/HIST-1/samples?step=500`,
    );
    expect(status).toBe(400);
    expect(body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('health names a broken InfluxDB', () => {
  let influx: RunningInfluxd;
  let server: PumpwatchServer;
  beforeAll(async () => {
    influx = await startInfluxd();
    server = await startServer({ influx: { url: influx.url, database: 'does_not_exist' } });
  });
  afterAll(async () => {
    await server?.stop();
    await influx?.dispose();
  });

  it('answers 503 with the influx component failing as INFLUX_DATABASE_NOT_FOUND', async () => {
    // Only InfluxDB is broken: wait out the broker connection so it cannot be the reason.
    await waitFor(async () => {
      const { body } = await getJson<{ components: { mqtt: { ok: boolean } } }>(
        `${server.httpUrl}/api/health`,
      );
      return body.components.mqtt.ok;
    });
    const { status, body } = await getJson<{
      status: string;
      failing: string[];
      components: Record<string, { ok: boolean; code?: string; database?: string }>;
    }>(`${server.httpUrl}/api/health`);
    expect(status).toBe(503);
    expect(body.status).toBe('degraded');
    expect(body.failing).toEqual(['influx']);
    expect(body.components.influx).toMatchObject({
      ok: false,
      code: 'INFLUX_DATABASE_NOT_FOUND',
      database: 'does_not_exist',
    });
    expect(body.components.store?.ok).toBe(true);
  });
});
