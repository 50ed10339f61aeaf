import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type InfluxConfig, openStorage, type Storage, storeConfigSchema } from '@pumpwatch/server/store';
import { describeStoreContract, sample } from '@pumpwatch/server/testing';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningInfluxd, startInfluxd } from './support/influxd.js';

const logger = pino({ level: process.env.PUMPWATCH_TEST_LOG ?? 'silent' });
const freshDir = (prefix: string) => join(mkdtempSync(join(tmpdir(), prefix)), 'data');

function openWithInflux(dataDir: string, influx: Partial<InfluxConfig> & { url: string }): Promise<Storage> {
  const config = storeConfigSchema.parse({ influx: { retryMaxMs: 500, ...influx } });
  return openStorage({ dataDir, config, logger, now: Date.now });
}

/** InfluxDB 1.6 from Debian, through its v1 HTTP API (database / retention policy). */
describe('InfluxDB 1.x (real influxd)', () => {
  let influx: RunningInfluxd;
  beforeAll(async () => {
    influx = await startInfluxd();
  });
  afterAll(async () => {
    await influx?.dispose();
  });

  // Each location writes to a database of its own, so counts are per test.
  const databaseOf = (location: string) =>
    `contract_${basename(location.replace(/\/data$/, '')).replace(/\W/g, '_')}`;
  describeStoreContract('embedded DuckDB + InfluxDB 1.x', {
    freshLocation: () => freshDir('pw-influx-contract-'),
    async open(location) {
      await influx.createDatabase(databaseOf(location));
      return openWithInflux(location, { url: influx.url, database: databaseOf(location) });
    },
    archived: (location) => influx.countPerPump(databaseOf(location)),
  });

  describe('forwarding', () => {
    const opened: Storage[] = [];
    const open = async (dataDir: string, influxConfig: Partial<InfluxConfig> & { url: string }) => {
      const storage = await openWithInflux(dataDir, influxConfig);
      opened.push(storage);
      return storage;
    };
    afterEach(async () => {
      for (const storage of opened.splice(0)) await storage.close();
    });
    const appendSamples = (storage: Storage, pumpId: string, count: number, firstSeq = 1) => {
      const base = 1_800_000_000_000;
      for (let seq = firstSeq; seq < firstSeq + count; seq += 1) {
        storage.samples.append({
          hubId: 'hub-1',
          pumpId,
          receivedAt: Date.now(),
          sample: sample({ seq, ts: base + seq * 1000, pressure_mmHg: seq % 300 }),
        });
      }
    };

    it('writes the documented schema: measurement, hub and pump tags, typed fields, ms timestamps', async () => {
      await influx.createDatabase('schema');
      const storage = await open(freshDir('pw-influx-'), { url: influx.url, database: 'schema' });
      storage.samples.append({
        hubId: 'hub-9',
        pumpId: 'PUMP-0009',
        receivedAt: 1_800_000_000_050,
        sample: sample({ seq: 7, ts: 1_800_000_000_000, alarms: ['occlusion'], hubTs: 1_800_000_000_020 }),
      });
      await storage.samples.flush();
      await expect.poll(() => influx.countPerPump('schema'), { timeout: 10_000 }).toEqual({ 'PUMP-0009': 1 });
      const [series] = await influx.query('SELECT * FROM pump_telemetry', 'schema');
      const row = Object.fromEntries(
        series?.columns.map((column, i) => [column, series.values[0]?.[i]]) ?? [],
      );
      expect(row).toMatchObject({
        time: 1_800_000_000_000,
        hub: 'hub-9',
        pump: 'PUMP-0009',
        seq: 7,
        state: 'infusing',
        rate_mL_h: 5,
        pressure_mmHg: 60,
        onBattery: false,
        alarms: 'occlusion',
        alarmCount: 1,
        hubTs: 1_800_000_000_020,
        receivedAt: 1_800_000_000_050,
      });
      const fieldTypes = await influx.query('SHOW FIELD KEYS FROM pump_telemetry', 'schema');
      expect(Object.fromEntries(fieldTypes[0]?.values.map(([key, type]) => [key, type]) ?? [])).toMatchObject(
        {
          seq: 'integer',
          rate_mL_h: 'float',
          vi_mL: 'float',
          pressure_mmHg: 'float',
          onBattery: 'boolean',
          state: 'string',
          receivedAt: 'integer',
        },
      );
      const tags = await influx.query('SHOW TAG KEYS FROM pump_telemetry', 'schema');
      expect(tags[0]?.values.flat()).toEqual(['hub', 'pump']);
    });

    it('writes into the configured retention policy', async () => {
      await influx.createDatabase('rp');
      await influx.query('CREATE RETENTION POLICY "short" ON "rp" DURATION 1000w REPLICATION 1');
      const storage = await open(freshDir('pw-influx-'), {
        url: influx.url,
        database: 'rp',
        retentionPolicy: 'short',
      });
      appendSamples(storage, 'p1', 10);
      await storage.samples.flush();
      await expect
        .poll(
          async () =>
            (await influx.query('SELECT count(seq) FROM "rp"."short"."pump_telemetry"', 'rp'))[0]
              ?.values[0]?.[1],
          {
            timeout: 10_000,
          },
        )
        .toBe(10);
      expect(await influx.countPerPump('rp')).toEqual({});
    });

    it('names a missing database in health, keeps the samples, and delivers them once it exists', async () => {
      const storage = await open(freshDir('pw-influx-'), { url: influx.url, database: 'created_later' });
      const health = await storage.components();
      expect(health.influx).toMatchObject({
        ok: false,
        code: 'INFLUX_DATABASE_NOT_FOUND',
        database: 'created_later',
      });
      appendSamples(storage, 'p1', 500);
      await storage.samples.flush();
      await expect.poll(async () => (await storage.components()).influx?.backlog).toBe(500);
      await influx.createDatabase('created_later');
      await expect.poll(() => influx.countPerPump('created_later'), { timeout: 15_000 }).toEqual({ p1: 500 });
      await expect
        .poll(async () => (await storage.components()).influx)
        .toMatchObject({ ok: true, backlog: 0 });
    });

    it('names a missing retention policy', async () => {
      await influx.createDatabase('norp');
      const storage = await open(freshDir('pw-influx-'), {
        url: influx.url,
        database: 'norp',
        retentionPolicy: 'nope',
      });
      expect((await storage.components()).influx).toMatchObject({
        ok: false,
        code: 'INFLUX_RETENTION_POLICY_NOT_FOUND',
      });
    });

    it('skips and counts a batch InfluxDB refuses (field type conflict) and goes on with the next', async () => {
      await influx.createDatabase('conflict');
      // Someone else wrote `seq` as a float first: every integer `seq` in that shard is refused.
      const response = await fetch(`${influx.url}/write?db=conflict&precision=ms`, {
        method: 'POST',
        body: `pump_telemetry,hub=hub-1,pump=other seq=1.5 ${1_800_000_000_000}`,
      });
      expect(response.status).toBe(204);
      const storage = await open(freshDir('pw-influx-'), {
        url: influx.url,
        database: 'conflict',
        batchSize: 50,
      });
      appendSamples(storage, 'p1', 100);
      await storage.samples.flush();
      await expect
        .poll(async () => (await storage.components()).influx, { timeout: 15_000 })
        .toMatchObject({ rejected: 100, backlog: 0, lastRejection: { samples: 50 } });
      expect(JSON.stringify((await storage.components()).influx)).toContain('field type conflict');
      // Points in another shard (a week later) are fine: the forwarder has moved on.
      appendSamples(storage, 'p2', 5, 1_000_000);
      await storage.samples.flush();
      await expect.poll(() => influx.countPerPump('conflict'), { timeout: 15_000 }).toMatchObject({ p2: 5 });
      expect((await storage.components()).influx).toMatchObject({ ok: true, rejected: 100 });
    });
  });
});

