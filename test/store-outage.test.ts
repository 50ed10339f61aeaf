import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PumpwatchServer, parseServerConfig, startPumpwatchServer } from '@pumpwatch/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningInfluxd, startInfluxd } from './support/influxd.js';
import { getJson } from './support/server-harness.js';
import { TelemetryPublisher } from './support/telemetry-publisher.js';
import { sleep, waitFor } from './support/wait.js';

const OUTAGE_MS = 60_000;
const PUMPS = ['OUT-1', 'OUT-2', 'OUT-3', 'OUT-4'];

interface InfluxHealth {
  ok: boolean;
  code?: string;
  backlog: number;
  forwarded: number;
}

/** Issue #5: stop influxd for 60 s while samples flow; when it is back, every sample is there exactly once. */
describe('InfluxDB outage while samples flow', () => {
  let influx: RunningInfluxd;
  let server: PumpwatchServer;
  let publisher: TelemetryPublisher;

  beforeAll(async () => {
    influx = await startInfluxd();
    await influx.createDatabase('outage');
    const config = parseServerConfig({
      http: { host: '127.0.0.1', port: 0 },
      mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0 },
      dataDir: join(mkdtempSync(join(tmpdir(), 'pw-outage-')), 'data'),
      // No pump goes silent during the test, whatever the machine's load.
      pumpOfflineAfterMs: 600_000,
      store: { influx: { url: influx.url, database: 'outage', retryMaxMs: 2000 } },
      // This suite tests storage; the security suites test authentication.
      auth: { mode: 'disabled' },
      logLevel: 'warn',
    });
    server = await startPumpwatchServer(config, {
      logger: pino({ level: process.env.PUMPWATCH_TEST_LOG ?? 'warn' }),
    });
    publisher = new TelemetryPublisher({
      mqttUrl: server.mqttUrl,
      hubId: 'hub-outage',
      pumpIds: PUMPS,
      ratePerPump: 25,
    });
    await publisher.start();
  });
  afterAll(async () => {
    await publisher?.stop();
    await server?.stop();
    await influx?.dispose();
  });

  const influxHealth = async () =>
    (await getJson<{ components: { influx: InfluxHealth } }>(`${server.httpUrl}/api/health`)).body.components
      .influx;

  it(
    'spools to disk during the outage and delivers every sample exactly once when influxd returns',
    async () => {
      await waitFor(async () => (await influxHealth()).forwarded > 0, { what: 'samples reaching InfluxDB' });

      await influx.stop();
      const down = await waitFor(
        async () => {
          const health = await influxHealth();
          return health.code === 'INFLUX_UNREACHABLE' ? health : undefined;
        },
        { timeoutMs: 20_000, what: 'health to name the outage' },
      );
      expect(down.ok).toBe(false);
      const { status } = await getJson(`${server.httpUrl}/api/health`);
      expect(status).toBe(503);

      await sleep(OUTAGE_MS);
      const backlogAtEnd = (await influxHealth()).backlog;
      // 4 pumps at 25 Hz for a minute: the spool holds the whole minute.
      expect(backlogAtEnd).toBeGreaterThan(4 * 25 * 50);

      await influx.start();
      await waitFor(
        async () => {
          const health = await influxHealth();
          return health.ok && health.backlog === 0;
        },
        { timeoutMs: 60_000, what: 'the backlog to drain' },
      );
      await publisher.stop();
      await waitFor(() => server.stats.accepted === publisher.total, {
        what: 'the last samples to be accepted',
      });

      const perPump = async () => {
        const series = await influx.query(
          'SELECT count(seq), min(seq), max(seq) FROM pump_telemetry GROUP BY pump',
          'outage',
        );
        return PUMPS.map((pumpId) => {
          const [, count, min, max] = series.find((one) => one.tags?.pump === pumpId)?.values[0] ?? [];
          return { pumpId, count, min, max };
        });
      };
      // Seq 1..n each present, n points: nothing lost, nothing twice.
      const expected = PUMPS.map((pumpId) => {
        const published = publisher.published.get(pumpId) ?? 0;
        return { pumpId, count: published, min: 1, max: published };
      });
      await expect.poll(perPump, { timeout: 15_000, interval: 250 }).toEqual(expected);
      expect(publisher.total).toBeGreaterThan(4 * 25 * 60);
    },
    OUTAGE_MS + 120_000,
  );
});
