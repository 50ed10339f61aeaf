import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TelemetrySample } from '@pumpwatch/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DuckDbStore, openDuckDbStore } from '../../src/store/duckdb/open-duckdb-store.js';
import { sampleLine } from '../../src/store/influx/line-protocol.js';
import { sample } from '../fixtures.js';

/** DuckDB prints a whole float as `25.0`, JavaScript as `25`: the same float for InfluxDB. */
const sameFloats = (line: string) => line.replace(/=(-?\d+)\.0(?=[, ])/g, '=$1');

describe('InfluxDB lines encoded by DuckDB', () => {
  let store: DuckDbStore;
  beforeAll(async () => {
    store = await openDuckDbStore({ dataDir: join(mkdtempSync(join(tmpdir(), 'pw-lines-')), 'data') });
  });
  afterAll(async () => {
    await store.close();
  });

  it('are the lines of line-protocol.ts, field for field, for every shape of sample', async () => {
    const {
      vtbi_mL: _a,
      pressure_mmHg: _b,
      occlusionLimit_mmHg: _c,
      battery_pct: _d,
      onBattery: _e,
      ...bare
    } = sample({ seq: 2, ts: 1_800_000_000_002 });
    const shapes: Array<[string, string, TelemetrySample]> = [
      ['hub-1', 'PUMP-0001', sample({ seq: 1, ts: 1_800_000_000_001, alarms: ['occlusion', 'door_open'] })],
      ['hub-1', 'PUMP-0001', bare],
      [
        'hub_2',
        'p-3',
        sample({
          seq: 3,
          ts: 1_800_000_000_003,
          rate_mL_h: 0.1 + 0.2,
          vi_mL: 12_345.678,
          pressure_mmHg: -12.5,
          battery_pct: 0,
          onBattery: true,
          hubTs: 1_800_000_000_040,
        }),
      ],
      // Not a valid id (the protocol refuses it), but the encoders must still agree and escape it.
      ['hub 4', 'pump,=4', sample({ seq: 4, ts: 1_800_000_000_004, rate_mL_h: 10_000 })],
    ];
    for (const [hubId, pumpId, one] of shapes) {
      store.samples.append({ hubId, pumpId, receivedAt: 1_800_000_000_100, sample: one });
    }
    await store.samples.flush();
    const rows = await store.spool.read(0, 100);
    const batch = await store.spool.readLines(0, 100, 'pump_telemetry');
    expect(batch).toMatchObject({ count: 4, firstId: rows[0]?.id, lastId: rows[3]?.id });
    expect(batch.lines.map(sameFloats)).toEqual(rows.map((row) => sampleLine(row)));
    expect(batch.lines[3]).toContain('hub=hub\\ 4,pump=pump\\,\\=4 ');
  });

  it('pass over ids that have no sample, so a reader never stalls on a hole', async () => {
    const first = store.spool.lastId() + 1;
    for (const [seq, receivedAt] of [
      [11, 5_000],
      [12, 1_000],
      [13, 5_000],
    ] as const) {
      store.samples.append({ hubId: 'h', pumpId: 'hole', receivedAt, sample: sample({ seq, ts: seq }) });
    }
    // Retention (no forwarder registered) removes the middle one: id first + 1 has no sample any more.
    expect(await store.samples.prune(2_000)).toBeGreaterThanOrEqual(1);
    expect(await store.spool.readLines(first - 1, 1, 'm')).toMatchObject({ count: 1, lastId: first });
    expect(await store.spool.readLines(first, 1, 'm')).toEqual({
      count: 0,
      firstId: first,
      lastId: first + 1,
      lines: [],
    });
    const after = await store.spool.readLines(first + 1, 10, 'm');
    expect(after).toMatchObject({ count: 1, firstId: first + 2, lastId: first + 2 });
    expect(await store.spool.readLines(first + 2, 10, 'm')).toMatchObject({ count: 0, lastId: first + 2 });
  });
});