describe('InfluxDB 1.x with authentication (real influxd)', () => {
  let influx: RunningInfluxd;
  beforeAll(async () => {
    influx = await startInfluxd({ auth: { username: 'admin', password: 'right' } });
    await influx.createDatabase('secured');
  });
  afterAll(async () => {
    await influx?.dispose();
  });

  it('names wrong credentials in health and delivers with the right ones', async () => {
    const wrong = await openWithInflux(freshDir('pw-influx-auth-'), {
      url: influx.url,
      database: 'secured',
      username: 'admin',
      password: 'wrong',
    });
    try {
      expect((await wrong.components()).influx).toMatchObject({ ok: false, code: 'INFLUX_AUTH_FAILED' });
      expect(JSON.stringify(await wrong.components())).not.toContain('wrong');
    } finally {
      await wrong.close();
    }
    const right = await openWithInflux(freshDir('pw-influx-auth-'), {
      url: influx.url,
      database: 'secured',
      username: 'admin',
      password: 'right',
    });
    try {
      expect((await right.components()).influx).toMatchObject({ ok: true });
      right.samples.append({
        hubId: 'h',
        pumpId: 'p',
        receivedAt: 1,
        sample: sample({ ts: 1_800_000_000_000 }),
      });
      await right.samples.flush();
      await expect.poll(() => influx.countPerPump('secured'), { timeout: 10_000 }).toEqual({ p: 1 });
    } finally {
      await right.close();
    }
  });
});
