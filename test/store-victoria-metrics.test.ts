import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openStorage, type Storage, storeConfigSchema } from '@pumpwatch/server/store';
import { describeStoreContract, sample } from '@pumpwatch/server/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningVictoriaMetrics, startVictoriaMetrics } from './support/victoria-metrics.js';

const logger = pino({ level: process.env.PUMPWATCH_TEST_LOG ?? 'silent' });
const freshDir = () => join(mkdtempSync(join(tmpdir(), 'pw-vm-contract-')), 'data');

/**
 * The v2 write path (the official client's WriteApi → `/api/v2/write`) against a real server that
 * accepts it: Debian's VictoriaMetrics. Its export API reads the points back. VictoriaMetrics names a
 * series `{measurement}_{field}`; only numeric and boolean fields carry values there.
 */
describe('v2 write API (real VictoriaMetrics)', () => {
  let vm: RunningVictoriaMetrics;
  beforeAll(async () => {
    vm = await startVictoriaMetrics();
  });
  afterAll(async () => {
    await vm?.stop();
  });

  const open = (location: string): Promise<Storage> =>
    openStorage({
      dataDir: location,
      config: storeConfigSchema.parse({
        influx: {
          url: vm.url,
          org: 'pumpwatch',
          bucket: 'telemetry',
          token: 'unused-by-vm',
          retryMaxMs: 500,
        },
      }),
      logger,
      now: Date.now,
    });
  const seqCounts = async (match: string) => {
    const counts: Record<string, number> = {};
    for (const series of await vm.exportSeries(match)) {
      const pump = series.metric.pump ?? '';
      counts[pump] = (counts[pump] ?? 0) + series.values.length;
    }
    return counts;
  };

  // Every contract test writes hub `h`; a measurement per location keeps their counts apart.
  const measurementOf = (location: string) =>
    `contract_${basename(location.replace(/\/data$/, '')).replace(/\W/g, '_')}`;
  describeStoreContract('embedded DuckDB + v2 write API', {
    freshLocation: freshDir,
    open: (location) =>
      openStorage({
        dataDir: location,
        config: storeConfigSchema.parse({
          influx: {
            url: vm.url,
            org: 'pumpwatch',
            bucket: 'telemetry',
            measurement: measurementOf(location),
            retryMaxMs: 500,
          },
        }),
        logger,
        now: Date.now,
      }),
    archived: (location) => seqCounts(`${measurementOf(location)}_seq`),
  });

  it('writes every numeric field of each sample, tagged by hub and pump, at the sample time', async () => {
    const storage = await open(freshDir());
    try {
      const ts = Date.now() - 60_000;
      storage.samples.append({
        hubId: 'hub-vm',
        pumpId: 'PUMP-VM',
        receivedAt: ts + 40,
        sample: sample({ seq: 3, ts, rate_mL_h: 25.5, pressure_mmHg: 120, onBattery: true }),
      });
      await storage.samples.flush();
      await expect
        .poll(async () => (await vm.exportSeries('pump_telemetry_receivedAt{pump="PUMP-VM"}')).length, {
          timeout: 20_000,
          interval: 250,
        })
        .toBe(1);
      const values = Object.fromEntries(
        (await vm.exportSeries('{__name__=~"pump_telemetry_.*", pump="PUMP-VM"}')).map((series) => [
          series.metric.__name__,
          { value: series.values[0], ts: series.timestamps[0], hub: series.metric.hub },
        ]),
      );
      expect(values.pump_telemetry_seq).toEqual({ value: 3, ts, hub: 'hub-vm' });
      expect(values.pump_telemetry_rate_mL_h?.value).toBe(25.5);
      expect(values.pump_telemetry_pressure_mmHg?.value).toBe(120);
      expect(values.pump_telemetry_onBattery?.value).toBe(1);
      expect(values.pump_telemetry_receivedAt?.value).toBe(ts + 40);
      expect((await storage.components()).influx).toMatchObject({ ok: true, api: 'v2', bucket: 'telemetry' });
    } finally {
      await storage.close();
    }
  });

  it('counts every sample of every pump after a burst of 20,000', async () => {
    const storage = await open(freshDir());
    try {
      const base = Date.now() - 3_600_000;
      for (let seq = 1; seq <= 5000; seq += 1) {
        for (const pumpId of ['burst-1', 'burst-2', 'burst-3', 'burst-4']) {
          storage.samples.append({
            hubId: 'hub-burst',
            pumpId,
            receivedAt: base,
            sample: sample({ seq, ts: base + seq * 100 }),
          });
        }
      }
      await storage.samples.flush();
      await expect
        .poll(() => seqCounts('pump_telemetry_seq{hub="hub-burst"}'), { timeout: 30_000, interval: 500 })
        .toEqual({ 'burst-1': 5000, 'burst-2': 5000, 'burst-3': 5000, 'burst-4': 5000 });
    } finally {
      await storage.close();
    }
  });
});
