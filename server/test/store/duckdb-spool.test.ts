import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { type DuckDbStore, openDuckDbStore } from '../../src/store/duckdb/open-duckdb-store.js';
import { sample } from '../fixtures.js';

const stores: DuckDbStore[] = [];
async function open(dataDir: string): Promise<DuckDbStore> {
  const store = await openDuckDbStore({ dataDir, flushIntervalMs: 60_000 });
  stores.push(store);
  return store;
}
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => undefined);
});
const freshDir = () => join(mkdtempSync(join(tmpdir(), 'pw-spool-')), 'data');

describe('embedded store as the forwarders’ spool', () => {
  it('hands out only durable samples, in the order they were stored', async () => {
    const store = await open(freshDir());
    store.samples.append({ hubId: 'h', pumpId: 'b', receivedAt: 1, sample: sample({ seq: 7, ts: 50 }) });
    store.samples.append({ hubId: 'h', pumpId: 'a', receivedAt: 2, sample: sample({ seq: 1, ts: 10 }) });
    expect(await store.spool.read(0, 10)).toEqual([]);
    let woken = 0;
    store.spool.onDurable(() => {
      woken += 1;
    });
    await store.samples.flush();
    expect(woken).toBe(1);
    const spooled = await store.spool.read(0, 10);
    expect(spooled.map((row) => [row.pumpId, row.sample.seq])).toEqual([
      ['b', 7],
      ['a', 1],
    ]);
    expect(spooled[1]?.id).toBeGreaterThan(spooled[0]?.id ?? Number.POSITIVE_INFINITY);
    expect(store.spool.lastId()).toBe(spooled[1]?.id);
    expect(await store.spool.read(spooled[0]?.id ?? 0, 10)).toHaveLength(1);
  });

  it('keeps each sink’s position and its ids across a restart', async () => {
    const dataDir = freshDir();
    const first = await open(dataDir);
    for (let seq = 1; seq <= 3; seq += 1) {
      first.samples.append({ hubId: 'h', pumpId: 'p', receivedAt: seq, sample: sample({ seq, ts: seq }) });
    }
    await first.samples.flush();
    expect(await first.spool.position('sink-a')).toBe(0);
    await first.spool.acknowledge('sink-a', 2);
    await first.close();
    stores.splice(0);

    const second = await open(dataDir);
    expect(await second.spool.position('sink-a')).toBe(2);
    second.samples.append({ hubId: 'h', pumpId: 'p', receivedAt: 4, sample: sample({ seq: 4, ts: 4 }) });
    await second.samples.flush();
    expect((await second.spool.read(2, 10)).map((row) => [row.id, row.sample.seq])).toEqual([
      [3, 3],
      [4, 4],
    ]);
  });

  it('gives the samples of a store made before ingest ids their ids in insertion order', async () => {
    const dataDir = freshDir();
    mkdirSync(dataDir, { recursive: true });
    // The schema of the walking skeleton, before issue #5.
    const instance = await DuckDBInstance.create(join(dataDir, 'pumpwatch.duckdb'));
    const connection = await instance.connect();
    await connection.run(`CREATE TABLE samples (hub_id VARCHAR NOT NULL, pump_id VARCHAR NOT NULL,
      seq BIGINT NOT NULL, ts BIGINT NOT NULL, received_at BIGINT NOT NULL, state VARCHAR NOT NULL,
      rate_ml_h DOUBLE NOT NULL, vi_ml DOUBLE NOT NULL, vtbi_ml DOUBLE, pressure_mmhg DOUBLE,
      occlusion_limit_mmhg DOUBLE, battery_pct DOUBLE, on_battery BOOLEAN, alarms VARCHAR NOT NULL, hub_ts BIGINT)`);
    await connection.run(`INSERT INTO samples VALUES
      ('h', 'old', 1, 100, 100, 'infusing', 5, 1, NULL, NULL, NULL, NULL, NULL, '[]', NULL),
      ('h', 'old', 2, 200, 200, 'infusing', 5, 2, NULL, NULL, NULL, NULL, NULL, '[]', NULL)`);
    connection.closeSync();
    instance.closeSync();

    const store = await open(dataDir);
    expect((await store.samples.query('old', { limit: 10 })).map((s) => s.seq)).toEqual([1, 2]);
    store.samples.append({ hubId: 'h', pumpId: 'new', receivedAt: 300, sample: sample({ seq: 1, ts: 300 }) });
    await store.samples.flush();
    expect((await store.spool.read(0, 10)).map((row) => [row.id, row.pumpId])).toEqual([
      [1, 'old'],
      [2, 'old'],
      [3, 'new'],
    ]);
  });
});
